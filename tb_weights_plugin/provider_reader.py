"""Reads the `weights` plugin's data through a TensorBoard data provider.

Every method returns plain Python data (or bytes) and raises
`tensorboard.errors.NotFoundError` or `InvalidArgumentError` with a message
for the user; `plugin.py` turns those into HTTP answers. Reading only through
`tensorboard.data.provider.DataProvider` makes the plugin work under both the
Rust data server (`--load_fast=true`) and the Python multiplexer.
"""

import json
import logging

from tensorboard import errors
from tensorboard.data import provider

from tb_weights_plugin import event_records
from tb_weights_plugin import metadata
from tb_weights_plugin import encoding
from tb_weights_plugin import tensor_storage
from tb_weights_plugin import tensor_views

logger = logging.getLogger(__name__)

# Data provider reads take a number of samples to keep; we want every one.
# The Rust server's gRPC answer for one read must stay under 256 MiB, so reads
# here always name one run and, for tensors, one tag.
_ALL_SAMPLES = 1 << 30


class ProviderReader:
    """The plugin's data access, over a `tensorboard.data.provider.DataProvider`.

    Full tensors of format version 2 are read from the event files through
    `tensor_store` (they are not in the data provider); version 1 tensors,
    stored as blob sequences, through the data provider.

    Args:
      data_provider: the provider from `TBContext.data_provider`.
      tensor_store: a `tensor_index.TensorStore` over TensorBoard's log
        directory, or None when the log directory is not a local folder.
    """

    def __init__(self, data_provider, tensor_store=None):
        self._provider = data_provider
        self._tensor_store = tensor_store

    def _series(self, ctx, experiment_id, kind, runs=None, tags=None):
        """Returns `{run: {tag: (time series, parsed plugin content)}}` of one kind.

        Series written by a newer, unreadable format version are skipped with
        a warning, so one bad series does not hide the rest.
        """
        run_tag_filter = provider.RunTagFilter(runs=runs, tags=tags)
        list_method = (
            self._provider.list_tensors
            if kind == metadata.KIND_STATISTICS
            else self._provider.list_blob_sequences
        )
        listing = list_method(
            ctx,
            experiment_id=experiment_id,
            plugin_name=metadata.PLUGIN_NAME,
            run_tag_filter=run_tag_filter,
        )
        result = {}
        for run, tag_to_series in listing.items():
            for tag, series in tag_to_series.items():
                try:
                    content = metadata.parse_plugin_content(series.plugin_content)
                except metadata.PluginContentError as error:
                    logger.warning("Skipping run %r tag %r: %s", run, tag, error)
                    continue
                if content["kind"] == kind:
                    result.setdefault(run, {})[tag] = (series, content)
        return result

    def _blob_data(self, ctx, experiment_id, run, tags):
        """Returns `{tag: [BlobSequenceDatum sorted by step]}` for tags of one run."""
        data = self._provider.read_blob_sequences(
            ctx,
            experiment_id=experiment_id,
            plugin_name=metadata.PLUGIN_NAME,
            downsample=_ALL_SAMPLES,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=list(tags)),
        )
        return data.get(run, {})

    def _run_order(self, ctx, experiment_id):
        """`{run name: rank}` in TensorBoard's order: by start time, then name.

        The same order as TensorBoard's `/data/runs`; providers themselves
        list runs in no fixed order (the Rust data server's varies).
        """
        runs = sorted(
            self._provider.list_runs(ctx, experiment_id=experiment_id),
            key=lambda run: (
                run.start_time if run.start_time is not None else float("inf"),
                run.run_name,
            ),
        )
        return {run.run_name: index for index, run in enumerate(runs)}

    def runs(self, ctx, experiment_id):
        """Lists the runs with weights data.

        Returns:
          `{"runs": [{"run": str, "steps": [int, ...], "models": [str, ...]}]}`,
          runs in TensorBoard's order (by start time), steps ascending.
        """
        hierarchies = self._series(ctx, experiment_id, metadata.KIND_HIERARCHY)
        order = self._run_order(ctx, experiment_id)
        result = []
        for run in sorted(hierarchies, key=lambda r: (order.get(r, len(order)), r)):
            tag_to_series = hierarchies[run]
            data = self._blob_data(ctx, experiment_id, run, tag_to_series)
            steps = sorted({datum.step for datum_list in data.values() for datum in datum_list})
            models = sorted(content["name"] for _, content in tag_to_series.values())
            result.append(dict(run=run, steps=steps, models=models))
        return dict(runs=result)

    def tree(self, ctx, experiment_id, run, step=None):
        """Returns the hierarchy of every model logged in `run` at `step`.

        Args:
          run: the run name.
          step: an int, or None for the run's latest logged step.

        Returns:
          `{"run": str, "step": int, "models": [module node, ...]}`, nodes as
          in FORMAT.md.

        Raises:
          NotFoundError: the run has no weights data, or none at `step`.
        """
        hierarchies = self._series(ctx, experiment_id, metadata.KIND_HIERARCHY, runs=[run])
        if run not in hierarchies:
            raise errors.NotFoundError("Run %r has no weights data." % run)
        data = self._blob_data(ctx, experiment_id, run, hierarchies[run])
        if step is None:
            steps = [datum.step for datum_list in data.values() for datum in datum_list]
            if not steps:
                raise errors.NotFoundError("Run %r has no weights data." % run)
            step = max(steps)
        models = []
        for tag in sorted(data):
            datum = _at_step(data[tag], step)
            if datum is None:
                continue
            blob = self._provider.read_blob(ctx, blob_key=datum.values[0].blob_key)
            models.append(json.loads(blob.decode("utf-8"))["root"])
        if not models:
            raise errors.NotFoundError(
                "Run %r logged no weights at step %d; its logged steps are listed by "
                "the runs route." % (run, step)
            )
        return dict(run=run, step=step, models=models)

    def _tensor_records(self, run, tag):
        """`{step: TensorRecord}` of a version-2 tensor tag (empty without a store)."""
        if self._tensor_store is None:
            return {}
        return self._tensor_store.records(run, tag)

    def _v1_tensor_series(self, ctx, experiment_id, run, tag):
        """The version-1 blob sequence series of a tensor tag, or None."""
        series = self._series(ctx, experiment_id, metadata.KIND_TENSOR, runs=[run], tags=[tag])
        return series.get(run, {}).get(tag)

    def _tensor_blob(self, ctx, experiment_id, run, tag, step):
        """Reads one logged tensor's `.npy` blob.

        Returns:
          `(blob bytes, content)`: the blob as stored (a bfloat16 tensor as
          its uint16 bits) and the record's plugin content, whose `dtype`,
          `shape`, `stored_dtype` and `subsample_strides` describe it (filled
          in for version-1 tensors, which are stored whole and exact).

        Raises:
          NotFoundError: unknown run or tag, or no tensor at `step`.
        """
        if run not in self._series(ctx, experiment_id, metadata.KIND_HIERARCHY, runs=[run]):
            raise errors.NotFoundError("Run %r has no weights data." % run)
        record = self._tensor_records(run, tag).get(step)
        if record is not None:
            try:
                return record.read_blob(), record.content
            except event_records.RecordCorruptError as error:
                raise errors.NotFoundError("The tensor of %r at step %d is damaged: %s" % (tag, step, error))
        series = self._v1_tensor_series(ctx, experiment_id, run, tag)
        if series is None and not self._tensor_records(run, tag):
            raise errors.NotFoundError(
                "Run %r has no tensor tag %r; take the tensor_tag of a variable node "
                "from the tree route." % (run, tag)
            )
        datum = None
        if series is not None:
            datum = _at_step(self._blob_data(ctx, experiment_id, run, [tag]).get(tag, []), step)
        if datum is None:
            raise errors.NotFoundError("Tag %r of run %r has no tensor at step %d." % (tag, run, step))
        blob = self._provider.read_blob(ctx, blob_key=datum.values[0].blob_key)
        array = encoding.decode_npy(blob)
        content = dict(series[1])
        content.update(
            dtype=array.dtype.name, shape=list(array.shape), stored_dtype=array.dtype.name, subsample_strides=None
        )
        return blob, content

    def tensor_npy(self, ctx, experiment_id, run, tag, step):
        """Returns the logged tensor as `.npy` bytes: exactly what was stored.

        The stored blob itself, except that a bfloat16-stored tensor comes back
        as float32 holding exactly its bfloat16 values (`.npy` has no
        bfloat16); a subsampled one is its stored grid.

        Raises:
          NotFoundError: unknown run, tag, or no tensor at `step`.
        """
        blob, content = self._tensor_blob(ctx, experiment_id, run, tag, step)
        if content["stored_dtype"] != "bfloat16":
            return blob
        return encoding.encode_npy(tensor_storage.restored_values(encoding.decode_npy(blob), "bfloat16"))

    def tensor_view(self, ctx, experiment_id, run, tag, step, max_cells):
        """Returns the JSON display view of one tensor (see `tensor_views.json_view`).

        Args:
          max_cells: the largest number of values to return.

        Returns:
          The dict of `tensor_views.json_view`, plus `run`, `tag`, `path`,
          `step`, `dtype` and `shape` of the variable, `stored_dtype` and
          `reduced_precision`. For a reduced tensor, `min`, `max`,
          `nan_count` and `inf_count` are those of the full tensor, from its
          statistics at that step.

        Raises:
          NotFoundError: unknown run, tag, or no tensor at `step`.
        """
        blob, content = self._tensor_blob(ctx, experiment_id, run, tag, step)
        values = tensor_storage.restored_values(encoding.decode_npy(blob), content["stored_dtype"])
        strides = content.get("subsample_strides")
        view = tensor_views.json_view(values, max_cells, strides, content["shape"])
        reduced_precision = content["stored_dtype"] != content["dtype"] and content["stored_dtype"] in (
            tensor_storage.STORAGE_DTYPES
        )
        if strides or reduced_precision:
            full = self._statistics_at(ctx, experiment_id, run, content.get("path"), step)
            if full is not None:
                view.update(
                    min=_finite_or_none(full["min"]),
                    max=_finite_or_none(full["max"]),
                    nan_count=int(full["nan_count"]),
                    inf_count=int(full["inf_count"]),
                )
        view.update(
            run=run,
            tag=tag,
            path=content.get("path"),
            step=step,
            dtype=content["dtype"],
            shape=list(content["shape"]),
            stored_dtype=content["stored_dtype"],
            reduced_precision=reduced_precision,
        )
        return view

    def _statistics_at(self, ctx, experiment_id, run, path, step):
        """The statistics dict of a variable at one step, or None."""
        if path is None:
            return None
        try:
            result = self.statistics(ctx, experiment_id, run, metadata.statistics_tag(path))
        except errors.NotFoundError:
            return None
        if step not in result["steps"]:
            return None
        index = result["steps"].index(step)
        return {field: values[index] for field, values in result["statistics"].items()}

    def statistics(self, ctx, experiment_id, run, tag):
        """Returns the statistics and histograms of one variable over its logged steps.

        Returns:
          `{"run", "tag", "path", "steps": [int], "wall_times": [float seconds],
          "statistics": {field: [float per step]}, "histograms": [{"step",
          "edges", "counts"}]}`; non-finite values stay floats (the route
          encodes them).

        Raises:
          NotFoundError: unknown run or statistics tag.
        """
        series = self._series(
            ctx, experiment_id, metadata.KIND_STATISTICS, runs=[run], tags=[tag]
        )
        if tag not in series.get(run, {}):
            raise errors.NotFoundError(
                "Run %r has no statistics tag %r; take the statistics_tag of a "
                "variable node from the tree route." % (run, tag)
            )
        content = series[run][tag][1]
        fields = content["fields"]
        data = self._provider.read_tensors(
            ctx,
            experiment_id=experiment_id,
            plugin_name=metadata.PLUGIN_NAME,
            downsample=_ALL_SAMPLES,
            run_tag_filter=provider.RunTagFilter(runs=[run], tags=[tag]),
        )[run][tag]
        columns = {field: [] for field in fields}
        histograms = []
        for datum in data:
            values, edges, counts = encoding.split_statistics(
                datum.numpy, fields, content["bucket_count"]
            )
            for field in fields:
                columns[field].append(values[field])
            histograms.append(dict(step=datum.step, edges=edges.tolist(), counts=counts.tolist()))
        tensor_tag = metadata.tensor_tag(content["path"]) if content.get("path") else None
        tensor_steps = set(self._tensor_records(run, tensor_tag)) if tensor_tag else set()
        if tensor_tag and self._v1_tensor_series(ctx, experiment_id, run, tensor_tag) is not None:
            tensor_steps.update(
                datum.step for datum in self._blob_data(ctx, experiment_id, run, [tensor_tag]).get(tensor_tag, [])
            )
        return dict(
            run=run,
            tag=tag,
            path=content.get("path"),
            tensor_steps=sorted(tensor_steps),
            steps=[datum.step for datum in data],
            wall_times=[datum.wall_time for datum in data],
            statistics=columns,
            histograms=histograms,
        )


def _finite_or_none(value):
    return value if value == value and abs(value) != float("inf") else None


def _at_step(data, step):
    """The datum of `data` logged at exactly `step` (the newest if logged twice), or None."""
    for datum in reversed(data):
        if datum.step == step:
            return datum
    return None
