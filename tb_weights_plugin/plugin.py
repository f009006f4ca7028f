"""The TensorBoard plugin: HTTP routes of the Weights dashboard.

Each route parses its arguments, calls one method of `ProviderReader`, and
responds; errors become JSON answers in one place (`_json_errors`). The routes
are documented in `http_api.md` beside this module.
"""

import functools
import json
import logging
import math
import os
import re

import werkzeug
from tensorboard import errors
from tensorboard import plugin_util
from tensorboard.backend import http_util
from tensorboard.plugins import base_plugin

from tb_weights_plugin import metadata
from tb_weights_plugin import provider_reader
from tb_weights_plugin import tensor_index
from tb_weights_plugin import tensor_views

logger = logging.getLogger(__name__)

_STATIC_FILE = re.compile(r"^[A-Za-z0-9_-]+\.(js|css)$")
_CONTENT_TYPES = {"js": "text/javascript", "css": "text/css"}


def frontend_directory():
    """The folder of the dashboard's static files.

    Installed from a wheel or sdist it is the `frontend` package data beside
    this module; in a source checkout (or an editable install) it is the
    top-level `frontend/` folder.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "frontend")
    if os.path.isfile(os.path.join(installed, "index.js")):
        return installed
    return os.path.join(os.path.dirname(here), "frontend")


def _json_default(value):
    raise TypeError("Not JSON serialisable: %r" % (value,))


def _finite_or_string(value):
    """Replaces non-finite floats, which JSON cannot hold, by strings, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _finite_or_string(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite_or_string(item) for item in value]
    return value


def _respond_json(request, body, code=200):
    text = json.dumps(body, allow_nan=False, default=_json_default, separators=(",", ":"))
    return http_util.Respond(request, text, "application/json", code=code)


def _json_errors(handler):
    """Answers `PublicError`s as `{"error": message}` with their status, others as 500."""

    @functools.wraps(handler)
    def wrapper(self, request):
        try:
            return handler(self, request)
        except errors.PublicError as error:
            return _respond_json(request, {"error": str(error)}, code=error.http_code)
        except Exception:  # a bug; never send a traceback to the browser
            logger.exception("weights plugin failed on %s", request.full_path)
            return _respond_json(
                request,
                {"error": "Internal error in the weights plugin; TensorBoard's log has the details."},
                code=500,
            )

    return wrapper


def _string_argument(request, name):
    value = request.args.get(name)
    if value is None or value == "":
        raise errors.InvalidArgumentError("Missing required parameter %r." % name)
    return value


def _int_argument(request, name, default=None, minimum=None, maximum=None):
    """Parses an integer query parameter; `default=None` makes it required."""
    text = request.args.get(name)
    if text is None or text == "":
        if default is None:
            raise errors.InvalidArgumentError("Missing required parameter %r (an integer)." % name)
        return default
    try:
        value = int(text)
    except ValueError:
        raise errors.InvalidArgumentError("Parameter %r must be an integer, got %r." % (name, text))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = (
            "between %d and %d" % (minimum, maximum)
            if maximum is not None
            else "at least %d" % minimum
        )
        raise errors.InvalidArgumentError("Parameter %r must be %s, got %d." % (name, bounds, value))
    return value


_SLICE_PARAMETERS = ("axes", "other", "rows", "columns", "downsample", "layout", "tile_axes")


def _axis_list(request, name):
    """Parses a comma-separated list of axis numbers; `""` is the empty tuple."""
    text = request.args.get(name, "")
    try:
        return tuple(int(item) for item in text.split(",")) if text else ()
    except ValueError:
        raise errors.InvalidArgumentError(
            "Parameter %r must be comma-separated axis numbers such as 2,3; got %r." % (name, text)
        )


def _window_argument(request, name):
    """Parses `START:STOP` (non-negative ints, START < STOP), or None when absent."""
    text = request.args.get(name, "")
    if not text:
        return None
    match = re.fullmatch(r"(\d+):(\d+)", text)
    if not match or int(match.group(1)) >= int(match.group(2)):
        raise errors.InvalidArgumentError(
            "Parameter %r must be START:STOP with 0 <= START < STOP, such as 0:64; got %r." % (name, text)
        )
    return int(match.group(1)), int(match.group(2))


