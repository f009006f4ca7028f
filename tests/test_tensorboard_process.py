"""A real `tensorboard` process on 127.0.0.1 serves the plugin, with both data loaders."""

import io
import json
import os
import urllib.error
import urllib.request

import numpy as np
import pytest
import tensorflow as tf

from conftest import get_json
from tb_weights_plugin import summary

KERNEL = "classifier/features/dense/kernel"
REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fetch(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.headers, response.read()


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_routes_over_http(tensorboard_server, logged_runs, load_fast):
    url = tensorboard_server(load_fast) + "/data/plugin/weights"
    assert get_json(url + "/runs") == {
        "runs": [
            {"run": "run_a", "steps": [0, 1, 2], "models": ["classifier"]},
            {"run": "run_b", "steps": [0, 1, 2], "models": ["classifier"]},
        ]
    }
    tree = get_json(url + "/tree?run=run_b&step=2")
    assert tree["models"][0]["children"][0]["children"][0]["children"][0]["path"] == KERNEL
    status, headers, body = fetch(url + "/tensor?run=run_b&step=2&format=npy&tag=" + KERNEL + "/tensor")
    assert status == 200
    np.testing.assert_array_equal(
        np.load(io.BytesIO(body)), logged_runs[1]["run_b"][2][KERNEL]
    )
    stats = get_json(url + "/stats?run=run_a&tag=" + KERNEL + "/statistics")
    assert stats["steps"] == [0, 1, 2]
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(url + "/tensor?run=run_a&tag=" + KERNEL + "/tensor&step=abc")
    assert error.value.code == 400
    assert json.loads(error.value.read())["error"] == "Invalid argument: Parameter 'step' must be an integer, got 'abc'."


def test_dashboard_is_registered_and_served_from_the_installed_package(tensorboard_server):
    url = tensorboard_server("true")
    listing = get_json(url + "/data/plugins_listing")
    assert listing["weights"]["enabled"] is True
    assert listing["weights"]["loading_mechanism"]["module_path"] == "/data/plugin/weights/index.js"
    status, headers, body = fetch(url + "/data/plugin/weights/index.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    with open(os.path.join(REPOSITORY, "frontend", "index.js"), "rb") as source:
        assert body == source.read()
    status, headers, body = fetch(url + "/data/plugin/weights/static/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")


@pytest.fixture(scope="module")
def long_logdir(tmp_path_factory):
    """One run logged at 25 steps: more than TensorBoard's default of 10 blobs per tag."""
    logdir = tmp_path_factory.mktemp("long")
    with tf.summary.create_file_writer(str(logdir / "long_run")).as_default():
        for step in range(25):
            summary.weights({"layer/w": np.full((2, 2), float(step), np.float32)}, step=step, name="m")
    return str(logdir)


@pytest.mark.parametrize("load_fast", ["true", "false"])
def test_every_logged_step_is_kept_by_default(tensorboard_processes, long_logdir, load_fast):
    url = tensorboard_processes.start(long_logdir, load_fast, 25) + "/data/plugin/weights"
    [run] = get_json(url + "/runs")["runs"]
    assert run["steps"] == list(range(25))
    for step in (0, 7, 24):
        view = get_json(url + "/tensor?run=long_run&tag=m/layer/w/tensor&step=%d" % step)
        assert view["values"] == [float(step)] * 4
    assert get_json(url + "/stats?run=long_run&tag=m/layer/w/statistics")["steps"] == list(range(25))


def test_a_retention_the_user_passed_is_respected(tensorboard_processes, long_logdir):
    url = tensorboard_processes.start(
        long_logdir, "false", 5, extra_args=["--samples_per_plugin", "weights=5"]
    )
    [run] = get_json(url + "/data/plugin/weights/runs")["runs"]
    # Reservoir sampling keeps 5 steps, always including the latest.
    assert len(run["steps"]) == 5 and run["steps"][-1] == 24
