"""Checks for any page a browser test opens: axe-core's WCAG 2.2 AA rules and reflow at 320 px."""
from __future__ import annotations

import pytest

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_check(page, tags: list[str] | None = None, context=None) -> None:
    """Run axe-core on the page as it is now; fail listing each WCAG 2.2 AA violation found."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": tags or WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    if results.violations_count:
        lines = [f"{results.violations_count} accessibility violation(s) on {page.url}:"]
        for violation in results.response["violations"]:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    at {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
                lines.append(f"       {node.get('html', '')[:200]}")
        pytest.fail("\n".join(lines), pytrace=False)


def assert_no_sideways_scroll(page) -> None:
    """Nothing on the page is wider than the window (WCAG 1.4.10 reflow at 320 CSS pixels)."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page scrolls sideways at {widths[1]}px: content is {widths[0]}px wide ({page.url})"


def staff_sign_in(page, server, user, password: str | None = None) -> None:
    """Sign `user` in on the staff sign-in page, as a person would (labels and the button)."""
    from tests.support.staff import PASSWORD

    page.goto(server.url + "/staff/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
