"""Full tensors in event files: the fast writer, the offset index, storage options, old logs."""

import glob
import io
import json
import os

import ml_dtypes
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_file_loader
from tensorboard.compat.proto import summary_pb2
from tensorboard.util import tensor_util

import event_files
from tb_weights_plugin import event_records
from tb_weights_plugin import hierarchy
from tb_weights_plugin import metadata
from tb_weights_plugin import encoding
from tb_weights_plugin import statistics
from tb_weights_plugin import summary
from tb_weights_plugin import tensor_index
from test_plugin_routes import get_json
from test_plugin_routes import make_client


def sidecar_files(run_dir):
    return sorted(glob.glob(os.path.join(run_dir, event_records.TENSOR_FILE_PREFIX + "*")))


def test_fast_writer_files_are_event_files_tensorboard_skips(tmp_path):
    run = str(tmp_path / "run")
    values = {"layer/w": np.arange(12, dtype=np.float32).reshape(3, 4), "b": np.float64(-2.5)}
    writer = summary.create_file_writer(run)
    with writer.as_default():
        summary.weights(values, step=5, name="m")
    writer.close()
    [sidecar] = sidecar_files(run)
    assert "tfevents" not in os.path.basename(sidecar)  # TensorBoard's loaders skip it
    # ...but it is an ordinary event file: TensorBoard's own reader parses it.
    events = list(event_file_loader.EventFileLoader(sidecar).Load())
    assert events[0].file_version == "brain.Event:2"
    [w_event, b_event] = events[1:]
    assert (w_event.step, w_event.summary.value[0].tag) == (5, "m/layer/w/tensor")
    w_blob = tensor_util.make_ndarray(w_event.summary.value[0].tensor)[0]
    np.testing.assert_array_equal(encoding.decode_npy(w_blob), values["layer/w"])
    assert w_event.summary.value[0].metadata.data_class == summary_pb2.DATA_CLASS_UNKNOWN
    b_blob = tensor_util.make_ndarray(b_event.summary.value[0].tensor)[0]
    assert encoding.decode_npy(b_blob).shape == () and encoding.decode_npy(b_blob) == -2.5
    # The default writer's file holds only the small data.
    assert sorted(event_files.read_summaries(run)) == [
        "m/b/statistics",
        "m/hierarchy",
        "m/layer/w/statistics",
    ]
    # The index finds each record and reads the exact blob back by offset.
    records, offset, error = event_records.scan_tensor_records(sidecar)
    assert offset == os.path.getsize(sidecar) and error is None
    assert [(r.tag, r.step) for r in records] == [("m/layer/w/tensor", 5), ("m/b/tensor", 5)]
    assert records[0].read_blob() == bytes(w_blob)
    assert records[0].content["shape"] == [3, 4]


def test_both_writers_serve_the_same_tensors(tmp_path):
    rng = np.random.default_rng(0)
    values = {"a/kernel": rng.normal(size=(5, 7)).astype(np.float32), "a/bias": rng.normal(size=7)}
    for run, make_writer in (("fast", summary.create_file_writer), ("default", tf.summary.create_file_writer)):
        writer = make_writer(str(tmp_path / run))
        with writer.as_default():
            for step in (0, 3):
                summary.weights({k: v + step for k, v in values.items()}, step=step, name="m")
        writer.close()
    assert len(sidecar_files(str(tmp_path / "fast"))) == 1
    assert sidecar_files(str(tmp_path / "default")) == []
    client = make_client(str(tmp_path))
    for run in ("fast", "default"):
        for step in (0, 3):
            for path, value in values.items():
                response = client.get(
                    "/data/plugin/weights/tensor",
                    query_string=dict(run=run, tag="m/%s/tensor" % path, step=step, format="npy"),
                )
                assert response.status_code == 200
                np.testing.assert_array_equal(np.load(io.BytesIO(response.get_data())), value + step)
        stats = get_json(client, "stats", run=run, tag="m/a/kernel/statistics")
        assert stats["steps"] == [0, 3] and stats["tensor_steps"] == [0, 3]


