"""Histograms over steps and the update ratio chart in a real browser.

Opens `convnet/dense/kernel` of `conv_a` (logged at steps 0..3) and checks
the statistics area against the logged values: the update ratio chart is
drawn from step 1 on (step 0 has no previous value) with the value
`||W_1 - W_0|| / ||W_1||`, and offers a log axis; the histogram card's
ridgeline and step × value density views draw every step, change with log
counts, hover with the exact step, bucket and count, and set the step when
clicked; with two runs each gets its own small multiple. The chosen views
are kept in the URL and a copied link reopens them. Screenshots go to
`tests/artifacts/histograms_*.png`.
"""

import re

import numpy as np
from playwright.sync_api import expect

from conftest import get_json
from test_browser import ARTIFACTS, browser, open_page  # noqa: F401 (fixture)

VARIABLE = "convnet/dense/kernel"
STATISTICS_TAG = VARIABLE + "/statistics"
RUN_COLOR = "#425066"  # colormap.runColor(0): conv_a, the first run
NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"

# Pixels near `color` in each column of a canvas (device pixels), and the plot
# area of the same drawing (read together: a redraw in between, e.g. after a
# resize, would otherwise pair one drawing's pixels with another's frame).
COLUMN_PIXELS_JS = """
(canvas, color) => {
  const plot = canvas.dataset.plot.split(',').map(Number);
  const probe = document.createElement('span');
  probe.style.color = color;
  document.body.appendChild(probe);
  const [tr, tg, tb] = getComputedStyle(probe).color.match(/\\d+/g).map(Number);
  probe.remove();
  const {width, height} = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const columns = new Array(width).fill(0);
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    if (Math.abs(data[i] - tr) + Math.abs(data[i + 1] - tg) + Math.abs(data[i + 2] - tb) < 40) {
      columns[(i / 4) % width]++;
    }
  }
  return {plot, columns};
}
"""


def plot_area(canvas):
    """`(left, top, right, bottom)` of a chart's plot area, in CSS pixels."""
    return [float(v) for v in canvas.get_attribute("data-plot").split(",")]


def open_kernel(browser, url):
    """A dashboard showing `VARIABLE` of `conv_a`, tall enough for the statistics."""
    dashboard = open_page(browser, url, "convnet")
    dashboard.page.set_viewport_size({"width": 1366, "height": 1500})
    ARTIFACTS.mkdir(exist_ok=True)
    module = dashboard.row("convnet/dense")
    if module.get_attribute("aria-expanded") == "false":
        module.click()
    dashboard.row(VARIABLE).click()
    expect(dashboard.testid("variable-path")).to_have_text(VARIABLE)
    expect(dashboard.testid("step-value")).to_have_text("3")
    # Drawn with the run's statistics, not the "loading…" frame.
    expect(dashboard.testid("stat-chart-update_ratio").locator("canvas")).to_have_attribute("data-series", "1")
    return dashboard


def click(dashboard, canvas, x, y):
    box = canvas.bounding_box()
    dashboard.page.mouse.click(box["x"] + x, box["y"] + y)


def picture(canvas):
    return canvas.evaluate("c => c.toDataURL()")


def rebin(edges, counts, target):
    """Counts of buckets `edges` spread uniformly over bins `target` (numpy oracle)."""
    out = np.zeros(len(target) - 1)
    for a, b, count in zip(edges[:-1], edges[1:], counts):
        if count <= 0:
            continue
        if b <= a:
            out[np.clip(np.searchsorted(target, a, "right") - 1, 0, len(out) - 1)] += count
            continue
        below = np.clip((np.asarray(target) - a) / (b - a), 0, 1)
        below[0], below[-1] = 0, 1
        out += count * np.diff(below)
    return out


