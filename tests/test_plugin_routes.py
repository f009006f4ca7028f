"""Every route of the plugin, over real event files, through Werkzeug's test client."""

import argparse
import io
import json
import os

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend import application
from tensorboard.backend.event_processing import data_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from werkzeug import test as werkzeug_test
from werkzeug import wrappers

from conftest import LOGGED_STEPS
from tb_weights_plugin import metadata
from tb_weights_plugin import plugin
from tb_weights_plugin import summary

KERNEL = "classifier/features/dense/kernel"


def make_client(logdir):
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, logdir)
    context = base_plugin.TBContext(logdir=logdir, data_provider=provider)
    app = application.TensorBoardWSGI([plugin.WeightsLoader().load(context)], data_provider=provider)
    return werkzeug_test.Client(app, wrappers.Response)


@pytest.fixture(scope="module")
def client(logdir):
    return make_client(logdir)


def get(client, route, **params):
    response = client.get("/data/plugin/weights/" + route, query_string=params)
    return response


def get_json(client, route, expected_status=200, **params):
    response = get(client, route, **params)
    assert response.status_code == expected_status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.get_data())


def test_runs_lists_runs_steps_and_models(client):
    assert get_json(client, "runs") == {
        "runs": [
            {"run": "run_a", "steps": [0, 1, 2], "models": ["classifier"]},
            {"run": "run_b", "steps": [0, 1, 2], "models": ["classifier"]},
        ]
    }


def find(node, path):
    if node["path"] == path:
        return node
    for child in node.get("children", []):
        found = find(child, path)
        if found:
            return found
    return None


def test_tree_is_the_hierarchy_at_the_step(client):
    tree = get_json(client, "tree", run="run_a")
    assert tree["run"] == "run_a" and tree["step"] == 2
    [model] = tree["models"]
    assert model["path"] == "classifier" and model["class_name"] == "Functional"
    assert [child["path"] for child in model["children"]] == [
        "classifier/features",
        "classifier/logits",
    ]
    assert find(model, KERNEL) == {
        "kind": "variable",
        "name": "kernel",
        "path": KERNEL,
        "shape": [8, 12],
        "dtype": "float32",
        "trainable": True,
        "parameter_count": 96,
        "tensor_tag": KERNEL + "/tensor",
        "statistics_tag": KERNEL + "/statistics",
        "axis_names": ["in", "out"],
    }
    moving_mean = find(model, "classifier/features/batch_normalization/moving_mean")
    assert moving_mean["trainable"] is False
    assert model["parameter_count"] == 8 * 12 + 12 + 4 * 12 + 12 * 5 + 5
    assert model["trainable_parameter_count"] == model["parameter_count"] - 24
    assert get_json(client, "tree", run="run_b", step="1")["step"] == 1


def test_tensor_npy_is_the_exact_logged_tensor(client, logged_runs):
    _, logged = logged_runs
    for run in ("run_a", "run_b"):
        for step in LOGGED_STEPS:
            for path, expected in logged[run][step].items():
                response = get(client, "tensor", run=run, tag=path + "/tensor", step=step, format="npy")
                assert response.status_code == 200
                assert response.headers["Content-Type"] == "application/octet-stream"
                array = np.load(io.BytesIO(response.get_data()), allow_pickle=False)
                assert array.dtype == expected.dtype
                np.testing.assert_array_equal(array, expected)
    response = get(client, "tensor", run="run_a", tag=KERNEL + "/tensor", step=0, format="npy")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="run_a_classifier_features_dense_kernel_tensor_step0.npy"'
    )
    # The steps really differ: training ran between them.
    assert not np.array_equal(logged["run_a"][0][KERNEL], logged["run_a"][2][KERNEL])


def test_tensor_json_view_has_exact_values_when_small(client, logged_runs):
    expected = logged_runs[1]["run_b"][1][KERNEL]
    view = get_json(client, "tensor", run="run_b", tag=KERNEL + "/tensor", step=1)
    assert view["shape"] == [8, 12] and view["view_shape"] == [8, 12]
    assert view["values_shape"] == [8, 12] and view["downsampled"] is False
    assert view["block_shape"] == [1, 1] and view["downsample_method"] is None
    np.testing.assert_array_equal(np.array(view["values"], np.float32).reshape(8, 12), expected)
    assert view["min"] == float(expected.min()) and view["max"] == float(expected.max())
    assert (view["step"], view["dtype"], view["path"]) == (1, "float32", KERNEL)


