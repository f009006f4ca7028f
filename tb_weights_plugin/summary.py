"""The writer API: logs a model's variable hierarchy and tensors as summaries.

`weights()` writes to the default `tf.summary` writer, like
`tf.summary.histogram`: eagerly, inside `tf.function`, and in TF1-style graph
mode (where it returns the op to run). What it writes is described in
FORMAT.md: the hierarchy and per-variable statistics go through the default
writer (TensorBoard keeps them in memory and serves them through its data
provider); full tensors go to an event file of their own that TensorBoard's
loaders skip and the plugin reads by offset, when the writer was made with
`create_file_writer` below (otherwise through the default writer, slower).
"""

import concurrent.futures
import json
import os
import re
import threading
import time
import weakref

import numpy as np
import tensorflow as tf
from tensorboard.compat.proto import summary_pb2
from tensorboard.util import tensor_util
from tensorflow.python.ops import summary_ops_v2

from tb_weights_plugin import encoding
from tb_weights_plugin import event_records
from tb_weights_plugin import hierarchy as hierarchy_lib
from tb_weights_plugin import metadata
from tb_weights_plugin import statistics as statistics_lib
from tb_weights_plugin import tensor_storage


class NoDefaultWriterError(RuntimeError):
    """`weights()` was called with no default summary writer set."""


# Writers made by `create_file_writer` → their log directory, and → the
# tensor record writer opened for them on first use. Like TensorFlow's own
# event file, a record file belongs to one writer: a new writer starts a new
# file, and the file closes when its writer is garbage collected.
_LOG_DIRS = weakref.WeakKeyDictionary()
_RECORD_WRITERS = weakref.WeakKeyDictionary()
_RECORD_WRITERS_LOCK = threading.Lock()
# Each writer's last logged value of every variable, by model name and
# variable path, for the update ratio: one host copy of the logged variables
# per writer, released with the writer.
_PREVIOUS_VALUES = weakref.WeakKeyDictionary()
_PREVIOUS_VALUES_LOCK = threading.Lock()
# Full tensors are written on a worker thread while the caller computes the
# statistics: large file writes release the GIL, so the two overlap. (The
# reverse, statistics on a thread pool, ran 3× slower than serial: numpy's
# many short calls contend for the GIL.)
_TENSOR_WRITER_THREAD = concurrent.futures.ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="tb_weights_tensor_writer"
)


def create_file_writer(log_dir, **kwargs):
    """Creates a `tf.summary` writer whose full tensors take the fast path.

    A drop-in for `tf.summary.create_file_writer(log_dir, **kwargs)` (same
    arguments, same writer). It also remembers `log_dir`, so `weights()`
    called under this writer writes full tensors to their own event file in
    `log_dir` directly, at close to the speed of writing the raw bytes, and
    TensorBoard never holds them in memory. Under a writer made by
    `tf.summary.create_file_writer`, `weights()` still works but writes full
    tensors through that writer, about three times slower.

    Args:
      log_dir: the run's directory (str or path-like).
      **kwargs: passed to `tf.summary.create_file_writer`.

    Returns:
      The `tf.summary.SummaryWriter`.
    """
    writer = tf.summary.create_file_writer(str(log_dir), **kwargs)
    _LOG_DIRS[writer] = os.fspath(log_dir)
    return writer


def _record_writer():
    """The tensor record writer of the default writer, or None if its log dir is unknown."""
    default_writer = summary_ops_v2._summary_state.writer
    log_dir = _LOG_DIRS.get(default_writer)
    if log_dir is None:
        return None
    with _RECORD_WRITERS_LOCK:
        record_writer = _RECORD_WRITERS.get(default_writer)
        if record_writer is None:
            record_writer = _RECORD_WRITERS[default_writer] = event_records.TensorRecordWriter(log_dir)
        return record_writer


def _previous_values(model_name):
    """`{variable path: last logged numpy value}` of `model_name` under the default writer."""
    default_writer = summary_ops_v2._summary_state.writer
    with _PREVIOUS_VALUES_LOCK:
        by_model = _PREVIOUS_VALUES.setdefault(default_writer, {})
        return by_model.setdefault(model_name, {})


