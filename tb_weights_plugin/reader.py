"""Reads weights logs into numpy from a log directory, without TensorBoard running.

The same reading code as the dashboard's (`provider_reader.ProviderReader`
over TensorBoard's own event file loader, `tensor_index.TensorStore` for full
tensors), so what you read here is what the dashboard shows.

Example:

```python
from tb_weights_plugin.reader import WeightsReader

reader = WeightsReader("demo/logs")
reader.runs()                                   # ['adam_lr_0.01', 'adam_lr_0.001']
reader.steps("adam_lr_0.01")                    # [0, 25, 45, ...]
kernel = reader.tensor("adam_lr_0.01", "digits_classifier/logits/kernel", step=900)
stats = reader.statistics("adam_lr_0.01", "digits_classifier/logits/kernel")
stats["steps"], stats["l2_norm"]                # numpy arrays, one value per step
```
"""

import numpy as np
from tensorboard import context
from tensorboard import errors
from tensorboard.backend.event_processing import data_provider
from tensorboard.backend.event_processing import plugin_event_multiplexer

from tb_weights_plugin import encoding
from tb_weights_plugin import metadata
from tb_weights_plugin import provider_reader
from tb_weights_plugin import tensor_index


class WeightsReader:
    """The weights logs of one log directory, loaded once.

    Args:
      logdir: a local folder, as given to `tensorboard --logdir`; each folder
        below it with event files is a run, named by its relative path.

    Every logged step of the hierarchy and statistics is loaded (no
    sampling); full tensors are read from the event files when asked for.
    Call `reload()` to pick up what was written since.
    """

    def __init__(self, logdir):
        self._logdir = str(logdir)
        self._multiplexer = plugin_event_multiplexer.EventMultiplexer(
            tensor_size_guidance={metadata.PLUGIN_NAME: 0, metadata.TENSORS_PLUGIN_NAME: 1}
        )
        self._multiplexer.AddRunsFromDirectory(self._logdir)
        self._reader = provider_reader.ProviderReader(
            data_provider.MultiplexerDataProvider(self._multiplexer, self._logdir),
            tensor_index.TensorStore(self._logdir, refresh_seconds=0),
        )
        self._context = context.RequestContext()
        self.reload()

    def reload(self):
        """Loads what was appended to the event files since the last load."""
        self._multiplexer.AddRunsFromDirectory(self._logdir)
        self._multiplexer.Reload()

    def _call(self, method, *args):
        try:
            return method(self._context, "", *args)
        except errors.NotFoundError as error:
            raise KeyError(str(error)) from None

    def _runs(self):
        return {run["run"]: run for run in self._call(self._reader.runs)["runs"]}

    def runs(self):
        """The names of the runs with weights data, by start time (list of str)."""
        return list(self._runs())

    def steps(self, run):
        """The logged steps of `run`, ascending (list of int).

        Raises:
          KeyError: `run` has no weights data.
        """
        runs = self._runs()
        if run not in runs:
            raise KeyError("Run %r has no weights data; runs: %s" % (run, sorted(runs)))
        return runs[run]["steps"]

    def tree(self, run, step=None):
        """The hierarchy of the models logged in `run` at `step` (default: the latest).

        Returns:
          A list of root module nodes, dicts as described in FORMAT.md.

        Raises:
          KeyError: unknown run, or nothing logged at `step`.
        """
        return self._call(self._reader.tree, run, step)["models"]

    def variables(self, run, step=None):
        """`{variable path: variable node}` of `run` at `step`, in tree order."""
        found = {}

        def walk(node):
            for child in node.get("children", []):
                if child["kind"] == "variable":
                    found[child["path"]] = child
                elif child["kind"] == "module":
                    walk(child)

        for root in self.tree(run, step):
            walk(root)
        return found

    def tensor(self, run, path, step):
        """The logged value of a variable at a step.

        Args:
          run: the run name.
          path: the variable's path (`model/layer/kernel`).
          step: an int step at which its full tensor was logged.

        Returns:
          A numpy array: exactly the logged values, or what was stored of them
          (float16 for `storage_dtype="float16"`, the float32 values of a
          bfloat16-stored tensor, the strided grid of a subsampled one; see
          `tensor_info`).

        Raises:
          KeyError: unknown run or variable, or no full tensor at `step`.
        """
        return encoding.decode_npy(self._call(self._reader.tensor_npy, run, metadata.tensor_tag(path), step))

    def tensor_info(self, run, path, step):
        """What was stored of a variable at a step: `dtype` and `shape` of the
        variable, `stored_dtype`, `subsample_strides` (a dict; see FORMAT.md)."""
        view = self._call(self._reader.tensor_view, run, metadata.tensor_tag(path), step, 1)
        return {key: view[key] for key in ("dtype", "shape", "stored_dtype", "subsample_strides")}

    def statistics(self, run, path):
        """A variable's statistics over its logged steps.

        Returns:
          A dict of numpy arrays: `steps` (int64), `tensor_steps` (the steps
          with a full tensor, int64), `wall_times` (float64 seconds), one
          float64 array per statistic (`mean`, `std`, `min`, `max`,
          `l2_norm`, `zero_fraction`, `nan_count`, `inf_count`,
          `update_ratio`; NaN at a run's first log of the variable, and at
          steps written by a version that predates the field), and
          `histogram_edges` (steps × 65) and `histogram_counts` (steps × 64).

        Raises:
          KeyError: unknown run or variable.
        """
        result = self._call(self._reader.statistics, run, metadata.statistics_tag(path))
        arrays = dict(
            steps=np.array(result["steps"], np.int64),
            tensor_steps=np.array(result["tensor_steps"], np.int64),
            wall_times=np.array(result["wall_times"], np.float64),
            histogram_edges=np.array([h["edges"] for h in result["histograms"]], np.float64),
            histogram_counts=np.array([h["counts"] for h in result["histograms"]], np.float64),
        )
        for field, values in result["statistics"].items():
            arrays[field] = np.array(values, np.float64)
        return arrays

