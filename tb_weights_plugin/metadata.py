"""Plugin name, tags and plugin content of the `weights` plugin.

The event file format is documented in `FORMAT.md` beside this module. This
module is the one place that knows how tags are formed and how the plugin
content is encoded and parsed, for the writer and the reader alike.
"""

import json

from tensorboard.compat.proto import summary_pb2

PLUGIN_NAME = "weights"
# Full tensors are written under a plugin name of their own with
# DATA_CLASS_UNKNOWN, so TensorBoard's data loaders do not keep them in memory;
# the plugin reads them from the event files by offset (event_records.py).
TENSORS_PLUGIN_NAME = "weights_tensors"

# Version of the plugin content and of the blobs it describes. Readers accept
# every version up to this one; see `parse_plugin_content`. Version 1 stored
# full tensors as DATA_CLASS_BLOB_SEQUENCE under PLUGIN_NAME (still read).
PROTOCOL_VERSION = 2

KIND_HIERARCHY = "hierarchy"
KIND_STATISTICS = "statistics"
KIND_TENSOR = "tensor"
_KINDS = (KIND_HIERARCHY, KIND_STATISTICS, KIND_TENSOR)

# The statistics stored per variable and step, in the order they are stored.
STATISTICS_FIELDS = (
    "mean",
    "std",
    "min",
    "max",
    "l2_norm",
    "zero_fraction",
    "nan_count",
    "inf_count",
    "update_ratio",
)
BUCKET_COUNT = 64

_DATA_CLASS = {
    KIND_HIERARCHY: summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
    KIND_STATISTICS: summary_pb2.DATA_CLASS_TENSOR,
    KIND_TENSOR: summary_pb2.DATA_CLASS_UNKNOWN,
}


class PluginContentError(ValueError):
    """Plugin content that this version of the plugin cannot read."""


def hierarchy_tag(model_name):
    """Returns the tag of a model's hierarchy series, e.g. `"m/hierarchy"`."""
    return "%s/%s" % (model_name, KIND_HIERARCHY)


def tensor_tag(variable_path):
    """Returns the tag of a variable's full-tensor series, e.g. `"m/d/kernel/tensor"`."""
    return "%s/%s" % (variable_path, KIND_TENSOR)


def statistics_tag(variable_path):
    """Returns the tag of a variable's statistics series, e.g. `"m/d/kernel/statistics"`."""
    return "%s/%s" % (variable_path, KIND_STATISTICS)


def statistics_length(bucket_count=BUCKET_COUNT, fields=STATISTICS_FIELDS):
    """Returns the length of a statistics vector: fields, edges, then counts."""
    return len(fields) + 2 * bucket_count + 1


def create_summary_metadata(kind, **fields):
    """Builds the `SummaryMetadata` for one series of this plugin.

    Args:
      kind: one of `"hierarchy"`, `"statistics"`, `"tensor"`.
      **fields: the kind's plugin content fields (see FORMAT.md), e.g.
        `name=` for a hierarchy, `path=` for a variable's series.

    Returns:
      A `summary_pb2.SummaryMetadata` with JSON content carrying `version`
      and `kind`, and `data_class` set explicitly (TensorBoard back-fills it
      only for its own plugins). Tensors go under `TENSORS_PLUGIN_NAME` with
      `DATA_CLASS_UNKNOWN`; the rest under `PLUGIN_NAME`.

    Raises:
      ValueError: `kind` is not one of the three kinds.
    """
    if kind not in _KINDS:
        raise ValueError("Unknown kind %r; expected one of %s" % (kind, _KINDS))
    content = dict(version=PROTOCOL_VERSION, kind=kind)
    if kind == KIND_STATISTICS:
        content.update(fields=list(STATISTICS_FIELDS), bucket_count=BUCKET_COUNT)
    elif kind == KIND_TENSOR:
        content.update(encoding="npy")
    else:
        content.update(encoding="json")
    content.update(fields)
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=TENSORS_PLUGIN_NAME if kind == KIND_TENSOR else PLUGIN_NAME,
            content=json.dumps(content, sort_keys=True).encode("utf-8"),
        ),
        data_class=_DATA_CLASS[kind],
    )


def parse_plugin_content(content):
    """Parses the plugin content of a series written by this plugin.

    Args:
      content: the `bytes` of `SummaryMetadata.plugin_data.content`.

    Returns:
      A `dict` with at least `version` (int) and `kind` (str).

    Raises:
      PluginContentError: the content is not a JSON object with a known
        `kind`, or its `version` is newer than `PROTOCOL_VERSION` (upgrade
        `tb_weights_plugin` to read it).
    """
    try:
        parsed = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise PluginContentError("Plugin content is not UTF-8 JSON: %s" % error)
    if not isinstance(parsed, dict) or parsed.get("kind") not in _KINDS:
        raise PluginContentError("Plugin content has no known kind: %r" % (parsed,))
    version = parsed.get("version")
    if not isinstance(version, int) or version < 1:
        raise PluginContentError("Plugin content has no valid version: %r" % (parsed,))
    if version > PROTOCOL_VERSION:
        raise PluginContentError(
            "Data was written with format version %d, but this tb_weights_plugin "
            "reads versions up to %d; upgrade tb_weights_plugin to read it."
            % (version, PROTOCOL_VERSION)
        )
    return parsed


def parse_summary_metadata(serialized):
    """Parses serialized `SummaryMetadata` bytes; returns None if they are not one."""
    summary_metadata = summary_pb2.SummaryMetadata()
    try:
        summary_metadata.ParseFromString(serialized)
    except Exception:  # protobuf's DecodeError varies by implementation
        return None
    return summary_metadata
