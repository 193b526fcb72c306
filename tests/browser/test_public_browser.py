"""The form behind a private link in real Chromium: keyboard only, without JavaScript, in Arabic,
resuming after closing the page, and axe (WCAG 2.2 AA) on every state of every page.

UPDATE_SCREENSHOTS=1 also writes the README screenshots to docs/screenshots/.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support.browser import assert_no_sideways_scroll, axe_check
from tests.support.public_survey import current, expire, install_test_survey, invite

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
pytestmark = pytest.mark.browser


@pytest.fixture
def survey(app, live_server):
    install_test_survey(app)
    return install_test_survey(live_server.app)


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has focus (keyboard only, bounded)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"could not reach {selector} with the Tab key on {page.url}")


def check_page(page) -> None:
    """Every page state: axe finds nothing, and at 320 CSS pixels nothing scrolls sideways."""
    axe_check(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_sideways_scroll(page)
    page.set_viewport_size(size)


def assert_circle_over_input(page) -> None:
    """The circle GOV.UK draws (label::before) covers the centre of the real radio input."""
    found = page.evaluate("""() => {
        const input = document.querySelector('.govuk-radios__input');
        const label = input.nextElementSibling;
        const box = input.getBoundingClientRect();
        const item = input.parentElement.getBoundingClientRect();
        const before = getComputedStyle(label, '::before');
        const rtl = getComputedStyle(input.parentElement).direction === 'rtl';
        const left = rtl ? item.right - parseFloat(getComputedStyle(input.parentElement).borderRightWidth) - parseFloat(before.right) - parseFloat(before.width)
                         : item.left + parseFloat(getComputedStyle(input.parentElement).borderLeftWidth) + parseFloat(before.left);
        const top = item.top + parseFloat(getComputedStyle(input.parentElement).borderTopWidth) + parseFloat(before.top);
        return {cx: box.left + box.width / 2, cy: box.top + box.height / 2, left, top, size: parseFloat(before.width)};
    }""")
    assert found["left"] <= found["cx"] <= found["left"] + found["size"], found
    assert found["top"] <= found["cy"] <= found["top"] + found["size"], found


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def scripts_ran(page) -> bool:
    """GOV.UK Frontend's inline script marks the body `js-enabled`, so the class says whether the
    page's own scripts ran (Playwright's evaluate works either way)."""
    return "js-enabled" in (page.locator("body").get_attribute("class") or "").split()


def test_a_childs_easy_read_journey_by_keyboard_only(app, live_server, page, survey):
    invitation, token = invite(easy_read=True)
    # Headless Chromium has speech synthesis but no voices: give it an English one, as a
    # desktop browser has, so the read-aloud button is offered.
    page.add_init_script(
        "speechSynthesis.getVoices = () => [{lang: 'en-GB', name: 'Test voice', default: true}]")
    page.goto(f"{live_server.url}/r/{token}")
    check_page(page)
    tab_to(page, "a.govuk-button--start")
    page.keyboard.press("Enter")

    # Symbol scale: Tab into the radios, arrow to "Happy", Tab to Continue.
    page.wait_for_url(re.compile(r"/q/feelings$"))
    assert heading(page) == "How do you feel?"
    assert scripts_ran(page)
    assert_circle_over_input(page)
    assert page.locator(".app-read-aloud").is_visible()  # a voice for English: the button shows
    check_page(page)
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[value=happy]").is_checked()
    tab_to(page, "#continue")
    page.keyboard.press("Enter")

    # Free text follow-up with a character count.
    page.wait_for_url(re.compile(r"/q/feelings_why$"))
    tab_to(page, "textarea")
    page.keyboard.type("I like my new school")
    assert "You have 180 characters left" in page.locator(".govuk-character-count__status").inner_text()
    check_page(page)
    tab_to(page, "#continue")
    page.keyboard.press("Enter")

    # Checkboxes: Space ticks.
    page.wait_for_url(re.compile(r"/q/activities$"))
    tab_to(page, "input[value=music]")
    page.keyboard.press("Space")
    check_page(page)
    tab_to(page, "#continue")
    page.keyboard.press("Enter")

    # A required question left empty: error summary, focused, linking to the field.
    page.wait_for_url(re.compile(r"/q/feel_safe$"))
    tab_to(page, "#continue")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-error-summary")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    check_page(page)
    tab_to(page, ".govuk-error-summary a")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "answer"
    page.keyboard.press("Space")
    tab_to(page, "#continue")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/q/worries$"))
    tab_to(page, "button[name=skip]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/q/visibility$"))
    check_page(page)
    tab_to(page, "input[name=answer]")
    page.keyboard.press("Space")
    tab_to(page, "#continue")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/q/advocate$"))
    tab_to(page, "input[value=advocate]")
    page.keyboard.press("Space")
    tab_to(page, "#continue")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/check$"))
    assert heading(page) == "Check your answers"
    assert "I like my new school" in page.locator(".govuk-summary-list").inner_text()
    check_page(page)
    tab_to(page, "button.govuk-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/done$"))
    assert "You have sent your views" in page.locator(".govuk-panel").inner_text()
    check_page(page)
    assert current(invitation)["feelings"].value == '"happy"'


def test_a_parents_journey_in_arabic_reads_right_to_left(app, live_server, new_page):
    """The real parent child-protection-conference form, in its draft Arabic translation."""
    from tests.support.factories import make_invitation, make_meeting, make_participant

    participant = make_participant(make_meeting(), role="parent", language="ar")
    invitation, token = make_invitation(participant, "cp_conference_parent")
    page = new_page(locale="ar")
    page.goto(f"{live_server.url}/r/{token}")
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert heading(page) == "رأيك قبل مؤتمر حماية الطفل"
    assert "مسودة ترجمة" in page.inner_text("main")  # marked as a draft translation
    check_page(page)
    page.click("a.govuk-button--start")
    page.wait_for_url(re.compile(r"/q/understand_why$"))
    assert heading(page) == "إلى أي مدى تفهم لماذا تعمل خدمات الأطفال مع عائلتك؟"
    # Radios sit on the right of their labels in right-to-left, and the drawn circle is over
    # the real input, so tapping the circle chooses it.
    radio = page.locator(".govuk-radios__input").first.bounding_box()
    label = page.locator(".govuk-radios__label").first.bounding_box()
    assert radio["x"] > label["x"], "the radio should be right of its label in Arabic"
    assert_circle_over_input(page)
    check_page(page)
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 400, "height": 860})
        page.screenshot(path=str(SCREENSHOTS / "parent-arabic.png"))
        page.set_viewport_size({"width": 1024, "height": 768})
    page.check("input[value=partly]")
    page.click("#continue")
    page.wait_for_url(re.compile(r"/q/worker_relationship$"))
    page.goto(f"{live_server.url}/r/{token}/q/going_well")
    page.fill("textarea", "نحتاج إلى مساعدة في السكن")
    page.click("#continue")
    page.wait_for_url(re.compile(r"/q/strengths$"))
    check_page(page)
    saved = current(invitation)
    assert saved["understand_why"].value == '"partly"'
    assert saved["going_well"].free_text == "نحتاج إلى مساعدة في السكن"


def test_switching_language_keeps_answers(app, live_server, page, survey):
    invitation, token = invite(role="parent")
    page.goto(f"{live_server.url}/r/{token}/q/feelings")
    page.check("input[value=sad]")
    page.click("#continue")
    page.goto(f"{live_server.url}/r/{token}/q/feelings")
    page.click("button[name=language][value=so]")
    page.wait_for_url(re.compile(r"/q/feelings$"))
    assert page.evaluate("document.documentElement.lang") == "so"
    assert page.locator("input[value=sad]").is_checked()
    assert "Sii wad" in page.inner_text("main")  # Continue, in Somali


def test_resume_after_closing_the_page(app, live_server, new_page, survey):
    invitation, token = invite()
    first = new_page()
    first.goto(f"{live_server.url}/r/{token}/q/feelings")
    first.check("input[value=very_sad]")
    first.click("#continue")
    first.wait_for_url(re.compile(r"/q/feelings_why$"))
    first.fill("textarea", "I miss my brother")
    first.click("#continue")
    first.wait_for_url(re.compile(r"/q/activities$"))
    first.context.close()  # the browser is closed: no cookies survive

    again = new_page()
    again.goto(f"{live_server.url}/r/{token}")
    start = again.locator("a.govuk-button--start")
    assert "Carry on" in start.inner_text()
    start.click()
    again.wait_for_url(re.compile(r"/q/activities$"))
    again.click("a.govuk-back-link")
    again.wait_for_url(re.compile(r"/q/feelings_why$"))
    assert again.input_value("textarea") == "I miss my brother"


def test_the_whole_journey_without_javascript(app, live_server, new_page, survey):
    invitation, token = invite(easy_read=True)
    page = new_page(javascript=False)
    page.goto(f"{live_server.url}/r/{token}")
    assert not scripts_ran(page)  # JavaScript really is off for this journey
    page.click("a.govuk-button--start")
    page.wait_for_url(re.compile(r"/q/feelings$"))
    assert not page.locator(".app-read-aloud").is_visible()  # no speech without the script
    page.click("button[name=skip]")
    page.wait_for_url(re.compile(r"/q/activities$"))
    page.check("input[value=games]")
    page.click("#continue")
    page.wait_for_url(re.compile(r"/q/feel_safe$"))
    page.check("input[value=no]")
    page.click("#continue")
    page.wait_for_url(re.compile(r"/q/worries$"))
    page.fill("textarea", "x" * 2100)  # over the limit: the server says so, and keeps the words
    page.click("#continue")
    assert "Your answer must be 2000 characters or fewer. It is 2100 characters now." in page.inner_text(".govuk-error-summary")
    assert len(page.input_value("textarea")) == 2100
    page.fill("textarea", "Nothing")
    page.click("#continue")
    page.wait_for_url(re.compile(r"/q/visibility$"))
    page.check("input[value=chair_only]")
    page.click("#continue")
    page.wait_for_url(re.compile(r"/q/advocate$"))
    page.click("button[name=skip]")
    page.wait_for_url(re.compile(r"/check$"))
    page.click("a[href$='/q/feel_safe?change=1']")
    page.check("input[value=yes]")
    page.click("#continue")
    page.wait_for_url(re.compile(r"/check$"))
    page.click("button.govuk-button")
    page.wait_for_url(re.compile(r"/done$"))
    saved = current(invitation)
    assert saved["feel_safe"].value == '"yes"' and saved["worries"].free_text == "Nothing"


def test_web_chat(app, live_server, page, survey):
    invitation, token = invite()
    page.goto(f"{live_server.url}/r/{token}/chat")
    assert "How do you feel about your life at the moment?" in page.inner_text(".app-chat")
    check_page(page)
    page.fill("textarea", "3")
    page.click("button.govuk-button")
    page.wait_for_selector("#latest")
    assert "Why do you feel like that?" in page.inner_text("#latest")
    check_page(page)
    page.fill("textarea", "")
    page.click("button.govuk-button")
    page.wait_for_selector(".govuk-error-summary")
    check_page(page)  # the error state too
    assert current(invitation)["feelings"].value == '"ok"'


def test_web_chat_without_javascript(app, live_server, new_page, survey):
    invitation, token = invite()
    page = new_page(javascript=False)
    page.goto(f"{live_server.url}/r/{token}/chat")
    page.fill("textarea", "skip")
    page.click("button.govuk-button")
    page.wait_for_selector("#latest")
    assert "What do you like doing?" in page.inner_text("#latest")
    page.click("text=Use the form instead")
    page.wait_for_url(re.compile(r"/q/activities$"))


def test_plain_pages_for_links_that_do_not_work(app, live_server, page, survey):
    invitation, token = invite()
    response = page.goto(f"{live_server.url}/r/not-a-real-link-at-all-xxxxxxxx")
    assert response.status == 404
    assert heading(page) == "This link does not work"
    check_page(page)
    expire(invitation)
    response = page.goto(f"{live_server.url}/r/{token}")
    assert response.status == 410
    assert heading(page) == "This link has closed"
    check_page(page)


def test_the_real_child_and_parent_forms_pass_axe_on_every_question(app, live_server, page):
    """The survey files as written: every question page of the child 8-12 and parent forms."""
    from voice_service.surveys import registry

    from tests.support.factories import make_invitation, make_meeting, make_participant

    cases = (("cp_conference_child_8_12", "child", True, "en"), ("cp_conference_child_8_12", "child", True, "bn"),
             ("cp_conference_parent", "parent", False, "en"), ("cp_conference_parent", "parent", False, "so"))
    for survey_id, role, easy, language in cases:
        survey = registry(live_server.app).get(survey_id)
        assert language == "en" or language in survey.draft_languages
        meeting = make_meeting()
        participant = make_participant(meeting, role=role, phone=None, easy_read=easy, language=language)
        invitation, token = make_invitation(participant, survey_id, survey.version)
        seen_kinds = set()
        for question in survey.questions:
            if question.follow_up_of or question.kind in seen_kinds:
                continue
            seen_kinds.add(question.kind)
            page.goto(f"{live_server.url}/r/{token}/q/{question.id}")
            assert page.evaluate("document.documentElement.lang") == language
            axe_check(page)
            if os.environ.get("UPDATE_SCREENSHOTS") and question.id == "feelings" and language == "en":
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.set_viewport_size({"width": 400, "height": 860})
                page.screenshot(path=str(SCREENSHOTS / "child-easy-read.png"))
                page.set_viewport_size({"width": 1024, "height": 768})
        assert {"scale", "free_text", "visibility", "advocate"} <= seen_kinds


def test_read_aloud_is_hidden_without_a_voice_for_the_language_and_offered_with_one(app, live_server, new_page):
    """Issue 17: read-aloud on every page in every language the browser has a voice for."""
    from tests.support.factories import make_invitation, make_meeting, make_participant

    participant = make_participant(make_meeting(), role="parent", language="bn")
    invitation, token = make_invitation(participant, "cp_conference_parent")
    page = new_page(locale="bn")
    page.add_init_script("speechSynthesis.getVoices = () => [{lang: 'en-GB', name: 'English only'}]")
    page.goto(f"{live_server.url}/r/{token}")
    assert not page.locator(".app-read-aloud").is_visible()  # no Bengali voice: no button
    page = new_page(locale="bn")
    page.add_init_script("speechSynthesis.getVoices = () => [{lang: 'bn-BD', name: 'Bengali'}]")
    page.goto(f"{live_server.url}/r/{token}")
    assert page.locator(".app-read-aloud").is_visible()  # the start page too, not only questions
    assert page.evaluate("document.documentElement.lang") == "bn"