def test_tensor_json_view_downsamples_by_block_means_keeping_true_min_max(client, logged_runs):
    expected = logged_runs[1]["run_a"][2][KERNEL].astype(np.float64)
    view = get_json(client, "tensor", run="run_a", tag=KERNEL + "/tensor", step=2, max_cells=10)
    assert view["downsampled"] is True and view["downsample_method"] == "block_mean"
    assert view["values_shape"] == [3, 3] and view["block_shape"] == [3, 4]
    # Rows split [0,2) [2,5) [5,8); columns [0,4) [4,8) [8,12).
    row_edges, column_edges = [0, 2, 5, 8], [0, 4, 8, 12]
    means = [
        expected[row_edges[i] : row_edges[i + 1], column_edges[j] : column_edges[j + 1]].mean()
        for i in range(3)
        for j in range(3)
    ]
    np.testing.assert_allclose(view["values"], means, rtol=1e-12)
    assert view["min"] == float(np.float32(expected.min()))
    assert view["max"] == float(np.float32(expected.max()))


def test_stats_are_per_step_and_match_the_tensors(client, logged_runs):
    stats = get_json(client, "stats", run="run_a", tag=KERNEL + "/statistics")
    assert stats["steps"] == [0, 1, 2] and len(stats["wall_times"]) == 3
    assert set(stats["statistics"]) == set(metadata.STATISTICS_FIELDS)
    for index, step in enumerate(LOGGED_STEPS):
        tensor = logged_runs[1]["run_a"][step][KERNEL].astype(np.float64)
        assert stats["statistics"]["mean"][index] == pytest.approx(tensor.mean(), rel=1e-12)
        assert stats["statistics"]["max"][index] == tensor.max()
        histogram = stats["histograms"][index]
        assert histogram["step"] == step and len(histogram["edges"]) == 65
        assert sum(histogram["counts"]) == 96


@pytest.mark.parametrize(
    "route, params, status, message",
    [
        ("tree", {}, 400, "Missing required parameter 'run'"),
        ("tree", {"run": "nope"}, 404, "Run 'nope' has no weights data"),
        ("tree", {"run": "run_a", "step": "9"}, 404, "logged no weights at step 9"),
        ("tree", {"run": "run_a", "step": "-1"}, 400, "'step' must be at least 0, got -1"),
        ("tensor", {"run": "run_a", "tag": KERNEL + "/tensor"}, 400, "Missing required parameter 'step'"),
        ("tensor", {"run": "run_a", "tag": KERNEL + "/tensor", "step": "x"}, 400, "must be an integer, got 'x'"),
        ("tensor", {"run": "run_a", "tag": KERNEL + "/tensor", "step": "7"}, 404, "has no tensor at step 7"),
        ("tensor", {"run": "run_a", "tag": "nope/tensor", "step": "0"}, 404, "has no tensor tag 'nope/tensor'"),
        ("tensor", {"run": "run_a", "tag": KERNEL + "/statistics", "step": "0"}, 404, "has no tensor tag"),
        ("tensor", {"run": "zzz", "tag": KERNEL + "/tensor", "step": "0"}, 404, "Run 'zzz' has no weights data"),
        ("tensor", {"run": "run_a", "tag": KERNEL + "/tensor", "step": "0", "format": "xml"}, 400, "'json', 'npy' or 'csv'"),
        ("tensor", {"run": "run_a", "tag": KERNEL + "/tensor", "step": "0", "max_cells": "0"}, 400, "'max_cells' must be between 1"),
        ("stats", {"run": "run_a"}, 400, "Missing required parameter 'tag'"),
        ("stats", {"run": "run_a", "tag": KERNEL + "/tensor"}, 404, "has no statistics tag"),
    ],
)
def test_bad_requests_answer_json_errors(client, route, params, status, message):
    body = get_json(client, route, expected_status=status, **params)
    assert message in body["error"]
    assert "Traceback" not in body["error"]


