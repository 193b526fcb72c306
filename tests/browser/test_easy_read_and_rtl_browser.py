"""Issue 17 in a real browser: the easy-read start, check and confirmation pages pass axe and keep
each picture beside its line; in Arabic the back link's arrow points right (back, in a right-to-left
page); the read-aloud and chat widgets pass axe in Bengali, Somali and Arabic."""
from __future__ import annotations

import re

import pytest

from tests.support.browser import assert_no_sideways_scroll, axe_check
from tests.support.public_survey import install_test_survey, invite

pytestmark = pytest.mark.browser

VOICE = "speechSynthesis.getVoices = () => [{lang: '%s', name: 'Test voice', default: true}]"
BCP47 = {"en": "en-GB", "ar": "ar-SA", "bn": "bn-BD", "so": "so-SO"}


@pytest.fixture
def survey(app, live_server):
    install_test_survey(app)
    return install_test_survey(live_server.app)


def _checked(page) -> None:
    axe_check(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_sideways_scroll(page)
    page.set_viewport_size(size)


def _pictures_beside_lines(page) -> None:
    lines = page.locator(".app-easy-read__line")
    assert lines.count() >= 3
    for i in range(lines.count()):
        picture = lines.nth(i).locator(".app-easy-read__picture").bounding_box()
        words = lines.nth(i).locator(".app-easy-read__words").bounding_box()
        # Same row: the picture's middle is within the words' height, not above or below them.
        middle = picture["y"] + picture["height"] / 2
        assert words["y"] <= middle <= words["y"] + words["height"], f"line {i} picture is not beside its words"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_easy_read_start_check_and_confirmation_pages(app, live_server, new_page, survey, language):
    _, token = invite(language=language)
    page = new_page(locale=BCP47[language])
    page.add_init_script(VOICE % BCP47[language])
    page.goto(f"{live_server.url}/r/{token}")
    assert page.locator(".app-read-aloud").is_visible()
    _pictures_beside_lines(page)
    start = page.locator("a.govuk-button--start").bounding_box()
    assert start["height"] >= 44  # a large target (WCAG 2.5.5 asks 44 px)
    _checked(page)
    page.goto(f"{live_server.url}/r/{token}/q/feel_safe")  # the one required question
    page.check("input[value=yes]")
    page.click("#continue")
    page.goto(f"{live_server.url}/r/{token}/check")
    _pictures_beside_lines(page)
    assert page.locator("button.app-easy-read__button").bounding_box()["height"] >= 44
    _checked(page)
    page.click("button.app-easy-read__button")
    page.wait_for_url(re.compile(r"/done$"))
    _pictures_beside_lines(page)
    assert page.locator(".app-read-aloud").is_visible()
    _checked(page)


def _back_arrow(page) -> dict:
    """Which way the back link's drawn chevron points on screen, and which side of the words it sits."""
    return page.evaluate("""() => {
      const link = document.querySelector('.govuk-back-link')
      const arrow = getComputedStyle(link, '::before')
      const m = new DOMMatrix(arrow.transform)
      // GOV.UK draws the chevron from its top and right borders: its point is at (1, -1) before turning.
      const pointsX = m.a * 1 + m.c * -1
      return {points: pointsX > 0 ? 'right' : 'left', right: arrow.right, left: arrow.left,
              paddingRight: getComputedStyle(link).paddingRight, paddingLeft: getComputedStyle(link).paddingLeft}
    }""")


def test_the_back_link_arrow_points_back_in_each_reading_direction(app, live_server, new_page, survey):
    _, token = invite(language="ar")
    page = new_page(locale="ar-SA")
    page.goto(f"{live_server.url}/r/{token}/check")
    assert page.evaluate("getComputedStyle(document.querySelector('.govuk-back-link')).direction") == "rtl"
    arrow = _back_arrow(page)
    assert arrow["points"] == "right", arrow  # back, on a right-to-left page, is to the right
    assert arrow["paddingRight"] != "0px" and arrow["paddingLeft"] == "0px", arrow  # the arrow before the words
    _checked(page)
    _, token = invite(language="en")
    page.goto(f"{live_server.url}/r/{token}/check")
    assert _back_arrow(page)["points"] == "left"


@pytest.mark.parametrize("language", ["bn", "so", "ar"])
def test_read_aloud_and_chat_help_pass_axe_in_each_language(app, live_server, new_page, survey, language):
    _, token = invite(language=language)
    page = new_page(locale=BCP47[language])
    page.add_init_script(VOICE % BCP47[language])
    page.goto(f"{live_server.url}/r/{token}/q/feelings")
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator(".app-read-aloud").is_visible()  # the widget is on screen while axe runs
    _checked(page)
    page.goto(f"{live_server.url}/r/{token}/chat")
    assert page.locator(".app-chat").is_visible()
    page.fill("textarea", "HELP")
    page.click("button.govuk-button")
    page.wait_for_selector("#latest")
    _checked(page)  # the chat with its help reply
