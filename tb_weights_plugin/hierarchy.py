"""Collects the variable hierarchy of a model from its object graph.

The tree is built by walking objects (Keras layers and their sublayers,
`tf.Module` attributes, mapping keys), never by splitting variable name
strings: in Keras 3, `variable.path` depends on the name scope the variable
was created in, so after `save`/`load_model` `inner_seq/d_in/kernel` comes
back as `d_in/kernel`. Only TF1-style variables, whose names *are* their
variable scopes, are placed by their names.

A module or variable reachable from two parents (a shared layer, tied
weights) appears once, under the first parent in traversal order (its owner);
the other parents hold a `ReferenceNode` to it, and the owner's node lists
them in `shared_with`.
"""

import collections.abc
import dataclasses
import logging
import re
from typing import List

import numpy as np

logger = logging.getLogger(__name__)


class HierarchyError(ValueError):
    """An object whose variables cannot be logged, with what to do about it."""


@dataclasses.dataclass
class VariableNode:
    """A variable (or array) in the tree.

    Attributes:
      name: its name within its parent module (`"kernel"`).
      path: `/`-joined names from the root (`"model/dense/kernel"`).
      shape: the variable's shape, a tuple of ints.
      dtype: numpy-style dtype name (`"float32"`, `"bfloat16"`).
      trainable: whether an optimizer updates it; `False` for BatchNormalization
        moving statistics, for frozen layers and for plain arrays.
      value: the object holding the value (a `tf.Variable`, `keras.Variable`,
        tensor or numpy array); read it with `read_value`.
      axis_names: None, or a name per axis from the owning layer's kernel
        layout (`["kh", "kw", "in", "out"]`); see `axis_layout`.
      filter_layout: None, or for a convolution kernel
        `{"tile_axes": [...], "grid_axes": [row axis, column axis]}`.
    """

    name: str
    path: str
    shape: tuple
    dtype: str
    trainable: bool
    value: object
    axis_names: list = None
    filter_layout: dict = None

    @property
    def parameter_count(self):
        """The number of elements, an int (1 for a scalar)."""
        return int(np.prod(self.shape, dtype=np.int64))

    def to_json(self):
        from tb_weights_plugin import metadata

        result = dict(
            kind="variable",
            name=self.name,
            path=self.path,
            shape=list(self.shape),
            dtype=self.dtype,
            trainable=self.trainable,
            parameter_count=self.parameter_count,
            tensor_tag=metadata.tensor_tag(self.path),
            statistics_tag=metadata.statistics_tag(self.path),
        )
        if self.axis_names is not None:
            result["axis_names"] = list(self.axis_names)
        if self.filter_layout is not None:
            result["filter_layout"] = dict(self.filter_layout)
        return result


@dataclasses.dataclass
class ReferenceNode:
    """A second use of a module or variable that appears elsewhere in the tree.

    Attributes:
      name: its name under this parent.
      path: its path under this parent.
      target: the path of the node where it appears, under its owner.
      class_name: the referenced module's class name, or `"Variable"`.
    """

    name: str
    path: str
    target: str
    class_name: str

    def to_json(self):
        return dict(
            kind="reference",
            name=self.name,
            path=self.path,
            target=self.target,
            class_name=self.class_name,
        )


@dataclasses.dataclass
class ModuleNode:
    """A model, layer, `tf.Module`, variable scope or container in the tree.

    Attributes:
      name: the layer name (Keras), attribute name (`tf.Module`), scope name
        (TF1) or mapping key.
      path: `/`-joined names from the root.
      class_name: the Python class name (`"Dense"`), or `"list"`, `"dict"`,
        `"variable_scope"` for groupings.
      children: `ModuleNode`, `VariableNode` and `ReferenceNode` children in
        object-graph order.
      shared_with: paths of other parents that also use this module.
    """

    name: str
    path: str
    class_name: str
    children: list = dataclasses.field(default_factory=list)
    shared_with: List[str] = dataclasses.field(default_factory=list)

    @property
    def parameter_count(self):
        """Elements of all variables in the subtree, each counted once (from `to_json`)."""
        return self.to_json()["parameter_count"]

    @property
    def trainable_parameter_count(self):
        """Elements of the trainable variables in the subtree (from `to_json`)."""
        return self.to_json()["trainable_parameter_count"]

    def variables(self):
        """Yields every `VariableNode` of the subtree, depth first, in order."""
        for child in self.children:
            if isinstance(child, VariableNode):
                yield child
            elif isinstance(child, ModuleNode):
                yield from child.variables()

    def to_json(self):
        """Returns the node as the JSON-ready dict described in FORMAT.md.

        Counts are summed bottom-up from the children's dicts, so the whole
        tree is encoded in one linear pass.
        """
        children = [child.to_json() for child in self.children]
        counted = [child for child in children if child["kind"] != "reference"]
        trainable = sum(
            child["trainable_parameter_count"]
            if child["kind"] == "module"
            else (child["parameter_count"] if child["trainable"] else 0)
            for child in counted
        )
        return dict(
            kind="module",
            name=self.name,
            path=self.path,
            class_name=self.class_name,
            parameter_count=sum(child["parameter_count"] for child in counted),
            trainable_parameter_count=trainable,
            shared_with=list(self.shared_with),
            children=children,
        )