def _patterns(value, argument):
    if value is None:
        return None
    if isinstance(value, (str, re.Pattern)):
        value = [value]
    try:
        return [re.compile(pattern) for pattern in value]
    except (re.error, TypeError) as error:
        raise ValueError(
            "%s must be a regular expression or a list of them, matched with "
            "re.search against variable paths; %r is not: %s" % (argument, value, error)
        )


def weights(
    obj,
    step=None,
    *,
    name=None,
    tensors=True,
    include=None,
    exclude=None,
    storage_dtype=None,
    max_tensor_bytes=None,
):
    """Logs the variable hierarchy, statistics and full tensors of `obj`.

    For each variable this writes, at `step`: its statistics (mean, std, min,
    max, L2 norm, zero fraction, NaN count, Inf count, and the update ratio
    `||W_t - W_prev|| / ||W_t||` against the value this writer logged last
    time for the same model and path, NaN the first time) with a 64-bucket
    histogram of its finite values, computed here from the full tensor; and,
    unless `tensors=False`, its full tensor as a `.npy` blob (exact unless a
    storage option reduces it). It also writes the hierarchy (every module,
    layer and selected variable with shapes, dtypes, trainable flags and
    parameter counts), taken from the object graph. Tags are `<path>/tensor`,
    `<path>/statistics` and `<name>/hierarchy` (FORMAT.md).

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
      tensors: whether to write full tensors at this step (statistics and the
        hierarchy are always written), a Python bool, e.g.
        `tensors=(step % 1000 == 0)` with a Python int step to log statistics
        often and tensors rarely. Inside `tf.function` it is fixed when traced.
      include: a regular expression, or a list of them; if given, only
        variables whose path (`model/layer/kernel`) matches one (`re.search`)
        are logged.
      exclude: the same; variables whose path matches are not logged. Modules
        left with no logged variable are left out of the tree.
      storage_dtype: `None` (exact values), `"float16"` or `"bfloat16"`: store
        full tensors of wider floating point variables in 16 bits, half the
        bytes of float32. The dashboard says when it shows reduced precision.
      max_tensor_bytes: `None`, or the most bytes (int) to store per full
        tensor: larger ones are stored as a deterministic strided subsample
        (every k-th row and column of the 2-D view); the dashboard says so.

    Returns:
      Eagerly: `True` if the summaries were written, `False` if summary
      recording is off (`tf.summary.record_if(False)`). In a `tf.function` or
      graph: a boolean tensor (the op to run in a TF1 session; it needs the
      writer's `init()` op to have been run, as every TF2 summary in graph
      mode does).

    Raises:
      NoDefaultWriterError: no default writer is set. Create one with
        `tb_weights_plugin.summary.create_file_writer(log_dir)` (or
        `tf.summary.create_file_writer`) and call `weights()` inside
        `with writer.as_default():`.
      ValueError: `step` is None and no default step is set; or a storage
        option or pattern is invalid.
      tb_weights_plugin.hierarchy.HierarchyError: `obj` is an unbuilt model
        ("call it once or build() it first"), has no numeric variables (or
        none that `include`/`exclude` select), or is of an unknown type.
        Non-numeric variables (strings, resources) are skipped with a warning.

    Example:

    ```python
    writer = tb_weights_plugin.summary.create_file_writer("logs/run_1")
    with writer.as_default():
        tb_weights_plugin.summary.weights(model, step=0)
    ```
    """
    if not summary_ops_v2.has_default_writer():
        raise NoDefaultWriterError(
            "tb_weights_plugin.summary.weights() needs a default summary writer, "
            "and none is set. Create one with "
            "`writer = tb_weights_plugin.summary.create_file_writer(log_dir)` and "
            "call weights() inside `with writer.as_default():`, or use "
            "tb_weights_plugin.WeightsCallback in model.fit."
        )
    if step is None:
        step = tf.summary.experimental.get_step()
    if step is None:
        raise ValueError(
            "No step given: pass step= to weights(), or set a default step with "
            "tf.summary.experimental.set_step(step)."
        )
    tensor_storage.check_options(storage_dtype, max_tensor_bytes)
    include_patterns = _patterns(include, "include")
    exclude_patterns = _patterns(exclude, "exclude")
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
    hierarchy_lib.select(root, include_patterns, exclude_patterns)
    log = _Log(
        model_name=root.name,
        variables=list(root.variables()),
        hierarchy_blob=json.dumps(
            {"version": metadata.PROTOCOL_VERSION, "root": root.to_json()}, sort_keys=True
        ).encode("utf-8"),
        tensors=bool(tensors),
        storage_dtype=storage_dtype,
        max_tensor_bytes=max_tensor_bytes,
        record_writer=_record_writer(),
        previous_values=_previous_values(root.name),
    )
    if in_graph:
        return log.write_graph(step)
    if not summary_ops_v2.should_record_summaries():
        return False
    arrays = _read_values([variable.value for variable in log.variables])
    summary_bytes, fallback_tensors = log.summarize(arrays, int(step))
    written = tf.summary.experimental.write_raw_pb(summary_bytes, step=step)
    for variable, (blob, tensor_metadata) in zip(log.variables, fallback_tensors):
        _write_fallback_tensor(variable, blob, tensor_metadata, step)
    return bool(written)


