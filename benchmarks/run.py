"""Benchmarks of tb_weights_plugin against the raw write of the same bytes and its peers.

Prints a Markdown table: each figure beside the peer or limit it is measured
against, timed side by side in the same process (`measure.side_by_side`), the
ratio, the target and whether it is met.

Usage:
  python benchmarks/run.py [--size full|smoke] [--repeats 5] [--output FILE]

`--size full` is the issue's scale (ResNet50, 1,000+ variables, 100 logged
steps of ResNet50 served by TensorBoard: about 10 GB written to a temporary
folder; about 20 minutes on 2 cores, most of it the training-overhead fits). `--size smoke` runs every benchmark on
small models in under a minute; the test suite runs it so it cannot rot.
"""

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import measure  # noqa: E402
import models  # noqa: E402
import tb_weights_plugin  # noqa: E402
from tb_weights_plugin import summary  # noqa: E402

RESULTS = []  # rows: (area, figure, value, peer, peer value, ratio, target, met)


def row(area, figure, value, peer="", peer_value="", ratio=None, target="", met=None):
    RESULTS.append((area, figure, value, peer, peer_value, ratio, target, met))
    print("  %-58s %s" % (figure, value), flush=True)


def seconds(value):
    return "%.3f s" % value if value >= 0.1 else "%.1f ms" % (value * 1000)


def megabytes(value):
    return "%.1f MB" % (value / 1e6)


def fsync_directory_files(directory):
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            with open(path, "rb") as file:
                os.fsync(file.fileno())


def directory_bytes(directory):
    return sum(
        os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(directory) for name in names
    )


def bench_write(size, repeats, scratch):
    """Write speed and storage of one log of the convolutional model."""
    print("write (%s)" % size, flush=True)
    model = models.convolutional(size)
    variables = model.weights
    raw_bytes = sum(int(np.prod(v.shape)) * 4 for v in variables)
    parameters = sum(int(np.prod(v.shape)) for v in variables)
    folders = {}

    def folder(name, round_number):
        path = os.path.join(scratch, "%s_%d" % (name, round_number))
        shutil.rmtree(path, ignore_errors=True)
        folders[name] = path
        return path

    def raw(round_number):
        path = folder("raw", round_number)
        os.makedirs(path)
        with open(os.path.join(path, "tensors.bin"), "wb") as file:
            for variable in variables:
                file.write(variable.numpy().tobytes())
            file.flush()
            os.fsync(file.fileno())

    def ours(name, **options):
        def log(round_number):
            path = folder(name, round_number)
            writer = summary.create_file_writer(path)
            with writer.as_default():
                summary.weights(model, step=round_number, **options)
            writer.close()
            fsync_directory_files(path)

        return log

    def default_writer(round_number):
        path = folder("default_writer", round_number)
        writer = tf.summary.create_file_writer(path)
        with writer.as_default():
            summary.weights(model, step=round_number)
        writer.close()
        fsync_directory_files(path)

    def keras_histograms(round_number):
        path = folder("keras", round_number)
        callback = keras.callbacks.TensorBoard(path, histogram_freq=1, write_graph=False)
        callback.set_model(model)
        callback._log_weights(round_number)
        callback._close_writers()
        fsync_directory_files(os.path.join(path, "train"))

    def tf_summary_write(round_number):
        path = folder("tf_summary_write", round_number)
        writer = tf.summary.create_file_writer(path)
        with writer.as_default():
            for index, variable in enumerate(variables):
                tf.summary.write("tensor_%d" % index, variable, step=round_number)
        writer.close()
        fsync_directory_files(path)

    # Warm up every path once (tf.function tracing, file system caches).
    for function in (raw, ours("full"), ours("statistics", tensors=False), keras_histograms, tf_summary_write, default_writer):
        function(repeats)
    times = measure.side_by_side(
        {
            "raw": raw,
            "full": ours("full"),
            "statistics": ours("statistics", tensors=False),
            "keras": keras_histograms,
            "tf_summary_write": tf_summary_write,
            "default_writer": default_writer,
        },
        repeats,
    )
    label = "%s, %d variables, %.1fM parameters" % (model.name, len(variables), parameters / 1e6)
    row("write", "raw write of the same bytes (fetch + write + fsync), " + label, seconds(times["raw"]))
    row(
        "write",
        "one full log (hierarchy, statistics, histograms, full tensors)",
        seconds(times["full"]),
        "raw write",
        seconds(times["raw"]),
        times["full"] / times["raw"],
        "≤ 1.5×",
        times["full"] / times["raw"] <= 1.5,
    )
    row(
        "write",
        "statistics-and-histograms-only log",
        seconds(times["statistics"]),
        "Keras TensorBoard callback, histogram_freq=1",
        seconds(times["keras"]),
        times["keras"] / times["statistics"],
        "≥ 10× faster",
        times["keras"] / times["statistics"] >= 10,
    )
    row(
        "write",
        "one full log under a plain tf.summary writer (fallback path)",
        seconds(times["default_writer"]),
        "raw write",
        seconds(times["raw"]),
        times["default_writer"] / times["raw"],
    )
    row(
        "write",
        "peer: tf.summary.write of every full tensor",
        seconds(times["tf_summary_write"]),
        "raw write",
        seconds(times["raw"]),
        times["tf_summary_write"] / times["raw"],
    )

    print("storage (%s)" % size, flush=True)
    for name, options, target, limit in (
        ("float32", {}, "≤ 1.05×", 1.05),
        ("float16", {"storage_dtype": "float16"}, "≈ 0.5×", 0.53),
        ("bfloat16", {"storage_dtype": "bfloat16"}, "≈ 0.5×", 0.53),
        ("capped at 64 KiB per tensor", {"max_tensor_bytes": 65536}, "", None),
    ):
        ours("storage", **options)(0)
        stored = directory_bytes(folders["storage"])
        ratio = stored / raw_bytes
        row(
            "storage",
            "one full log, %s" % name,
            megabytes(stored),
            "raw float32 tensor bytes",
            megabytes(raw_bytes),
            ratio,
            target,
            None if limit is None else ratio <= limit,
        )
    for path in folders.values():
        shutil.rmtree(path, ignore_errors=True)
    return model