def dtype_name(dtype):
    """Returns the numpy-style name of a TF, Keras or numpy dtype (`"float32"`)."""
    name = getattr(dtype, "name", None)
    if isinstance(name, str) and not isinstance(dtype, np.dtype):
        return name  # tf.DType
    try:
        return np.dtype(dtype).name
    except TypeError:
        return str(dtype)


_NUMERIC_KINDS = "biuf"


def is_numeric_dtype(name):
    """Whether values of the dtype named `name` can be shown and summarised.

    Real numbers and booleans are numeric; strings, resources, variants and
    complex numbers are not.
    """
    if name == "bfloat16":
        return True
    try:
        return np.dtype(name).kind in _NUMERIC_KINDS
    except TypeError:
        return False


_SPATIAL_AXIS_NAMES = {1: ["k"], 2: ["kh", "kw"], 3: ["kd", "kh", "kw"]}
_CHANNEL_VARIABLES = ("gamma", "beta", "moving_mean", "moving_variance")


def axis_layout(layer, variable_name, shape):
    """Names the axes of a Keras layer's weight, from the layer's kernel layout.

    Keras stores every convolution kernel as `[spatial..., in, out]`
    (`[spatial..., out, in]` for transposed convolutions, `[spatial..., in,
    multiplier]` for depthwise ones) whatever the `data_format`
    (`keras/src/layers/convolutional/base_conv.py` and siblings), Dense
    kernels as `[in, out]` and embeddings as `[token, dimension]`.

    Args:
      layer: the Keras layer that owns the weight.
      variable_name: the weight's name in the layer (`"kernel"`, `"bias"`,
        `"depthwise_kernel"`, ...).
      shape: the weight's shape, a tuple of ints.

    Returns:
      `(axis_names, filter_layout)`: a list of one name per axis or None, and
      for a convolution kernel with tiles larger than 1×1 (a 1×1 kernel reads
      best as an in × out heat map), `{"tile_axes": [...],
      "grid_axes": [input channel axis, output channel axis]}` (grid rows are
      input channels, columns output channels), else None.
    """
    layers = _keras().layers
    rank = len(shape)
    spatial = rank - 2
    names, grid = None, None
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        if variable_name == "depthwise_kernel" and spatial in _SPATIAL_AXIS_NAMES:
            names, grid = _SPATIAL_AXIS_NAMES[spatial] + ["in", "multiplier"], [spatial, spatial + 1]
        elif variable_name == "pointwise_kernel" and spatial in _SPATIAL_AXIS_NAMES:
            names = _SPATIAL_AXIS_NAMES[spatial] + ["in", "out"]
    elif isinstance(layer, (layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        if variable_name == "kernel" and spatial in _SPATIAL_AXIS_NAMES:
            names, grid = _SPATIAL_AXIS_NAMES[spatial] + ["in", "multiplier"], [spatial, spatial + 1]
    elif isinstance(layer, (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)):
        if variable_name == "kernel" and spatial in _SPATIAL_AXIS_NAMES:
            names, grid = _SPATIAL_AXIS_NAMES[spatial] + ["out", "in"], [spatial + 1, spatial]
    elif isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D)):
        if variable_name == "kernel" and spatial in _SPATIAL_AXIS_NAMES:
            names, grid = _SPATIAL_AXIS_NAMES[spatial] + ["in", "out"], [spatial, spatial + 1]
    elif isinstance(layer, layers.Dense):
        if variable_name == "kernel" and rank == 2:
            names = ["in", "out"]
    elif isinstance(layer, layers.Embedding):
        if variable_name == "embeddings" and rank == 2:
            names = ["token", "dimension"]
    elif isinstance(layer, (layers.LSTMCell, layers.GRUCell, layers.SimpleRNNCell)):
        if variable_name == "kernel" and rank == 2:
            names = ["in", "gate × unit"]
        elif variable_name == "recurrent_kernel" and rank == 2:
            names = ["unit", "gate × unit"]
    if names is None and rank == 1:
        if variable_name == "bias":
            names = ["out"]
        elif variable_name in _CHANNEL_VARIABLES:
            names = ["channel"]
    filter_layout = None
    if grid is not None:
        # The three spatial axes of a 3-D kernel: depth is sliced or reduced,
        # height × width make the tile.
        tile_axes = list(range(spatial))[-2:]
        if any(shape[axis] > 1 for axis in tile_axes):
            filter_layout = dict(tile_axes=tile_axes, grid_axes=grid)
    return names, filter_layout


