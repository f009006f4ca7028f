"""Slice mode of the tensor route, the overview routes and the update ratio, against numpy.

The pure functions of `tensor_views` are checked on random tensors of every
rank 0 to 5 holding NaN and ±Inf, against references written independently
(explicit loops over blocks, numpy's own reductions); the routes on the
`views_runs` logs (a conv model with every kind of convolution, a run with
NaN/Inf, and keras.applications.MobileNet) against the exact logged values.
"""

import csv
import io
import itertools
import json
import math

import numpy as np
import pytest

from conftest import VIEWS_STEPS
from tb_weights_plugin import tensor_views
from tb_weights_plugin.tensor_views import SliceRequest
from test_plugin_routes import get, make_client

SHAPES = [(), (7,), (5, 6), (3, 4, 5), (2, 3, 4, 5), (2, 2, 3, 2, 3)]


def random_tensor(shape, seed):
    """float32 normal values with a NaN, a +Inf and a -Inf when there is room."""
    rng = np.random.default_rng(seed)
    array = rng.normal(size=shape).astype(np.float32)
    flat = array.reshape(-1)
    if flat.size >= 6:
        positions = rng.choice(flat.size, 3, replace=False)
        flat[positions] = [np.nan, np.inf, -np.inf]
    return array


def reference_reduce(values, method):
    """Reduces the last axis of float64 `values` the way http_api.md says."""
    if method == "mean":
        return values.sum(axis=-1) / values.shape[-1]
    if method == "l2":
        return np.sqrt((values * values).sum(axis=-1))
    out = np.empty(values.shape[:-1])
    for index in np.ndindex(out.shape):
        row = values[index]
        high, low = row.max(), row.min()
        out[index] = np.nan if np.isnan(row).any() else (low if abs(low) > abs(high) else high)
    return out


def reference_select(array, shown, entries):
    """Indices first, then reductions in increasing axis order, then shown axes in order."""
    others = [axis for axis in range(array.ndim) if axis not in shown]
    values = array.astype(np.float64)
    axes = list(range(array.ndim))
    for axis, entry in zip(others, entries):
        if not isinstance(entry, str):
            position = axes.index(axis)
            values = np.take(values, entry, axis=position)
            axes.pop(position)
    for axis, entry in zip(others, entries):
        if isinstance(entry, str):
            position = axes.index(axis)
            values = reference_reduce(np.moveaxis(values, position, -1), entry)
            axes.pop(position)
    return np.transpose(values, [axes.index(axis) for axis in shown]) if shown else values


