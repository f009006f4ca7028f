"""Session fixtures: real models, real event files, real TensorBoard processes."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from tb_weights_plugin import summary  # noqa: E402

# The steps logged in each run of `logdir`.
LOGGED_STEPS = (0, 1, 2)
RUNS = ("run_a", "run_b")


def build_classifier(seed):
    """A Functional `classifier` with a nested Sequential `features` sub-model."""
    keras.utils.set_random_seed(seed)
    features = keras.Sequential(
        [
            keras.layers.Dense(12, activation="relu", name="dense"),
            keras.layers.BatchNormalization(name="batch_normalization"),
        ],
        name="features",
    )
    inputs = keras.Input((8,), name="inputs")
    outputs = keras.layers.Dense(5, name="logits")(features(inputs))
    return keras.Model(inputs, outputs, name="classifier")


def train_one_step(model, seed):
    """One SGD step on random data, so weights differ from step to step."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 8)).astype(np.float32)
    y = rng.integers(0, 5, size=16)
    model.train_on_batch(x, y)


def write_runs(logdir):
    """Writes `RUNS`, each logging `classifier` at `LOGGED_STEPS` after training steps.

    Returns:
      `{run: {step: {variable path: numpy array logged}}}`, the exact values.
    """
    logged = {}
    for seed, run in enumerate(RUNS):
        model = build_classifier(seed)
        model.compile(
            optimizer=keras.optimizers.SGD(0.1 * (seed + 1)),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        writer = tf.summary.create_file_writer(os.path.join(logdir, run))
        logged[run] = {}
        with writer.as_default():
            for step in LOGGED_STEPS:
                if step:
                    train_one_step(model, seed * 100 + step)
                summary.weights(model, step=step)
                logged[run][step] = {
                    "classifier/features/dense/kernel": model.get_layer("features")
                    .get_layer("dense")
                    .kernel.numpy(),
                    "classifier/logits/kernel": model.get_layer("logits").kernel.numpy(),
                    "classifier/features/batch_normalization/moving_mean": model.get_layer(
                        "features"
                    )
                    .get_layer("batch_normalization")
                    .moving_mean.numpy(),
                }
        writer.close()
    return logged


@pytest.fixture(scope="session")
def logged_runs(tmp_path_factory):
    """`(logdir, logged values)`: two runs of a real model logged at three steps."""
    logdir = str(tmp_path_factory.mktemp("logdir"))
    return logdir, write_runs(logdir)


@pytest.fixture(scope="session")
def logdir(logged_runs):
    return logged_runs[0]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tensorboard_executable():
    """The `tensorboard` script of the Python running the tests."""
    candidate = os.path.join(os.path.dirname(sys.executable), "tensorboard")
    if not os.path.exists(candidate):
        raise RuntimeError("No tensorboard beside %s; install the test requirements." % sys.executable)
    return candidate


def get_json(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


class TensorBoardProcesses:
    """Starts real `tensorboard` processes on 127.0.0.1 and stops them all at the end."""

    def __init__(self, tmp_path_factory):
        self._tmp_path_factory = tmp_path_factory
        self._processes = []
        self._urls = {}

    def start(self, logdir, load_fast, expected_steps, extra_args=()):
        """Starts TensorBoard; returns its base URL once the weights runs are loaded.

        Args:
          expected_steps: how many steps each run must list before we call it ready.
        """
        port = free_port()
        log_path = self._tmp_path_factory.mktemp("tensorboard") / "tensorboard.log"
        log_file = open(log_path, "w")
        process = subprocess.Popen(
            [
                tensorboard_executable(),
                "--logdir",
                logdir,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--load_fast",
                load_fast,
                "--reload_interval",
                "1",
                *extra_args,
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        self._processes.append((process, log_file))
        url = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError("TensorBoard exited: %s" % log_path.read_text())
            try:
                runs = get_json(url + "/data/plugin/weights/runs")["runs"]
                if runs and all(len(run["steps"]) >= expected_steps for run in runs):
                    return url
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("TensorBoard did not load the runs: %s" % log_path.read_text())
            time.sleep(0.5)

    def stop_all(self):
        for process, log_file in self._processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log_file.close()


@pytest.fixture(scope="session")
def tensorboard_processes(tmp_path_factory):
    processes = TensorBoardProcesses(tmp_path_factory)
    yield processes
    processes.stop_all()


@pytest.fixture(scope="session")
def tensorboard_server(tensorboard_processes, logdir):
    """`tensorboard_server("true" | "false")` → base URL of TensorBoard over `logdir`.

    One process per `--load_fast` value, shared by the session.
    """
    urls = {}

    def server(load_fast):
        if load_fast not in urls:
            urls[load_fast] = tensorboard_processes.start(logdir, load_fast, len(LOGGED_STEPS))
        return urls[load_fast]

    return server
