"""Reading a whole model in the browser: the model overview, the tree's statistic column and NaN/Inf
marks, the first NaN/Inf control, links that reopen a view, and `/` to search.

Runs Chromium against a real TensorBoard over the views logdir (`views_server`); every test saves a
screenshot to `tests/artifacts/overview_*.png`.
"""

import re
import urllib.parse

import numpy as np
import pytest
from playwright.sync_api import expect

from conftest import get_json
from test_browser import Dashboard, browser, open_page  # noqa: F401  (browser is a fixture)

KERNEL = "convnet/conv/kernel"


@pytest.fixture
def dashboard_at(browser, views_server):
    """`dashboard_at(hash="")` → a `Dashboard` on TensorBoard's page `#weights<hash>` over the views logdir."""
    pages = []

    def open_(hash_suffix=""):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(30_000)
        dashboard = Dashboard(page)
        page.goto(views_server + "/#weights" + hash_suffix)
        expect(dashboard.row("convnet")).to_be_visible()
        pages.append(page)
        return dashboard

    yield open_
    for page in pages:
        page.close()


def overview_json(views_server, run, field):
    query = urllib.parse.urlencode({"run": run, "field": field})
    return get_json(views_server + "/data/plugin/weights/overview?" + query)


def canvas_layout(canvas):
    """Where the overview's cells are: `cellsLeft`, `cellWidth`, `rowHeight` (CSS pixels) and `rows`."""
    data = canvas.evaluate("c => ({...c.dataset})")
    return {key: float(data[key]) for key in ("cellsLeft", "cellWidth", "rowHeight", "rows")}


def point_at_cell(dashboard, row, column):
    """Scrolls the overview to `row` and returns the page coordinates of cell (`row`, `column`)."""
    canvas = dashboard.testid("overview-canvas")
    scroller = dashboard.testid("overview-scroller")
    layout = canvas_layout(canvas)
    height = layout["rowHeight"]
    scroller.evaluate("(s, top) => { s.scrollTop = top; }", max(0, row * height - 100))
    top = scroller.evaluate("s => s.scrollTop")
    box = canvas.bounding_box()
    return (
        box["x"] + layout["cellsLeft"] + (column + 0.5) * layout["cellWidth"],
        box["y"] + (row + 0.5) * height - top,
    )


def hash_of(page):
    return urllib.parse.urlsplit(page.url).fragment


def test_overview_draws_reads_out_and_opens_a_cell(dashboard_at, views_server, views_runs):
    dashboard = dashboard_at()
    page = dashboard.page
    overview = dashboard.testid("overview")
    expect(overview).to_be_visible()
    expect(dashboard.testid("overview-field")).to_have_value("update_ratio")
    expect(dashboard.testid("overview-summary")).to_contain_text("conv_a · 12 variables in 6 layers × 4 logged steps")
    canvas = dashboard.testid("overview-canvas")
    expect(canvas).to_have_attribute("data-rows", "12")
    pixels = dashboard.pixels(canvas)
    assert pixels["drawn"] > 0.3 * pixels["total"], pixels
    assert pixels["distinct"] >= 12, pixels
    # Step 0 has no update ratio (nothing to compare with): "no value", 12 cells, in the legend.
    expect(dashboard.testid("overview-key-none")).to_have_text("no value 12")
    expect(dashboard.testid("overview-key-nan")).to_have_text("NaN 0")

    expected = overview_json(views_server, "conv_a", "update_ratio")
    paths = [v["path"] for v in expected["variables"]]
    row = paths.index(KERNEL)
    value = expected["variables"][row]["values"][2]
    # The logged tensors give the same update ratio.
    logged = views_runs[1]["conv_a"]
    w1, w2 = logged[1][KERNEL].astype(np.float64), logged[2][KERNEL].astype(np.float64)
    assert value == pytest.approx(np.linalg.norm(w2 - w1) / np.linalg.norm(w2), rel=1e-5)

    x, y = point_at_cell(dashboard, row, 2)
    page.mouse.move(x, y)
    tooltip = dashboard.testid("tooltip")
    expect(tooltip).to_contain_text(KERNEL)
    expect(tooltip).to_contain_text("step 2")
    shown = re.search(r"update ratio (\S+)", tooltip.inner_text()).group(1)
    assert float(shown) == value, (shown, value)
    expect(tooltip).to_contain_text("(since step 1)")  # the interval the ratio covers
    dashboard.screenshot("overview_hover.png")

    # Click-through: that variable, at that step.
    page.mouse.click(x, y)
    expect(dashboard.testid("variable-path")).to_have_text(KERNEL)
    expect(dashboard.row(KERNEL)).to_have_attribute("aria-selected", "true")
    expect(dashboard.testid("step-value")).to_have_text("2")
    expect(dashboard.panel("conv_a").locator('[data-testid="panel-step"]')).to_have_attribute("data-step", "2")
    # The link keeps it.
    fragment = hash_of(page)
    assert fragment.startswith("weights&"), fragment
    assert "p.weights.variable=convnet%2Fconv%2Fkernel" in fragment, fragment
    assert "p.weights.step=2" in fragment, fragment
    assert "p.weights.runs=conv_a" in fragment, fragment
    dashboard.screenshot("overview_click_through.png")

    # And back to the overview.
    dashboard.testid("show-overview").click()
    expect(dashboard.testid("overview-canvas")).to_be_visible()
    expect(dashboard.row(KERNEL)).to_have_attribute("aria-selected", "false")
    assert "p.weights.variable" not in hash_of(page)
    assert dashboard.errors == []


