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


# The steps logged in each run of `views_logdir`.
VIEWS_STEPS = (0, 1, 2, 3)
# `conv_a` and `conv_b` share every shape; `conv_wide` has 8 instead of 6
# filters in `conv`; `nan_run` holds NaN and ±Inf from step 2 on; `mobilenet`
# is `keras.applications.MobileNet(weights=None, alpha=0.25)` on 32×32 images.
VIEWS_RUNS = ("conv_a", "conv_b", "conv_wide", "nan_run", "mobilenet")


def build_conv_model(seed, filters=6):
    """`convnet`: one model with every kind of convolution and a Dense head.

    Inputs: an 8×8×2 image, a 10×3 sequence and a 4×4×4×1 volume. Kernels:
    `conv` Conv2D [3, 3, 2, filters], `depthwise` DepthwiseConv2D
    [3, 3, filters, 2], `conv_transpose` Conv2DTranspose [2, 2, 4, 2·filters],
    `conv1d` Conv1D [3, 3, 5], `conv3d` Conv3D [2, 2, 2, 1, 3] (rank 5),
    `dense` Dense [·, 4].
    """
    keras.utils.set_random_seed(seed)
    image = keras.Input((8, 8, 2), name="image")
    sequence = keras.Input((10, 3), name="sequence")
    volume = keras.Input((4, 4, 4, 1), name="volume")
    x = keras.layers.Conv2D(filters, 3, name="conv")(image)
    x = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, name="depthwise")(x)
    x = keras.layers.Conv2DTranspose(4, 2, name="conv_transpose")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    s = keras.layers.Conv1D(5, 3, name="conv1d")(sequence)
    s = keras.layers.GlobalAveragePooling1D(name="pool1d")(s)
    v = keras.layers.Conv3D(3, 2, name="conv3d")(volume)
    v = keras.layers.GlobalAveragePooling3D(name="pool3d")(v)
    merged = keras.layers.Concatenate(name="concat")([x, s, v])
    outputs = keras.layers.Dense(4, name="dense")(merged)
    return keras.Model([image, sequence, volume], outputs, name="convnet")


def conv_batch(seed):
    rng = np.random.default_rng(seed)
    inputs = [
        rng.normal(size=(8, 8, 8, 2)).astype(np.float32),
        rng.normal(size=(8, 10, 3)).astype(np.float32),
        rng.normal(size=(8, 4, 4, 4, 1)).astype(np.float32),
    ]
    return inputs, rng.integers(0, 4, size=8)


def write_views_runs(logdir):
    """Writes `VIEWS_RUNS`, each logging `convnet` at `VIEWS_STEPS` after SGD steps.

    In `nan_run`, `conv/kernel` gets NaN at [0, 0, 0, 0], +Inf at [1, 1, 0, 2]
    and -Inf at [2, 2, 0, 5] before the step-2 log, and `dense/bias` gets NaN
    at [1] before the step-3 log.

    Returns:
      `{run: {step: {variable path: numpy array logged}}}` for every variable.
    """
    logged = {}
    for seed, run in enumerate(VIEWS_RUNS):
        if run == "mobilenet":
            keras.utils.set_random_seed(seed)
            model = keras.applications.MobileNet(
                weights=None, alpha=0.25, input_shape=(32, 32, 3), classes=4
            )
            rng = np.random.default_rng(seed)
            batch = lambda step: (rng.normal(size=(4, 32, 32, 3)).astype(np.float32), rng.integers(0, 4, size=4))
        else:
            model = build_conv_model(seed, filters=8 if run == "conv_wide" else 6)
            batch = lambda step: conv_batch(seed * 100 + step)
        model.compile(
            optimizer=keras.optimizers.SGD(0.05),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=run != "mobilenet"),
        )
        writer = summary.create_file_writer(os.path.join(logdir, run))
        logged[run] = {}
        with writer.as_default():
            for step in VIEWS_STEPS:
                if step:
                    model.train_on_batch(*batch(step))
                if run == "nan_run" and step == 2:
                    kernel = model.get_layer("conv").kernel
                    value = kernel.numpy()
                    value[0, 0, 0, 0] = np.nan
                    value[1, 1, 0, 2] = np.inf
                    value[2, 2, 0, 5] = -np.inf
                    kernel.assign(value)
                if run == "nan_run" and step == 3:
                    bias = model.get_layer("dense").bias
                    value = bias.numpy()
                    value[1] = np.nan
                    bias.assign(value)
                summary.weights(model, step=step)
                logged[run][step] = {
                    "%s/%s/%s" % (model.name, layer.name, weight_name(variable)): variable.numpy()
                    for layer in model.layers
                    for variable in layer.weights
                }
        writer.close()
    return logged


def weight_name(variable):
    """The last component of a Keras variable's path (`kernel`, `bias`)."""
    return variable.path.split("/")[-1]


@pytest.fixture(scope="session")
def views_runs(tmp_path_factory):
    """`(logdir, logged values)`: `VIEWS_RUNS` of a conv model logged at `VIEWS_STEPS`."""
    logdir = str(tmp_path_factory.mktemp("views_logdir"))
    return logdir, write_views_runs(logdir)


@pytest.fixture(scope="session")
def views_server(tensorboard_processes, views_runs):
    """Base URL of one TensorBoard (`--load_fast=false`) over the views logdir."""
    return tensorboard_processes.start(views_runs[0], "false", len(VIEWS_STEPS))
