"""Reads the `weights` plugin's data through a TensorBoard data provider.

Every method returns plain Python data (or bytes) and raises
`tensorboard.errors.NotFoundError` or `InvalidArgumentError` with a message
for the user; `plugin.py` turns those into HTTP answers. Reading only through
`tensorboard.data.provider.DataProvider` makes the plugin work under both the
Rust data server (`--load_fast=true`) and the Python multiplexer.
"""

import collections
import json
import logging
import re
import threading

import numpy as np

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
# Statistics tags read per data provider call for the overview: 64 tags of
# 1,000 steps of 138 float64 values is 70 MB.
_TAGS_PER_READ = 64
# Runs whose statistics matrix (the overview's data) is kept.
_MATRIX_CACHE_RUNS = 4


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
        self._matrix_cache = collections.OrderedDict()
        self._matrix_lock = threading.Lock()

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

    def _tensor_array(self, ctx, experiment_id, run, tag, step):
        """One logged tensor as numpy (`restored_values`) and its record's content."""
        blob, content = self._tensor_blob(ctx, experiment_id, run, tag, step)
        return tensor_storage.restored_values(encoding.decode_npy(blob), content["stored_dtype"]), content

    def _whole_tensor_fields(self, ctx, experiment_id, run, tag, step, values, content):
        """The fields of a view that describe the whole logged tensor (http_api.md)."""
        strides = content.get("subsample_strides")
        reduced_precision = content["stored_dtype"] != content["dtype"] and content["stored_dtype"] in (
            tensor_storage.STORAGE_DTYPES
        )
        low, high = tensor_views.finite_range(values)
        is_float = values.dtype.kind == "f"
        fields = dict(
            run=run,
            tag=tag,
            path=content.get("path"),
            step=step,
            dtype=content["dtype"],
            shape=list(content["shape"]),
            stored_dtype=content["stored_dtype"],
            reduced_precision=reduced_precision,
            subsample_strides=list(strides) if strides else None,
            min=low,
            max=high,
            nan_count=int(np.count_nonzero(np.isnan(values))) if is_float else 0,
            inf_count=int(np.count_nonzero(np.isinf(values))) if is_float else 0,
        )
        if strides or reduced_precision:
            full = self._statistics_at(ctx, experiment_id, run, content.get("path"), step)
            if full is not None:
                fields.update(
                    min=_finite_or_none(full["min"]),
                    max=_finite_or_none(full["max"]),
                    nan_count=int(full["nan_count"]),
                    inf_count=int(full["inf_count"]),
                )
        return fields

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
        values, content = self._tensor_array(ctx, experiment_id, run, tag, step)
        strides = content.get("subsample_strides")
        view = tensor_views.json_view(values, max_cells, strides, content["shape"])
        view.update(self._whole_tensor_fields(ctx, experiment_id, run, tag, step, values, content))
        view["subsample_strides"] = list(strides) if strides else None
        return view

    def _sliceable(self, ctx, experiment_id, run, tag, step, request, base_run, base_step):
        """The array a slice request reads (a diff when a base is given), and facts about it.

        Returns:
          `(array, request, values_dtype, whole tensor fields, diff)`; for a
          subsampled tensor the request is narrowed to its stored 2-D grid.

        Raises:
          NotFoundError: a tensor (or the base tensor) does not exist.
          InvalidArgumentError: the base tensor has another shape.
        """
        values, content = self._tensor_array(ctx, experiment_id, run, tag, step)
        fields = self._whole_tensor_fields(ctx, experiment_id, run, tag, step, values, content)
        fields["sliced"] = True
        values_dtype = content["stored_dtype"]
        if content.get("subsample_strides"):
            request = tensor_views.SliceRequest(
                axes=None, rows=request.rows, columns=request.columns, downsample=request.downsample
            )
            fields["sliced"] = False
        diff = None
        if base_run is not None or base_step is not None:
            base_run = run if base_run is None else base_run
            base_step = step if base_step is None else base_step
            base_values, _ = self._tensor_array(ctx, experiment_id, base_run, tag, base_step)
            if base_values.shape != values.shape:
                raise errors.InvalidArgumentError(
                    "Cannot subtract: %s at step %d has shape [%s] but %s at step %d has shape [%s]; "
                    "a diff needs tensors of the same shape."
                    % (
                        run,
                        step,
                        ", ".join(map(str, values.shape)),
                        base_run,
                        base_step,
                        ", ".join(map(str, base_values.shape)),
                    )
                )
            values = values.astype(np.float64) - base_values.astype(np.float64)
            values_dtype = "float64"
            diff = dict(base_run=base_run, base_step=base_step)
        return values, request, values_dtype, fields, diff

    def tensor_slice(self, ctx, experiment_id, run, tag, step, request, max_cells, base_run=None, base_step=None):
        """Returns the slice-mode JSON view of one tensor, or of a diff (http_api.md).

        Args:
          request: a `tensor_views.SliceRequest`.
          max_cells: the most values to return.
          base_run, base_step: for a diff, the tensor subtracted (each
            defaults to `run` and `step`); both None for no diff.

        Returns:
          The dict of `tensor_views.slice_view` plus the whole tensor's
          fields of `tensor_view` and `diff`.

        Raises:
          NotFoundError: unknown run, tag, or no tensor at a step.
          InvalidArgumentError: the request does not fit the tensor, or a
            diff of tensors of different shapes.
        """
        values, request, values_dtype, fields, diff = self._sliceable(
            ctx, experiment_id, run, tag, step, request, base_run, base_step
        )
        try:
            view = tensor_views.slice_view(values, request, max_cells, values_dtype)
        except tensor_views.SliceError as error:
            raise errors.InvalidArgumentError(str(error))
        view.update(fields)
        view["diff"] = diff
        return view

    def tensor_download(self, ctx, experiment_id, run, tag, step, output_format, request=None, base_run=None, base_step=None):
        """Returns a tensor, a slice window or a diff as a `.npy` or CSV file (http_api.md).

        Args:
          output_format: `"npy"` or `"csv"`.
          request: a `tensor_views.SliceRequest` for the window of a slice,
            or None for the whole tensor.
          base_run, base_step: as in `tensor_slice`.

        Returns:
          `(bytes, content type, file name)`.

        Raises:
          NotFoundError, InvalidArgumentError: as `tensor_slice`.
        """
        suffix = ""
        if request is None and base_run is None and base_step is None:
            if output_format == "npy":
                body = self.tensor_npy(ctx, experiment_id, run, tag, step)
            else:
                values, _ = self._tensor_array(ctx, experiment_id, run, tag, step)
                body = (
                    tensor_views.csv_matrix(values)
                    if values.ndim <= 2
                    else tensor_views.csv_long(values, ["axis_%d" % axis for axis in range(values.ndim)])
                ).encode("ascii")
        else:
            values, request, _, _, diff = self._sliceable(
                ctx, experiment_id, run, tag, step, request or tensor_views.SliceRequest(), base_run, base_step
            )
            try:
                window, _, offsets = tensor_views.slice_window(values, request)
            except tensor_views.SliceError as error:
                raise errors.InvalidArgumentError(str(error))
            if diff is not None:
                suffix += "_minus_%s_step%d" % (diff["base_run"], diff["base_step"])
            suffix += "_slice"
            if output_format == "npy":
                body = encoding.encode_npy(window)
            elif request.layout == "filters":
                header = ["grid_row", "grid_column", "tile_row", "tile_column"]
                body = tensor_views.csv_long(window, header, offsets).encode("ascii")
            else:
                body = tensor_views.csv_matrix(window).encode("ascii")
        filename = re.sub(r"[^A-Za-z0-9_.-]+", "_", "%s_%s_step%d%s.%s" % (run, tag, step, suffix, output_format))
        content_type = "application/octet-stream" if output_format == "npy" else "text/csv"
        return body, content_type, filename

    def _statistics_matrix(self, ctx, experiment_id, run):
        """Every statistics field of every variable of a run at every logged step.

        Read through the data provider in batches of `_TAGS_PER_READ` tags
        (the Rust server's answers must stay under 256 MiB) and cached per
        run until a series gains a step.

        Returns:
          `(steps, variables, fields, matrix)`: ascending steps, a list of
          `(path, statistics tag)`, the field names, and a float64 array
          `[variable, step, field + 1]`: NaN where a variable was not logged
          at a step, and a last column that is 1 where it was.

        Raises:
          NotFoundError: the run has no statistics.
        """
        series = self._series(ctx, experiment_id, metadata.KIND_STATISTICS, runs=[run]).get(run, {})
        if not series:
            raise errors.NotFoundError("Run %r has no weights statistics." % run)
        key = (
            experiment_id,
            run,
            tuple(sorted((tag, s.max_step, s.max_wall_time) for tag, (s, _) in series.items())),
        )
        with self._matrix_lock:
            cached = self._matrix_cache.get(run)
        if cached is not None and cached[0] == key:
            return cached[1]
        fields = list(metadata.STATISTICS_FIELDS)
        tags = sorted(series)
        by_tag = {}
        for start in range(0, len(tags), _TAGS_PER_READ):
            batch = tags[start : start + _TAGS_PER_READ]
            data = self._provider.read_tensors(
                ctx,
                experiment_id=experiment_id,
                plugin_name=metadata.PLUGIN_NAME,
                downsample=_ALL_SAMPLES,
                run_tag_filter=provider.RunTagFilter(runs=[run], tags=batch),
            ).get(run, {})
            by_tag.update(data)
        steps = sorted({datum.step for data in by_tag.values() for datum in data})
        column = {step: index for index, step in enumerate(steps)}
        matrix = np.full((len(tags), len(steps), len(fields) + 1), np.nan)
        variables = []
        for row, tag in enumerate(tags):
            content = series[tag][1]
            variables.append((content.get("path") or tag[: -len("/statistics")], tag))
            stored = content["fields"]
            positions = [(fields.index(name), index) for index, name in enumerate(stored) if name in fields]
            for datum in by_tag.get(tag, []):
                vector = np.asarray(datum.numpy, dtype=np.float64).reshape(-1)
                cell = matrix[row, column[datum.step]]
                if vector.size == metadata.statistics_length(content["bucket_count"], fields) and len(stored) != len(fields):
                    # A series whose first metadata predates a field: later
                    # records carry the current layout.
                    cell[: len(fields)] = vector[: len(fields)]
                else:
                    for target, source in positions:
                        cell[target] = vector[source]
                cell[-1] = 1.0
        order = self._tree_order(ctx, experiment_id, run)
        rank = {path: index for index, path in enumerate(order)}
        permutation = sorted(range(len(variables)), key=lambda i: (rank.get(variables[i][0], len(rank)), variables[i][0]))
        result = (steps, [variables[i] for i in permutation], fields, matrix[permutation])
        with self._matrix_lock:
            self._matrix_cache[run] = (key, result)
            self._matrix_cache.move_to_end(run)
            while len(self._matrix_cache) > _MATRIX_CACHE_RUNS:
                self._matrix_cache.popitem(last=False)
        return result

    def _tree_order(self, ctx, experiment_id, run):
        """Variable paths of the run's latest tree, depth first; empty if it has none."""
        try:
            models = self.tree(ctx, experiment_id, run)["models"]
        except errors.NotFoundError:
            return []
        order = []

        def walk(node):
            if node.get("kind") == "variable":
                order.append(node["path"])
            for child in node.get("children", []):
                walk(child)

        for model in models:
            walk(model)
        return order

    def overview(self, ctx, experiment_id, run, field):
        """One statistic of every variable of a run at every logged step (http_api.md).

        Args:
          field: a name of `metadata.STATISTICS_FIELDS`, or `"nonfinite"`
            (NaN count plus Inf count).

        Returns:
          `{"run", "field", "steps": [int], "variables": [{"path",
          "statistics_tag", "tensor_tag", "values": [float or None per
          step]}]}`; non-finite values stay floats (the route encodes them).

        Raises:
          InvalidArgumentError: an unknown field.
          NotFoundError: the run has no statistics.
        """
        known = list(metadata.STATISTICS_FIELDS) + ["nonfinite"]
        if field not in known:
            raise errors.InvalidArgumentError(
                "Unknown statistic %r; use one of %s." % (field, ", ".join(known))
            )
        steps, variables, fields, matrix = self._statistics_matrix(ctx, experiment_id, run)
        if field == "nonfinite":
            values = matrix[..., fields.index("nan_count")] + matrix[..., fields.index("inf_count")]
        else:
            values = matrix[..., fields.index(field)]
        logged = matrix[..., -1] == 1.0
        rows = []
        for row, (path, tag) in enumerate(variables):
            rows.append(
                dict(
                    path=path,
                    statistics_tag=tag,
                    tensor_tag=metadata.tensor_tag(path),
                    values=[float(v) if ok else None for v, ok in zip(values[row].tolist(), logged[row].tolist())],
                )
            )
        return dict(run=run, field=field, steps=steps, variables=rows)

    def first_nonfinite(self, ctx, experiment_id, run):
        """The earliest logged step at which a variable of `run` held NaN or Inf (http_api.md).

        Returns:
          `{"run", "step": int or None, "variables": [{"path", "nan_count",
          "inf_count"}]}`, variables in tree order.

        Raises:
          NotFoundError: the run has no statistics.
        """
        steps, variables, fields, matrix = self._statistics_matrix(ctx, experiment_id, run)
        nan_counts = np.nan_to_num(matrix[..., fields.index("nan_count")])
        inf_counts = np.nan_to_num(matrix[..., fields.index("inf_count")])
        bad = (nan_counts + inf_counts) > 0
        columns = np.flatnonzero(bad.any(axis=0))
        if not columns.size:
            return dict(run=run, step=None, variables=[])
        column = int(columns[0])
        return dict(
            run=run,
            step=steps[column],
            variables=[
                dict(path=path, nan_count=int(nan_counts[row, column]), inf_count=int(inf_counts[row, column]))
                for row, (path, _) in enumerate(variables)
                if bad[row, column]
            ],
        )

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
        # Only a series' first metadata is kept: when a newer writer added
        # fields to a run begun by an older one, its vectors are longer than
        # the metadata says and carry the current fields. Each record is read
        # by its own length; missing fields are NaN.
        current = list(metadata.STATISTICS_FIELDS)
        stored = content["fields"]
        current_length = metadata.statistics_length(content["bucket_count"], current)
        if any(np.asarray(datum.numpy).size == current_length for datum in data):
            fields = current
        columns = {field: [] for field in fields}
        histograms = []
        for datum in data:
            vector = np.asarray(datum.numpy).reshape(-1)
            if fields is current and vector.size != current_length:
                vector = np.concatenate(
                    [vector[: len(stored)], np.full(len(current) - len(stored), np.nan), vector[len(stored) :]]
                )
            values, edges, counts = encoding.split_statistics(vector, fields, content["bucket_count"])
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
