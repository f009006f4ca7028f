"""tb_weights_plugin.reader loads logs into numpy without TensorBoard running."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import LOGGED_STEPS
from tb_weights_plugin import summary
from tb_weights_plugin.reader import WeightsReader

KERNEL = "classifier/features/dense/kernel"


def test_reader_round_trips_exact_values(logged_runs):
    logdir, logged = logged_runs
    reader = WeightsReader(logdir)
    assert reader.runs() == ["run_a", "run_b"]
    assert reader.steps("run_a") == list(LOGGED_STEPS)
    assert [model["path"] for model in reader.tree("run_b")] == ["classifier"]
    variables = reader.variables("run_a", step=1)
    assert variables[KERNEL]["shape"] == [8, 12]
    assert variables["classifier/features/batch_normalization/moving_mean"]["trainable"] is False
    for run in ("run_a", "run_b"):
        for step in LOGGED_STEPS:
            for path, expected in logged[run][step].items():
                value = reader.tensor(run, path, step)
                assert value.dtype == expected.dtype
                np.testing.assert_array_equal(value, expected)
    stats = reader.statistics("run_a", KERNEL)
    np.testing.assert_array_equal(stats["steps"], LOGGED_STEPS)
    np.testing.assert_array_equal(stats["tensor_steps"], LOGGED_STEPS)
    expected_norms = [np.linalg.norm(logged["run_a"][s][KERNEL].astype(np.float64)) for s in LOGGED_STEPS]
    np.testing.assert_allclose(stats["l2_norm"], expected_norms, rtol=1e-12)
    assert stats["histogram_counts"].shape == (3, 64) and stats["histogram_edges"].shape == (3, 65)
    assert (stats["histogram_counts"].sum(axis=1) == 96).all()


def test_reader_reports_reduced_storage_and_follows_new_steps(tmp_path):
    kernel = np.arange(40, dtype=np.float32).reshape(8, 5) / 7
    writer = summary.create_file_writer(str(tmp_path / "run"))
    with writer.as_default():
        summary.weights({"k": kernel}, step=0, name="m", storage_dtype="float16")
    writer.flush()
    reader = WeightsReader(str(tmp_path))
    assert reader.tensor("run", "m/k", 0).dtype == np.float16
    assert reader.tensor_info("run", "m/k", 0) == {
        "dtype": "float32", "shape": [8, 5], "stored_dtype": "float16", "subsample_strides": None,
    }
    with writer.as_default():
        summary.weights({"k": kernel * 2}, step=1, name="m")
    writer.close()
    reader.reload()
    assert reader.steps("run") == [0, 1]
    np.testing.assert_array_equal(reader.tensor("run", "m/k", 1), kernel * 2)


def test_reader_errors_name_what_is_missing(logged_runs):
    reader = WeightsReader(logged_runs[0])
    with pytest.raises(KeyError, match="Run 'nope' has no weights data"):
        reader.steps("nope")
    with pytest.raises(KeyError, match="has no tensor at step 9"):
        reader.tensor("run_a", KERNEL, 9)
    with pytest.raises(KeyError, match="has no statistics tag"):
        reader.statistics("run_a", "classifier/nothing")
