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

from tb_weights_plugin import metadata
from tb_weights_plugin import statistics as statistics_lib
from tb_weights_plugin import tensor_views

logger = logging.getLogger(__name__)

# Data provider reads take a number of samples to keep; we want every one.
# The Rust server's gRPC answer for one read must stay under 256 MiB, so reads
# here always name one run and, for tensors, one tag.
_ALL_SAMPLES = 1 << 30


class ProviderReader:
    """The plugin's data access, over a `tensorboard.data.provider.DataProvider`.

    Args:
      data_provider: the provider from `TBContext.data_provider`.
    """

    def __init__(self, data_provider):
        self._provider = data_provider

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

    def _tensor_datum(self, ctx, experiment_id, run, tag, step):
        series = self._series(ctx, experiment_id, metadata.KIND_TENSOR, runs=[run], tags=[tag])
        if tag not in series.get(run, {}):
            raise errors.NotFoundError(
                "Run %r has no tensor tag %r; take the tensor_tag of a variable node "
                "from the tree route." % (run, tag)
            )
        content = series[run][tag][1]
        datum = _at_step(self._blob_data(ctx, experiment_id, run, [tag]).get(tag, []), step)
        if datum is None:
            raise errors.NotFoundError("Tag %r of run %r has no tensor at step %d." % (tag, run, step))
        return datum, content

    def tensor_npy(self, ctx, experiment_id, run, tag, step):
        """Returns the exact logged tensor as `.npy` bytes.

        Raises:
          NotFoundError: unknown run, tag, or no tensor at `step`.
        """
        datum, _ = self._tensor_datum(ctx, experiment_id, run, tag, step)
        return self._provider.read_blob(ctx, blob_key=datum.values[0].blob_key)

    def tensor_view(self, ctx, experiment_id, run, tag, step, max_cells):
        """Returns the JSON display view of one tensor (see `tensor_views.json_view`).

        Args:
          max_cells: the largest number of values to return.

        Returns:
          The dict of `tensor_views.json_view`, plus `run`, `tag`, `path`,
          `step`, `dtype` and `shape` of the logged tensor.

        Raises:
          NotFoundError: unknown run, tag, or no tensor at `step`.
        """
        datum, content = self._tensor_datum(ctx, experiment_id, run, tag, step)
        array = statistics_lib.decode_npy(
            self._provider.read_blob(ctx, blob_key=datum.values[0].blob_key)
        )
        view = tensor_views.json_view(array, max_cells)
        view.update(
            run=run,
            tag=tag,
            path=content.get("path"),
            step=datum.step,
            dtype=array.dtype.name,
            shape=list(array.shape),
        )
        return view

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
            values, edges, counts = statistics_lib.split_statistics(
                datum.numpy, fields, content["bucket_count"]
            )
            for field in fields:
                columns[field].append(values[field])
            histograms.append(dict(step=datum.step, edges=edges.tolist(), counts=counts.tolist()))
        return dict(
            run=run,
            tag=tag,
            path=content.get("path"),
            steps=[datum.step for datum in data],
            wall_times=[datum.wall_time for datum in data],
            statistics=columns,
            histograms=histograms,
        )


def _at_step(data, step):
    """The datum of `data` logged at exactly `step` (the newest if logged twice), or None."""
    for datum in reversed(data):
        if datum.step == step:
            return datum
    return None
