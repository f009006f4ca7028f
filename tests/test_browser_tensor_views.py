"""Views of one variable in a real browser (Chromium) against a real TensorBoard.

Over the `views_runs` logs (a conv model with every kind of convolution, a
run with NaN/±Inf, MobileNet): the filter grid of a Conv2D kernel with one
colour range for the grid or one per tile; N-D slicing of a rank-5 Conv3D
kernel (axes, an index slider, a reduction) with the shown slice downloaded
as CSV; zooming a MobileNet kernel until every cell is an exact logged value;
step − step and run − run differences, and the message when shapes differ;
the NaN, +Inf and −Inf legend. Each test saves a screenshot to
`tests/artifacts/tensor_views_*.png`.
"""

import csv
import decimal
import io
import re
import time

import numpy as np
import pytest
from playwright.sync_api import expect

from test_browser import browser  # noqa: F401 (the Chromium fixture)
from test_browser import open_page, wait_for_tensor

CONV = "convnet/conv/kernel"
CONV3D = "convnet/conv3d/kernel"
DENSE = "convnet/dense/kernel"
POINTWISE = "mobilenet_0.25_32/conv_pw_13/kernel"

# colormap.js NAN_RGB, POSINF_RGB, NEGINF_RGB.
NAN_CSS, POSINF_CSS, NEGINF_CSS = "rgb(176, 112, 176)", "rgb(255, 140, 0)", "rgb(0, 220, 230)"


@pytest.fixture
def dashboard(browser, views_server):  # noqa: F811
    dashboard = open_page(browser, views_server, "convnet")
    yield dashboard
    dashboard.page.close()


def select_runs(dashboard, runs):
    """Checks exactly `runs` in the run picker."""
    boxes = dashboard.testid("run-checkbox")
    for k in range(boxes.count()):
        box = boxes.nth(k)
        box.set_checked(box.get_attribute("data-run") in runs)


def open_variable(dashboard, path):
    """Selects a variable through the tree's filter, then clears the filter."""
    dashboard.testid("tree-search").fill(path)
    dashboard.row(path).click()
    expect(dashboard.testid("variable-path")).to_have_text(path)


def tooltip_at(dashboard, canvas, x, y):
    """Moves the mouse to `(x, y)` CSS pixels of `canvas`; returns the tooltip's lines."""
    return dashboard.hover(canvas, x, y).inner_text().split("\n")


def hover_cell(dashboard, canvas, i, j, rows, columns):
    """The tooltip's lines over cell `(i, j)` of a heat map of `rows × columns` cells."""
    box = canvas.bounding_box()
    return tooltip_at(dashboard, canvas, (j + 0.5) * box["width"] / columns, (i + 0.5) * box["height"] / rows)


def hover_until(dashboard, panel, i, j, rows, columns, first_line):
    """Hovers cell `(i, j)` of `panel`'s heat map until the tooltip's first line is `first_line`.

    The heat map is replaced when new values arrive, so the hover is retried
    until it reads the view asked for.
    """
    lines = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        heatmap = panel.locator('[data-testid="heatmap"]')
        if heatmap.count() and not "tbw-loading" in (panel.get_attribute("class") or ""):
            dashboard.page.mouse.move(0, 0)
            lines = hover_cell(dashboard, heatmap, i, j, rows, columns)
            if lines[0] == first_line:
                return lines
        dashboard.page.wait_for_timeout(100)
    raise AssertionError("tooltip %r, expected first line %r" % (lines, first_line))


def value_of(lines):
    """The number after `value ` in tooltip lines, as its text."""
    (line,) = [line for line in lines if line.startswith("value ")]
    return line[len("value "):]


def shortest_float32(x):
    """The shortest decimal that reads back as float32 `x` (numpy's Dragon4)."""
    return decimal.Decimal(np.format_float_scientific(np.float32(x), unique=True))


def shortest_float64(x):
    return decimal.Decimal(repr(float(x)))


def parse_index(text):
    """`kh 1, kw 2, in 3, out 4` → {"kh": 1, ...}."""
    return {name: int(index) for name, index in re.findall(r"(\w+) (\d+)", text)}