def test_overview_statistic_log_scale_and_mobilenet(dashboard_at, views_server):
    dashboard = dashboard_at("&p.weights.runs=conv_a%2Cmobilenet&p.weights.overview_run=mobilenet")
    page = dashboard.page
    expect(dashboard.testid("overview-run")).to_have_value("mobilenet")
    expect(dashboard.testid("overview-summary")).to_contain_text("mobilenet · 137 variables")
    canvas = dashboard.testid("overview-canvas")
    expect(canvas).to_have_attribute("data-rows", "137")
    # Rows keep a readable height: the list scrolls instead.
    layout = canvas_layout(canvas)
    assert layout["rowHeight"] >= 14, layout

    # The last variable: scrolled to, hovered, read out.
    expected = overview_json(views_server, "mobilenet", "l2_norm")
    dashboard.testid("overview-field").select_option("l2_norm")
    expect(dashboard.testid("overview-log")).to_be_checked()
    expect(dashboard.testid("overview-key-none")).to_have_text("no value 0")
    last = len(expected["variables"]) - 1
    x, y = point_at_cell(dashboard, last, 3)
    page.mouse.move(x, y)
    tooltip = dashboard.testid("tooltip")
    expect(tooltip).to_contain_text(expected["variables"][last]["path"])
    shown = re.search(r"L2 norm (\S+)", tooltip.inner_text()).group(1)
    assert float(shown) == expected["variables"][last]["values"][3]
    assert "p.weights.overview_field=l2_norm" in hash_of(page)

    # Log and linear scales colour the same cells differently.
    log_picture = canvas.evaluate("c => c.toDataURL()")
    dashboard.testid("overview-log").uncheck()
    expect(canvas).not_to_have_attribute("data-log", "true")
    assert canvas.evaluate("c => c.toDataURL()") != log_picture
    low = float(dashboard.testid("overview-low").inner_text())
    finite = [v for var in expected["variables"] for v in var["values"] if isinstance(v, float)]
    assert low == pytest.approx(min(finite), rel=5e-3)
    dashboard.screenshot("overview_mobilenet.png")
    assert dashboard.errors == []


def visible_paths(dashboard):
    """Paths of the tree's rows in display order."""
    return dashboard.frame.locator(".tbw-row").evaluate_all(
        "rows => rows.sort((a, b) => a.offsetTop - b.offsetTop).map(r => r.dataset.path)"
    )


def test_tree_sorts_by_update_ratio(dashboard_at, views_server):
    dashboard = dashboard_at()
    expected = overview_json(views_server, "conv_a", "update_ratio")
    at_step_3 = {v["path"]: v["values"][3] for v in expected["variables"]}
    descending = sorted(at_step_3, key=lambda path: -at_step_3[path])
    expect(dashboard.testid("tree-step")).to_have_value("3")
    kernel_value = dashboard.row(KERNEL).locator('[data-testid="tree-stat"]')
    expect(kernel_value).to_have_attribute("title", re.compile(r"^update ratio at step 3: "))
    assert float(kernel_value.get_attribute("title").split(": ")[1]) == at_step_3[KERNEL]

    sort = dashboard.testid("tree-sort")
    sort.click()
    expect(sort).to_have_attribute("data-sort", "desc")
    expect(dashboard.frame.locator(".tbw-row")).to_have_count(12)
    assert visible_paths(dashboard) == descending
    expect(dashboard.row(descending[0])).to_contain_text(descending[0])
    dashboard.screenshot("overview_tree_sorted.png")
    sort.click()
    expect(sort).to_have_attribute("data-sort", "asc")
    assert visible_paths(dashboard) == descending[::-1]
    sort.click()
    expect(sort).to_have_attribute("data-sort", "tree")
    expect(dashboard.row("convnet/conv")).to_be_visible()
    assert visible_paths(dashboard)[:3] == ["convnet", "convnet/conv", KERNEL]
    assert dashboard.errors == []