# Readers of variable lists seen before, by the variables' identities: one
# tf.function call reads them all, instead of one eager op per variable
# (2.6× faster for the demo model, 1.5× for ResNet50). A reader's function
# holds its variables alive, so only a few are kept.
_VARIABLE_READERS = {}
_VARIABLE_READERS_LIMIT = 8


def _read_values(values):
    """Reads variables, tensors and arrays into numpy arrays (copies of variables)."""
    variables = [v for v in values if hierarchy_lib._is_variable(v)]
    read = {}
    if variables:
        key = tuple(id(v) for v in variables)
        reader = _VARIABLE_READERS.get(key)
        # Ids are reused after objects die: check the same objects are alive.
        if reader is None or any(ref() is not v for ref, v in zip(reader[0], variables)):
            if len(_VARIABLE_READERS) >= _VARIABLE_READERS_LIMIT:
                _VARIABLE_READERS.clear()
            handles = [v.value if hierarchy_lib._is_keras_variable(v) else v for v in variables]
            function = tf.function(lambda: [tf.identity(h) for h in handles], autograph=False)
            reader = _VARIABLE_READERS[key] = ([weakref.ref(v) for v in variables], function)
        for variable, tensor in zip(variables, reader[1]()):
            read[id(variable)] = tensor.numpy()
    return [read[id(v)] if id(v) in read else hierarchy_lib.read_value(v) for v in values]


def _write_fallback_tensor(variable, blob, tensor_metadata, step):
    return tf.summary.write(
        metadata.tensor_tag(variable.path),
        tf.reshape(tf.convert_to_tensor(blob, dtype=tf.string), [1]),
        step=step,
        metadata=tensor_metadata,
    )