def read_value(value):
    """Reads a variable, tensor or array into a numpy array (a copy for variables)."""
    if hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    return np.asarray(value)


def _is_keras_layer(obj):
    keras = _keras()
    return keras is not None and isinstance(obj, keras.layers.Layer)


def _is_keras_variable(obj):
    keras = _keras()
    return keras is not None and isinstance(obj, keras.Variable)


def _is_tf_variable(obj):
    tf = _tensorflow()
    return tf is not None and isinstance(obj, tf.Variable)


def _is_tf_module(obj):
    tf = _tensorflow()
    return tf is not None and isinstance(obj, tf.Module)


def _is_variable(obj):
    return _is_tf_variable(obj) or _is_keras_variable(obj)


def _keras():
    try:
        import keras
    except ImportError:  # pragma: no cover - keras ships with tensorflow
        return None
    return keras


def _tensorflow():
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover
        return None
    return tf


def _strip_output_index(name):
    """`"scope/w:0"` → `"scope/w"`: TF1 names end in the output index."""
    return re.sub(r":\d+$", "", name)


class _Builder:
    """Builds one tree; remembers which objects it has placed, by identity."""

    def __init__(self, trainable_ids=None):
        self._trainable_ids = trainable_ids
        self._placed = {}  # id(obj) -> node placed for it
        self._keep_alive = []  # ids are only unique while the objects live

    def _trainable(self, variable):
        if self._trainable_ids is not None:
            return id(variable) in self._trainable_ids
        return bool(getattr(variable, "trainable", False))

    def _reference(self, parent, name, obj):
        """Returns a ReferenceNode if `obj` is already in the tree, else None."""
        placed = self._placed.get(id(obj))
        if placed is None:
            return None
        path = _join(parent.path, name)
        if isinstance(placed, ModuleNode):
            placed.shared_with.append(parent.path)
            class_name = placed.class_name
        else:
            class_name = "Variable"
        return ReferenceNode(name=name, path=path, target=placed.path, class_name=class_name)

    def _place(self, obj, node):
        self._placed[id(obj)] = node
        self._keep_alive.append(obj)

    def add_variable(self, parent, name, value, trainable=None):
        """Adds a variable, array or tensor under `parent`; skips non-numeric ones."""
        name = _unique_name(parent, name)
        reference = self._reference(parent, name, value)
        if reference is not None:
            parent.children.append(reference)
            return
        if _is_variable(value):
            dtype = dtype_name(value.dtype)
            shape = tuple(int(d) for d in value.shape)
            if trainable is None:
                trainable = self._trainable(value)
        else:
            if not hasattr(value, "dtype") or not hasattr(value, "shape"):
                value = np.asarray(value)
            dtype = dtype_name(value.dtype)
            shape = tuple(int(d) for d in value.shape)
            trainable = bool(trainable)
        path = _join(parent.path, name)
        if not is_numeric_dtype(dtype):
            logger.warning(
                "Skipping variable %r: its dtype %s is not a real number type, so it "
                "has no values to show. Only boolean, integer and floating point "
                "variables are logged.",
                path,
                dtype,
            )
            return
        node = VariableNode(
            name=name,
            path=path,
            shape=shape,
            dtype=dtype,
            trainable=trainable,
            value=value,
        )
        self._place(value, node)
        parent.children.append(node)

    def add_module(self, parent, name, obj):
        """Adds a Keras layer or `tf.Module` (and its subtree) under `parent`."""
        name = _unique_name(parent, name)
        reference = self._reference(parent, name, obj)
        if reference is not None:
            parent.children.append(reference)
            return
        node = ModuleNode(name=name, path=_join(parent.path, name), class_name=type(obj).__name__)
        self._place(obj, node)
        parent.children.append(node)
        self.fill_module(node, obj)

    def fill_module(self, node, obj):
        if _is_keras_layer(obj):
            self._fill_keras_layer(node, obj)
        else:
            self._fill_tf_module(node, obj)

    def _fill_keras_layer(self, node, layer):
        keras = _keras()
        own = list(getattr(layer, "_trainable_variables", [])) + list(
            getattr(layer, "_non_trainable_variables", [])
        )
        for variable in own:
            self.add_variable(node, variable.name, variable)
            added = node.children[-1] if node.children else None
            if isinstance(added, VariableNode) and added.value is variable:
                added.axis_names, added.filter_layout = axis_layout(layer, variable.name, added.shape)
        for sublayer in layer._flatten_layers(include_self=False, recursive=False):
            if isinstance(sublayer, keras.layers.InputLayer):
                continue
            self.add_module(node, sublayer.name, sublayer)

    def _fill_tf_module(self, node, module):
        def wanted(value):
            return _is_variable(value) or _is_tf_module(value) or _is_keras_layer(value)

        for attribute_path, value in module._flatten(
            recursive=False, predicate=wanted, with_path=True
        ):
            parent = self._container(node, module, attribute_path[:-1])
            name = str(attribute_path[-1])
            if _is_variable(value):
                self.add_variable(parent, name, value)
            else:
                self.add_module(parent, name, value)

    def _container(self, node, module, attribute_path):
        """Returns the grouping node for a list or dict attribute, creating it."""
        parent = node
        container = module
        for key in attribute_path:
            container = getattr(container, key) if parent is node else container[key]
            parent = _child_module(parent, str(key), _container_class_name(container))
        return parent

    def add_named(self, root, entries, class_name):
        """Places `(name, value, trainable)` entries by their `/`-separated names.

        Used for TF1 variables (scope names) and mapping keys; each name segment
        but the last becomes a module node of class `class_name`.
        """
        for name, value, trainable in entries:
            segments = [segment for segment in name.split("/") if segment]
            if not segments:
                raise HierarchyError("A variable has an empty name %r; give it a name." % (name,))
            parent = root
            for segment in segments[:-1]:
                parent = _child_module(parent, segment, class_name)
            if isinstance(value, collections.abc.Mapping):
                group = ModuleNode(
                    name=segments[-1],
                    path=_join(parent.path, segments[-1]),
                    class_name=type(value).__name__,
                )
                parent.children.append(group)
                self.add_named(group, _mapping_entries(value), class_name)
            else:
                self.add_variable(parent, segments[-1], value, trainable=trainable)