def test_update_ratio_chart(browser, views_server, views_runs):
    dashboard = open_kernel(browser, views_server)
    logged = views_runs[1]["conv_a"]
    chart = dashboard.testid("stat-chart-update_ratio")
    canvas = chart.locator("canvas")
    log_box = dashboard.testid("update_ratio-log")
    expect(log_box).to_be_checked()  # ratios span decades: log by default
    # Drawn from step 1 on: no line pixel left of step 1, some at every step after.
    drawing = canvas.evaluate(COLUMN_PIXELS_JS, RUN_COLOR)
    left, top, right, bottom = drawing["plot"]
    step_x = lambda step: left + (right - left) * step / 3
    columns = drawing["columns"]
    drawn = [x for x, n in enumerate(columns) if n]
    assert drawn, "no pixel of the run's colour"
    assert abs(min(drawn) - step_x(1)) <= 4, (min(drawn), step_x(1))
    assert abs(max(drawn) - step_x(3)) <= 4, (max(drawn), step_x(3))
    log_picture = picture(canvas)

    # Hover: step 0 has no earlier value; step 1 reads ||W_1 - W_0|| / ||W_1||.
    middle = (top + bottom) / 2
    expect(dashboard.hover(canvas, step_x(0), middle)).to_contain_text("update ratio at step 0none (first logged step)")
    tooltip = dashboard.hover(canvas, step_x(1), middle)
    expect(tooltip).to_contain_text("update ratio at step 1")
    expect(tooltip).to_contain_text("(since step 0)")  # the interval the ratio covers
    w0 = logged[0][VARIABLE].astype(np.float64)
    w1 = logged[1][VARIABLE].astype(np.float64)
    expected = np.linalg.norm(w1 - w0) / np.linalg.norm(w1)
    shown = float(re.search(r"step 1\s*(%s)" % NUMBER, tooltip.inner_text()).group(1))
    assert abs(shown - expected) <= 1e-5 * expected, (shown, expected)

    # A linear axis draws differently, still from step 1 on.
    log_box.uncheck()
    assert picture(canvas) != log_picture
    drawing = canvas.evaluate(COLUMN_PIXELS_JS, RUN_COLOR)
    left, top, right, bottom = drawing["plot"]
    assert abs(min(x for x, n in enumerate(drawing["columns"]) if n) - step_x(1)) <= 4
    dashboard.testid("stats-section").screenshot(path=str(ARTIFACTS / "histograms_update_ratio.png"))
    assert not dashboard.errors, dashboard.errors
    dashboard.page.close()


def test_ridgeline_view(browser, views_server):
    dashboard = open_kernel(browser, views_server)
    stats = get_json(views_server + "/data/plugin/weights/stats?run=conv_a&tag=" + STATISTICS_TAG)
    histograms = stats["histograms"]
    assert [h["step"] for h in histograms] == [0, 1, 2, 3]

    dashboard.testid("histogram-mode").select_option("ridgeline")
    card = dashboard.testid("histogram")
    expect(card).to_have_attribute("data-mode", "ridgeline")
    expect(dashboard.testid("histogram-canvas")).to_be_hidden()
    canvas = dashboard.testid("histogram-steps-canvas")
    expect(canvas).to_have_count(1)
    expect(canvas).to_have_attribute("data-baselines", re.compile(","))
    pixels = dashboard.pixels(canvas, [RUN_COLOR, "#f57c00"])
    assert pixels["drawn"] > 0.1 * pixels["total"], pixels
    assert pixels["near"][1] > 100, pixels  # the chosen step (3) outlined in orange
    linear = picture(canvas)
    card.screenshot(path=str(ARTIFACTS / "histograms_ridgeline.png"))

    # Log counts redraw the curves.
    dashboard.testid("histogram-log").check()
    assert picture(canvas) != linear
    card.screenshot(path=str(ARTIFACTS / "histograms_ridgeline_log.png"))
    dashboard.testid("histogram-log").uncheck()
    assert picture(canvas) == linear

    # Hover the front row (step 3) in its fullest bucket: exact step, bucket, count.
    left, top, right, bottom = plot_area(canvas)
    baselines = [float(v) for v in canvas.get_attribute("data-baselines").split(",")]
    assert len(baselines) == 4 and abs(baselines[3] - bottom) < 1e-6
    lo = min(h["edges"][0] for h in histograms)
    hi = max(h["edges"][-1] for h in histograms)
    last = histograms[3]
    b = int(np.argmax(last["counts"]))
    value = (last["edges"][b] + last["edges"][b + 1]) / 2
    x = left + (value - lo) / (hi - lo) * (right - left)
    tooltip = dashboard.hover(canvas, x, baselines[3] - 2)
    text = tooltip.inner_text()
    assert "step 3" in text, text
    match = re.search(r"\[(%s), (%s)[)\]]: (\d+)" % (NUMBER, NUMBER), text)
    assert match, text
    assert abs(float(match.group(1)) - last["edges"][b]) <= 1e-3 * abs(last["edges"][b]) + 1e-6
    assert abs(float(match.group(2)) - last["edges"][b + 1]) <= 1e-3 * abs(last["edges"][b + 1]) + 1e-6
    assert int(match.group(3)) == int(last["counts"][b]), (text, last["counts"][b])

    # Clicking row 1 (its label, left of the plot) shows step 1.
    click(dashboard, canvas, 4, baselines[1] - 2)
    expect(dashboard.testid("step-value")).to_have_text("1")
    expect(dashboard.testid("step-slider")).to_have_value("1")
    assert picture(canvas) != linear  # the highlight moved to step 1
    assert not dashboard.errors, dashboard.errors
    dashboard.page.close()