def bench_read(size, repeats, scratch, convolutional_model):
    """Route times: tree of a 1,000+ variable model, tensor JSON and npy of the largest variable."""
    print("read (%s)" % size, flush=True)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
    from test_plugin_routes import make_client

    logdir = os.path.join(scratch, "read")
    stack = models.transformer_stack(size)
    for run, model in (("stack", stack), ("convolutional", convolutional_model)):
        writer = summary.create_file_writer(os.path.join(logdir, run))
        with writer.as_default():
            summary.weights(model, step=0)
        writer.close()
    client = make_client(logdir)
    largest = max(convolutional_model.weights, key=lambda v: int(np.prod(v.shape)))
    tree = client.get("/data/plugin/weights/tree?run=stack").get_json()
    tag = None

    def find_tag(node):
        nonlocal tag
        for child in node.get("children", []):
            if child.get("kind") == "variable" and tuple(child["shape"]) == tuple(largest.shape):
                tag = tag or child["tensor_tag"]
            find_tag(child)

    find_tag(client.get("/data/plugin/weights/tree?run=convolutional").get_json()["models"][0])
    count = sum(1 for _ in _variables(tree["models"][0]))
    array = largest.numpy()

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, response.get_data()
        return response.get_data()

    times = measure.side_by_side(
        {
            "tree": lambda _: get("/data/plugin/weights/tree?run=stack"),
            "json": lambda _: get("/data/plugin/weights/tensor?run=convolutional&step=0&tag=" + tag),
            "npy": lambda _: get("/data/plugin/weights/tensor?run=convolutional&step=0&format=npy&tag=" + tag),
            "copy": lambda _: array.copy(),
        },
        max(repeats, 5),
    )
    row("read", "tree route, %d variables" % count, seconds(times["tree"]), target="≤ 50 ms", met=times["tree"] <= 0.05)
    row(
        "read",
        "tensor JSON view of the largest variable %s" % (list(largest.shape),),
        seconds(times["json"]),
        target="≤ 100 ms",
        met=times["json"] <= 0.1,
    )
    row(
        "read",
        "npy route of the largest variable (%s)" % megabytes(array.nbytes),
        "%s (%.0f MB/s)" % (seconds(times["npy"]), array.nbytes / times["npy"] / 1e6),
        "numpy copy of the same array",
        "%s (%.0f MB/s)" % (seconds(times["copy"]), array.nbytes / times["copy"] / 1e6),
        times["npy"] / times["copy"],
    )


def _variables(node):
    for child in node.get("children", []):
        if child.get("kind") == "variable":
            yield child
        yield from _variables(child)


