"""The writer API: what `summary.weights` and `WeightsCallback` put in event files."""

import glob
import json
import math
import os

import keras
import ml_dtypes
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.compat.proto import summary_pb2

import event_files
from tb_weights_plugin import WeightsCallback
from tb_weights_plugin import event_records
from tb_weights_plugin import hierarchy
from tb_weights_plugin import metadata
from tb_weights_plugin import encoding
from tb_weights_plugin import statistics
from tb_weights_plugin import summary


def small_model():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((4,))
    x = keras.layers.Dense(3, name="hidden")(inputs)
    x = keras.layers.BatchNormalization(name="norm")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="out")(x), name="small")


def test_eager_log_holds_exact_tensors_statistics_and_hierarchy(tmp_path):
    model = small_model()
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        assert summary.weights(model, step=7) is True
    writer.close()
    written = event_files.read_summaries(str(tmp_path))

    variable_paths = [
        "small/hidden/kernel",
        "small/hidden/bias",
        "small/norm/gamma",
        "small/norm/beta",
        "small/norm/moving_mean",
        "small/norm/moving_variance",
        "small/out/kernel",
        "small/out/bias",
    ]
    expected_tags = {"small/hierarchy"}
    for path in variable_paths:
        expected_tags |= {path + "/tensor", path + "/statistics"}
    assert set(written) == expected_tags

    kernel = model.get_layer("hidden").kernel.numpy()
    [(step, blob, meta)] = written["small/hidden/kernel/tensor"]
    assert step == 7 and blob.shape == (1,)
    np.testing.assert_array_equal(encoding.decode_npy(blob[0]), kernel)
    assert encoding.decode_npy(blob[0]).dtype == np.float32
    # Full tensors: a plugin name and data class TensorBoard does not keep.
    assert meta.data_class == summary_pb2.DATA_CLASS_UNKNOWN
    assert meta.plugin_data.plugin_name == "weights_tensors"
    assert json.loads(meta.plugin_data.content) == {
        "version": 2,
        "kind": "tensor",
        "path": "small/hidden/kernel",
        "encoding": "npy",
        "dtype": "float32",
        "shape": [4, 3],
        "stored_dtype": "float32",
        "subsample_strides": None,
    }

    [(step, vector, meta)] = written["small/hidden/kernel/statistics"]
    assert meta.data_class == summary_pb2.DATA_CLASS_TENSOR
    assert vector.dtype == np.float64 and vector.shape == (9 + 64 + 1 + 64,)
    values, edges, counts = encoding.split_statistics(vector)
    assert values["mean"] == pytest.approx(float(kernel.astype(np.float64).mean()), rel=1e-12)
    assert values["min"] == float(kernel.min()) and values["max"] == float(kernel.max())
    assert values["l2_norm"] == pytest.approx(float(np.linalg.norm(kernel.astype(np.float64))), rel=1e-12)
    assert counts.sum() == kernel.size

    [(step, blob, meta)] = written["small/hierarchy"]
    assert meta.data_class == summary_pb2.DATA_CLASS_BLOB_SEQUENCE
    tree = json.loads(blob[0])
    assert tree["version"] == 2
    assert meta.plugin_data.plugin_name == "weights"
    norm = tree["root"]["children"][1]
    assert [(v["name"], v["trainable"]) for v in norm["children"]] == [
        ("gamma", True),
        ("beta", True),
        ("moving_mean", False),
        ("moving_variance", False),
    ]
    assert norm["children"][2]["tensor_tag"] == "small/norm/moving_mean/tensor"
    assert tree["root"]["parameter_count"] == 4 * 3 + 3 + 4 * 3 + 3 * 2 + 2


def test_statistics_of_nan_and_inf_are_counted_not_bucketed():
    vector = statistics.compute_statistics(
        np.array([0.0, 1.0, 2.0, np.nan, np.inf, -np.inf, 0.0], np.float32)
    )
    values, edges, counts = encoding.split_statistics(vector)
    assert math.isnan(values.pop("update_ratio"))  # no previous value
    assert values == {
        "mean": 0.75,
        "std": math.sqrt(0.6875),
        "min": 0.0,
        "max": 2.0,
        "l2_norm": math.sqrt(5.0),
        "zero_fraction": 2 / 7,
        "nan_count": 1.0,
        "inf_count": 2.0,
    }
    np.testing.assert_array_equal(edges, np.linspace(0.0, 2.0, 65))
    assert counts[0] == 2 and counts[32] == 1 and counts[63] == 1 and counts.sum() == 4


