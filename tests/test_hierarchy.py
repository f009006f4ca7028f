"""The hierarchy comes from the object graph, for every kind of object we log."""

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

from tb_weights_plugin import hierarchy


def outline(root):
    """The tree as lines: `path [Class] count` for modules, `path shape dtype T|N` for variables."""
    lines = []

    def walk(node):
        if isinstance(node, hierarchy.ModuleNode):
            lines.append("%s [%s] %d" % (node.path, node.class_name, node.parameter_count))
            for child in node.children:
                walk(child)
        elif isinstance(node, hierarchy.VariableNode):
            lines.append(
                "%s %s %s %s"
                % (node.path, "x".join(map(str, node.shape)), node.dtype, "T" if node.trainable else "N")
            )
        else:
            lines.append("%s -> %s" % (node.path, node.target))

    walk(root)
    return lines


def nested_functional():
    inner = keras.Sequential(
        [keras.layers.Dense(4, name="d_in"), keras.layers.BatchNormalization(name="bn")],
        name="inner_seq",
    )
    inputs = keras.Input((3,))
    x = inner(inputs)
    x = keras.layers.Dropout(0.5, name="drop")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="out")(x), name="outer")


NESTED_FUNCTIONAL_OUTLINE = [
    "outer [Functional] 42",
    "outer/inner_seq [Sequential] 32",
    "outer/inner_seq/d_in [Dense] 16",
    "outer/inner_seq/d_in/kernel 3x4 float32 T",
    "outer/inner_seq/d_in/bias 4 float32 T",
    "outer/inner_seq/bn [BatchNormalization] 16",
    "outer/inner_seq/bn/gamma 4 float32 T",
    "outer/inner_seq/bn/beta 4 float32 T",
    "outer/inner_seq/bn/moving_mean 4 float32 N",
    "outer/inner_seq/bn/moving_variance 4 float32 N",
    "outer/drop [Dropout] 0",
    "outer/out [Dense] 10",
    "outer/out/kernel 4x2 float32 T",
    "outer/out/bias 2 float32 T",
]


def test_functional_with_nested_sequential_and_batch_normalization():
    root = hierarchy.collect(nested_functional())
    assert outline(root) == NESTED_FUNCTIONAL_OUTLINE
    assert root.trainable_parameter_count == 34
    bn = root.children[0].children[1]
    assert bn.trainable_parameter_count == 8


def test_same_tree_after_save_and_load_model(tmp_path):
    model = nested_functional()
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    # Keras 3 loses the nesting in variable.path on load; our tree must not.
    assert restored.get_layer("inner_seq").get_layer("d_in").kernel.path == "d_in/kernel"
    assert outline(hierarchy.collect(restored)) == NESTED_FUNCTIONAL_OUTLINE
    assert hierarchy.collect(restored).to_json() == hierarchy.collect(model).to_json()


def test_sequential_and_single_layer():
    model = keras.Sequential(
        [keras.Input((5,)), keras.layers.Dense(3, name="hidden"), keras.layers.Dense(1, name="head")],
        name="seq",
    )
    assert outline(hierarchy.collect(model)) == [
        "seq [Sequential] 22",
        "seq/hidden [Dense] 18",
        "seq/hidden/kernel 5x3 float32 T",
        "seq/hidden/bias 3 float32 T",
        "seq/head [Dense] 4",
        "seq/head/kernel 3x1 float32 T",
        "seq/head/bias 1 float32 T",
    ]
    layer = keras.layers.Conv2D(2, 3, name="conv")
    layer.build((None, 8, 8, 1))
    assert outline(hierarchy.collect(layer)) == [
        "conv [Conv2D] 20",
        "conv/kernel 3x3x1x2 float32 T",
        "conv/bias 2 float32 T",
    ]


class Scale(keras.layers.Layer):
    """A custom layer whose weights come from add_weight in build."""

    def build(self, input_shape):
        self.alpha = self.add_weight(name="alpha", shape=(input_shape[-1],), initializer="ones")
        self.count = self.add_weight(
            name="count", shape=(), initializer="zeros", trainable=False, dtype="int32"
        )

    def call(self, x):
        return x * self.alpha


