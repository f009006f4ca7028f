"""The models the benchmarks log, in a full and a smoke size.

Full sizes are the issue's: `keras.applications.ResNet50(weights=None,
input_shape=(64, 64, 3), classes=100)` (320 variables, 23.8M parameters,
95 MB of float32) and a deep stack of transformer blocks with over 1,000
variables. Smoke sizes are small models of the same kinds, so the suite can
run inside the test suite in seconds.
"""

import keras


def convolutional(size):
    """ResNet50 (full) or a small convolutional network (smoke); built, untrained."""
    if size == "full":
        return keras.applications.ResNet50(weights=None, input_shape=(64, 64, 3), classes=100)
    keras.utils.set_random_seed(0)
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(16, 3, name="conv_1")(inputs)
    x = keras.layers.BatchNormalization(name="bn_1")(x)
    x = keras.layers.Conv2D(32, 3, name="conv_2")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(10, name="logits")(x), name="small_cnn")


def transformer_stack(size, width=32):
    """A Functional stack of transformer blocks: 64 blocks, 1,026 variables (full) or 4 (smoke).

    Each block has multi-head attention (8 variables), two layer norms (4)
    and a two-layer feed-forward network (4).
    """
    blocks = 64 if size == "full" else 4
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, width))
    x = inputs
    for index in range(blocks):
        attention = keras.layers.MultiHeadAttention(2, width // 2, name="attention_%d" % index)(x, x)
        x = keras.layers.LayerNormalization(name="norm_a_%d" % index)(x + attention)
        hidden = keras.layers.Dense(2 * width, activation="relu", name="ffn_in_%d" % index)(x)
        x = keras.layers.LayerNormalization(name="norm_b_%d" % index)(
            x + keras.layers.Dense(width, name="ffn_out_%d" % index)(hidden)
        )
    outputs = keras.layers.Dense(10, name="head")(x)
    return keras.Model(inputs, outputs, name="transformer")