def test_histogram_follows_its_documented_rule_on_random_and_edge_values():
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(size=100_000), np.linspace(-3, 3, 65)]).astype(np.float32)
    _, edges, counts = encoding.split_statistics(statistics.compute_statistics(values))
    finite = values.astype(np.float64)
    low, high = finite.min(), finite.max()
    # FORMAT.md: floor((x - min) * (1 / (max - min)) * buckets) in float64; the maximum in the last.
    indices = np.floor((finite - low) * (1.0 / (high - low)) * 64).astype(int)
    indices[finite == high] = 63
    np.testing.assert_array_equal(counts, np.bincount(indices, minlength=64))
    np.testing.assert_array_equal(edges, np.linspace(low, high, 65))
    assert counts.sum() == values.size


def test_statistics_of_constant_empty_all_nan_integer_and_bool_tensors():
    _, edges, counts = encoding.split_statistics(statistics.compute_statistics(np.full((3,), 3.0)))
    assert counts[32] == 3 and edges[32] < 3.0 < edges[33]
    assert edges[33] - edges[32] == pytest.approx(3.0 / 64)

    values, edges, counts = encoding.split_statistics(
        statistics.compute_statistics(np.array([np.nan, np.nan]))
    )
    assert math.isnan(values["mean"]) and values["nan_count"] == 2 and counts.sum() == 0

    values, _, _ = encoding.split_statistics(statistics.compute_statistics(np.zeros((0, 3))))
    assert math.isnan(values["mean"]) and math.isnan(values["zero_fraction"])

    values, _, counts = encoding.split_statistics(
        statistics.compute_statistics(np.array([1, 0, 3], np.int32))
    )
    assert values["mean"] == pytest.approx(4 / 3) and values["zero_fraction"] == pytest.approx(1 / 3)
    values, _, _ = encoding.split_statistics(statistics.compute_statistics(np.array([True, False])))
    assert values["mean"] == 0.5


def test_nan_in_a_variable_is_logged_and_counted(tmp_path):
    poisoned = np.array([[1.0, np.nan], [np.inf, -2.0]], np.float32)
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        summary.weights({"layer/w": poisoned}, step=3, name="m")
    writer.close()
    written = event_files.read_summaries(str(tmp_path))
    logged = encoding.decode_npy(written["m/layer/w/tensor"][0][1][0])
    np.testing.assert_array_equal(logged, poisoned)  # NaN compares equal here
    values, _, counts = encoding.split_statistics(written["m/layer/w/statistics"][0][1])
    assert (values["nan_count"], values["inf_count"], values["mean"]) == (1, 1, -0.5)
    assert counts.sum() == 2


def test_inside_tf_function_writes_the_same_as_eager(tmp_path):
    model = small_model()
    eager_dir, graph_dir = str(tmp_path / "eager"), str(tmp_path / "graph")
    with tf.summary.create_file_writer(eager_dir).as_default() as _:
        summary.weights(model, step=2)
    graph_writer = tf.summary.create_file_writer(graph_dir)

    @tf.function
    def log(step):
        with graph_writer.as_default():
            return summary.weights(model, step=step)

    assert bool(log(tf.constant(2, tf.int64))) is True
    graph_writer.close()
    eager, graph = event_files.read_summaries(eager_dir), event_files.read_summaries(graph_dir)
    assert set(eager) == set(graph)
    for tag in eager:
        [(eager_step, eager_value, _)] = eager[tag]
        [(graph_step, graph_value, _)] = graph[tag]
        assert eager_step == graph_step == 2
        np.testing.assert_array_equal(eager_value, graph_value)


