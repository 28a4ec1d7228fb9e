"""Focus you can see (issue 20, point 7; WCAG 2.4.7 and 1.4.11): every kind of control on the
representative's pages, the client's page, the login page and the admin's change forms shows a
focus indicator when it has keyboard focus, at 3:1 or more against what surrounds it.

Each control is shot twice, unfocused and focused by keyboard (a key pressed, then focus moved
to it, so that it matches :focus-visible as after Tab), with a margin around its box. The pixels
outside its box must change, and on each side, along the middle half of the side, the changed
pixels must reach 3:1 (WCAG relative luminance) against the unfocused pixel in the same place:
a ring the eye can find on white, on the dark navigation bar and on the admin's blue header.
Pillow reads the screenshots.
"""

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Demo, log_in

MARGIN = 12  # CSS pixels around the control's box: the ring lies in it
MINIMUM_CONTRAST = 3.0


@dataclass(frozen=True)
class Control:
    name: str
    selector: str


# The controls of each page, one of each kind (and each button variant) the page has.
NAVIGATION = [  # the representative's dark navigation bar, on every page of theirs
    Control("the brand link on the dark bar", "nav .navbar-brand"),
    Control("a navigation link on the dark bar", "nav .nav-link >> nth=1"),
    Control("the Log out button (btn-outline-light, small)", "nav button.btn-outline-light"),
]
ACCOUNT_LIST = [
    *NAVIGATION,
    Control("the search box", "#q"),
    Control("the answer filter (select)", "#answer"),
    Control("the Filter button (btn-primary)", "button.btn-primary"),
    Control("the Clear link (btn-link)", "a.btn-link"),
    Control("an account link in the table", "table a >> nth=0"),
]
ACCOUNT_DETAIL = [
    Control("Amend (btn-primary link)", "a.btn-primary"),
    Control("Withdraw (btn-outline-danger)", "a.btn-outline-danger"),
    Control("History (btn-outline-secondary)", "a.btn-outline-secondary >> nth=0"),
    Control("Print the client letter (a button)", "[data-testid=print-letter]"),
    Control("the breadcrumb link", "main a:not(.btn) >> nth=0"),
]
INSTRUCTION_FORM = [
    Control("a radio", "#id_choice_0"),
    Control("the amount (text input)", "#id_amount"),
    Control("the form date (date input)", "#id_form_date"),
    Control("a signature's attestation (checkbox)", "#id_signers-0-attested"),
    Control("the address (textarea)", "#id_address"),
    Control("the taxpayer ID type (select)", "#id_tin_type"),
    Control("Review (btn-primary)", "button[name=_review]"),
    Control("Cancel (btn-link)", "a.btn-link"),
]
INSTRUCTION_REVIEW = [
    Control("Confirm and record (btn-success)", "button[name=_confirm]"),
    Control("Back to edit (btn-outline-secondary)", "button[name=_edit]"),
]
WITHDRAWAL_FORM = [
    Control("a radio", "main input[type=radio] >> nth=0"),
    Control("Withdraw the instruction (btn-danger)", "button.btn-danger"),
    Control("Cancel (btn-link)", "a.btn-link"),
]
LOGIN = [
    Control("the skip link", "a.skip-link"),
    Control("the user name (text input)", "#id_username"),
    Control("the password", "#id_password"),
    Control("Log in (btn-primary, full width)", "button[type=submit]"),
]
IDENTITY = [
    Control("the last four digits (text input)", "#id_tin_last4"),
    Control("Continue (btn-primary)", "button[type=submit]"),
]
CLIENT_PAGE = [
    Control("a choice (radio)", "input[name=choice] >> nth=0"),
    Control("the amount (text input)", "#id_amount"),
    Control("the address (textarea)", "#id_address"),
    Control("the telephone", "#id_phone"),
    Control("the e-sign consent (checkbox)", "#id_esign_consent"),
    Control("a signature (text input)", "#id_signature_0"),
    Control("Sign and submit (btn-primary, large)", "button[type=submit].btn-lg"),
]
ADMIN_CHROME = [  # the admin's header (blue), breadcrumbs (dark blue) and sidebar
    Control("a header link", "#user-tools a >> nth=0"),
    Control("the header's Log out button", "#logout-form button"),
    Control("the theme toggle", "#header .theme-toggle"),
    Control("a breadcrumb link", "div.breadcrumbs a >> nth=0"),
    Control("the sidebar's toggle", "#toggle-nav-sidebar"),
    Control("the sidebar's filter (search input)", "#nav-filter"),
    Control("a sidebar link", "#nav-sidebar th a >> nth=0"),
]
ADMIN_OFFER_FORM = [
    *ADMIN_CHROME,
    Control("the History object tool", "a.historylink"),
    Control("a text input", "#id_name"),
    Control("a number input", "#id_conditions-0-sequence"),
    Control("a checkbox", "#id_conditions-0-is_satisfied"),
    Control("a date's Today shortcut (link)", ".datetimeshortcuts a >> nth=0"),
    Control("a textarea", "#id_conditions-0-note"),
    Control("Save (default submit)", "input[type=submit].default"),
    Control("Save and continue editing (submit)", "input[name=_continue]"),
]
ADMIN_ACCOUNT_FORM = [
    Control("a select", "#id_state"),
    Control("an autocomplete (select2)", ".select2-selection >> nth=0"),
]
# An account's firm is read-only once opened: a representative's is a select with its links.
ADMIN_REPRESENTATIVE_FORM = [
    Control("a related object's change link", "#change_id_firm"),
]


