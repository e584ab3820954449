"""What every page of the journeys is held to: axe-core's WCAG 2.1 A/AA rules, no CSP violation,
nothing scrolling sideways, and touch targets a finger can hit.

axe-core is vendored in tests/e2e/vendor/axe-core/ (MPL-2.0, its licence beside it), so the checks
need no network and no npm at test time.
"""

import os
from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
TOUCH_PX = 44

# Desktop and phone (an iPhone 12-14's CSS viewport), each in the light and the dark scheme.
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ["light", "dark"]

SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/moodmusic-screenshots"))


def axe_violations(page: Page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)  # evaluated by the driver: the page's CSP does not apply, and is not loosened
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, iframes: false,
                                               resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }""",
        WCAG_21_AA,
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}"
            for v in results if v["impact"] in BLOCKING]


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page can scroll sideways (0 when it cannot)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def small_touch_targets(page: Page) -> list[str]:
    """Visible controls smaller than 44x44 CSS px. Links inside running text are exempt (WCAG 2.5.5)."""
    return page.evaluate(
        """(min) => {
            const controls = document.querySelectorAll(
                "button, .button, input:not([type=hidden]):not(.visually-hidden), select, summary, " +
                "header a, footer a, label.chip");
            const small = [];
            for (const el of controls) {
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                if (!box.width || !box.height || style.visibility === "hidden") continue;
                if (el.closest(".face-boxes") || el.closest("#djDebug")) continue;  // boxes follow the faces
                const checkable = el.type === "checkbox" || el.type === "radio";
                const area = checkable && el.labels && el.labels[0] ? el.labels[0].getBoundingClientRect() : box;
                if (Math.round(area.height) < min || Math.round(area.width) < min) {
                    small.push((el.id ? "#" + el.id : el.tagName.toLowerCase() + "." + el.className) +
                               " " + Math.round(area.width) + "x" + Math.round(area.height));
                }
            }
            return small;
        }""",
        TOUCH_PX,
    )


def csp_violations(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m]


def screenshot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")  # else the sticky header is drawn where the page was scrolled to
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
