"""Trains a small Keras model on scikit-learn's handwritten digits, logging its weights.

Four runs are written under `--logdir`:

- `adam_lr_0.01` and `adam_lr_0.001`: the same classifier with two learning
  rates, for comparing runs (side by side, run − run diffs, the overview).
- `cnn_adam_lr_0.001`: a small convolutional network on the 8×8 images, for
  filter grids (Conv2D, DepthwiseConv2D).
- `diverging_sgd_lr_2`: the classifier with a learning rate far too large,
  logged every 2 steps: its weights turn NaN early in the first epoch, which
  the dashboard's NaN/Inf marks and "first bad step" control locate.

The data set ships inside scikit-learn (1,797 8×8 images); nothing is
downloaded.

The model has what the dashboard is made to show: a nested Sequential
sub-model, a custom layer that creates its weights with `add_weight` in
`build`, and a BatchNormalization layer with non-trainable moving statistics.

Usage: python demo/train.py --logdir demo/logs [--epochs 20]
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

import tb_weights_plugin  # noqa: E402


@keras.saving.register_keras_serializable(package="tb_weights_demo")
class GatedResidual(keras.layers.Layer):
    """`x + gate * relu(x @ kernel)`: a custom layer with its own weights.

    The gate starts at zero, so the layer starts as the identity and learns
    how much of its transform to let through (watch `gate` in the dashboard).
    """

    def build(self, input_shape):
        width = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(width, width), initializer="glorot_uniform")
        self.gate = self.add_weight(name="gate", shape=(width,), initializer="zeros")

    def call(self, inputs):
        return inputs + self.gate * keras.ops.relu(keras.ops.matmul(inputs, self.kernel))


def build_model(seed=0):
    """Returns the demo classifier: 64 pixel inputs → 10 digit classes."""
    keras.utils.set_random_seed(seed)
    features = keras.Sequential(
        [
            keras.layers.Dense(64, activation="relu", name="dense"),
            keras.layers.BatchNormalization(name="batch_normalization"),
            keras.layers.Dense(32, activation="relu", name="dense_1"),
        ],
        name="features",
    )
    inputs = keras.Input(shape=(64,), name="pixels")
    x = features(inputs)
    x = GatedResidual(name="gated_residual")(x)
    x = keras.layers.Dropout(0.2, name="dropout")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="logits")(x)
    return keras.Model(inputs, outputs, name="digits_classifier")


def build_cnn(seed=0):
    """Returns the demo's convolutional classifier: 8×8×1 images → 10 digit classes."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(8, 8, 1), name="image")
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="conv_norm")(x)
    x = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu", name="depthwise")(x)
    x = keras.layers.Conv2D(16, 3, activation="relu", name="conv_1")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="logits")(x)
    return keras.Model(inputs, outputs, name="digits_cnn")


def load_data():
    """Returns `(x_train, x_test, y_train, y_test)`: float32 pixels in [0, 1], int labels."""
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    return train_test_split(x, digits.target, test_size=0.2, random_state=0, stratify=digits.target)


def train(log_dir, learning_rate, epochs, update_freq=25, convolutional=False, optimizer="adam"):
    """Trains one run, logging weights to `log_dir`; returns the test accuracy."""
    # A small model: full tensors as often as statistics cost nothing, and
    # give the step slider every logged step.
    x_train, x_test, y_train, y_test = load_data()
    if convolutional:
        x_train, x_test = x_train.reshape(-1, 8, 8, 1), x_test.reshape(-1, 8, 8, 1)
    model = build_cnn() if convolutional else build_model()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate) if optimizer == "adam" else keras.optimizers.SGD(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(
        x_train,
        y_train,
        batch_size=32,
        epochs=epochs,
        verbose=0,
        callbacks=[
            tb_weights_plugin.WeightsCallback(log_dir, update_freq=update_freq, tensor_freq=update_freq),
            keras.callbacks.TensorBoard(log_dir),
        ],
    )
    return model.evaluate(x_test, y_test, verbose=0)[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logdir", default="demo/logs", help="where to write the runs")
    parser.add_argument("--epochs", type=int, default=20, help="epochs per run")
    args = parser.parse_args()
    for learning_rate in (0.01, 0.001):
        run = os.path.join(args.logdir, "adam_lr_%g" % learning_rate)
        accuracy = train(run, learning_rate, args.epochs)
        print("%s: test accuracy %.3f" % (run, accuracy))
    run = os.path.join(args.logdir, "cnn_adam_lr_0.001")
    print("%s: test accuracy %.3f" % (run, train(run, 0.001, args.epochs, convolutional=True)))
    run = os.path.join(args.logdir, "diverging_sgd_lr_2")
    accuracy = train(run, 2.0, 1, update_freq=2, optimizer="sgd")
    print("%s: test accuracy %.3f (diverged: its weights hold NaN)" % (run, accuracy))


if __name__ == "__main__":
    main()
