"""tb_weights_plugin: log a model's variable hierarchy and tensors, browse them in TensorBoard.

`tb_weights_plugin.summary.weights(obj, step)` writes from training code;
`tb_weights_plugin.WeightsCallback(log_dir)` does it in `model.fit`. The
TensorBoard side is `tb_weights_plugin.plugin`, registered through the
`tensorboard_plugins` entry point.

TensorFlow is imported only when the writer side is first used, so that
TensorBoard loading the plugin does not pay for it.
"""

import importlib

__version__ = "0.1.0"

_LAZY = {"summary": "tb_weights_plugin.summary", "WeightsCallback": "tb_weights_plugin.callback"}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError("module 'tb_weights_plugin' has no attribute %r" % name)
    module = importlib.import_module(_LAZY[name])
    return module if name == "summary" else getattr(module, name)


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