class Block(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = Scale(name="scale")
        self.projections = [keras.layers.Dense(2, name="p0"), keras.layers.Dense(2, name="p1")]

    def call(self, x):
        x = self.scale(x)
        return self.projections[1](self.projections[0](x))


class Net(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.block = Block(name="block")
        self.head = keras.layers.Dense(1, name="head")

    def call(self, x):
        return self.head(self.block(x))


def test_subclassed_models_nested_three_levels_with_custom_layer():
    inputs = keras.Input((3,))
    outer = keras.Model(inputs, Net(name="net")(inputs), name="top")
    assert outline(hierarchy.collect(outer)) == [
        "top [Functional] 21",
        "top/net [Net] 21",
        "top/net/block [Block] 18",
        "top/net/block/scale [Scale] 4",
        "top/net/block/scale/alpha 3 float32 T",
        "top/net/block/scale/count  int32 N",
        "top/net/block/p0 [Dense] 8",
        "top/net/block/p0/kernel 3x2 float32 T",
        "top/net/block/p0/bias 2 float32 T",
        "top/net/block/p1 [Dense] 6",
        "top/net/block/p1/kernel 2x2 float32 T",
        "top/net/block/p1/bias 2 float32 T",
        "top/net/head [Dense] 3",
        "top/net/head/kernel 2x1 float32 T",
        "top/net/head/bias 1 float32 T",
    ]


def test_shared_layer_appears_once_with_owner_recorded():
    shared = keras.layers.Dense(3, name="shared")
    a = keras.Sequential([keras.Input((3,)), shared], name="a")
    b = keras.Sequential([keras.Input((3,)), shared], name="b")
    inputs = keras.Input((3,))
    model = keras.Model(inputs, [a(inputs), b(inputs)], name="twin")
    root = hierarchy.collect(model)
    assert outline(root) == [
        "twin [Functional] 12",
        "twin/a [Sequential] 12",
        "twin/a/shared [Dense] 12",
        "twin/a/shared/kernel 3x3 float32 T",
        "twin/a/shared/bias 3 float32 T",
        "twin/b [Sequential] 0",
        "twin/b/shared -> twin/a/shared",
    ]
    assert root.children[0].children[0].shared_with == ["twin/b"]
    assert root.to_json()["children"][1]["children"][0] == {
        "kind": "reference",
        "name": "shared",
        "path": "twin/b/shared",
        "target": "twin/a/shared",
        "class_name": "Dense",
    }


def test_frozen_layer_is_non_trainable():
    model = nested_functional()
    model.get_layer("out").trainable = False
    lines = outline(hierarchy.collect(model))
    assert "outer/out/kernel 4x2 float32 N" in lines
    assert "outer/inner_seq/d_in/kernel 3x4 float32 T" in lines


class Leaf(tf.Module):
    def __init__(self, size, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.ones([size, 2]), name="w")
        self.step = tf.Variable(0, trainable=False, name="step")


class Tree(tf.Module):
    def __init__(self):
        super().__init__(name="tree")
        self.encoder = Leaf(3)
        self.layers = [Leaf(1), Leaf(2)]
        self.heads = {"left": Leaf(4), "right": keras.layers.Dense(2, name="dense_head")}
        self.heads["right"].build((None, 2))
        self.alias = self.layers[0]
        self.bias = tf.Variable([0.5, 0.25], name="bias")


def test_tf_module_tree_with_lists_dicts_and_an_alias():
    assert outline(hierarchy.collect(Tree())) == [
        "tree [Tree] 32",
        "tree/alias [Leaf] 3",
        "tree/alias/step  int32 N",
        "tree/alias/w 1x2 float32 T",
        "tree/bias 2 float32 T",
        "tree/encoder [Leaf] 7",
        "tree/encoder/step  int32 N",
        "tree/encoder/w 3x2 float32 T",
        "tree/heads [dict] 15",
        "tree/heads/left [Leaf] 9",
        "tree/heads/left/step  int32 N",
        "tree/heads/left/w 4x2 float32 T",
        "tree/heads/right [Dense] 6",
        "tree/heads/right/kernel 2x2 float32 T",
        "tree/heads/right/bias 2 float32 T",
        "tree/layers [list] 5",
        "tree/layers/0 -> tree/alias",
        "tree/layers/1 [Leaf] 5",
        "tree/layers/1/step  int32 N",
        "tree/layers/1/w 2x2 float32 T",
    ]


def test_tf1_variables_under_variable_scopes():
    graph = tf.Graph()
    with graph.as_default():
        with tf.compat.v1.variable_scope("encoder"):
            with tf.compat.v1.variable_scope("layer_0"):
                tf.compat.v1.get_variable("weights", shape=[3, 4])
            tf.compat.v1.get_variable("counter", shape=[], trainable=False)
        tf.compat.v1.get_variable("logits_bias", shape=[4])
        root = hierarchy.collect(
            tf.compat.v1.global_variables(),
            trainable_variables=tf.compat.v1.trainable_variables(),
        )
    assert outline(root) == [
        "global_variables [variable_scope] 17",
        "global_variables/encoder [variable_scope] 13",
        "global_variables/encoder/layer_0 [variable_scope] 12",
        "global_variables/encoder/layer_0/weights 3x4 float32 T",
        "global_variables/encoder/counter  float32 N",
        "global_variables/logits_bias 4 float32 T",
    ]


def test_mapping_of_arrays_and_variables():
    root = hierarchy.collect(
        {
            "embedding/table": np.zeros((10, 3), np.float16),
            "embedding/scale": tf.Variable(1.0),
            "head": {"w": np.ones((3, 2), np.float64)},
        },
        name="my_model",
    )
    assert outline(root) == [
        "my_model [dict] 37",
        "my_model/embedding [dict] 31",
        "my_model/embedding/table 10x3 float16 N",
        "my_model/embedding/scale  float32 T",
        "my_model/head [dict] 6",
        "my_model/head/w 3x2 float64 N",
    ]


def test_duplicate_names_under_one_parent_get_suffixes():
    class Twins(tf.Module):
        def __init__(self):
            super().__init__(name="twins")
            self.items = [tf.Variable(1.0, name="x"), tf.Variable(2.0, name="x")]

    lines = outline(hierarchy.collect(Twins()))
    assert lines == [
        "twins [Twins] 2",
        "twins/items [list] 2",
        "twins/items/0  float32 T",
        "twins/items/1  float32 T",
    ]
    layer = keras.layers.Layer(name="dup")
    layer.add_weight(name="w", shape=(1,))
    layer.add_weight(name="w", shape=(2,))
    layer.built = True
    assert outline(hierarchy.collect(layer)) == [
        "dup [Layer] 3",
        "dup/w 1 float32 T",
        "dup/w_1 2 float32 T",
    ]


def test_unbuilt_model_says_to_call_or_build_it():
    model = keras.Sequential([keras.layers.Dense(2)], name="lazy")
    with pytest.raises(hierarchy.HierarchyError, match=r"not built.*build\(input_shape\)"):
        hierarchy.collect(model)


def test_object_without_variables_is_an_error():
    with pytest.raises(hierarchy.HierarchyError, match="no numeric variables"):
        hierarchy.collect(tf.Module(name="empty"))
    with pytest.raises(hierarchy.HierarchyError, match="Cannot collect variables from a str"):
        hierarchy.collect("model")


def test_non_numeric_variable_is_skipped_with_a_warning(caplog):
    class WithText(tf.Module):
        def __init__(self):
            super().__init__(name="with_text")
            self.label = tf.Variable("hello")
            self.w = tf.Variable([1.0, 2.0])

    with caplog.at_level(logging.WARNING, logger="tb_weights_plugin.hierarchy"):
        root = hierarchy.collect(WithText())
    assert outline(root) == ["with_text [WithText] 2", "with_text/w 2 float32 T"]
    assert "Skipping variable 'with_text/label': its dtype string" in caplog.text