def assert_same(actual, expected):
    """Equal values, NaN where NaN, and the same shape."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=0, equal_nan=True)


def decoded(values):
    return np.array([{"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(v, v) for v in values], np.float64)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "rank%d" % len(s))
def test_every_axis_choice_and_reduction_matches_numpy(shape):
    array = random_tensor(shape, seed=len(shape))
    rng = np.random.default_rng(100 + len(shape))
    rank = len(shape)
    checked = 0
    for count in range(min(rank, 2) + 1):
        for shown in itertools.permutations(range(rank), count):
            others = [axis for axis in range(rank) if axis not in shown]
            choices = [[int(rng.integers(shape[axis])), "mean", "max_abs", "l2"] for axis in others]
            for entries in itertools.product(*choices):
                selection, axes, entry_dicts, reduced = tensor_views.select(array, SliceRequest(axes=shown, other=entries))
                assert axes == shown
                assert reduced == any(isinstance(e, str) for e in entries)
                assert [d.get("index", d.get("reduce")) for d in entry_dicts] == list(entries)
                assert_same(selection, reference_select(array, shown, entries))
                checked += 1
    assert checked >= 1


@pytest.mark.parametrize("shape", SHAPES[1:], ids=lambda s: "rank%d" % len(s))
def test_plain_indexing_keeps_exact_float32_values(shape):
    array = random_tensor(shape, seed=3)
    view = tensor_views.slice_view(array, SliceRequest(), max_cells=10**6)
    shown = tuple(range(max(0, len(shape) - 2), len(shape)))
    expected = array[(0,) * (len(shape) - len(shown))]
    assert view["values_dtype"] == "float32"
    assert view["axes"] == list(shown) and view["selection_shape"] == list(expected.shape)
    np.testing.assert_array_equal(decoded(view["values"]).astype(np.float32), expected.reshape(-1))
    finite = expected[np.isfinite(expected)]
    assert view["selection_min"] == float(finite.min()) and view["selection_max"] == float(finite.max())
    assert view["window_nan_count"] == int(np.isnan(expected).sum())
    assert view["window_posinf_count"] == int(np.isposinf(expected).sum())
    assert view["window_neginf_count"] == int(np.isneginf(expected).sum())


def reference_blocks(window, shape, method):
    """Explicit loops over the blocks of http_api.md's `block_shape` rule."""
    out = np.empty(shape)
    bounds = [
        [(i * length // blocks, (i + 1) * length // blocks) for i in range(blocks)]
        for length, blocks in zip(window.shape, shape)
    ]
    for index in np.ndindex(*shape):
        block = window[tuple(slice(*bounds[axis][i]) for axis, i in enumerate(index))].astype(np.float64).reshape(-1)
        if method == "mean":
            out[index] = block.mean()
        elif np.isnan(block).any():
            out[index] = np.nan
        else:
            high, low = block.max(), block.min()
            out[index] = low if abs(low) > abs(high) else high
    return out


@pytest.mark.parametrize("method", ["mean", "max_abs"])
@pytest.mark.parametrize("shape", [(1000,), (37, 53), (2, 300, 41)], ids=["rank1", "rank2", "rank3"])
def test_windows_and_downsampling_match_block_loops(shape, method):
    array = random_tensor(shape, seed=11)
    request = SliceRequest(
        axes=tuple(range(len(shape)))[-2:],
        rows=(3, shape[-2] - 2) if len(shape) > 1 else (5, 990),
        columns=(1, shape[-1] - 4) if len(shape) > 1 else None,
        downsample=method,
    )
    selection = reference_select(array, request.axes, [0] * (len(shape) - len(request.axes))).astype(np.float32)
    window = selection[tuple(slice(*r) for r in [request.rows, request.columns] if r is not None)]
    view = tensor_views.slice_view(array, request, max_cells=97)
    assert view["downsampled"] and view["downsample_method"] == "block_" + method
    shape_out = tuple(view["values_shape"])
    assert np.prod(shape_out) <= 97
    assert_same(decoded(view["values"]).reshape(shape_out), reference_blocks(window, shape_out, method))
    full, reduced, offsets = tensor_views.slice_window(array, request)
    np.testing.assert_array_equal(full, window)
    assert offsets == [r[0] for r in [request.rows, request.columns] if r is not None]
    finite = window[np.isfinite(window)]
    assert view["window_min"] == float(finite.min()) and view["window_max"] == float(finite.max())


def test_block_max_abs_keeps_the_sign_and_nan():
    view = np.array([[1.0, -5.0, 2.0, 3.0], [np.nan, 0.0, 4.0, -4.0]])
    np.testing.assert_array_equal(tensor_views.block_max_abs(view, (2, 2)), [[-5.0, 3.0], [np.nan, 4.0]])
    # The max-abs reduction of an axis follows the same rules, ±Inf included.
    selection, *_ = tensor_views.select(
        np.array([[1.0, -5.0], [4.0, -4.0], [np.nan, 9.0], [-np.inf, np.inf]]), SliceRequest(axes=(0,), other=("max_abs",))
    )
    np.testing.assert_array_equal(selection, [-5.0, 4.0, np.nan, np.inf])


@pytest.mark.parametrize(
    "request_, message",
    [
        (SliceRequest(axes=(0, 0)), "name an axis twice"),
        (SliceRequest(axes=(0, 5)), "0 to 3"),
        (SliceRequest(axes=(0, 1, 2)), "at most 2"),
        (SliceRequest(axes=(2, 3), other=(0,)), "one entry per axis not shown"),
        (SliceRequest(axes=(2, 3), other=(0, 9)), "Index 9 is out of range for axis 1 of size 3"),
        (SliceRequest(axes=(2, 3), other=(0, "median")), "Unknown reduction 'median'"),
        (SliceRequest(rows=(40, 50)), "holds nothing"),
        (SliceRequest(axes=(0,), other=("mean", "l2", "max_abs"), rows=(0, 1)), None),
        (SliceRequest(axes=(2, 3), layout="filters"), "tile_axes"),
        (SliceRequest(axes=(2, 3), layout="filters", tile_axes=(0, 1), rows=(0, 4)), "at most 3 tiles"),
    ],
)
def test_requests_that_do_not_fit_say_why(request_, message):
    if message is None:  # a valid request, for contrast
        assert tensor_views.slice_view(np.zeros((2, 3, 4, 5), np.float32), request_, max_cells=20)["values"] == [0.0]
        return
    with pytest.raises(tensor_views.SliceError, match=message):
        tensor_views.slice_view(np.zeros((2, 3, 4, 5), np.float32), request_, max_cells=20)


def test_reducing_an_empty_axis_is_a_slice_error():
    with pytest.raises(tensor_views.SliceError, match="Axis 0 has size 0"):
        tensor_views.select(np.zeros((0, 3), np.float32), SliceRequest(axes=(1,), other=("max_abs",)))


def test_csv_numbers_are_shortest_round_trip_decimals():
    array = np.array([0.1, 1 / 3, np.nan, np.inf, -np.inf, 1e-8], np.float32)
    text = tensor_views.csv_matrix(array)
    assert text.split("\n")[:6] == ["0.1", "0.33333334", "nan", "inf", "-inf", "1e-08"]
    np.testing.assert_array_equal(np.array(text.split(), np.float32), array)


# --- Routes on real logs ---------------------------------------------------


@pytest.fixture(scope="module")
def views_client(views_runs):
    return make_client(views_runs[0])


@pytest.fixture(scope="module")
def logged(views_runs):
    return views_runs[1]


def get_ok(client, route, **params):
    response = get(client, route, **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())


def get_error(client, route, status, **params):
    response = get(client, route, **params)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.get_data())["error"]


CONV = "convnet/conv/kernel"


@pytest.mark.parametrize(
    "path, axes, tile_axes, other, expected",
    [
        (CONV, "2,3", "0,1", "", lambda k: k.transpose(2, 3, 0, 1)),
        ("convnet/conv1d/kernel", "1,2", "0", "", lambda k: k.transpose(1, 2, 0)[..., np.newaxis]),
        ("convnet/conv3d/kernel", "3,4", "1,2", "1", lambda k: k[1].transpose(2, 3, 0, 1)),
        ("convnet/conv_transpose/kernel", "3,2", "0,1", "", lambda k: k.transpose(3, 2, 0, 1)),
        ("convnet/depthwise/kernel", "2,3", "0,1", "", lambda k: k.transpose(2, 3, 0, 1)),
        ("mobilenet_0.25_32/conv_dw_3/kernel", "2,3", "0,1", "", lambda k: k.transpose(2, 3, 0, 1)),
    ],
)
def test_filter_grids_hold_every_kernel_value_exactly(views_client, logged, path, axes, tile_axes, other, expected):
    run = "mobilenet" if path.startswith("mobilenet") else "conv_a"
    kernel = logged[run][2][path]
    view = get_ok(
        views_client, "tensor", run=run, tag=path + "/tensor", step=2,
        layout="filters", axes=axes, tile_axes=tile_axes, other=other, max_cells=10**6,
    )
    grid = expected(kernel)
    assert view["values_shape"] == list(grid.shape) and view["grid_shape"] == list(grid.shape[:2])
    assert view["values_dtype"] == "float32" and not view["downsampled"]
    np.testing.assert_array_equal(np.array(view["values"], np.float32), grid.reshape(-1))


def test_a_filter_window_is_the_same_tiles_and_its_csv_names_their_indices(views_client, logged):
    kernel = logged["mobilenet"][3]["mobilenet_0.25_32/conv_dw_3/kernel"]  # [3, 3, 32, 1]
    params = dict(run="mobilenet", tag="mobilenet_0.25_32/conv_dw_3/kernel/tensor", step=3,
                  layout="filters", axes="2,3", tile_axes="0,1", rows="10:14", columns="0:1")
    view = get_ok(views_client, "tensor", **params)
    assert view["window"] == {"rows": [10, 14], "columns": [0, 1]}
    np.testing.assert_array_equal(
        np.array(view["values"], np.float32), kernel.transpose(2, 3, 0, 1)[10:14, 0:1].reshape(-1)
    )
    rows = list(csv.reader(io.StringIO(get(views_client, "tensor", format="csv", **params).get_data(as_text=True))))
    assert rows[0] == ["grid_row", "grid_column", "tile_row", "tile_column", "value"]
    assert len(rows) == 1 + 4 * 9
    for grid_row, grid_column, tile_row, tile_column, value in rows[1:]:
        assert np.float32(value) == kernel[int(tile_row), int(tile_column), int(grid_row), int(grid_column)]
    too_many = get_error(views_client, "tensor", 400, **dict(params, rows="0:32", max_cells=100))
    assert "at most 11 tiles" in too_many


def test_rank5_slices_and_reductions_of_a_conv3d_kernel(views_client, logged):
    kernel = logged["conv_b"][1]["convnet/conv3d/kernel"]  # [2, 2, 2, 1, 3]
    tag = "convnet/conv3d/kernel/tensor"
    for axes, other in [("4,1", "1,mean,0"), ("2,0", "l2,0,max_abs"), ("4", "0,1,1,0"), ("", "1,0,1,0,2")]:
        view = get_ok(views_client, "tensor", run="conv_b", tag=tag, step=1, axes=axes, other=other)
        shown = tuple(int(a) for a in axes.split(",")) if axes else ()
        entries = [int(e) if e.isdigit() else e for e in other.split(",")]
        expected = reference_select(kernel, shown, entries)
        assert view["values_shape"] == list(expected.shape)
        assert_same(decoded(view["values"]).reshape(expected.shape), expected)


def test_step_and_run_diffs_are_exact_differences(views_client, logged):
    tag = "convnet/dense/kernel/tensor"
    step_diff = get_ok(views_client, "tensor", run="conv_a", tag=tag, step=3, base_step=1, axes="0,1")
    expected = logged["conv_a"][3]["convnet/dense/kernel"].astype(np.float64) - logged["conv_a"][1]["convnet/dense/kernel"]
    assert step_diff["diff"] == {"base_run": "conv_a", "base_step": 1} and step_diff["values_dtype"] == "float64"
    np.testing.assert_array_equal(np.array(step_diff["values"]), expected.reshape(-1))
    run_diff = get_ok(views_client, "tensor", run="conv_b", tag=tag, step=2, base_run="conv_a")
    expected = logged["conv_b"][2]["convnet/dense/kernel"].astype(np.float64) - logged["conv_a"][2]["convnet/dense/kernel"]
    np.testing.assert_array_equal(np.array(run_diff["values"]), expected.reshape(-1))
    npy = get(views_client, "tensor", run="conv_b", tag=tag, step=2, base_run="conv_a", format="npy")
    assert 'filename="conv_b_convnet_dense_kernel_tensor_step2_minus_conv_a_step2_slice.npy"' in npy.headers["Content-Disposition"]
    np.testing.assert_array_equal(np.load(io.BytesIO(npy.get_data())), expected)


def test_diff_of_different_shapes_and_missing_base_are_clear_errors(views_client):
    message = get_error(views_client, "tensor", 400, run="conv_wide", tag=CONV + "/tensor", step=2, base_run="conv_a")
    assert message.endswith(
        "Cannot subtract: conv_wide at step 2 has shape [3, 3, 2, 8] but conv_a at step 2 has shape "
        "[3, 3, 2, 6]; a diff needs tensors of the same shape."
    )
    assert "no tensor at step 9" in get_error(views_client, "tensor", 404, run="conv_a", tag=CONV + "/tensor", step=2, base_step=9)


def test_diff_with_nan_and_inf_counts_them_in_the_window(views_client, logged):
    view = get_ok(views_client, "tensor", run="nan_run", tag=CONV + "/tensor", step=2, base_step=1, axes="2,3", other="mean,max_abs")
    before, after = logged["nan_run"][1][CONV].astype(np.float64), logged["nan_run"][2][CONV].astype(np.float64)
    expected = reference_select(after - before, (2, 3), ["mean", "max_abs"])
    assert_same(decoded(view["values"]).reshape(2, 6), expected)
    assert view["window_nan_count"] == int(np.isnan(expected).sum()) > 0
    assert view["nan_count"] == 1 and view["inf_count"] == 2  # of the tensor at step 2


def test_slice_downloads_are_the_window_at_full_resolution(views_client, logged):
    kernel = logged["mobilenet"][2]["mobilenet_0.25_32/conv_pw_13/kernel"]  # [1, 1, 256, 4·…]
    tag = "mobilenet_0.25_32/conv_pw_13/kernel/tensor"
    params = dict(run="mobilenet", tag=tag, step=2, axes="3,2", other="0,0", rows="5:200", columns="7:250")
    view = get_ok(views_client, "tensor", max_cells=100, **params)
    assert view["downsampled"] and view["selection_shape"] == [kernel.shape[3], kernel.shape[2]]
    window = kernel[0, 0].T[5:200, 7:250]
    npy = np.load(io.BytesIO(get(views_client, "tensor", format="npy", **params).get_data()))
    assert npy.dtype == np.float32
    np.testing.assert_array_equal(npy, window)
    text = get(views_client, "tensor", format="csv", **params).get_data(as_text=True)
    np.testing.assert_array_equal(np.array([line.split(",") for line in text.splitlines()], np.float32), window)


def test_whole_tensor_csv_is_a_matrix_or_one_line_per_element(views_client, logged):
    dense = logged["conv_a"][0]["convnet/dense/kernel"]
    text = get(views_client, "tensor", run="conv_a", tag="convnet/dense/kernel/tensor", step=0, format="csv").get_data(as_text=True)
    np.testing.assert_array_equal(np.array([line.split(",") for line in text.splitlines()], np.float32), dense)
    kernel = logged["conv_a"][0][CONV]
    rows = list(csv.reader(io.StringIO(
        get(views_client, "tensor", run="conv_a", tag=CONV + "/tensor", step=0, format="csv").get_data(as_text=True)
    )))
    assert rows[0] == ["axis_0", "axis_1", "axis_2", "axis_3", "value"] and len(rows) == 1 + kernel.size
    for *index, value in rows[1:]:
        assert np.float32(value) == kernel[tuple(int(i) for i in index)]


def test_update_ratio_is_the_relative_change_since_the_previous_logged_step(views_client, logged):
    stats = get_ok(views_client, "stats", run="conv_a", tag="convnet/dense/kernel/statistics")
    ratios = stats["statistics"]["update_ratio"]
    assert ratios[0] == "NaN"
    for k, step in enumerate(VIEWS_STEPS[1:], start=1):
        now = logged["conv_a"][step]["convnet/dense/kernel"].astype(np.float64)
        before = logged["conv_a"][VIEWS_STEPS[k - 1]]["convnet/dense/kernel"].astype(np.float64)
        expected = np.linalg.norm(now - before) / np.linalg.norm(now)
        assert ratios[k] == pytest.approx(expected, rel=1e-6) and ratios[k] > 0


def test_a_run_begun_by_an_older_writer_reads_every_step_and_its_update_ratios(tmp_path):
    """Steps 0-1 as a writer from before the update ratio (8 fields), 2-3 by this one.

    TensorBoard keeps a series' first metadata, so the run's statistics say
    8 fields while steps 2-3 carry 9: each record must be read by its own
    length, with the update ratio NaN where it was not logged.
    """
    import tensorflow as tf
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.util import tensor_util
    from tb_weights_plugin import metadata, reader, statistics, summary

    older_fields = [f for f in metadata.STATISTICS_FIELDS if f != "update_ratio"]
    assert len(older_fields) == 8
    rng = np.random.default_rng(7)
    values = {step: {"w": rng.normal(size=(4, 3)).astype(np.float32), "b": rng.normal(size=(3,)).astype(np.float32)} for step in range(4)}
    run_dir = str(tmp_path / "mixed")
    with tf.summary.create_file_writer(run_dir).as_default():
        for step in (0, 1):
            old = summary_pb2.Summary()
            for name, array in values[step].items():
                vector = np.delete(statistics.compute_statistics(array), metadata.STATISTICS_FIELDS.index("update_ratio"))
                old.value.add(
                    tag=metadata.statistics_tag("m/" + name),
                    metadata=metadata.create_summary_metadata(metadata.KIND_STATISTICS, path="m/" + name, fields=older_fields),
                    tensor=tensor_util.make_tensor_proto(vector),
                )
            tf.summary.experimental.write_raw_pb(old.SerializeToString(), step=step)
        tf.summary.flush()
    writer = summary.create_file_writer(run_dir)
    with writer.as_default():
        for step in (2, 3):
            summary.weights(values[step], step=step, name="m")
    writer.flush()

    client = make_client(str(tmp_path))
    stats = get_ok(client, "stats", run="mixed", tag="m/w/statistics")
    assert stats["steps"] == [0, 1, 2, 3]
    assert list(stats["statistics"]) == list(metadata.STATISTICS_FIELDS)
    w = {step: values[step]["w"].astype(np.float64) for step in range(4)}
    assert stats["statistics"]["max"] == [float(w[step].max()) for step in range(4)]
    assert stats["statistics"]["l2_norm"] == pytest.approx([np.linalg.norm(w[step]) for step in range(4)], rel=1e-12)
    # NaN before this writer's second log: not logged at 0-1, first log at 2.
    expected_ratio = np.linalg.norm(w[3] - w[2]) / np.linalg.norm(w[3])
    assert stats["statistics"]["update_ratio"][:3] == ["NaN", "NaN", "NaN"]
    assert stats["statistics"]["update_ratio"][3] == pytest.approx(expected_ratio, rel=1e-12)
    assert [sum(h["counts"]) for h in stats["histograms"]] == [12, 12, 12, 12]

    overview = get_ok(client, "overview", run="mixed", field="update_ratio")
    assert [v["path"] for v in overview["variables"]] == ["m/w", "m/b"]
    assert overview["variables"][0]["values"] == stats["statistics"]["update_ratio"]
    maxima = get_ok(client, "overview", run="mixed", field="max")
    assert maxima["variables"][1]["values"] == [float(values[step]["b"].max()) for step in range(4)]
    assert get_ok(client, "first_nonfinite", run="mixed")["step"] is None

    read = reader.WeightsReader(str(tmp_path)).statistics("mixed", "m/b")
    np.testing.assert_array_equal(read["steps"], [0, 1, 2, 3])
    np.testing.assert_array_equal(read["mean"], [np.mean(values[step]["b"], dtype=np.float64) for step in range(4)])
    b2, b3 = values[2]["b"].astype(np.float64), values[3]["b"].astype(np.float64)
    assert np.isnan(read["update_ratio"][:3]).all()
    assert read["update_ratio"][3] == pytest.approx(np.linalg.norm(b3 - b2) / np.linalg.norm(b3), rel=1e-12)


def test_overview_gives_one_statistic_per_variable_and_step_in_tree_order(views_client, logged):
    overview = get_ok(views_client, "overview", run="conv_a", field="l2_norm")
    assert overview["steps"] == list(VIEWS_STEPS)
    paths = [v["path"] for v in overview["variables"]]
    assert paths == list(logged["conv_a"][0])  # layer order, kernel before bias
    for variable in overview["variables"]:
        expected = [float(np.linalg.norm(logged["conv_a"][step][variable["path"]].astype(np.float64))) for step in VIEWS_STEPS]
        assert variable["values"] == pytest.approx(expected, rel=1e-12)
        assert variable["tensor_tag"] == variable["path"] + "/tensor"
    ratios = get_ok(views_client, "overview", run="conv_a", field="update_ratio")
    stats = get_ok(views_client, "stats", run="conv_a", tag="convnet/conv/kernel/statistics")
    assert ratios["variables"][0]["values"] == stats["statistics"]["update_ratio"]
    assert "use one of mean, std" in get_error(views_client, "overview", 400, run="conv_a", field="norm")
    assert "no weights statistics" in get_error(views_client, "overview", 404, run="nope", field="mean")


def test_nonfinite_overview_and_first_bad_step_locate_the_nan(views_client):
    nonfinite = get_ok(views_client, "overview", run="nan_run", field="nonfinite")
    conv = next(v for v in nonfinite["variables"] if v["path"] == CONV)
    assert conv["values"][:3] == [0.0, 0.0, 3.0]
    first = get_ok(views_client, "first_nonfinite", run="nan_run")
    assert first == {"run": "nan_run", "step": 2, "variables": [{"path": CONV, "nan_count": 1, "inf_count": 2}]}
    assert get_ok(views_client, "first_nonfinite", run="conv_a") == {"run": "conv_a", "step": None, "variables": []}


def test_bad_slice_parameters_answer_400_with_what_is_accepted(views_client):
    tag = CONV + "/tensor"
    cases = [
        (dict(axes="a,b"), "comma-separated axis numbers"),
        (dict(rows="5:2"), "START:STOP"),
        (dict(other="0,median"), "one of mean, max_abs, l2"),
        (dict(downsample="median"), "'downsample' must be one of mean, max_abs"),
        (dict(layout="grid"), "'layout' must be one of heatmap, filters"),
        (dict(axes="2,3", other="0,7"), "Index 7 is out of range for axis 1 of size 3"),
        (dict(base_step="-1"), "'base_step' must be at least 0"),
    ]
    for params, message in cases:
        assert message in get_error(views_client, "tensor", 400, run="conv_a", tag=tag, step=0, **params)


def test_keras_applications_model_serves_every_view(views_client, logged):
    tree = get_ok(views_client, "tree", run="mobilenet")
    def variables(node):
        if node["kind"] == "variable":
            yield node
        for child in node.get("children", []):
            yield from variables(child)
    nodes = {node["path"]: node for model in tree["models"] for node in variables(model)}
    assert len(nodes) == len(logged["mobilenet"][0])
    depthwise = nodes["mobilenet_0.25_32/conv_dw_1/kernel"]
    assert depthwise["axis_names"] == ["kh", "kw", "in", "multiplier"]
    assert depthwise["filter_layout"] == {"tile_axes": [0, 1], "grid_axes": [2, 3]}
    assert "filter_layout" not in nodes["mobilenet_0.25_32/conv_pw_1/kernel"]  # 1×1: a heat map
    for path, node in nodes.items():
        view = get_ok(views_client, "tensor", run="mobilenet", tag=node["tensor_tag"], step=3, axes="", other=",".join(["mean"] * len(node["shape"])))
        assert view["values_shape"] == []
        assert decoded(view["values"])[0] == pytest.approx(float(np.mean(logged["mobilenet"][3][path], dtype=np.float64)), rel=1e-9, abs=1e-12)