class _Log:
    """One call of `weights()`: what to write, and how."""

    def __init__(
        self, model_name, variables, hierarchy_blob, tensors, storage_dtype, max_tensor_bytes, record_writer,
        previous_values,
    ):
        self.model_name = model_name
        self.variables = variables
        self.hierarchy_blob = hierarchy_blob
        self.tensors = tensors
        self.storage_dtype = storage_dtype
        self.max_tensor_bytes = max_tensor_bytes
        self.record_writer = record_writer
        self.previous_values = previous_values

    def summarize(self, arrays, step):
        """Computes statistics and writes or encodes full tensors for numpy `arrays`.

        Returns:
          `(summary_bytes, fallback_tensors)`: one serialized `Summary` with
          the hierarchy and every statistics value, for `write_raw_pb`; and,
          when there is no record writer, `(npy bytes, SummaryMetadata)` per
          variable to write through the default writer (else empty).
        """
        fallback_tensors = []
        writing = None
        if self.tensors:
            writing = _TENSOR_WRITER_THREAD.submit(self._write_tensors, arrays, step, fallback_tensors)
        statistics = [
            statistics_lib.compute_statistics(array, previous=self.previous_values.get(variable.path))
            for variable, array in zip(self.variables, arrays)
        ]
        if writing is not None:
            writing.result()  # re-raises an error of the writer thread here
        for variable, array in zip(self.variables, arrays):
            # A numpy array given in a mapping is the caller's, who may change
            # it in place; values read from variables are fresh copies.
            self.previous_values[variable.path] = array.copy() if array is variable.value else array
        summary = summary_pb2.Summary()
        summary.value.add(
            tag=metadata.hierarchy_tag(self.model_name),
            metadata=metadata.create_summary_metadata(metadata.KIND_HIERARCHY, name=self.model_name),
            tensor=tensor_util.make_tensor_proto([self.hierarchy_blob]),
        )
        for variable, vector in zip(self.variables, statistics):
            summary.value.add(
                tag=metadata.statistics_tag(variable.path),
                metadata=metadata.create_summary_metadata(metadata.KIND_STATISTICS, path=variable.path),
                tensor=tensor_util.make_tensor_proto(vector),
            )
        return summary.SerializeToString(), fallback_tensors

    def _write_tensors(self, arrays, step, fallback_tensors):
        """Writes full-tensor records, or collects fallback blobs into `fallback_tensors`."""
        wall_time = time.time()
        for variable, array in zip(self.variables, arrays):
            stored, fields = tensor_storage.stored_tensor(array, self.storage_dtype, self.max_tensor_bytes)
            tensor_metadata = metadata.create_summary_metadata(metadata.KIND_TENSOR, path=variable.path, **fields)
            if self.record_writer is not None:
                self.record_writer.write(
                    metadata.tensor_tag(variable.path),
                    step,
                    wall_time,
                    stored,
                    tensor_metadata.SerializeToString(),
                )
            else:
                fallback_tensors.append((encoding.encode_npy(stored), tensor_metadata))
        if self.record_writer is not None:
            self.record_writer.flush()

    def write_graph(self, step):
        """Builds the ops, run only when summaries are recorded (`tf.summary.record_if`).

        The numeric work runs in one `tf.py_function`, which TensorFlow would
        run whatever the recording condition, hence the `tf.cond`.
        """
        return tf.cond(
            summary_ops_v2.should_record_summaries(),
            lambda: self._write_graph(step),
            lambda: tf.constant(False),
        )

    def _write_graph(self, step):
        fallback = self.tensors and self.record_writer is None

        def run(step_value, *tensors):
            summary_bytes, fallback_tensors = self.summarize(
                [np.asarray(tensor.numpy()) for tensor in tensors], int(step_value.numpy())
            )
            return [summary_bytes] + [blob for blob, _ in fallback_tensors]

        outputs = tf.py_function(
            run,
            inp=[tf.cast(step, tf.int64)] + [_graph_value(v.value) for v in self.variables],
            Tout=[tf.string] * (1 + (len(self.variables) if fallback else 0)),
        )
        results = [tf.summary.experimental.write_raw_pb(outputs[0], step=step)]
        if fallback:
            for variable, blob in zip(self.variables, outputs[1:]):
                # The metadata depends only on dtype, shape and options, known now.
                placeholder = np.empty(variable.shape, hierarchy_lib.numpy_dtype(variable.dtype))
                _, fields = tensor_storage.stored_tensor(placeholder, self.storage_dtype, self.max_tensor_bytes)
                tensor_metadata = metadata.create_summary_metadata(
                    metadata.KIND_TENSOR, path=variable.path, **fields
                )
                results.append(_write_fallback_tensor(variable, blob, tensor_metadata, step))
        return tf.reduce_all(tf.stack(results))


def _graph_value(value):
    """The tensor to read a variable, array or tensor from inside a graph."""
    if hierarchy_lib._is_keras_variable(value):
        value = value.value
    if isinstance(value, tf.Variable):
        return value.read_value()
    return tf.convert_to_tensor(value)