def test_density_view(browser, views_server):
    dashboard = open_kernel(browser, views_server)
    stats = get_json(views_server + "/data/plugin/weights/stats?run=conv_a&tag=" + STATISTICS_TAG)
    histograms = stats["histograms"]

    dashboard.testid("histogram-mode").select_option("density")
    card = dashboard.testid("histogram")
    expect(card).to_have_attribute("data-mode", "density")
    canvas = dashboard.testid("histogram-steps-canvas")
    expect(canvas).to_have_attribute("data-bins", re.compile(r"^\d+$"))
    pixels = dashboard.pixels(canvas, ["#f57c00"])
    assert pixels["drawn"] > 0.3 * pixels["total"], pixels
    assert pixels["distinct"] >= 20, pixels
    assert pixels["near"][0] > 100, pixels  # the chosen step's column outlined
    linear = picture(canvas)
    card.screenshot(path=str(ARTIFACTS / "histograms_density.png"))
    dashboard.testid("histogram-log").check()
    assert picture(canvas) != linear
    card.screenshot(path=str(ARTIFACTS / "histograms_density_log.png"))

    # Hover column 2 in its fullest common bin: the step and the rebinned count.
    left, top, right, bottom = plot_area(canvas)
    bins = int(canvas.get_attribute("data-bins"))
    lo = min(h["edges"][0] for h in histograms)
    hi = max(h["edges"][-1] for h in histograms)
    target = lo + (hi - lo) * np.arange(bins + 1) / bins
    counts = rebin(histograms[2]["edges"], histograms[2]["counts"], target)
    assert abs(counts.sum() - sum(histograms[2]["counts"])) < 1e-9
    j = int(np.argmax(counts))
    column_width = (right - left) / 4
    bin_height = (bottom - top) / bins
    tooltip = dashboard.hover(canvas, left + 2.5 * column_width, bottom - (j + 0.5) * bin_height)
    text = tooltip.inner_text()
    assert "step 2" in text, text
    match = re.search(r"\[(%s), (%s)[)\]]: (%s)" % (NUMBER, NUMBER, NUMBER), text)
    assert match, text
    assert abs(float(match.group(1)) - target[j]) <= 1e-3 * abs(target[j]) + 1e-6, (text, target[j])
    assert abs(float(match.group(3)) - counts[j]) <= 1e-3 * counts[j], (text, counts[j])

    # Clicking column 0 shows step 0.
    click(dashboard, canvas, left + 0.5 * column_width, (top + bottom) / 2)
    expect(dashboard.testid("step-value")).to_have_text("0")
    expect(dashboard.testid("step-slider")).to_have_value("0")

    # A second run gets its own small multiple, labelled.
    dashboard.frame.locator('[data-testid="run-checkbox"][data-run="conv_b"]').click()
    runs = dashboard.testid("histogram-run")
    expect(runs).to_have_count(2)
    expect(runs.nth(1)).to_have_attribute("data-run", "conv_b")
    expect(runs.nth(1)).to_contain_text("conv_b")
    second = runs.nth(1).locator("canvas")
    expect(second).to_have_attribute("data-bins", re.compile(r"^\d+$"))
    assert dashboard.pixels(second)["distinct"] >= 20
    card.screenshot(path=str(ARTIFACTS / "histograms_density_two_runs.png"))
    assert not dashboard.errors, dashboard.errors
    dashboard.page.close()


def test_view_options_in_the_url(browser, views_server):
    dashboard = open_kernel(browser, views_server)
    dashboard.testid("histogram-mode").select_option("density")
    dashboard.testid("histogram-log").check()
    dashboard.testid("update_ratio-log").uncheck()
    page = dashboard.page
    page.wait_for_function("() => location.hash.includes('p.weights.h.histogram=density')")
    url = page.url
    for key in ("p.weights.h.histogram=density", "p.weights.h.log_counts=1", "p.weights.h.update_log=0"):
        assert key in url, url
    page.close()

    # The link reopens the same views in a new page; an unknown key is ignored.
    assert url.startswith(views_server + "/#weights&"), url
    reopened = open_page(browser, views_server, "convnet", url.split("#weights", 1)[1] + "&p.weights.h.unknown=7")
    expect(reopened.testid("variable-path")).to_have_text(VARIABLE)
    expect(reopened.testid("histogram-mode")).to_have_value("density")
    expect(reopened.testid("histogram-log")).to_be_checked()
    expect(reopened.testid("update_ratio-log")).not_to_be_checked()
    canvas = reopened.testid("histogram-steps-canvas")
    expect(canvas).to_have_attribute("data-bins", re.compile(r"^\d+$"))
    assert reopened.pixels(canvas)["distinct"] >= 20
    assert not reopened.errors, reopened.errors
    reopened.page.close()
