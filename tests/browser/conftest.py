"""Browser tests: Playwright driving Debian's chromium (/usr/bin/chromium), axe-core on every page.

Without chromium the tests are skipped with a one-line notice; with LEGEND50_REQUIRE_BROWSER=1 (CI)
a missing browser is a failure instead.
"""

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LEGEND50_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "legend50" / "static" / "vendor" / "axe" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("LEGEND50_SCREENSHOTS", "/tmp/legend50-screenshots"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _browser_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser():
    if not _browser_available():
        message = f"browser tests skipped: no chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("LEGEND50_REQUIRE_BROWSER") == "1":
            pytest.fail(message.replace("skipped", "required"), pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
    # synchronous and sequential. Set only while browsers run, so subprocesses never inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def live_url(live_server, world):
    return live_server.url


@pytest.fixture
def page(browser, live_url):
    # bypass_csp lets the test inject axe-core; the product's own pages never need it.
    context = browser.new_context(bypass_csp=True, locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_url
    yield page
    context.close()


def login(page, username, password="legend50-demo"):
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    click_and_load(page, "form.l50-form button[type=submit]")


def click_and_load(page, selector: str):
    """Click something that leads to a new page and return once that page has loaded.

    A bare click followed by a look at the page can read the old document: the click returns before
    the form's response arrives, and "networkidle" is already true for the page being left.
    """
    with page.expect_navigation():
        page.click(selector)


def wait_until_autosaved(page, model, pk, **fields):
    """Wait until an autosave has stored these values and no htmx request is still in flight.

    The editor saves after a typing pause; a fixed sleep either wastes time or, on a busy machine,
    reads the row before the last save arrives.
    """
    deadline = time.monotonic() + 15
    while not model.objects.filter(pk=pk, **fields).exists():
        assert time.monotonic() < deadline, f"autosave did not store {fields} within 15 s"
        page.wait_for_timeout(100)
    wait_for_htmx(page)


def wait_for_htmx(page):
    """Return once no htmx request is in flight and no swap is still settling."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def assert_accessible(page, name: str | None = None):
    """Run axe-core and fail on serious or critical violations (KWCAG 2.2 builds on WCAG)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}})"
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert not bad, (
        "accessibility violations on "
        + page.url
        + ":\n"
        + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in bad
        )
    )
