"""`WeightsCallback`: logs a model's weights during `model.fit`."""

import keras

from tb_weights_plugin import summary
from tb_weights_plugin import tensor_storage


def _check_frequency(value, argument):
    if value != "epoch" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        raise ValueError(
            "%s must be a positive number of steps (e.g. 100) or 'epoch'; got %r." % (argument, value)
        )


class WeightsCallback(keras.callbacks.Callback):
    """Logs the model's variable hierarchy, statistics and tensors for the Weights dashboard.

    The step of each log is the optimizer's iteration count (the number of
    batches trained so far), so logs from resumed training continue where
    they left off and line up with the Keras `TensorBoard` callback's
    `update_freq` in batches. Each log covers every variable of the model,
    trainable and non-trainable (see `tb_weights_plugin.summary.weights`).
    Statistics and histograms are cheap and logged often; full tensors cost
    their size in bytes and are logged on a cadence of their own. A step is
    never logged twice.

    Args:
      log_dir: the run's directory; TensorBoard shows it as a run named by its
        path under `--logdir`. Created if missing.
      update_freq: log statistics and histograms every this many optimizer
        steps (batches), an int ≥ 1, or `"epoch"` for epoch ends only.
        Default 100.
      tensor_freq: log full tensors every this many optimizer steps, or
        `"epoch"` for every epoch end. Default 1000. Full tensors are also
        logged when training begins and at the end of the last epoch.
      log_at_epoch_end: also log statistics at the end of every epoch.
        Default True.
      log_at_train_begin: log statistics and full tensors of the initial
        weights when training starts. Default True.
      name: the model's name in the tree; defaults to `model.name`.
      include, exclude, storage_dtype, max_tensor_bytes: as for
        `tb_weights_plugin.summary.weights`: regular expressions selecting
        variables by path, and opt-in reduced storage of full tensors.

    Raises:
      ValueError: `update_freq` or `tensor_freq` is neither a positive int nor
        `"epoch"`, or a storage option is invalid.

    Example:

    ```python
    model.fit(x, y, epochs=10,
              callbacks=[tb_weights_plugin.WeightsCallback("logs/run_1")])
    # then: tensorboard --logdir logs
    ```
    """

    # Steps logged by this callback, and whether with full tensors.
    _logged: dict

    def __init__(
        self,
        log_dir,
        update_freq=100,
        tensor_freq=1000,
        log_at_epoch_end=True,
        log_at_train_begin=True,
        name=None,
        include=None,
        exclude=None,
        storage_dtype=None,
        max_tensor_bytes=None,
    ):
        super().__init__()
        _check_frequency(update_freq, "update_freq")
        _check_frequency(tensor_freq, "tensor_freq")
        tensor_storage.check_options(storage_dtype, max_tensor_bytes)
        self.log_dir = str(log_dir)
        self.update_freq = update_freq
        self.tensor_freq = tensor_freq
        self.log_at_epoch_end = log_at_epoch_end
        self.log_at_train_begin = log_at_train_begin
        self.name = name
        self._options = dict(
            include=include, exclude=exclude, storage_dtype=storage_dtype, max_tensor_bytes=max_tensor_bytes
        )
        self._writer = None
        self._logged = {}  # step -> whether full tensors were logged
        self._previous_step = 0
        self._epoch = 0

    def _step(self):
        return int(self.model.optimizer.iterations.numpy())

    def _log(self, step, tensors):
        """Logs at `step` (with full tensors if `tensors`), unless `step` was logged."""
        if step in self._logged:
            return
        if self._writer is None:
            self._writer = summary.create_file_writer(self.log_dir)
        with self._writer.as_default():
            summary.weights(self.model, step=step, name=self.name, tensors=tensors, **self._options)
        self._logged[step] = tensors

    @staticmethod
    def _crossed(frequency, previous, step):
        # A batch end may advance several steps (steps_per_execution): log
        # when the step crosses a multiple of the frequency, not only on it.
        return frequency != "epoch" and step // frequency > previous // frequency

    def on_train_begin(self, logs=None):
        self._previous_step = self._step()
        if self.log_at_train_begin and self.model.built:
            self._log(self._previous_step, tensors=True)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _ends_epoch(self, batch):
        """Whether `batch` is the last of its epoch, when Keras knows the epoch's length."""
        steps = self.params.get("steps")
        return steps is not None and batch + 1 == steps

    def on_train_batch_end(self, batch, logs=None):
        # The batch that ends an epoch logs what the epoch end would, so that
        # a statistics log at this step cannot pre-empt epoch-end tensors (a
        # step is logged once).
        step = self._step()
        ends_epoch = self._ends_epoch(batch)
        ends_training = ends_epoch and self._epoch + 1 == self.params.get("epochs")
        tensors = (
            self._crossed(self.tensor_freq, self._previous_step, step)
            or ends_training
            or (ends_epoch and self.tensor_freq == "epoch")
        )
        statistics = self._crossed(self.update_freq, self._previous_step, step) or (
            ends_epoch and (self.log_at_epoch_end or self.update_freq == "epoch")
        )
        if tensors or statistics:
            self._log(step, tensors)
        self._previous_step = step

    def on_epoch_end(self, epoch, logs=None):
        last_epoch = epoch + 1 == self.params.get("epochs")
        tensors = self.tensor_freq == "epoch" or last_epoch
        if self.log_at_epoch_end or tensors or self.update_freq == "epoch":
            self._log(self._step(), tensors)
        if self._writer is not None:
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
