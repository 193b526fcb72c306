"""SVG charts: a title and description for screen readers, words and a table for everyone, no colour alone."""
from __future__ import annotations

from xml.etree import ElementTree

from voice_service.analysis import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ElementTree.fromstring(str(chart.svg))


def test_a_bar_chart_has_a_title_a_description_and_a_label_on_every_bar():
    chart = charts.bar_chart("c1", "Answers by theme", [("Feeling safe", 12), ("School and learning", 7)],
                             value_heading="Answers", label_heading="Theme")
    root = parse(chart)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Answers by theme"
    assert root.find(f"{SVG}desc").text == chart.summary
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Feeling safe" in texts and "12" in texts and "7" in texts   # values written, not just drawn
    assert len(root.findall(f"{SVG}rect")) == 2
    assert chart.summary == "Answers by theme: the highest is Feeling safe (12) and the lowest is School and learning (7)."
    assert chart.table_head == ("Theme", "Answers")
    assert chart.table_rows == (("Feeling safe", "12"), ("School and learning", "7"))
    assert "<script" not in str(chart.svg)


def test_hidden_values_draw_nothing_and_say_so():
    chart = charts.bar_chart("c2", "Share who gave their views", [("Parent", 0.5), ("Carer", None)], fmt=charts.percent, max_value=1)
    root = parse(chart)
    assert len(root.findall(f"{SVG}rect")) == 1
    assert "[c] hidden" in [t.text for t in root.iter(f"{SVG}text")]
    assert ("Carer", "[c]") in chart.table_rows
    assert "1 figure is hidden to protect privacy" in chart.summary


def test_everything_hidden_is_said_plainly():
    chart = charts.bar_chart("c3", "Answers by theme", [("Feeling safe", None)])
    assert "every figure is hidden to protect privacy" in chart.summary


def test_words_in_a_chart_are_escaped():
    chart = charts.bar_chart("c4", "<b>Title</b>", [("<script>alert(1)</script>", 5)])
    assert "<script>" not in str(chart.svg)
    parse(chart)  # still well-formed


def test_line_chart_series_differ_by_shape_and_dash_and_are_named_on_the_chart():
    chart = charts.line_chart("c5", "Sentiment by month", ["September 2026", "October 2026"],
                              [("Positive", [0.4, 0.5]), ("Negative", [0.3, None])], fmt=charts.percent, max_value=1)
    root = parse(chart)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1                    # the negative series has a gap, so only one point
    assert root.findall(f"{SVG}circle") and root.findall(f"{SVG}rect")   # different marker shapes
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Positive 50%" in texts and "Negative 30%" in texts
    assert chart.summary.startswith("Sentiment by month: Positive rose from 40% in September 2026 to 50% in October 2026")
    assert chart.table_rows[1] == ("October 2026", "50%", "[c]")


def test_colours_have_enough_contrast_against_white():
    def luminance(hex_colour):
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for colour, _, _ in charts.SERIES_STYLES + ((charts.BAR_COLOUR, "", ""),):
        assert (1.05) / (luminance(colour) + 0.05) >= 3, colour
    assert len({(dash, shape) for _, dash, shape in charts.SERIES_STYLES}) == len(charts.SERIES_STYLES)


def test_series_names_at_the_same_height_do_not_overlap():
    chart = charts.line_chart("c6", "Themes by month", ["September 2026", "October 2026"],
                              [("Feeling safe", [9, 9]), ("Relationship with the worker", [9, 9])])
    root = parse(chart)
    ends = {t.text: float(t.get("y")) for t in root.iter(f"{SVG}text") if t.text and t.text.endswith(" 9")}
    assert abs(ends["Feeling safe 9"] - ends["Relationship with the worker 9"]) >= 18