def test_static_files_and_no_path_traversal(client):
    response = client.get("/data/plugin/weights/index.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert b"export" in response.get_data() and b"render" in response.get_data()
    for name in sorted(os.listdir(plugin.frontend_directory())):
        if name.endswith((".js", ".css")):
            response = client.get("/data/plugin/weights/static/" + name)
            assert response.status_code == 200, name
    for path in ["static/../plugin.py", "static/..%2Fplugin.py", "static/nope.js", "static/%2e%2e/setup.py"]:
        response = client.get("/data/plugin/weights/" + path)
        assert response.status_code == 404, path
        assert json.loads(response.get_data())["error"].startswith("Not found: No static file")
    # A bare folder never reaches the plugin: TensorBoard answers it.
    assert client.get("/data/plugin/weights/static/").status_code == 404


def test_plugins_listing_loads_the_es_module_in_an_iframe(client):
    listing = json.loads(client.get("/data/plugins_listing").get_data())
    assert listing["weights"]["enabled"] is True
    assert listing["weights"]["tab_name"] == "Weights"
    assert listing["weights"]["loading_mechanism"] == {
        "type": "IFRAME",
        "module_path": "/data/plugin/weights/index.js",
    }


def test_non_finite_values_are_sent_as_strings(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path / "run")).as_default():
        summary.weights(
            {"w": np.array([np.nan, np.inf, -np.inf, 1.5], np.float32), "dead": np.full(3, np.nan)},
            step=0,
            name="m",
        )
    client = make_client(str(tmp_path))
    view = get_json(client, "tensor", run="run", tag="m/w/tensor", step=0)
    assert view["values"] == ["NaN", "Infinity", "-Infinity", 1.5]
    assert (view["min"], view["max"], view["nan_count"], view["inf_count"]) == (1.5, 1.5, 1, 2)
    dead = get_json(client, "tensor", run="run", tag="m/dead/tensor", step=0)
    assert dead["min"] is None and dead["nan_count"] == 3
    stats = get_json(client, "stats", run="run", tag="m/dead/statistics")
    assert stats["statistics"]["mean"] == ["NaN"] and stats["statistics"]["nan_count"] == [3.0]


def test_series_of_a_newer_format_version_are_skipped(tmp_path):
    run = str(tmp_path / "run")
    with tf.summary.create_file_writer(run).as_default():
        summary.weights({"w": np.ones(2)}, step=0, name="m")
        newer = metadata.create_summary_metadata(metadata.KIND_HIERARCHY, name="future", version=99)
        tf.summary.write("future/hierarchy", tf.constant([b"{}"]), step=0, metadata=newer)
    client = make_client(str(tmp_path))
    assert get_json(client, "runs") == {"runs": [{"run": "run", "steps": [0], "models": ["m"]}]}
    assert [m["path"] for m in get_json(client, "tree", run="run")["models"]] == ["m"]


def test_loader_keeps_every_step_unless_the_user_chose_a_retention():
    flags = argparse.Namespace(samples_per_plugin={})
    plugin.WeightsLoader().fix_flags(flags)
    # Full tensors are read from the event files: the Python loader keeps one.
    assert flags.samples_per_plugin == {"weights": 0, "weights_tensors": 1}
    flags = argparse.Namespace(samples_per_plugin={"weights": 5, "images": 3})
    plugin.WeightsLoader().fix_flags(flags)
    assert flags.samples_per_plugin == {"weights": 5, "images": 3, "weights_tensors": 1}


def test_a_model_that_changed_shows_its_tree_of_each_step(tmp_path):
    import keras

    def model(widths):
        inputs = keras.Input((3,))
        x = inputs
        for index, width in enumerate(widths):
            x = keras.layers.Dense(width, name="dense_%d" % index)(x)
        return keras.Model(inputs, x, name="growing")

    with tf.summary.create_file_writer(str(tmp_path / "run")).as_default():
        summary.weights(model([4]), step=0)
        summary.weights(model([4, 2]), step=10)
    client = make_client(str(tmp_path))
    assert get_json(client, "runs")["runs"][0]["steps"] == [0, 10]
    before = get_json(client, "tree", run="run", step=0)["models"][0]
    after = get_json(client, "tree", run="run", step=10)["models"][0]
    assert [c["path"] for c in before["children"]] == ["growing/dense_0"]
    assert [c["path"] for c in after["children"]] == ["growing/dense_0", "growing/dense_1"]
    assert (before["parameter_count"], after["parameter_count"]) == (16, 26)
    get_json(client, "tensor", 404, run="run", tag="growing/dense_1/kernel/tensor", step=0)
    assert get_json(client, "tensor", run="run", tag="growing/dense_1/kernel/tensor", step=10)["shape"] == [4, 2]