def _child_module(parent, name, class_name):
    """The module child of `parent` named `name`, created with `class_name` if missing."""
    for child in parent.children:
        if isinstance(child, ModuleNode) and child.name == name:
            return child
    group = ModuleNode(name=name, path=_join(parent.path, name), class_name=class_name)
    parent.children.append(group)
    return group


def _container_class_name(container):
    if isinstance(container, collections.abc.Mapping):
        return "dict"
    if isinstance(container, tuple):
        return "tuple"
    return "list"


def _join(parent_path, name):
    return "%s/%s" % (parent_path, name) if parent_path else name


def _unique_name(parent, name):
    """`name`, or `name_1`, `name_2`… if a sibling already has it."""
    taken = {child.name for child in parent.children}
    if name not in taken:
        return name
    index = 1
    while "%s_%d" % (name, index) in taken:
        index += 1
    return "%s_%d" % (name, index)


def _mapping_entries(mapping):
    entries = []
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise HierarchyError(
                "Mapping keys must be strings naming variables; got %r. Convert the "
                "keys with str() first." % (key,)
            )
        trainable = getattr(value, "trainable", False) if _is_variable(value) else False
        entries.append((key, value, trainable))
    return entries


def _check_keras_built(obj):
    if not obj.built:
        raise HierarchyError(
            "%s %r is not built yet, so it has no variables to log. Call it once on "
            "a batch of inputs, or call build(input_shape) first, then log its weights."
            % (type(obj).__name__, obj.name)
        )