def test_filter_grid_tiles_and_tile_ranges(dashboard, views_runs):
    _, logged = views_runs
    kernel = logged["conv_a"][3][CONV]  # [3, 3, 2, 6]
    open_variable(dashboard, CONV)
    panel = wait_for_tensor(dashboard, "conv_a", 3)
    grid = panel.locator('[data-testid="filter-grid"]')
    expect(grid).to_be_visible()
    expect(grid).to_have_attribute("aria-label", "Filter grid of 2×6 tiles of 3×3")
    expect(dashboard.testid("variable-header")).to_contain_text("[kh, kw, in, out]")
    expect(dashboard.testid("row-axis")).to_have_value("2")
    expect(dashboard.testid("tile-axes")).to_have_text("tiles: kh · 3 × kw · 3")

    # Every tile drawn: 12 tiles of 3×3 cells, gaps between them.
    pixels = dashboard.pixels(grid)
    assert pixels["distinct"] >= 40, pixels
    box = grid.bounding_box()
    pitch_x, pitch_y = (box["width"] + 2) / 6, (box["height"] + 2) / 2
    cell = (pitch_x - 2) / 3
    assert cell >= 8, box

    # Hover an element of a tile: its full index and the exact logged value.
    for i, o, kh, kw in [(0, 0, 0, 0), (1, 4, 2, 0), (1, 5, 1, 2)]:
        lines = tooltip_at(dashboard, grid, o * pitch_x + (kw + 0.5) * cell, i * pitch_y + (kh + 0.5) * cell)
        assert lines[0] == "kh %d, kw %d, in %d, out %d" % (kh, kw, i, o), lines
        expected = kernel[kh, kw, i, o]
        assert np.float32(value_of(lines)) == expected, (lines, expected)
        assert decimal.Decimal(value_of(lines)) == shortest_float32(expected), lines

    # One colour range per tile changes the picture; the tooltip says the tile's range.
    shared = grid.evaluate("c => c.toDataURL()")
    dashboard.testid("tile-range").select_option("tile")
    grid = panel.locator('[data-testid="filter-grid"]')
    expect(grid).not_to_have_attribute("data-render-ms", "x")
    dashboard.page.wait_for_function(
        "([el, before]) => el.toDataURL() !== before",
        arg=[grid.element_handle(), shared],
    )
    lines = tooltip_at(dashboard, grid, 4 * pitch_x + 0.5 * cell, pitch_y + 2.5 * cell)
    tile = kernel[:, :, 1, 4]
    assert lines[-1] == "tile range %s … %s" % (fmt4(tile.min()), fmt4(tile.max())), lines
    # Each tile now spans the whole map: its extremes take the darkest colours.
    pixels = dashboard.pixels(grid, ["rgb(5, 48, 97)", "rgb(103, 0, 31)"])
    assert all(n >= 6 * int(cell) ** 2 for n in pixels["near"]), pixels
    dashboard.page.mouse.move(0, 0)
    dashboard.screenshot("tensor_views_filter_grid.png")
    assert dashboard.errors == []