def _slice_request(request):
    """The `tensor_views.SliceRequest` of the tensor route's slice parameters, or None if none is given."""
    if not any(name in request.args for name in _SLICE_PARAMETERS):
        return None
    other = None
    if "other" in request.args:
        text = request.args.get("other", "")
        other = tuple(
            int(entry) if re.fullmatch(r"\d+", entry) else entry for entry in (text.split(",") if text else [])
        )
        for entry in other:
            if isinstance(entry, str) and entry not in tensor_views.REDUCTIONS:
                raise errors.InvalidArgumentError(
                    "Each entry of 'other' must be an index (0, 1, ...) or one of %s; got %r."
                    % (", ".join(tensor_views.REDUCTIONS), entry)
                )
    downsample = request.args.get("downsample", "mean")
    if downsample not in tensor_views.DOWNSAMPLE_METHODS:
        raise errors.InvalidArgumentError(
            "Parameter 'downsample' must be one of %s; got %r."
            % (", ".join(tensor_views.DOWNSAMPLE_METHODS), downsample)
        )
    layout = request.args.get("layout", "heatmap")
    if layout not in tensor_views.LAYOUTS:
        raise errors.InvalidArgumentError(
            "Parameter 'layout' must be one of %s; got %r." % (", ".join(tensor_views.LAYOUTS), layout)
        )
    return tensor_views.SliceRequest(
        axes=_axis_list(request, "axes") if "axes" in request.args else None,
        other=other,
        rows=_window_argument(request, "rows"),
        columns=_window_argument(request, "columns"),
        downsample=downsample,
        layout=layout,
        tile_axes=_axis_list(request, "tile_axes"),
    )