def test_tf1_graph_mode_with_obj_none_returns_the_op_to_run(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        with tf.compat.v1.variable_scope("net"):
            weights = tf.compat.v1.get_variable(
                "w", initializer=tf.constant([[1.0, 2.0], [3.0, 4.0]])
            )
            tf.compat.v1.get_variable("counter", initializer=tf.constant(5), trainable=False)
        writer = tf.summary.create_file_writer(str(tmp_path))
        with writer.as_default():
            op = summary.weights(None, step=11)
        assign = weights.assign_add(tf.ones([2, 2]))
        with tf.compat.v1.Session() as session:
            session.run([tf.compat.v1.global_variables_initializer(), writer.init()])
            session.run(assign)
            assert session.run(op)
            session.run(writer.flush())
    written = event_files.read_summaries(str(tmp_path))
    assert sorted(written) == [
        "global_variables/hierarchy",
        "global_variables/net/counter/statistics",
        "global_variables/net/counter/tensor",
        "global_variables/net/w/statistics",
        "global_variables/net/w/tensor",
    ]
    logged = encoding.decode_npy(written["global_variables/net/w/tensor"][0][1][0])
    np.testing.assert_array_equal(logged, [[2.0, 3.0], [4.0, 5.0]])
    tree = json.loads(written["global_variables/hierarchy"][0][1][0])
    net = tree["root"]["children"][0]
    assert [(c["name"], c["trainable"], c["dtype"]) for c in net["children"]] == [
        ("w", True, "float32"),
        ("counter", False, "int32"),
    ]


def test_bfloat16_is_stored_exactly_as_float32(tmp_path):
    values = np.array([1.5, -0.0078125, 3.0e38], dtype=ml_dtypes.bfloat16)
    variable = tf.Variable(values)
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        summary.weights({"w": variable}, step=0, name="m")
    written = event_files.read_summaries(str(tmp_path))
    logged = encoding.decode_npy(written["m/w/tensor"][0][1][0])
    assert logged.dtype == np.float32
    np.testing.assert_array_equal(logged, values.astype(np.float32))
    tree = json.loads(written["m/hierarchy"][0][1][0])
    assert tree["root"]["children"][0]["dtype"] == "bfloat16"


def test_errors_name_the_problem_and_the_fix(tmp_path):
    with pytest.raises(summary.NoDefaultWriterError, match="create_file_writer"):
        summary.weights(small_model(), step=0)
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        with pytest.raises(ValueError, match="pass step="):
            summary.weights(small_model())
        with pytest.raises(hierarchy.HierarchyError, match="not built"):
            summary.weights(keras.Sequential([keras.layers.Dense(1)]), step=0)
        with pytest.raises(hierarchy.HierarchyError, match="graph mode"):
            summary.weights(None, step=0)
        with tf.summary.record_if(False):
            assert summary.weights(small_model(), step=0) is False
    assert event_files.read_summaries(str(tmp_path)) == {}


def test_scalars_keep_rank_zero(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        summary.weights({"scale": tf.Variable(2.5), "count": np.int64(7)}, step=0, name="m")
    written = event_files.read_summaries(str(tmp_path))
    scale = encoding.decode_npy(written["m/scale/tensor"][0][1][0])
    assert scale.shape == () and scale == np.float32(2.5)
    count = encoding.decode_npy(written["m/count/tensor"][0][1][0])
    assert count.shape == () and count.dtype == np.int64 and count == 7


def test_record_if_false_writes_nothing_inside_tf_function(tmp_path):
    values = {"w": tf.Variable(tf.ones([3, 3]))}
    writer = summary.create_file_writer(str(tmp_path))

    @tf.function
    def log(step, record):
        with writer.as_default(), tf.summary.record_if(record):
            return summary.weights(values, step=step, name="m")

    assert not bool(log(tf.constant(0, tf.int64), tf.constant(False)))
    assert bool(log(tf.constant(1, tf.int64), tf.constant(True)))
    writer.close()
    [sidecar] = glob.glob(os.path.join(str(tmp_path), event_records.TENSOR_FILE_PREFIX + "*"))
    records, _, _ = event_records.scan_tensor_records(sidecar)
    assert [r.step for r in records] == [1]
    assert [step for step, _, _ in event_files.read_summaries(str(tmp_path))["m/hierarchy"]] == [1]


def test_float16_statistics_do_not_overflow():
    values = np.array([-60000.0, 60000.0, 60000.0], np.float16)
    head, _, _ = encoding.split_statistics(statistics.compute_statistics(values))
    expected = values.astype(np.float64)
    assert head["std"] == pytest.approx(expected.std(), rel=1e-12)
    assert head["l2_norm"] == pytest.approx(np.linalg.norm(expected), rel=1e-12)


def test_default_step_is_used(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default(step=42):
        summary.weights({"w": np.ones(2)}, name="m")
    assert event_files.read_summaries(str(tmp_path))["m/w/tensor"][0][0] == 42


def test_newer_format_versions_are_refused_with_a_reason():
    content = json.dumps({"version": 3, "kind": "tensor"}).encode()
    with pytest.raises(metadata.PluginContentError, match="upgrade tb_weights_plugin"):
        metadata.parse_plugin_content(content)
    parsed = metadata.parse_plugin_content(json.dumps({"version": 1, "kind": "tensor"}).encode())
    assert parsed == {"version": 1, "kind": "tensor"}
    with pytest.raises(metadata.PluginContentError):
        metadata.parse_plugin_content(b"\x00not json")


def fit_and_read_steps(tmp_path, **callback_args):
    """Fits 2 epochs of 5 steps; returns the model, summaries, and steps with statistics and with tensors."""
    keras.utils.set_random_seed(0)
    model = small_model()
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    y = np.zeros((20, 2), np.float32)
    model.fit(
        x,
        y,
        batch_size=4,  # 5 optimizer steps per epoch
        epochs=2,
        verbose=0,
        callbacks=[WeightsCallback(str(tmp_path), **callback_args)],
    )
    written = event_files.read_summaries(str(tmp_path))
    statistics_steps = [step for step, _, _ in written["small/hierarchy"]]
    [sidecar] = glob.glob(os.path.join(str(tmp_path), event_records.TENSOR_FILE_PREFIX + "*"))
    records, _, _ = event_records.scan_tensor_records(sidecar)
    tensor_steps = sorted({r.step for r in records if r.tag == "small/out/kernel/tensor"})
    return model, records, statistics_steps, tensor_steps


def test_callback_logs_statistics_and_tensors_on_their_own_cadences(tmp_path):
    model, records, statistics_steps, tensor_steps = fit_and_read_steps(
        tmp_path, update_freq=2, tensor_freq=3
    )
    assert statistics_steps == [0, 2, 3, 4, 5, 6, 8, 9, 10]
    assert tensor_steps == [0, 3, 6, 9, 10]
    [final] = [r for r in records if r.tag == "small/out/kernel/tensor" and r.step == 10]
    np.testing.assert_array_equal(encoding.decode_npy(final.read_blob()), model.get_layer("out").kernel.numpy())


def test_callback_defaults_and_epoch_cadence(tmp_path):
    _, _, statistics_steps, tensor_steps = fit_and_read_steps(tmp_path / "defaults")
    # Short training: the start, every epoch end, and tensors at start and end.
    assert statistics_steps == [0, 5, 10] and tensor_steps == [0, 10]
    _, _, statistics_steps, tensor_steps = fit_and_read_steps(
        tmp_path / "epochs", update_freq="epoch", tensor_freq="epoch", log_at_train_begin=False
    )
    assert statistics_steps == [5, 10] and tensor_steps == [5, 10]


def test_callback_epoch_tensors_are_not_pre_empted_by_a_statistics_log(tmp_path):
    # update_freq=5 logs statistics at steps 5 and 10, the epoch ends.
    _, _, statistics_steps, tensor_steps = fit_and_read_steps(
        tmp_path, update_freq=5, tensor_freq="epoch", log_at_train_begin=False
    )
    assert statistics_steps == [5, 10] and tensor_steps == [5, 10]


def test_callback_passes_selection_and_storage_options(tmp_path):
    _, records, _, _ = fit_and_read_steps(
        tmp_path, include="kernel", storage_dtype="float16", update_freq="epoch"
    )
    assert {r.tag for r in records} == {"small/hidden/kernel/tensor", "small/out/kernel/tensor"}
    assert {r.content["stored_dtype"] for r in records} == {"float16"}


def test_callback_rejects_a_bad_update_freq():
    with pytest.raises(ValueError, match="update_freq must be a positive number of steps"):
        WeightsCallback("logs", update_freq=0)
    with pytest.raises(ValueError, match="update_freq"):
        WeightsCallback("logs", update_freq="batch")
    with pytest.raises(ValueError, match="tensor_freq must be a positive number of steps"):
        WeightsCallback("logs", tensor_freq=-1)
    with pytest.raises(ValueError, match="storage_dtype"):
        WeightsCallback("logs", storage_dtype="float8")


def test_update_ratio_edge_cases_follow_format_md():
    now = np.array([3.0, 4.0], np.float32)
    assert statistics.update_ratio(now, np.array([3.0, 4.5], np.float32)) == pytest.approx(0.5 / 5.0, rel=1e-15)
    assert math.isnan(statistics.update_ratio(now, None))
    assert math.isnan(statistics.update_ratio(now, np.zeros(3, np.float32)))  # shape changed
    assert statistics.update_ratio(np.zeros(2, np.float32), now) == math.inf
    assert math.isnan(statistics.update_ratio(np.zeros(2, np.float32), np.zeros(2, np.float32)))
    # A tiny change of a large tensor is not lost to cancellation.
    big = np.full(10**6, 1.0, np.float32)
    moved = big.copy()
    moved[0] = np.nextafter(np.float32(1.0), np.float32(2.0))
    assert statistics.update_ratio(moved, big) == pytest.approx(2.0**-23 / math.sqrt(10**6), rel=1e-6)
    vector = statistics.compute_statistics(moved, previous=big)
    assert encoding.split_statistics(vector)[0]["update_ratio"] == pytest.approx(2.0**-23 / math.sqrt(10**6), rel=1e-6)