def _client_page(page: Page, demo: Demo) -> None:
    page.goto(_client_link(demo))
    page.fill("#id_tin_last4", "4388")
    page.fill("#id_postal_code", "10583")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_esign_consent")).to_be_visible()


def _client_link(demo: Demo) -> str:
    return demo.manage("client_link", "--offer", "lexington-2001", "--account", "HB-100003").strip()


def _account(page: Page, demo: Demo, number: str, suffix: str = "") -> None:
    log_in(page, demo, "rep")
    page.goto(demo.url(f"/accounts/?q={number}"))
    page.get_by_role("link", name=number, exact=True).click()
    if suffix:
        page.goto(page.url + suffix)


def _instruction_review(page: Page, demo: Demo) -> None:
    """HB-100008's form filled in ("Tender all", every owner signed) and sent to its review
    step; nothing is confirmed."""
    _account(page, demo, "HB-100008", "instruct/")
    page.check("#id_choice_0")
    rows = page.get_by_test_id("signature-row")
    for index in range(rows.count()):
        owner = rows.nth(index).locator(".fw-semibold").inner_text().removeprefix("Signature of ")
        page.fill(f"#id_signers-{index}-typed_name", owner)
        page.check(f"#id_signers-{index}-attested")
    page.click("button[name=_review]")
    expect(page.locator("button[name=_confirm]")).to_be_visible()


def _as(username: str, path: str) -> Callable[[Page, Demo], None]:
    def open_page(page: Page, demo: Demo) -> None:
        log_in(page, demo, username)
        page.goto(demo.url(path))

    return open_page


def _admin_dark(path: str) -> Callable[[Page, Demo], None]:
    def open_page(page: Page, demo: Demo) -> None:
        page.emulate_media(color_scheme="dark")  # the admin's theme follows the system's
        _as("ops", path)(page, demo)

    return open_page


PAGES: dict[str, tuple[Callable[[Page, Demo], None], list[Control]]] = {
    "account list": (_as("rep", "/accounts/?q=HB-10000"), ACCOUNT_LIST),
    "account page": (lambda page, demo: _account(page, demo, "HB-100007"), ACCOUNT_DETAIL),
    "instruction form": (
        lambda page, demo: _account(page, demo, "HB-100008", "instruct/"),
        INSTRUCTION_FORM,
    ),
    "instruction review": (_instruction_review, INSTRUCTION_REVIEW),
    "withdrawal form": (
        lambda page, demo: _account(page, demo, "HB-100007", "withdraw/"),
        WITHDRAWAL_FORM,
    ),
    "login": (lambda page, demo: page.goto(demo.url("/login/")), LOGIN),
    "client identity check": (lambda page, demo: page.goto(_client_link(demo)), IDENTITY),
    "client page": (_client_page, CLIENT_PAGE),
    "admin offer change form": (
        _as("ops", "/admin/notes/exchangeoffer/1/change/"),
        ADMIN_OFFER_FORM,
    ),
    "admin account change form": (
        _as("ops", "/admin/tenders/clientaccount/1/change/"),
        ADMIN_ACCOUNT_FORM,
    ),
    "admin representative change form": (
        _as("ops", "/admin/tenders/representative/1/change/"),
        ADMIN_REPRESENTATIVE_FORM,
    ),
    "admin offer change form, dark theme": (
        _admin_dark("/admin/notes/exchangeoffer/1/change/"),
        ADMIN_OFFER_FORM,
    ),
}