def collect(obj, name=None, trainable_variables=None):
    """Collects the variable hierarchy of `obj`.

    Args:
      obj: what to describe. One of: a Keras `Model` (Sequential, Functional or
        subclassed, nested to any depth, also one restored by
        `keras.models.load_model`) or `Layer`; a `tf.Module` tree (modules in
        attributes, lists and dicts); a mapping of name to array, tensor,
        variable or nested mapping (names split at `/` into modules); or a
        list of TF1-style `tf.Variable`s (placed by their variable-scope names).
      name: the root's name; defaults to the Keras layer or `tf.Module` name,
        `"variables"` for a mapping, `"global_variables"` for a list.
      trainable_variables: for a list of TF1 variables, the ones that are
        trainable (e.g. `tf.compat.v1.trainable_variables()`); by default each
        variable's own `trainable` attribute.

    Returns:
      The root `ModuleNode`. Its `variables()` yields every numeric variable
      once.

    Raises:
      HierarchyError: `obj` is an unbuilt Keras model or layer, has no numeric
        variables, or is of a type this function does not know.
    """
    if _is_keras_layer(obj):
        _check_keras_built(obj)
        trainable_ids = {id(variable) for variable in obj.trainable_weights}
        root = ModuleNode(name=name or obj.name, path=name or obj.name, class_name=type(obj).__name__)
        builder = _Builder(trainable_ids)
        builder._place(obj, root)
        builder.fill_module(root, obj)
    elif _is_tf_module(obj):
        root = ModuleNode(name=name or obj.name, path=name or obj.name, class_name=type(obj).__name__)
        builder = _Builder()
        builder._place(obj, root)
        builder.fill_module(root, obj)
    elif isinstance(obj, collections.abc.Mapping):
        root_name = name or "variables"
        root = ModuleNode(name=root_name, path=root_name, class_name=type(obj).__name__)
        _Builder().add_named(root, _mapping_entries(obj), "dict")
    elif isinstance(obj, (list, tuple)) and all(_is_variable(v) for v in obj):
        root_name = name or "global_variables"
        root = ModuleNode(name=root_name, path=root_name, class_name="variable_scope")
        trainable_ids = (
            {id(v) for v in trainable_variables} if trainable_variables is not None else None
        )
        entries = [
            (
                _strip_output_index(variable.name),
                variable,
                (id(variable) in trainable_ids)
                if trainable_ids is not None
                else bool(variable.trainable),
            )
            for variable in obj
        ]
        _Builder().add_named(root, entries, "variable_scope")
    else:
        raise HierarchyError(
            "Cannot collect variables from a %s. Pass a Keras model or layer, a "
            "tf.Module, a mapping of name to array or variable, or a list of "
            "tf.Variables." % type(obj).__name__
        )
    if "/" in root.name or not root.name:
        raise HierarchyError(
            "The model name %r is not usable as a tag prefix: pass name= without "
            "'/' and not empty." % (root.name,)
        )
    if next(root.variables(), None) is None:
        raise HierarchyError(
            "%s %r has no numeric variables to log. Log a model or layer that has "
            "weights (a built model with at least one layer with weights)."
            % (type(obj).__name__, root.name)
        )
    return root


def numpy_dtype(name):
    """The numpy dtype named `name`, including `bfloat16` (from ml_dtypes)."""
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def select(root, include=None, exclude=None):
    """Keeps, in place, the variables whose path `include` selects and `exclude` does not.

    Args:
      root: a `ModuleNode` from `collect`.
      include: None (every variable), or compiled patterns; a variable is kept
        if one of them matches its path (`pattern.search`).
      exclude: None, or compiled patterns; a variable is dropped if one matches.

    Modules left with no kept variable in their subtree are dropped too (the
    root stays), and so are references to dropped nodes.

    Raises:
      HierarchyError: nothing is left to log.
    """
    if include is None and exclude is None:
        return

    def wanted(path):
        if include is not None and not any(p.search(path) for p in include):
            return False
        return not (exclude and any(p.search(path) for p in exclude))

    kept_paths = set()

    def prune(node):
        kept = []
        for child in node.children:
            if isinstance(child, VariableNode) and wanted(child.path):
                kept.append(child)
            elif isinstance(child, ModuleNode):
                prune(child)
                if next(child.variables(), None) is not None:
                    kept.append(child)
            elif isinstance(child, ReferenceNode):
                kept.append(child)
        node.children = kept
        kept_paths.update(c.path for c in kept if not isinstance(c, ReferenceNode))

    prune(root)

    def drop_dangling_references(node):
        node.children = [
            c for c in node.children if not isinstance(c, ReferenceNode) or c.target in kept_paths
        ]
        for child in node.children:
            if isinstance(child, ModuleNode):
                drop_dangling_references(child)

    drop_dangling_references(root)
    if next(root.variables(), None) is None:
        raise HierarchyError(
            "include=%r and exclude=%r select none of the variables of %r; check the "
            "patterns against the variable paths (e.g. '%s/dense/kernel')."
            % (
                [p.pattern for p in include or []],
                [p.pattern for p in exclude or []],
                root.name,
                root.name,
            )
        )
