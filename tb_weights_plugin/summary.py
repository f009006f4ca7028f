"""The writer API: logs a model's variable hierarchy and tensors as summaries.

`weights()` writes to the default `tf.summary` writer, like
`tf.summary.histogram`: eagerly, inside `tf.function`, and in TF1-style graph
mode (where it returns the op to run). What it writes is described in
FORMAT.md.
"""

import json

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import summary_ops_v2

from tb_weights_plugin import hierarchy as hierarchy_lib
from tb_weights_plugin import metadata
from tb_weights_plugin import statistics as statistics_lib


class NoDefaultWriterError(RuntimeError):
    """`weights()` was called with no default summary writer set."""


def weights(obj, step=None, *, name=None):
    """Logs the variable hierarchy, statistics and full tensors of `obj`.

    For each variable this writes, at `step`: its exact full tensor (as a
    `.npy` blob) and its statistics (mean, std, min, max, L2 norm, zero
    fraction, NaN count, Inf count) with a 64-bucket histogram of its finite
    values, computed here at write time. It also writes the hierarchy (every
    module, layer and variable with shapes, dtypes, trainable flags and
    parameter counts), taken from the object graph. Tags are
    `<path>/tensor`, `<path>/statistics` and `<name>/hierarchy` (FORMAT.md).

    Args:
      obj: a Keras model (Sequential, Functional, subclassed, nested, or
        restored with `keras.models.load_model`) or layer; a `tf.Module` tree;
        a mapping of name to array, tensor or variable (names split at `/`
        into modules); a list of `tf.Variable`s, placed by their variable
        scope names; or `None` in TF1-style graph mode, meaning
        `tf.compat.v1.global_variables()`.
      step: the step, an int64-convertible scalar (a Python int or a tensor);
        defaults to `tf.summary.experimental.get_step()`.
      name: the model's name in the tree and tag prefix; defaults to the Keras
        or `tf.Module` name, `"variables"` for a mapping and
        `"global_variables"` for a list or `None`. Must not contain `/`.

    Returns:
      Eagerly: `True` if the summaries were written, `False` if summary
      recording is off (`tf.summary.record_if(False)`). In a `tf.function` or
      graph: a boolean tensor (the op to run in a TF1 session; it needs the
      writer's `init()` op to have been run, as every TF2 summary in graph
      mode does).

    Raises:
      NoDefaultWriterError: no default writer is set. Create one with
        `tf.summary.create_file_writer(log_dir)` and call `weights()` inside
        `with writer.as_default():`.
      ValueError: `step` is None and no default step is set.
      tb_weights_plugin.hierarchy.HierarchyError: `obj` is an unbuilt model
        ("call it once or build() it first"), has no numeric variables, or is
        of an unknown type. Non-numeric variables (strings, resources) are
        skipped with a warning.

    Example:

    ```python
    writer = tf.summary.create_file_writer("logs/run_1")
    with writer.as_default():
        tb_weights_plugin.summary.weights(model, step=0)
    ```
    """
    if not summary_ops_v2.has_default_writer():
        raise NoDefaultWriterError(
            "tb_weights_plugin.summary.weights() needs a default summary writer, "
            "and none is set. Create one with "
            "`writer = tf.summary.create_file_writer(log_dir)` and call weights() "
            "inside `with writer.as_default():`, or use "
            "tb_weights_plugin.WeightsCallback in model.fit."
        )
    if step is None:
        step = tf.summary.experimental.get_step()
    if step is None:
        raise ValueError(
            "No step given: pass step= to weights(), or set a default step with "
            "tf.summary.experimental.set_step(step)."
        )
    in_graph = not tf.executing_eagerly()
    trainable_variables = None
    if obj is None:
        if not in_graph:
            raise hierarchy_lib.HierarchyError(
                "obj=None logs tf.compat.v1.global_variables(), which exist only in "
                "TF1-style graph mode. Pass the model, layer or tf.Module to log."
            )
        obj = tf.compat.v1.global_variables()
        trainable_variables = tf.compat.v1.trainable_variables()
    root = hierarchy_lib.collect(obj, name=name, trainable_variables=trainable_variables)
    variables = list(root.variables())
    hierarchy_blob = json.dumps(
        {"version": metadata.PROTOCOL_VERSION, "root": root.to_json()}, sort_keys=True
    ).encode("utf-8")

    if in_graph:
        return _write_graph(root.name, variables, hierarchy_blob, step)
    if not summary_ops_v2.should_record_summaries():
        return False
    written = _write(
        root.name,
        variables,
        hierarchy_blob,
        [_summarize(hierarchy_lib.read_value(v.value)) for v in variables],
        step,
    )
    return bool(written)


def _summarize(array):
    """Returns `(statistics vector, npy bytes)` of one numpy array."""
    return statistics_lib.compute_statistics(array), statistics_lib.encode_npy(array)


def _write(model_name, variables, hierarchy_blob, summaries, step):
    """Writes the hierarchy and each variable's summaries; returns the last write's result."""
    results = [
        tf.summary.write(
            metadata.hierarchy_tag(model_name),
            tf.constant([hierarchy_blob], dtype=tf.string),
            step=step,
            metadata=metadata.create_summary_metadata(metadata.KIND_HIERARCHY, name=model_name),
        )
    ]
    for variable, (statistics_vector, npy_blob) in zip(variables, summaries):
        results.append(
            tf.summary.write(
                metadata.statistics_tag(variable.path),
                tf.convert_to_tensor(statistics_vector, dtype=tf.float64),
                step=step,
                metadata=metadata.create_summary_metadata(
                    metadata.KIND_STATISTICS, path=variable.path
                ),
            )
        )
        results.append(
            tf.summary.write(
                metadata.tensor_tag(variable.path),
                tf.reshape(tf.convert_to_tensor(npy_blob, dtype=tf.string), [1]),
                step=step,
                metadata=metadata.create_summary_metadata(metadata.KIND_TENSOR, path=variable.path),
            )
        )
    return results[-1] if tf.executing_eagerly() else tf.reduce_all(tf.stack(results))


def _graph_value(value):
    """The tensor to read a variable, array or tensor from inside a graph."""
    if hierarchy_lib._is_keras_variable(value):
        value = value.value
    if isinstance(value, tf.Variable):
        return value.read_value()
    return tf.convert_to_tensor(value)


def _write_graph(model_name, variables, hierarchy_blob, step):
    """Builds the summary ops; the numeric work runs in one `tf.py_function`."""

    def summarize_all(*tensors):
        outputs = []
        for tensor in tensors:
            outputs.extend(_summarize(np.asarray(tensor.numpy())))
        return outputs

    flat = tf.py_function(
        summarize_all,
        inp=[_graph_value(v.value) for v in variables],
        Tout=[tf.float64, tf.string] * len(variables),
    )
    summaries = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(variables))]
    return _write(model_name, variables, hierarchy_blob, summaries, step)