# WCAG 2.x relative luminance and contrast ratio, from 8-bit sRGB.
def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass
class Shot:
    """One control's two screenshots (device pixels = CSS pixels here) and where its box lies
    in them."""

    unfocused: Image.Image
    focused: Image.Image
    left: int
    top: int
    right: int  # exclusive
    bottom: int  # exclusive

    def pixel(self, image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
        return image.getpixel((x, y))  # type: ignore[return-value]  # Pillow types a pixel loosely; RGB images give a tuple

    def ring_reaches(self, x: int, y: int) -> bool:
        before, after = self.pixel(self.unfocused, x, y), self.pixel(self.focused, x, y)
        return before != after and contrast(before, after) >= MINIMUM_CONTRAST

    def changed_outside_the_box(self) -> int:
        width, height = self.focused.size
        return sum(
            1
            for y in range(height)
            for x in range(width)
            if not (self.left <= x < self.right and self.top <= y < self.bottom)
            and self.pixel(self.unfocused, x, y) != self.pixel(self.focused, x, y)
        )

    def sides_without_a_ring(self) -> list[str]:
        """The sides (with room for a ring in the shot) along whose middle half some line out
        from the box crosses no pixel of the ring at 3:1."""
        width, height = self.focused.size
        rows = _middle_half(self.top, self.bottom)
        columns = _middle_half(self.left, self.right)
        sides = {
            "left": [[(x, y) for x in range(self.left - 1, -1, -1)] for y in rows],
            "right": [[(x, y) for x in range(self.right, width)] for y in rows],
            "top": [[(x, y) for y in range(self.top - 1, -1, -1)] for x in columns],
            "bottom": [[(x, y) for y in range(self.bottom, height)] for x in columns],
        }
        missing = []
        for side, lines in sides.items():
            if not lines or len(lines[0]) < 6:  # the page's edge: no room for a ring there
                continue
            if not all(any(self.ring_reaches(x, y) for x, y in line) for line in lines):
                missing.append(side)
        return missing


def _middle_half(start: int, end: int) -> range:
    quarter = (end - start) / 4
    return range(math.floor(start + quarter), math.ceil(end - quarter))


def _focus_by_keyboard(control: Locator) -> None:
    """A key pressed, then focus moved by script: the browser takes it for keyboard focus."""
    control.page.keyboard.press("Shift")
    control.focus()
    assert control.evaluate("element => element.matches(':focus-visible')"), "no keyboard focus"


def _blur(page: Page) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")


def _shoot(page: Page, control: Locator, focus: Callable[[Locator], None]) -> Shot:
    """`control` unfocused, then focused by `focus`, with MARGIN around its box (as it is
    when focused: the skip link is only shown then)."""
    control.evaluate("element => element.scrollIntoView({block: 'center', inline: 'center'})")
    page.mouse.move(0, 0)  # nothing hovered
    _focus_by_keyboard(control)
    box = control.bounding_box()
    assert box is not None, "the control is not displayed"
    _blur(page)
    viewport = page.viewport_size
    assert viewport is not None
    left = max(0, math.floor(box["x"]) - MARGIN)
    top = max(0, math.floor(box["y"]) - MARGIN)
    right = min(viewport["width"], math.ceil(box["x"] + box["width"]) + MARGIN)
    bottom = min(viewport["height"], math.ceil(box["y"] + box["height"]) + MARGIN)
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}

    def shot() -> Image.Image:
        png = page.screenshot(clip=clip, animations="disabled", caret="hide")
        return Image.open(io.BytesIO(png)).convert("RGB")

    unfocused = shot()
    focus(control)
    focused = shot()
    _blur(page)
    return Shot(
        unfocused=unfocused,
        focused=focused,
        left=math.floor(box["x"]) - left,
        top=math.floor(box["y"]) - top,
        right=math.ceil(box["x"] + box["width"]) - left,
        bottom=math.ceil(box["y"] + box["height"]) - top,
    )


@pytest.fixture
def focus_page(page: Page) -> Page:
    # No transition half-way in a screenshot, and no smooth scrolling (Bootstrap's, without
    # reduced motion) moving the control after its box is measured.
    page.emulate_media(reduced_motion="reduce")
    return page


@pytest.mark.parametrize("name", list(PAGES))
def test_keyboard_focus_shows_a_ring_at_3_to_1_around_every_kind_of_control(
    focus_page: Page, demo: Demo, name: str
) -> None:
    open_page, controls = PAGES[name]
    open_page(focus_page, demo)
    failures = []
    for control in controls:
        located = focus_page.locator(control.selector).first
        shot = _shoot(focus_page, located, _focus_by_keyboard)
        if not shot.changed_outside_the_box():
            failures.append(f"{control.name}: nothing around it changes when it has focus")
            continue
        missing = shot.sides_without_a_ring()
        if missing:
            failures.append(
                f"{control.name}: no ring at {MINIMUM_CONTRAST}:1 on its {', '.join(missing)} side"
            )
    assert failures == [], f"{name}:\n" + "\n".join(failures)


def _press_with_the_mouse(control: Locator) -> None:
    """The mouse pressed on the control and released away from it: the control takes focus,
    nothing is clicked."""
    box = control.bounding_box()
    assert box is not None
    control.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    control.page.mouse.down()
    assert control.evaluate("element => element === document.activeElement")
    control.page.mouse.move(0, 0)  # the shot without the hover colour
    control.page.mouse.up()


def test_a_button_pressed_with_the_mouse_shows_no_ring(focus_page: Page, demo: Demo) -> None:
    """The ring is for keyboard focus (:focus-visible): a click does not draw one."""
    _as("rep", "/accounts/?q=HB-10000")(focus_page, demo)
    for selector in ("button.btn-primary", "a.btn-link"):
        shot = _shoot(focus_page, focus_page.locator(selector).first, _press_with_the_mouse)
        assert not shot.changed_outside_the_box(), selector