def mark(dashboard, path):
    return dashboard.row(path).locator('[data-testid="nonfinite-mark"]')


def test_nan_inf_marks_follow_the_step(dashboard_at):
    dashboard = dashboard_at("&p.weights.runs=nan_run")
    step = dashboard.testid("tree-step")
    step.select_option("2")
    expect(dashboard.testid("tree-caption")).to_contain_text("nan_run at step 2")
    expect(mark(dashboard, KERNEL)).to_have_attribute("title", "1 NaN and 2 Inf values at step 2")
    expect(mark(dashboard, "convnet/conv")).to_have_attribute(
        "title", "1 variable below holds NaN or Inf at step 2 (1 NaN and 2 Inf)"
    )
    expect(mark(dashboard, "convnet")).to_be_visible()
    expect(mark(dashboard, "convnet/conv/bias")).to_have_count(0)
    expect(mark(dashboard, "convnet/depthwise")).to_have_count(0)
    expect(dashboard.frame.locator('[data-testid="nonfinite-mark"]')).to_have_count(3)
    color = mark(dashboard, KERNEL).evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(211, 47, 47)", color
    dashboard.screenshot("overview_nan_marks_step_2.png")

    step.select_option("0")
    expect(dashboard.testid("tree-caption")).to_contain_text("nan_run at step 0")
    expect(dashboard.frame.locator('[data-testid="nonfinite-mark"]')).to_have_count(0)

    # The main view's step moves the tree's: step 3 has NaN in the dense bias too.
    dashboard.row("convnet/dense/bias").click()
    expect(dashboard.testid("step-value")).to_have_text("3")
    expect(step).to_have_value("3")
    expect(mark(dashboard, "convnet/dense/bias")).to_be_visible()
    assert dashboard.errors == []


def test_first_bad_step_opens_the_variable(dashboard_at):
    dashboard = dashboard_at("&p.weights.runs=conv_a%2Cnan_run")
    dashboard.testid("first-nonfinite").click()
    results = dashboard.testid("first-nonfinite-result")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_have_text("conv_a: no NaN or Inf logged")
    expect(results.nth(1)).to_have_text("nan_run: first NaN/Inf at step 2 in convnet/conv/kernel (1 NaN, 2 Inf)")
    dashboard.screenshot("overview_first_bad_step.png")
    results.nth(1).locator('[data-testid="first-nonfinite-variable"]').click()
    expect(dashboard.testid("variable-path")).to_have_text(KERNEL)
    expect(dashboard.testid("step-value")).to_have_text("2")
    expect(dashboard.testid("tree-run")).to_have_value("nan_run")
    expect(dashboard.testid("tree-caption")).to_contain_text("at step 2")
    expect(mark(dashboard, KERNEL)).to_be_visible()
    expect(dashboard.panel("nan_run").locator('[data-testid="panel-step"]')).to_have_attribute("data-step", "2")
    assert dashboard.errors == []


def test_a_link_reopens_runs_variable_and_step(dashboard_at):
    dashboard = dashboard_at(
        "&_smoothingWeight=0.6&p.weights.runs=conv_b%2Cnan_run"
        "&p.weights.variable=convnet%2Fdense%2Fkernel&p.weights.step=1"
    )
    frame = dashboard.frame
    expect(frame.locator('[data-testid="run-checkbox"][data-run="conv_b"]')).to_be_checked()
    expect(frame.locator('[data-testid="run-checkbox"][data-run="nan_run"]')).to_be_checked()
    expect(frame.locator('[data-testid="run-checkbox"][data-run="conv_a"]')).not_to_be_checked()
    expect(dashboard.testid("variable-path")).to_have_text("convnet/dense/kernel")
    expect(dashboard.row("convnet/dense/kernel")).to_have_attribute("aria-selected", "true")
    expect(dashboard.testid("step-value")).to_have_text("1")
    for run in ("conv_b", "nan_run"):
        expect(dashboard.panel(run).locator('[data-testid="panel-step"]')).to_have_attribute("data-step", "1")
    fragment = hash_of(dashboard.page)
    # TensorBoard's own keys and the plugin id stay.
    assert fragment.startswith("weights&_smoothingWeight=0.6&"), fragment
    assert "p.weights.runs=conv_b%2Cnan_run" in fragment, fragment

    # Changing the selection rewrites the link, without history entries.
    history = dashboard.page.evaluate("history.length")
    frame.locator('[data-testid="run-checkbox"][data-run="nan_run"]').uncheck()
    expect(dashboard.testid("run-panel")).to_have_count(1)
    assert "p.weights.runs=conv_b&" in hash_of(dashboard.page) + "&"
    assert dashboard.page.evaluate("history.length") == history
    dashboard.screenshot("overview_link_reopened.png")
    assert dashboard.errors == []