def test_index_follows_a_growing_file_and_a_half_written_record(tmp_path):
    run = str(tmp_path / "run")
    writer = summary.create_file_writer(run)
    store = tensor_index.TensorStore(str(tmp_path), refresh_seconds=0)
    with writer.as_default():
        summary.weights({"w": np.zeros(3)}, step=0, name="m")
        assert sorted(store.records("run", "m/w/tensor")) == [0]
        summary.weights({"w": np.ones(3)}, step=1, name="m")
    [sidecar] = sidecar_files(run)
    assert sorted(store.records("run", "m/w/tensor")) == [0, 1]
    # A record still being written is not indexed until it is complete.
    with open(sidecar, "rb") as file:
        data = file.read()
    records, _, _ = event_records.scan_tensor_records(sidecar)
    last = records[-1]
    with open(sidecar, "wb") as file:
        file.write(data[: last.blob_offset + 5])
    records, offset, error = event_records.scan_tensor_records(sidecar)
    assert [r.step for r in records] == [0] and offset == last.record_offset - 12 and error is None
    with open(sidecar, "wb") as file:
        file.write(data)
    records, offset, _ = event_records.scan_tensor_records(sidecar, offset)
    assert [r.step for r in records] == [1] and offset == len(data)


def test_a_damaged_tensor_answers_404_not_500(tmp_path):
    run = str(tmp_path / "run")
    writer = summary.create_file_writer(run)
    with writer.as_default():
        summary.weights({"w": np.arange(100, dtype=np.float32)}, step=0, name="m")
    writer.close()
    [sidecar] = sidecar_files(run)
    [record] = event_records.scan_tensor_records(sidecar)[0]
    with open(sidecar, "r+b") as file:
        file.seek(record.blob_offset + record.blob_length - 8)
        file.write(b"\xff\xff\xff\xff")
    client = make_client(str(tmp_path))
    body = get_json(client, "tensor", 404, run="run", tag="m/w/tensor", step=0)
    assert "is damaged" in body["error"] and "fails its CRC" in body["error"]
    # Statistics, kept by TensorBoard, are unaffected.
    assert get_json(client, "stats", run="run", tag="m/w/statistics")["statistics"]["max"] == [99.0]


def test_a_damaged_record_body_is_skipped_and_the_rest_still_served(tmp_path):
    run = str(tmp_path / "run")
    writer = summary.create_file_writer(run)
    with writer.as_default():
        summary.weights({"a": np.ones(4), "b": np.full(4, 2.0)}, step=0, name="m")
    writer.close()
    [sidecar] = sidecar_files(run)
    records, _, _ = event_records.scan_tensor_records(sidecar)
    first = records[0]
    with open(sidecar, "r+b") as file:  # garble the first record's Event fields
        file.seek(first.record_offset)
        file.write(b"\xff" * 24)
    records, offset, error = event_records.scan_tensor_records(sidecar)
    assert [r.tag for r in records] == ["m/b/tensor"] and error is None
    client = make_client(str(tmp_path))
    get_json(client, "tensor", 404, run="run", tag="m/a/tensor", step=0)
    assert get_json(client, "tensor", run="run", tag="m/b/tensor", step=0)["values"] == [2.0] * 4


def test_an_empty_tensor_is_served(tmp_path):
    writer = summary.create_file_writer(str(tmp_path / "run"))
    with writer.as_default():
        summary.weights({"empty": np.zeros((0, 5), np.float32), "w": np.ones(2)}, step=0, name="m")
    writer.close()
    view = get_json(make_client(str(tmp_path)), "tensor", run="run", tag="m/empty/tensor", step=0)
    assert view["values"] == [] and view["view_shape"] == [0, 5] and view["min"] is None


