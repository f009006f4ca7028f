"""`WeightsCallback`: logs a model's weights during `model.fit`."""

import keras
import tensorflow as tf

from tb_weights_plugin import summary


class WeightsCallback(keras.callbacks.Callback):
    """Logs the model's variable hierarchy and tensors for the Weights dashboard.

    The step of each log is the optimizer's iteration count (the number of
    batches trained so far), so logs from resumed training continue where
    they left off and line up with the Keras `TensorBoard` callback's
    `update_freq` in batches. Each log holds every variable of the model,
    trainable and non-trainable, with its exact values and statistics (see
    `tb_weights_plugin.summary.weights`). A step is never logged twice.

    Args:
      log_dir: the run's directory; TensorBoard shows it as a run named by its
        path under `--logdir`. Created if missing.
      update_freq: log every this many optimizer steps (batches), an int ≥ 1,
        or `"epoch"` to log only at epoch ends. Default 100.
      log_at_epoch_end: also log at the end of every epoch. Default True.
      log_at_train_begin: log the initial weights when training starts, at
        the optimizer's current step (0 for a new model). Default True.
      name: the model's name in the tree; defaults to `model.name`.

    Raises:
      ValueError: `update_freq` is neither a positive int nor `"epoch"`.

    Example:

    ```python
    model.fit(x, y, epochs=10,
              callbacks=[tb_weights_plugin.WeightsCallback("logs/run_1")])
    # then: tensorboard --logdir logs
    ```
    """

    def __init__(
        self,
        log_dir,
        update_freq=100,
        log_at_epoch_end=True,
        log_at_train_begin=True,
        name=None,
    ):
        super().__init__()
        if update_freq != "epoch" and not (
            isinstance(update_freq, int) and not isinstance(update_freq, bool) and update_freq >= 1
        ):
            raise ValueError(
                "update_freq must be a positive number of steps (e.g. 100) or "
                "'epoch'; got %r." % (update_freq,)
            )
        self.log_dir = str(log_dir)
        self.update_freq = update_freq
        self.log_at_epoch_end = log_at_epoch_end
        self.log_at_train_begin = log_at_train_begin
        self.name = name
        self._writer = None
        self._last_logged_step = None
        self._previous_step = 0

    def _step(self):
        return int(self.model.optimizer.iterations.numpy())

    def _log(self, step):
        if step == self._last_logged_step:
            return
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
        with self._writer.as_default():
            summary.weights(self.model, step=step, name=self.name)
        self._last_logged_step = step

    def on_train_begin(self, logs=None):
        self._previous_step = self._step()
        if self.log_at_train_begin and self.model.built:
            self._log(self._previous_step)

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch":
            return
        step = self._step()
        # A batch end may advance several steps at once (steps_per_execution),
        # so log when the step crosses a multiple of update_freq, not only on it.
        if step // self.update_freq > self._previous_step // self.update_freq:
            self._log(step)
        self._previous_step = step

    def on_epoch_end(self, epoch, logs=None):
        if self.log_at_epoch_end:
            self._log(self._step())
        if self._writer is not None:
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