class WeightsPlugin(base_plugin.TBPlugin):
    """The Weights dashboard: a layer tree and per-step tensor views.

    Args:
      context: a `base_plugin.TBContext`: its `data_provider` serves the
        hierarchy and statistics, and its `logdir`, when a local folder, the
        full tensors (read from the event files by offset).
    """

    plugin_name = metadata.PLUGIN_NAME

    def __init__(self, context):
        logdir = getattr(context, "logdir", None)
        store = tensor_index.TensorStore(logdir) if logdir and os.path.isdir(logdir) else None
        self._reader = provider_reader.ProviderReader(context.data_provider, store)
        self._frontend = frontend_directory()

    def get_plugin_apps(self):
        return {
            "/index.js": self._serve_index,
            "/static/*": self._serve_static,
            "/runs": self._serve_runs,
            "/tree": self._serve_tree,
            "/tensor": self._serve_tensor,
            "/stats": self._serve_stats,
            "/overview": self._serve_overview,
            "/first_nonfinite": self._serve_first_nonfinite,
        }

    def is_active(self):
        # TensorBoard core marks the plugin active when the data provider lists
        # our plugin name in any run.
        return False

    def frontend_metadata(self):
        return base_plugin.FrontendMetadata(es_module_path="/index.js", tab_name="Weights")

    @staticmethod
    def _context(request):
        return (
            plugin_util.context(request.environ),
            plugin_util.experiment_id(request.environ),
        )

    def _static_response(self, request, filename):
        match = _STATIC_FILE.match(filename)
        path = os.path.join(self._frontend, filename)
        if not match or not os.path.isfile(path):
            raise errors.NotFoundError("No static file %r." % filename)
        with open(path, "rb") as file:
            contents = file.read()
        return http_util.Respond(request, contents, _CONTENT_TYPES[match.group(1)])

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_index(self, request):
        return self._static_response(request, "index.js")

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_static(self, request):
        prefix = "/data/plugin/%s/static/" % metadata.PLUGIN_NAME
        path = request.path
        filename = path[path.index(prefix) + len(prefix) :] if prefix in path else ""
        return self._static_response(request, filename)

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_runs(self, request):
        ctx, experiment = self._context(request)
        return _respond_json(request, self._reader.runs(ctx, experiment))

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_tree(self, request):
        ctx, experiment = self._context(request)
        run = _string_argument(request, "run")
        step = None if request.args.get("step", "") == "" else _int_argument(request, "step", minimum=0)
        return _respond_json(request, self._reader.tree(ctx, experiment, run, step))

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_tensor(self, request):
        ctx, experiment = self._context(request)
        run = _string_argument(request, "run")
        tag = _string_argument(request, "tag")
        step = _int_argument(request, "step", minimum=0)
        output_format = request.args.get("format", "json")
        if output_format not in ("json", "npy", "csv"):
            raise errors.InvalidArgumentError(
                "Parameter 'format' must be 'json', 'npy' or 'csv', got %r." % output_format
            )
        slice_request = _slice_request(request)
        base_run = request.args.get("base_run") or None
        base_step = (
            None if request.args.get("base_step", "") == "" else _int_argument(request, "base_step", minimum=0)
        )
        if output_format != "json":
            body, content_type, filename = self._reader.tensor_download(
                ctx, experiment, run, tag, step, output_format, slice_request, base_run, base_step
            )
            return http_util.Respond(
                request,
                body,
                content_type,
                headers=[("Content-Disposition", 'attachment; filename="%s"' % filename)],
            )
        max_cells = _int_argument(
            request,
            "max_cells",
            default=tensor_views.DEFAULT_MAX_CELLS,
            minimum=1,
            maximum=tensor_views.MAX_MAX_CELLS,
        )
        if slice_request is not None or base_run is not None or base_step is not None:
            view = self._reader.tensor_slice(
                ctx,
                experiment,
                run,
                tag,
                step,
                slice_request or tensor_views.SliceRequest(),
                max_cells,
                base_run,
                base_step,
            )
            return _respond_json(request, view)
        view = self._reader.tensor_view(ctx, experiment, run, tag, step, max_cells)
        # tensor_views.json_view already sent non-finite values as strings,
        # and its min and max are finite or None: no need to walk 65k values.
        return _respond_json(request, view)

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_stats(self, request):
        ctx, experiment = self._context(request)
        run = _string_argument(request, "run")
        tag = _string_argument(request, "tag")
        return _respond_json(
            request, _finite_or_string(self._reader.statistics(ctx, experiment, run, tag))
        )

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_overview(self, request):
        ctx, experiment = self._context(request)
        run = _string_argument(request, "run")
        field = _string_argument(request, "field")
        return _respond_json(request, _finite_or_string(self._reader.overview(ctx, experiment, run, field)))

    @werkzeug.wrappers.Request.application
    @_json_errors
    def _serve_first_nonfinite(self, request):
        ctx, experiment = self._context(request)
        run = _string_argument(request, "run")
        return _respond_json(request, self._reader.first_nonfinite(ctx, experiment, run))


class WeightsLoader(base_plugin.TBLoader):
    """Loads `WeightsPlugin` and raises TensorBoard's retention for its data.

    By default TensorBoard keeps 10 blob samples per (run, tag) of a
    third-party plugin and drops other steps silently, so a long run would
    lose most logged steps. Unless the user passed
    `--samples_per_plugin=weights=N`, this sets `weights=0` (keep every
    step of the hierarchy and statistics) before TensorBoard builds its data
    ingester. Full tensors are read from the event files, not from
    TensorBoard's memory: `weights_tensors=1` makes the Python loader keep
    only the latest of those it meets (the Rust loader keeps none).
    """

    def fix_flags(self, flags):
        samples = getattr(flags, "samples_per_plugin", None)
        if isinstance(samples, dict):
            samples.setdefault(metadata.PLUGIN_NAME, 0)
            samples.setdefault(metadata.TENSORS_PLUGIN_NAME, 1)

    def load(self, context):
        return WeightsPlugin(context)