def test_reduced_precision_and_subsample_keep_full_statistics(tmp_path):
    rng = np.random.default_rng(3)
    kernel = rng.normal(size=(200, 30)).astype(np.float32)
    kernel[7, 3] = 1000.0  # an outlier the subsample skips
    conv = rng.normal(size=(3, 3, 4, 8)).astype(np.float32)
    writer = summary.create_file_writer(str(tmp_path / "run"))
    with writer.as_default():
        summary.weights({"half": conv}, step=0, name="f16", storage_dtype="float16")
        summary.weights({"brain": conv}, step=0, name="bf16", storage_dtype="bfloat16")
        summary.weights({"kernel": kernel}, step=0, name="cap", max_tensor_bytes=1200)
    writer.close()
    client = make_client(str(tmp_path))

    half = get_json(client, "tensor", run="run", tag="f16/half/tensor", step=0)
    assert (half["dtype"], half["stored_dtype"], half["reduced_precision"]) == ("float32", "float16", True)
    np.testing.assert_array_equal(
        np.array(half["values"], np.float32).reshape(36, 8), conv.astype(np.float16).astype(np.float32).reshape(36, 8)
    )
    assert half["max"] == float(conv.max())  # the full tensor's, not the float16 one
    npy = client.get("/data/plugin/weights/tensor", query_string=dict(run="run", tag="f16/half/tensor", step=0, format="npy"))
    stored = np.load(io.BytesIO(npy.get_data()))
    assert stored.dtype == np.float16 and stored.shape == (3, 3, 4, 8)

    brain = get_json(client, "tensor", run="run", tag="bf16/brain/tensor", step=0)
    assert brain["stored_dtype"] == "bfloat16" and brain["reduced_precision"] is True
    expected = conv.astype(ml_dtypes.bfloat16).astype(np.float32).reshape(-1)
    np.testing.assert_array_equal(np.array(brain["values"], np.float32), expected)

    cap = get_json(client, "tensor", run="run", tag="cap/kernel/tensor", step=0)
    strides = cap["subsample_strides"]
    grid = kernel[:: strides[0], :: strides[1]]
    assert grid.size * 4 <= 1200 and cap["stored_view_shape"] == list(grid.shape)
    assert cap["view_shape"] == [200, 30] and cap["shape"] == [200, 30]
    np.testing.assert_array_equal(np.array(cap["values"], np.float32).reshape(grid.shape), grid)
    assert cap["max"] == 1000.0  # true max from the full tensor's statistics
    stats = get_json(client, "stats", run="run", tag="cap/kernel/statistics")
    assert stats["statistics"]["max"] == [1000.0]
    assert sum(stats["histograms"][0]["counts"]) == 6000


def test_statistics_only_steps_and_variable_selection(tmp_path):
    values = {"enc/kernel": np.ones((2, 2)), "enc/bias": np.zeros(2), "dec/kernel": np.ones((2, 3))}
    writer = summary.create_file_writer(str(tmp_path / "run"))
    with writer.as_default():
        for step in range(4):
            summary.weights(values, step=step, name="m", tensors=step % 2 == 0, exclude="bias$")
        summary.weights(values, step=9, name="m", include=["^m/dec/"])
        with pytest.raises(hierarchy.HierarchyError, match="select none of the variables"):
            summary.weights(values, step=10, name="m", include="nothing")
        with pytest.raises(ValueError, match="include must be a regular expression"):
            summary.weights(values, step=10, name="m", include="(")
        with pytest.raises(ValueError, match="storage_dtype must be"):
            summary.weights(values, step=10, name="m", storage_dtype="int8")
        with pytest.raises(ValueError, match="max_tensor_bytes must be"):
            summary.weights(values, step=10, name="m", max_tensor_bytes=0)
    writer.close()
    client = make_client(str(tmp_path))
    stats = get_json(client, "stats", run="run", tag="m/enc/kernel/statistics")
    assert stats["steps"] == [0, 1, 2, 3] and stats["tensor_steps"] == [0, 2]
    get_json(client, "tensor", 404, run="run", tag="m/enc/kernel/tensor", step=1)
    tree = get_json(client, "tree", run="run", step=1)["models"][0]
    assert [c["path"] for c in tree["children"]] == ["m/enc", "m/dec"]
    assert [c["path"] for c in tree["children"][0]["children"]] == ["m/enc/kernel"]
    tree = get_json(client, "tree", run="run", step=9)["models"][0]
    assert [c["path"] for c in tree["children"]] == ["m/dec"]