def test_slash_focuses_the_search(dashboard_at):
    dashboard = dashboard_at()
    search = dashboard.testid("tree-search")
    dashboard.row("convnet/conv").click()
    expect(search).not_to_be_focused()
    dashboard.page.keyboard.press("/")
    expect(search).to_be_focused()
    # Typed into the box, `/` is text.
    dashboard.page.keyboard.type("conv/k")
    expect(search).to_have_value("conv/k")
    expect(dashboard.row(KERNEL)).to_be_visible()
    expect(dashboard.row("convnet/dense")).to_have_count(0)
    # From the tree, Arrow Down then Enter opens the match.
    dashboard.page.keyboard.press("ArrowDown")
    for _ in range(2):
        dashboard.page.keyboard.press("ArrowDown")
    dashboard.page.keyboard.press("Enter")
    expect(dashboard.testid("variable-path")).to_have_text(KERNEL)
    dashboard.screenshot("overview_slash_search.png")
    assert dashboard.errors == []


def test_a_link_edited_in_the_open_tab_is_followed(dashboard_at):
    """Editing the hash in the address bar changes the view without a reload, as opening the link would."""
    dashboard = dashboard_at("&p.weights.runs=conv_a&p.weights.variable=convnet%2Fconv%2Fkernel&p.weights.step=1")
    page = dashboard.page
    expect(dashboard.testid("variable-path")).to_have_text(KERNEL)
    expect(dashboard.testid("step-value")).to_have_text("1")
    marker = dashboard.frame.locator("body")
    marker.evaluate("body => { body.ownerDocument.defaultView.__sameDocument = true; }")  # gone if the dashboard reloads

    # Another variable, another step, a second run.
    page.evaluate("""() => { location.hash = '#weights&p.weights.runs=conv_a%2Cconv_b'
        + '&p.weights.variable=convnet%2Fdense%2Fkernel&p.weights.step=2'; }""")
    expect(dashboard.testid("variable-path")).to_have_text("convnet/dense/kernel")
    expect(dashboard.row("convnet/dense/kernel")).to_have_attribute("aria-selected", "true")
    expect(dashboard.testid("step-value")).to_have_text("2")
    for run in ("conv_a", "conv_b"):
        expect(dashboard.panel(run).locator('[data-testid="panel-step"]')).to_have_attribute("data-step", "2")
    # The dashboard then writes its whole state back, view options included.
    page.wait_for_function("() => location.hash.includes('p.weights.scale=')")
    assert "p.weights.runs=conv_a%2Cconv_b" in hash_of(page)

    # One view option edited: only it changes.
    edited = "#" + hash_of(page).replace("p.weights.step=2", "p.weights.step=0")
    page.evaluate("(hash) => { location.hash = hash; }", edited)
    expect(dashboard.testid("step-value")).to_have_text("0")
    expect(dashboard.testid("variable-path")).to_have_text("convnet/dense/kernel")
    expect(dashboard.panel("conv_b")).to_be_visible()

    # No variable: the model overview, with the link's statistic.
    page.evaluate("() => { location.hash = '#weights&p.weights.runs=conv_a&p.weights.overview_field=l2_norm'; }")
    expect(dashboard.testid("overview-canvas")).to_be_visible()
    expect(dashboard.testid("overview-field")).to_have_value("l2_norm")
    expect(dashboard.row("convnet/dense/kernel")).to_have_attribute("aria-selected", "false")
    expect(dashboard.testid("run-checkbox").and_(dashboard.frame.locator('[data-run="conv_b"]'))).not_to_be_checked()

    # A hash without the dashboard's keys (TensorBoard coming back to it) changes nothing, and gets them back.
    page.evaluate("() => { location.hash = '#weights'; }")
    page.wait_for_function("() => location.hash.includes('p.weights.overview_field=l2_norm')")
    expect(dashboard.testid("overview-field")).to_have_value("l2_norm")
    # A link without the statistic: the default one, as in a new page.
    page.evaluate("() => { location.hash = '#weights&p.weights.runs=conv_a'; }")
    expect(dashboard.testid("overview-field")).to_have_value("update_ratio")
    page.wait_for_function("() => !location.hash.includes('overview_field')")
    assert marker.evaluate("body => body.ownerDocument.defaultView.__sameDocument") is True
    dashboard.screenshot("overview_followed_link.png")
    assert dashboard.errors == []