def bench_training(size, repeats, scratch):
    """Wall time of model.fit with and without WeightsCallback at its default cadence."""
    print("training overhead (%s)" % size, flush=True)
    demo_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "demo")
    sys.path.insert(0, demo_dir)
    import train as demo

    x_digits, _, y_digits, _ = demo.load_data()
    rng = np.random.default_rng(0)
    image_count = 6400 if size == "full" else 64
    x_images = rng.normal(size=(image_count, 32, 32, 3)).astype(np.float32)
    y_images = rng.integers(0, 10, size=image_count)
    cases = {
        "demo model on digits, %d epochs of 45 steps" % (20 if size == "full" else 2): (
            demo.build_model,
            x_digits,
            y_digits,
            20 if size == "full" else 2,
        ),
        "ResNet50 on 32×32 images, 1 epoch of 200 steps"
        if size == "full"
        else "small CNN, 1 epoch": (
            (lambda: keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=10))
            if size == "full"
            else (lambda: _small_cnn_32()),
            x_images,
            y_images,
            1,
        ),
    }
    for label, (build, x, y, epochs) in cases.items():
        model = build()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        initial = model.get_weights()

        def fit(callbacks):
            def run(round_number):
                model.set_weights(initial)
                model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=callbacks(round_number))

            return run

        fit(lambda r: [])(0)  # trace
        times = measure.side_by_side(
            {
                "without": fit(lambda r: []),
                "with": fit(lambda r: [tb_weights_plugin.WeightsCallback(os.path.join(scratch, "fit_%d" % r))]),
            },
            repeats,
        )
        overhead = times["with"] / times["without"] - 1
        row(
            "training",
            "model.fit with WeightsCallback (defaults), " + label,
            seconds(times["with"]),
            "model.fit without it",
            seconds(times["without"]),
            1 + overhead,
            "≤ 1.02× (≤ 2% overhead)",
            overhead <= 0.02,
        )


def _small_cnn_32():
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(8, 3)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))


def bench_memory(size, scratch):
    """Resident memory of TensorBoard serving many logged steps of the convolutional model."""
    print("memory (%s)" % size, flush=True)
    steps = 100 if size == "full" else 5
    model = models.convolutional(size)
    logdir = os.path.join(scratch, "memory")
    writer = summary.create_file_writer(os.path.join(logdir, "run"))
    with writer.as_default():
        for step in range(steps):
            summary.weights(model, step=step)
    writer.close()
    written = directory_bytes(logdir)
    largest = max(model.weights, key=lambda v: int(np.prod(v.shape)))
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
    from conftest import free_port, tensorboard_executable

    for load_fast in ("true", "false"):
        port = free_port()
        process = subprocess.Popen(
            [tensorboard_executable(), "--logdir", logdir, "--host", "127.0.0.1", "--port", str(port), "--load_fast", load_fast],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = "http://127.0.0.1:%d/data/plugin/weights" % port
            deadline = time.monotonic() + 600
            while True:
                try:
                    with urllib.request.urlopen(url + "/runs", timeout=30) as response:
                        runs = __import__("json").loads(response.read())["runs"]
                    if runs and len(runs[0]["steps"]) == steps:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("TensorBoard did not load %d steps" % steps)
                time.sleep(1)
            tree = __import__("json").loads(urllib.request.urlopen(url + "/tree?run=run").read())
            tag = next(v["tensor_tag"] for v in _variables(tree["models"][0]) if tuple(v["shape"]) == tuple(largest.shape))
            for step in range(steps):  # every step still viewable
                with urllib.request.urlopen("%s/tensor?run=run&tag=%s&step=%d&format=npy" % (url, tag, step)) as response:
                    array = np.load(io.BytesIO(response.read()))
                assert array.shape == tuple(largest.shape)
            resident = measure.resident_bytes(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
        row(
            "memory",
            "TensorBoard (load_fast=%s) serving %d steps (%s of event files), every step read"
            % (load_fast, steps, megabytes(written)),
            megabytes(resident),
            target="< 1.5 GB",
            met=resident < 1.5e9,
        )
    shutil.rmtree(logdir, ignore_errors=True)


def markdown_table():
    lines = [
        "| area | figure | value | measured against | its value | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for area, figure, value, peer, peer_value, ratio, target, met in RESULTS:
        lines.append(
            "| %s | %s | %s | %s | %s | %s | %s | %s |"
            % (
                area,
                figure,
                value,
                peer,
                peer_value,
                "" if ratio is None else "%.2f×" % ratio,
                target,
                "" if met is None else ("yes" if met else "**no**"),
            )
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("full", "smoke"), default="full")
    parser.add_argument("--repeats", type=int, default=5, help="rounds per side-by-side timing (median)")
    parser.add_argument("--output", help="also write the Markdown table to this file")
    parser.add_argument("--only", nargs="*", choices=("write", "read", "training", "memory"), help="run only these areas")
    args = parser.parse_args(argv)
    areas = set(args.only or ("write", "read", "training", "memory"))
    scratch = tempfile.mkdtemp(prefix="tb_weights_benchmarks_")
    try:
        model = bench_write(args.size, args.repeats, scratch) if "write" in areas else models.convolutional(args.size)
        if "read" in areas:
            bench_read(args.size, args.repeats, scratch, model)
        if "training" in areas:
            bench_training(args.size, args.repeats, scratch)
        if "memory" in areas:
            bench_memory(args.size, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    table = "Machine: %s. Size: %s, median of %d side-by-side rounds.\n\n%s\n" % (
        measure.machine_description(),
        args.size,
        args.repeats,
        markdown_table(),
    )
    print()
    print(table)
    if args.output:
        with open(args.output, "w") as file:
            file.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