def test_graph_mode_fast_path_writes_records(tmp_path):
    model_values = {"w": tf.Variable([[1.0, 2.0]]), "v": tf.Variable([3.0])}
    writer = summary.create_file_writer(str(tmp_path / "run"))

    @tf.function
    def log(step):
        with writer.as_default():
            return summary.weights(model_values, step=step, name="m", storage_dtype="float16")

    assert bool(log(tf.constant(4, tf.int64)))
    writer.close()
    [sidecar] = sidecar_files(str(tmp_path / "run"))
    records, _, _ = event_records.scan_tensor_records(sidecar)
    assert [(r.tag, r.step, r.content["stored_dtype"]) for r in records] == [
        ("m/w/tensor", 4, "float16"),
        ("m/v/tensor", 4, "float16"),
    ]
    assert encoding.decode_npy(records[0].read_blob()).tolist() == [[1.0, 2.0]]


def write_version_1_log(run_dir):
    """A log as version 1 wrote it: full tensors as blob sequences under `weights`."""

    def v1_metadata(kind, data_class, **fields):
        content = dict(version=1, kind=kind, **fields)
        return summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(
                plugin_name="weights", content=json.dumps(content).encode()
            ),
            data_class=data_class,
        )

    weights_array = np.array([[1.5, -2.0], [0.25, 4.0]], np.float32)
    tree = {
        "version": 1,
        "root": {
            "kind": "module", "name": "old", "path": "old", "class_name": "dict",
            "parameter_count": 4, "trainable_parameter_count": 0, "shared_with": [],
            "children": [{
                "kind": "variable", "name": "w", "path": "old/w", "shape": [2, 2], "dtype": "float32",
                "trainable": False, "parameter_count": 4, "tensor_tag": "old/w/tensor",
                "statistics_tag": "old/w/statistics",
            }],
        },
    }
    with tf.summary.create_file_writer(run_dir).as_default():
        tf.summary.write(
            "old/hierarchy", tf.constant([json.dumps(tree).encode()]), step=1,
            metadata=v1_metadata("hierarchy", summary_pb2.DATA_CLASS_BLOB_SEQUENCE, name="old", encoding="json"),
        )
        tf.summary.write(
            "old/w/statistics", statistics.compute_statistics(weights_array), step=1,
            metadata=v1_metadata(
                "statistics", summary_pb2.DATA_CLASS_TENSOR, path="old/w",
                fields=list(metadata.STATISTICS_FIELDS), bucket_count=64,
            ),
        )
        tf.summary.write(
            "old/w/tensor", tf.constant([encoding.encode_npy(weights_array)]), step=1,
            metadata=v1_metadata("tensor", summary_pb2.DATA_CLASS_BLOB_SEQUENCE, path="old/w", encoding="npy"),
        )
    return weights_array


def test_version_1_logs_stay_readable(tmp_path):
    weights_array = write_version_1_log(str(tmp_path / "old_run"))
    client = make_client(str(tmp_path))
    assert get_json(client, "runs")["runs"] == [{"run": "old_run", "steps": [1], "models": ["old"]}]
    view = get_json(client, "tensor", run="old_run", tag="old/w/tensor", step=1)
    assert view["values"] == [1.5, -2.0, 0.25, 4.0] and view["reduced_precision"] is False
    assert view["subsample_strides"] is None and view["stored_dtype"] == "float32"
    stats = get_json(client, "stats", run="old_run", tag="old/w/statistics")
    assert stats["tensor_steps"] == [1] and stats["statistics"]["max"] == [4.0]
    npy = client.get("/data/plugin/weights/tensor", query_string=dict(run="old_run", tag="old/w/tensor", step=1, format="npy"))
    np.testing.assert_array_equal(np.load(io.BytesIO(npy.get_data())), weights_array)
