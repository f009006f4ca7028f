"""The Weights dashboard in a real browser (Chromium) against a real TensorBoard.

Opens TensorBoard's `#weights` tab, finds the dashboard inside TensorBoard's
plugin iframe, and drives it like a user: filter the layer tree, open a 2-D
variable, read the heat map's pixels back, move the step slider, compare two
runs, and check the statistics charts are drawn. A screenshot of the final
state goes to `tests/artifacts/weights_dashboard.png`. A run logged with
reduced storage (float16 values, a byte-capped subsample, statistics-only
steps) must say so in its panels and hover with whole-view indices.

Needs Chromium at `/usr/bin/chromium` (Debian's `chromium` package) or at
`$TBW_CHROMIUM`; without it the tests fail rather than skip, since the
dashboard would otherwise go untested.
"""

import os
import pathlib
import re

import numpy as np
import pytest
import tensorflow as tf
from playwright.sync_api import expect, sync_playwright

from conftest import get_json
from tb_weights_plugin import summary

CHROMIUM = os.environ.get("TBW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = pathlib.Path(__file__).parent / "artifacts"
VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT_MS = 30_000

KERNEL = "classifier/features/dense/kernel"

# Reads a canvas back: how many pixels are drawn (neither transparent nor
# near-white), how many distinct colours, and how many pixels lie near each
# of the given CSS colours.
CANVAS_PIXELS_JS = """
(canvas, colors) => {
  const parse = (css) => {
    const probe = document.createElement('span');
    probe.style.color = css;
    document.body.appendChild(probe);
    const rgb = getComputedStyle(probe).color.match(/\\d+/g).map(Number);
    probe.remove();
    return rgb;
  };
  const targets = colors.map(parse);
  const {width, height} = canvas;
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let drawn = 0;
  const distinct = new Set();
  const near = targets.map(() => 0);
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a === 0) continue;
    if (!(r > 240 && g > 240 && b > 240)) drawn++;
    distinct.add((r << 16) | (g << 8) | b);
    targets.forEach(([tr, tg, tb], k) => {
      if (Math.abs(r - tr) + Math.abs(g - tg) + Math.abs(b - tb) < 30) near[k]++;
    });
  }
  return {total: width * height, drawn, distinct: distinct.size, near};
}
"""


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Chromium not found at %s. Install it (Debian: `apt-get install chromium`) "
            "or point $TBW_CHROMIUM at a Chromium binary; the browser tests need it." % CHROMIUM,
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Dashboard:
    """A page showing TensorBoard's Weights tab, with its console recorded."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # The dashboard lives in TensorBoard's plugin iframe.
        self.frame = page.frame_locator("iframe")

    def testid(self, name):
        return self.frame.locator('[data-testid="%s"]' % name)

    def main_message(self):
        return self.testid("main").locator('[data-testid="message-empty"]')

    def row(self, path):
        return self.frame.locator('.tbw-row[data-path="%s"]' % path)

    def panel(self, run):
        return self.frame.locator('[data-testid="run-panel"][data-run="%s"]' % run)

    def pixels(self, canvas, colors=()):
        return canvas.evaluate(CANVAS_PIXELS_JS, list(colors))

    def hover(self, canvas, x, y):
        """Moves the mouse to CSS pixel `(x, y)` of `canvas`; returns the tooltip, shown.

        The mouse leaves first, so that the tooltip is this hover's, not one left from before.
        """
        tooltip = self.testid("tooltip")
        self.page.mouse.move(0, 0)
        expect(tooltip).to_be_hidden()
        box = canvas.bounding_box()
        self.page.mouse.move(box["x"] + x, box["y"] + y)
        expect(tooltip).to_be_visible()
        return tooltip

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


def open_page(browser, url, first_row, hash_suffix=""):
    """A `Dashboard` on the `#weights` tab of the TensorBoard at `url`, once `first_row` shows.

    `hash_suffix`: the rest of a link's hash after `#weights`, e.g. `&p.weights.step=2`.
    """
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(TIMEOUT_MS)
    dashboard = Dashboard(page)
    page.goto(url + "/#weights" + hash_suffix)
    expect(dashboard.row(first_row)).to_be_visible()
    # Roboto comes from TensorBoard's server: wait for it, so that canvases
    # drawn from now on use it (a canvas drawn before shows a fallback font,
    # and two drawings of the same chart would differ in their labels).
    dashboard.frame.locator("body").evaluate("body => body.ownerDocument.fonts.ready.then(() => true)")
    return dashboard


@pytest.fixture
def open_dashboard(browser, tensorboard_server):
    """`open_dashboard(load_fast)` → a `Dashboard` on TensorBoard's `#weights` tab."""
    pages = []

    def open_(load_fast):
        dashboard = open_page(browser, tensorboard_server(load_fast), "classifier")
        pages.append(dashboard.page)
        return dashboard

    yield open_
    for page in pages:
        page.close()


def wait_for_tensor(dashboard, run, step):
    """Waits until `run`'s panel shows its tensor at `step`."""
    panel = dashboard.panel(run)
    expect(panel.locator('[data-testid="panel-step"]')).to_have_attribute("data-step", str(step))
    expect(panel).not_to_have_class(re.compile(r"\btbw-loading\b"))
    return panel


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_browse_compare_and_step(open_dashboard, load_fast):
    dashboard = open_dashboard(load_fast)
    try:
        run_browse_compare_and_step(dashboard)
    except Exception:
        dashboard.screenshot("weights_dashboard_failure_load_fast_%s.png" % load_fast)
        raise
    name = "weights_dashboard.png" if load_fast == "false" else "weights_dashboard_load_fast_true.png"
    assert dashboard.screenshot(name).stat().st_size > 10_000
    assert dashboard.errors == []


def run_browse_compare_and_step(dashboard):
    frame = dashboard.frame

    # Run picker: both runs listed, the first selected by default.
    boxes = dashboard.testid("run-checkbox")
    expect(boxes).to_have_count(2)
    expect(frame.locator('[data-testid="run-checkbox"][data-run="run_a"]')).to_be_checked()
    expect(frame.locator('[data-testid="run-checkbox"][data-run="run_b"]')).not_to_be_checked()
    expect(dashboard.testid("overview")).to_contain_text("Model overview")

    # Tree: models and their children start expanded; a module toggles.
    expect(dashboard.row("classifier/features")).to_be_visible()
    expect(dashboard.row("classifier/logits")).to_be_visible()
    expect(dashboard.row("classifier/features/dense")).to_have_attribute("aria-expanded", "false")
    dashboard.row("classifier/features/dense").click()
    expect(dashboard.row("classifier/features/dense")).to_have_attribute("aria-expanded", "true")
    expect(dashboard.row(KERNEL)).to_be_visible()
    expect(dashboard.row(KERNEL)).to_contain_text("8×12")
    dashboard.row("classifier/features/dense").click()
    expect(dashboard.row(KERNEL)).to_have_count(0)

    # Moving statistics are marked non-trainable.
    dashboard.row("classifier/features/batch_normalization").click()
    expect(dashboard.row("classifier/features/batch_normalization/moving_mean")).to_contain_text("non-trainable")
    expect(dashboard.row("classifier/features/batch_normalization/gamma")).not_to_contain_text("non-trainable")

    # Filter: matches with their ancestors, case-insensitive; others hidden.
    dashboard.testid("tree-search").fill("DENSE/KER")
    expect(dashboard.row(KERNEL)).to_be_visible()
    expect(dashboard.row("classifier/features/dense")).to_be_visible()
    expect(dashboard.row("classifier/features")).to_be_visible()
    expect(dashboard.row("classifier/logits/kernel")).to_have_count(0)
    expect(dashboard.row("classifier/features/batch_normalization")).to_have_count(0)

    # Open the 2-D kernel: header, highlighted row, heat map at the latest step.
    dashboard.row(KERNEL).click()
    expect(dashboard.row(KERNEL)).to_have_attribute("aria-selected", "true")
    expect(dashboard.testid("variable-path")).to_have_text(KERNEL)
    expect(dashboard.testid("variable-header")).to_contain_text("8×12")
    expect(dashboard.testid("variable-header")).to_contain_text("float32")
    expect(dashboard.testid("variable-header")).to_contain_text("96 parameters")
    expect(dashboard.testid("step-value")).to_have_text("2")
    panel = wait_for_tensor(dashboard, "run_a", 2)
    heatmap = panel.locator('[data-testid="heatmap"]')
    expect(heatmap).to_be_visible()
    pixels = dashboard.pixels(heatmap)
    assert pixels["drawn"] > 0.5 * pixels["total"], pixels
    assert pixels["distinct"] >= 20, pixels
    box = heatmap.bounding_box()
    assert box["width"] >= 12 * 4 and box["height"] >= 8 * 4, box  # cells of several pixels
    expect(panel.locator('[data-testid="colorbar"]')).to_be_visible()
    picture_at_step_2 = heatmap.evaluate("c => c.toDataURL()")

    # Hover reads out a cell, by the kernel's axis names.
    dashboard.page.mouse.move(box["x"] + 2, box["y"] + 2)
    expect(dashboard.testid("tooltip")).to_contain_text("in 0, out 0")
    expect(dashboard.testid("tooltip")).to_contain_text("value ")

    # The step slider re-fetches the tensor; the keyboard moves it.
    slider = dashboard.testid("step-slider")
    slider.focus()
    dashboard.page.keyboard.press("ArrowLeft")
    expect(dashboard.testid("step-value")).to_have_text("1")
    panel = wait_for_tensor(dashboard, "run_a", 1)
    expect(panel.locator('[data-testid="panel-step"]')).to_have_text("step 1")
    heatmap = panel.locator('[data-testid="heatmap"]')
    assert heatmap.evaluate("c => c.toDataURL()") != picture_at_step_2
    dashboard.page.keyboard.press("Home")
    expect(dashboard.testid("step-value")).to_have_text("0")
    wait_for_tensor(dashboard, "run_a", 0)
    dashboard.page.keyboard.press("End")
    expect(dashboard.testid("step-value")).to_have_text("2")
    wait_for_tensor(dashboard, "run_a", 2)

    # Compare both runs: one panel each, side by side, each with a heat map.
    frame.locator('[data-testid="run-checkbox"][data-run="run_b"]').check()
    expect(dashboard.testid("run-panel")).to_have_count(2)
    for run in ("run_a", "run_b"):
        panel = wait_for_tensor(dashboard, run, 2)
        pixels = dashboard.pixels(panel.locator('[data-testid="heatmap"]'))
        assert pixels["drawn"] > 0.5 * pixels["total"], (run, pixels)
    box_a = dashboard.panel("run_a").bounding_box()
    box_b = dashboard.panel("run_b").bounding_box()
    assert box_b["x"] > box_a["x"] + box_a["width"] - 1 and abs(box_b["y"] - box_a["y"]) < 2
    # The tree stays on the run it showed.
    expect(dashboard.testid("tree-caption")).to_contain_text("at step 2")

    # Statistics: every chart drawn, with a line in each run's colour.
    colors = [
        dashboard.panel(run).locator(".tbw-swatch").evaluate("e => getComputedStyle(e).backgroundColor")
        for run in ("run_a", "run_b")
    ]
    assert colors[0] != colors[1]
    charts = dashboard.testid("stats-charts")
    for key in ("mean", "std", "min", "max", "l2_norm", "zero_fraction", "nonfinite"):
        canvas = charts.locator('[data-testid="stat-chart-%s"] canvas' % key)
        expect(canvas).to_have_attribute("data-series", "2")  # both runs' statistics drawn
        pixels = dashboard.pixels(canvas, colors)
        assert pixels["drawn"] > 300, (key, pixels)
        if key in ("mean", "std", "l2_norm"):
            assert all(count > 10 for count in pixels["near"]), (key, pixels)
    histogram = dashboard.testid("histogram-canvas")
    expect(dashboard.testid("histogram")).to_contain_text("histogram at step 2")
    expect(histogram).to_have_attribute("data-series", "2")
    pixels = dashboard.pixels(histogram, colors)
    assert all(count > 10 for count in pixels["near"]), pixels

    # Clearing the filter brings the whole tree back, selection kept.
    dashboard.testid("tree-search").fill("")
    expect(dashboard.row("classifier/logits/kernel")).to_be_visible()
    expect(dashboard.row(KERNEL)).to_have_attribute("aria-selected", "true")

    # Back to the top for the screenshot: both panels and the header.
    dashboard.testid("tree-search").blur()
    frame.locator(".tbw-main").evaluate("e => e.scrollTop = 0")
    dashboard.page.mouse.move(0, 0)


def test_hover_shows_the_exact_logged_value(open_dashboard, logged_runs):
    _, logged = logged_runs
    dashboard = open_dashboard("false")
    dashboard.testid("tree-search").fill("logits/kernel")
    dashboard.row("classifier/logits/kernel").click()
    heatmap = wait_for_tensor(dashboard, "run_a", 2).locator('[data-testid="heatmap"]')
    expected = logged["run_a"][2]["classifier/logits/kernel"]
    rows, columns = expected.shape
    box = heatmap.bounding_box()
    for i, j in [(0, 0), (rows - 1, columns - 1), (rows // 2, columns // 3)]:
        dashboard.page.mouse.move(
            box["x"] + (j + 0.5) * box["width"] / columns,
            box["y"] + (i + 0.5) * box["height"] / rows,
        )
        tooltip = dashboard.testid("tooltip")
        expect(tooltip).to_contain_text("in %d, out %d" % (i, j))
        shown = tooltip.inner_text().split("value ")[1].strip()
        # Shown as the shortest decimal that reads back as the same float32.
        assert np.float32(float(shown)) == expected[i, j], (i, j, shown, expected[i, j])
        digits = shown.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
        assert len(digits) <= 9, shown
    assert dashboard.errors == []


def test_number_formatting_and_run_picker(open_dashboard):
    dashboard = open_dashboard("false")
    # Number formatting, run in the browser on the dashboard's own module.
    formatted = dashboard.frame.locator("body").evaluate(
        """async () => {
          const f = await import('./static/format.js');
          return [
            f.formatFloat32(Math.fround(0.1)), f.formatFloat32(-0), f.formatFloat32(NaN),
            f.formatFloat32(Math.fround(1e-7)), f.formatCount(23851784), f.formatCompact(23851784),
            f.formatShape([3, 3, 16, 32]),
          ];
        }"""
    )
    assert formatted == ["0.1", "-0", "NaN", "1e-7", "23,851,784", "23.9M", "3×3×16×32"]

    # Select-all and select-none of the run picker.
    dashboard.testid("runs-all").click()
    expect(dashboard.frame.locator('[data-testid="run-checkbox"]:checked')).to_have_count(2)
    dashboard.testid("runs-none").click()
    expect(dashboard.frame.locator('[data-testid="run-checkbox"]:checked')).to_have_count(0)
    expect(dashboard.main_message()).to_contain_text("No run selected")
    assert dashboard.errors == []


# Reduced storage: what was not logged exactly must say so.

REDUCED_BYTES = 8000


@pytest.fixture(scope="module")
def reduced_logdir(tmp_path_factory):
    """`(logdir, {path: logged array})`: run `reduced` with full tensors only at step 0.

    `half` is stored as float16; `capped` under a cap of `REDUCED_BYTES` bytes
    per tensor, which subsamples its 256 × 120 kernel and 5000-vector. Step 5
    logs statistics only.
    """
    logdir = str(tmp_path_factory.mktemp("reduced_logdir"))
    rng = np.random.default_rng(7)
    logged = {
        "half/weights": rng.normal(size=(8, 6)).astype(np.float32),
        "capped/kernel": rng.normal(size=(256, 120)).astype(np.float32),
        "capped/vector": rng.normal(size=(5000,)).astype(np.float32),
    }
    writer = tf.summary.create_file_writer(os.path.join(logdir, "reduced"))
    with writer.as_default():
        for step, tensors in ((0, True), (5, False)):
            summary.weights(
                {"weights": logged["half/weights"]}, step=step, name="half", storage_dtype="float16", tensors=tensors
            )
            summary.weights(
                {"kernel": logged["capped/kernel"], "vector": logged["capped/vector"]},
                step=step,
                name="capped",
                max_tensor_bytes=REDUCED_BYTES,
                tensors=tensors,
            )
    writer.close()
    return logdir, logged


def ordinal(n):
    return "%d%s" % (n, "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_reduced_storage_is_shown_honestly(browser, tensorboard_processes, reduced_logdir, load_fast):
    logdir, logged = reduced_logdir
    url = tensorboard_processes.start(logdir, load_fast, expected_steps=2)
    dashboard = open_page(browser, url, "half")
    suffix = "" if load_fast == "false" else "_load_fast_true"
    try:
        run_reduced_storage(dashboard, url, logged)
        dashboard.screenshot("weights_dashboard_reduced_storage%s.png" % suffix)
        assert dashboard.errors == []
    except Exception:
        dashboard.screenshot("weights_dashboard_reduced_storage_failure%s.png" % suffix)
        raise
    finally:
        dashboard.page.close()


def hover_cell(dashboard, heatmap, i, j, rows, columns):
    """Moves the mouse over cell `(i, j)` of a heat map of `rows × columns` cells; returns the tooltip."""
    box = heatmap.bounding_box()
    dashboard.page.mouse.move(box["x"] + (j + 0.5) * box["width"] / columns, box["y"] + (i + 0.5) * box["height"] / rows)
    return dashboard.testid("tooltip")


def shown_value(tooltip):
    return float(tooltip.inner_text().split("value ")[1].split("\n")[0])


def run_reduced_storage(dashboard, url, logged):
    panel = dashboard.panel("reduced")
    notes = panel.locator('[data-testid="panel-notes"]')

    # float16 storage, at the statistics-only step 5: the tensor of step 0.
    dashboard.row("half/weights").click()
    expect(dashboard.testid("step-value")).to_have_text("5")
    wait_for_tensor(dashboard, "reduced", 0)
    expect(panel.locator('[data-testid="panel-step"]')).to_have_text("step 0 (latest ≤ 5)")
    expect(notes.locator('[data-testid="note-tensor-step"]')).to_have_text(
        "statistics only at step 5; tensor from step 0"
    )
    expect(notes.locator('[data-testid="note-precision"]')).to_have_text("stored as float16")
    expect(dashboard.testid("variable-header")).to_contain_text("float32")
    # The statistics charts stay on the statistics' steps.
    expect(dashboard.testid("histogram")).to_contain_text("histogram at step 5")
    half = logged["half/weights"]
    heatmap = panel.locator('[data-testid="heatmap"]')
    tooltip = hover_cell(dashboard, heatmap, 3, 2, *half.shape)
    expect(tooltip).to_contain_text("row 3, column 2")
    expect(tooltip).to_contain_text("stored as float16")
    # Shown as the float16 it was stored as: the shortest decimal that reads back as it.
    assert np.float16(shown_value(tooltip)) == np.float16(half[3, 2]), tooltip.inner_text()

    # At step 0 the tensor is the step's own: no statistics-only note.
    dashboard.testid("step-slider").focus()
    dashboard.page.keyboard.press("Home")
    wait_for_tensor(dashboard, "reduced", 0)
    expect(panel.locator('[data-testid="panel-step"]')).to_have_text("step 0")
    expect(notes.locator('[data-testid="note-tensor-step"]')).to_have_count(0)
    expect(notes.locator('[data-testid="note-precision"]')).to_have_text("stored as float16")

    # A byte-capped matrix: every kr-th row and kc-th column were stored.
    answer = get_json(url + "/data/plugin/weights/tensor?run=reduced&tag=capped/kernel/tensor&step=0")
    kr, kc = answer["subsample_strides"]
    rows, columns = answer["stored_view_shape"]
    assert kr > 1 and kc > 1 and answer["view_shape"] == [256, 120], answer["subsample_strides"]
    kernel = logged["capped/kernel"]
    dashboard.row("capped/kernel").click()
    wait_for_tensor(dashboard, "reduced", 0)
    expect(notes.locator('[data-testid="note-subsample"]')).to_have_text(
        "subsample: every %s row, every %s column, %d×%d of 256×120" % (ordinal(kr), ordinal(kc), rows, columns)
    )
    expect(notes.locator('[data-testid="note-precision"]')).to_have_count(0)
    heatmap = panel.locator('[data-testid="heatmap"]')
    for i, j in [(0, 0), (rows - 1, columns - 1), (rows // 2, columns // 3)]:
        tooltip = hover_cell(dashboard, heatmap, i, j, rows, columns)
        expect(tooltip).to_contain_text("row %d, column %d" % (i * kr, j * kc))
        assert np.float32(shown_value(tooltip)) == kernel[i * kr, j * kc], (i, j, tooltip.inner_text())

    # A byte-capped vector: every k-th element.
    answer = get_json(url + "/data/plugin/weights/tensor?run=reduced&tag=capped/vector/tensor&step=0")
    (k,) = answer["subsample_strides"]
    (stored,) = answer["stored_view_shape"]
    assert k > 1, answer["subsample_strides"]
    dashboard.row("capped/vector").click()
    wait_for_tensor(dashboard, "reduced", 0)
    expect(notes.locator('[data-testid="note-subsample"]')).to_have_text(
        "subsample: every %s element, %d of 5000" % (ordinal(k), stored)
    )
    plot = panel.locator('[data-testid="vector-plot"]')
    box = plot.bounding_box()
    dashboard.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    tooltip = dashboard.testid("tooltip")
    expect(tooltip).to_contain_text("index ")
    index = int(tooltip.inner_text().split("index ")[1].split("\n")[0])
    assert index % k == 0 and 1000 < index < 4000, index
    assert np.float32(shown_value(tooltip)) == logged["capped/vector"][index], tooltip.inner_text()

    # Back to the subsampled matrix, hovered, for the screenshot.
    dashboard.row("capped/kernel").click()
    heatmap = panel.locator('[data-testid="heatmap"]')
    expect(heatmap).to_be_visible()
    hover_cell(dashboard, heatmap, rows // 2, columns // 3, rows, columns)