def test_a_depthwise_strip_wraps_into_rows_and_shows_whole(dashboard, views_runs):
    """MobileNet's last depthwise kernel [3, 3, 256, 1]: 256 tiles in rows, not one column."""
    _, logged = views_runs
    path = "mobilenet_0.25_32/conv_dw_13/kernel"
    kernel = logged["mobilenet"][3][path]
    assert kernel.shape == (3, 3, 256, 1)
    select_runs(dashboard, ["mobilenet"])
    open_variable(dashboard, path)
    panel = wait_for_tensor(dashboard, "mobilenet", 3)
    grid = panel.locator('[data-testid="filter-grid"]')
    expect(grid).to_have_attribute("data-wrap", re.compile(r"^\d+$"))
    per_row = int(grid.get_attribute("data-wrap"))
    rows = -(-256 // per_row)
    assert 8 <= per_row <= 64 and rows <= 32, per_row  # wrapped, not a 256-tile column
    expect(grid).to_have_attribute("aria-label", "Filter grid of 256 tiles of 3×3, %d per row" % per_row)
    expect(dashboard.testid("zoom-in")).to_be_hidden()  # the whole strip is shown: nothing to zoom

    box = grid.bounding_box()
    pitch = (box["width"] + 2) / per_row
    assert abs(rows * pitch - 2 - box["height"]) < 1, (box, per_row)
    cell = (pitch - 2) / 3
    assert cell >= 3, box
    # Every tile drawn: the last one (k = 255) too, at its wrapped place.
    for k, kh, kw in [(0, 0, 0), (per_row + 1, 1, 2), (255, 2, 1)]:
        row, column = divmod(k, per_row)
        lines = tooltip_at(dashboard, grid, column * pitch + (kw + 0.5) * cell, row * pitch + (kh + 0.5) * cell)
        assert lines[0] == "kh %d, kw %d, in %d, multiplier 0" % (kh, kw, k), lines
        assert decimal.Decimal(value_of(lines)) == shortest_float32(kernel[kh, kw, k, 0]), lines
    # Past the last tile of the last row: no tile, no tooltip.
    if 256 % per_row:
        grid_box = grid.bounding_box()
        dashboard.page.mouse.move(grid_box["x"] + (per_row - 0.5) * pitch, grid_box["y"] + (rows - 0.5) * pitch)
        expect(dashboard.testid("tooltip")).to_be_hidden()
    dashboard.page.mouse.move(0, 0)
    dashboard.screenshot("tensor_views_depthwise_wrapped.png")
    assert dashboard.errors == []


def fmt4(x):
    """formatApprox(x, 4): four significant digits, trailing zeros dropped."""
    text = "%.4g" % x
    if "e" in text:
        mantissa, exponent = text.split("e")
        return "%se%d" % (mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa, int(exponent))
    return text.rstrip("0").rstrip(".") if "." in text else text


def test_nd_slicing_of_a_rank_5_kernel(dashboard, views_runs):
    _, logged = views_runs
    kernel = logged["conv_a"][3][CONV3D]  # [kd, kh, kw, in, out] = [2, 2, 2, 1, 3]
    open_variable(dashboard, CONV3D)
    panel = wait_for_tensor(dashboard, "conv_a", 3)
    expect(panel.locator('[data-testid="filter-grid"]')).to_be_visible()
    # Conv3D's depth is the filter grid's other axis.
    expect(dashboard.testid("other-axis-0")).to_contain_text("kd · 2")

    # The plain heat map: rows kh, columns out; kd, kw and in are other axes.
    dashboard.testid("layout-mode").select_option("heatmap")
    dashboard.testid("row-axis").select_option("1")
    expect(dashboard.testid("column-axis")).to_have_value("4")
    for axis, label in [(0, "kd · 2"), (2, "kw · 2")]:
        expect(dashboard.testid("other-axis-%d" % axis)).to_contain_text(label)
    expect(dashboard.testid("single-axes")).to_have_text("in · 1: index 0")
    expect(dashboard.testid("zoom-readout")).to_have_text("all 2 kh × all 3 out")

    # Move the kd slider to 1.
    slider = dashboard.testid("axis-slider-0")
    slider.focus()
    dashboard.page.keyboard.press("ArrowRight")
    expect(dashboard.testid("axis-index-0")).to_have_text("1 of 0–1")
    heatmap = panel.locator('[data-testid="heatmap"]')
    expect(heatmap).to_have_attribute("aria-label", "Heat map of 2×3 values")
    for i, j in [(0, 0), (1, 2), (0, 1)]:
        lines = hover_until(dashboard, panel, i, j, 2, 3, "kd 1, kh %d, kw 0, in 0, out %d" % (i, j))
        assert decimal.Decimal(value_of(lines)) == shortest_float32(kernel[1, i, 0, 0, j]), lines

    # A reduction over kw: the float64 mean, shown exactly.
    dashboard.testid("axis-mode-2").select_option("mean")
    expect(dashboard.testid("axis-slider-2")).to_be_hidden()
    expect(dashboard.testid("axis-index-2")).to_have_text("over all 2")
    lines = hover_until(dashboard, panel, 1, 2, 2, 3, "kd 1, kh 1, kw mean, in 0, out 2")
    expected = kernel[1, 1, :, 0, 2].astype(np.float64).mean()
    assert decimal.Decimal(value_of(lines)) == shortest_float64(expected), (lines, expected)

    # The shown slice as CSV: the 2×3 window, every element.
    link = panel.locator('[data-testid="download-slice-csv"]')
    href = link.get_attribute("href")
    assert "axes=1%2C4" in href and "other=1%2Cmean%2C0" in href, href
    assert link.get_attribute("download") == "conv_a.convnet.conv3d.kernel.step3.axes1-4_kd1_kwmean_in0.csv"
    answer = dashboard.page.request.get(panel.locator('[data-testid="download-slice-csv"]').evaluate("a => a.href"))
    rows = list(csv.reader(io.StringIO(answer.text())))
    got = np.array(rows, dtype=np.float64)
    np.testing.assert_array_equal(got, kernel[1, :, :, 0, :].astype(np.float64).mean(axis=1))
    whole = panel.locator('[data-testid="download-whole-npy"]')
    assert whole.get_attribute("download") == "conv_a.convnet.conv3d.kernel.step3.npy"
    dashboard.page.mouse.move(0, 0)
    dashboard.screenshot("tensor_views_nd_slicing.png")
    assert dashboard.errors == []


def test_zoom_to_exact_values(dashboard, views_runs):
    _, logged = views_runs
    kernel = logged["mobilenet"][3][POINTWISE]  # [1, 1, 256, 256]
    select_runs(dashboard, ["mobilenet"])
    open_variable(dashboard, POINTWISE)
    panel = wait_for_tensor(dashboard, "mobilenet", 3)
    # A 1×1 kernel has no filter grid (its tiles would be single cells): a heat map of in × out.
    expect(dashboard.testid("layout-mode")).to_have_count(0)
    note = panel.locator('[data-testid="note-downsample"]')
    expect(note).to_contain_text(re.compile(r"downsampled 256×256 → \d+×\d+, block mean of 2×2"))
    # Block max-abs instead of block mean.
    dashboard.testid("downsample-method").select_option("max_abs")
    expect(note).to_contain_text("block max-abs of 2×2")
    heatmap = panel.locator('[data-testid="heatmap"]')
    lines = hover_cell(dashboard, heatmap, 10, 10, 128, 128)
    assert lines[1].startswith("block max-abs "), lines

    # Wheel over the heat map until every cell is one element.
    box = heatmap.bounding_box()
    dashboard.page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    dashboard.page.mouse.wheel(0, -100)
    expect(note).to_have_count(0)
    readout = dashboard.testid("zoom-readout")
    expect(readout).to_have_text(re.compile(r"in \d+–\d+ of 256 × out \d+–\d+ of 256"))
    first_readout = readout.inner_text()
    rows_shown = [int(x) for x in re.findall(r"in (\d+)–(\d+)", first_readout)[0]]
    heatmap = panel.locator('[data-testid="heatmap"]')
    n = rows_shown[1] - rows_shown[0] + 1
    expect(heatmap).to_have_attribute("aria-label", re.compile(r"Heat map of \d+×\d+ values"))
    shape = [int(x) for x in re.findall(r"(\d+)×(\d+)", heatmap.get_attribute("aria-label"))[0]]
    assert shape[0] == n, (shape, first_readout)
    for i, j in [(0, 0), (shape[0] - 1, shape[1] - 1), (shape[0] // 2, shape[1] // 3)]:
        lines = hover_cell(dashboard, heatmap, i, j, *shape)
        index = parse_index(lines[0])
        expected = kernel[0, 0, index["in"], index["out"]]
        assert index["in"] == rows_shown[0] + i, (lines, rows_shown)
        assert decimal.Decimal(value_of(lines)) == shortest_float32(expected), (lines, expected)

    # Drag pans: the window moves, the values stay exact.
    box = heatmap.bounding_box()
    dashboard.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    dashboard.page.mouse.down()
    dashboard.page.mouse.move(box["x"] + box["width"] / 2 - 60, box["y"] + box["height"] / 2 - 40, steps=5)
    dashboard.page.mouse.up()
    expect(readout).not_to_have_text(first_readout)
    expect(note).to_have_count(0)
    panned = [int(x) for x in re.findall(r"in (\d+)–(\d+)", readout.inner_text())[0]]
    columns_panned = [int(x) for x in re.findall(r"out (\d+)–(\d+)", readout.inner_text())[0]]
    assert panned[0] > rows_shown[0], (panned, rows_shown)
    heatmap = panel.locator('[data-testid="heatmap"]')
    window = "%d:%d,%d:%d" % (panned[0], panned[1] + 1, columns_panned[0], columns_panned[1] + 1)
    expect(heatmap).to_have_attribute("data-window", window)
    lines = hover_cell(dashboard, heatmap, 3, 5, *shape)
    index = parse_index(lines[0])
    assert index["in"] == panned[0] + 3, (lines, panned)
    assert decimal.Decimal(value_of(lines)) == shortest_float32(kernel[0, 0, index["in"], index["out"]]), lines
    dashboard.screenshot("tensor_views_zoom_exact.png")

    # Reset shows the whole selection again.
    dashboard.testid("zoom-reset").click()
    expect(readout).to_have_text("all 256 in × all 256 out")
    expect(note).to_contain_text("block max-abs of 2×2")
    assert dashboard.errors == []


def test_step_and_run_differences(dashboard, views_runs):
    _, logged = views_runs
    open_variable(dashboard, DENSE)
    panel = wait_for_tensor(dashboard, "conv_a", 3)
    dashboard.testid("compare-mode").select_option("step")
    dashboard.testid("base-step").select_option("1")
    title = panel.locator('[data-testid="panel-title"]')
    expect(title).to_have_text("conv_a: step 3 − step 1")
    expected = logged["conv_a"][3][DENSE].astype(np.float64) - logged["conv_a"][1][DENSE].astype(np.float64)
    rows, columns = expected.shape
    heatmap = panel.locator('[data-testid="heatmap"]')
    expect(heatmap).to_have_attribute("aria-label", "Heat map of %d×%d values" % (rows, columns))
    for i, j in [(0, 0), (rows - 1, columns - 1), (rows // 2, 1)]:
        lines = hover_cell(dashboard, heatmap, i, j, rows, columns)
        assert lines[0] == "in %d, out %d" % (i, j), lines
        assert decimal.Decimal(value_of(lines)) == shortest_float64(expected[i, j]), (lines, expected[i, j])
    expect(panel.locator('[data-testid="panel-footer"]')).to_contain_text("difference ")
    slice_npy = panel.locator('[data-testid="download-slice-npy"]').get_attribute("download")
    assert slice_npy == "conv_a.convnet.dense.kernel.step3.axes0-1.minus_step1.npy", slice_npy

    # run − run: conv_b − conv_a at the same step; conv_wide has other shapes.
    select_runs(dashboard, ["conv_a", "conv_b", "conv_wide"])
    dashboard.testid("compare-mode").select_option("run")
    dashboard.testid("base-run").select_option("conv_a")
    panel_b = dashboard.panel("conv_b")
    expect(panel_b.locator('[data-testid="panel-title"]')).to_have_text("conv_b − conv_a")
    wait_for_tensor(dashboard, "conv_b", 3)
    expected = logged["conv_b"][3][DENSE].astype(np.float64) - logged["conv_a"][3][DENSE].astype(np.float64)
    heatmap = panel_b.locator('[data-testid="heatmap"]')
    lines = hover_cell(dashboard, heatmap, 2, 3, rows, columns)
    assert decimal.Decimal(value_of(lines)) == shortest_float64(expected[2, 3]), lines
    dashboard.testid("tree-search").fill("")
    open_variable(dashboard, CONV)
    wide = dashboard.panel("conv_wide")
    expect(wide.locator('[data-testid="message-error"]')).to_contain_text("Cannot compare")
    expect(wide.locator('[data-testid="message-error"]')).to_contain_text("[3, 3, 2, 8]")
    expect(wide.locator('[data-testid="message-error"]')).to_contain_text("[3, 3, 2, 6]")
    expect(wide.locator('[data-testid="panel-title"]')).to_have_text("conv_wide − conv_a")
    expect(dashboard.panel("conv_b").locator('[data-testid="filter-grid"]')).to_be_visible()
    dashboard.page.mouse.move(0, 0)
    dashboard.screenshot("tensor_views_diff.png")
    # The browser logs the 400 answer of the shape mismatch; nothing else.
    assert [e for e in dashboard.errors if "status of 400" not in e] == []


def test_nan_and_inf_legend(dashboard, views_runs):
    select_runs(dashboard, ["nan_run"])
    open_variable(dashboard, CONV)
    slider = dashboard.testid("step-slider")
    slider.focus()
    dashboard.page.keyboard.press("ArrowLeft")
    panel = wait_for_tensor(dashboard, "nan_run", 2)
    legend = {kind: panel.locator('[data-testid="%s-legend"]' % kind) for kind in ("nan", "posinf", "neginf")}
    expect(legend["nan"]).to_have_text("NaN")
    expect(legend["posinf"]).to_have_text("+Inf")
    expect(legend["neginf"]).to_have_text("−Inf")
    grid = panel.locator('[data-testid="filter-grid"]')
    pixels = dashboard.pixels(grid, [NAN_CSS, POSINF_CSS, NEGINF_CSS])
    assert all(n >= 16 for n in pixels["near"]), pixels
    # The three colours in the legend's swatches are the ones painted.
    swatches = [legend[k].locator(".tbw-swatch").evaluate("e => getComputedStyle(e).backgroundColor") for k in legend]
    assert swatches == [NAN_CSS, POSINF_CSS, NEGINF_CSS], swatches
    # The heat map marks them too, in every colour scale.
    dashboard.testid("layout-mode").select_option("heatmap")
    expect(panel.locator('[data-testid="heatmap"]')).to_be_visible()
    expect(panel).not_to_have_class(re.compile("tbw-loading"))
    for kind in ("symlog", "sequential"):
        dashboard.testid("scale-kind").select_option(kind)
        expect(panel.locator('[data-testid="colorbar"]')).to_have_attribute("data-kind", kind)
        expect(legend["nan"]).to_have_text("NaN")
    dashboard.screenshot("tensor_views_nan_inf.png")
    # Step 1 holds none: no legend entries.
    slider.focus()
    dashboard.page.keyboard.press("ArrowLeft")
    wait_for_tensor(dashboard, "nan_run", 1)
    for item in legend.values():
        expect(item).to_have_count(0)
    assert dashboard.errors == []
