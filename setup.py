"""Packaging for tb_weights_plugin.

The dashboard's static files live in the top-level `frontend/` folder of the
source tree and are installed as the `tb_weights_plugin.frontend` package
data, so a wheel or sdist carries them; `plugin.py` finds them in either place.
"""

import setuptools

setuptools.setup(
    name="tb_weights_plugin",
    version="0.1.0",
    description=(
        "A TensorBoard plugin that logs a model's full variable hierarchy and "
        "tensors and shows them as a layer tree with per-step tensor views."
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=["tb_weights_plugin", "tb_weights_plugin.frontend"],
    package_dir={"tb_weights_plugin.frontend": "frontend"},
    package_data={
        "tb_weights_plugin": ["FORMAT.md", "http_api.md"],
        "tb_weights_plugin.frontend": ["*.js", "*.css"],
    },
    # The TensorBoard side needs no TensorFlow; the writer needs either the
    # `tensorflow` or the `tensorflow-cpu` distribution (both provide the
    # `tensorflow` module), so the user picks one through an extra.
    # google-crc32c: the hardware CRC-32C that event file records need;
    # fast-histogram: histograms at write time, several times faster than numpy's.
    install_requires=["tensorboard>=2.16", "numpy", "werkzeug", "google-crc32c>=1.5", "fast-histogram>=0.11"],
    extras_require={
        "tensorflow": ["tensorflow>=2.16"],
        "tensorflow-cpu": ["tensorflow-cpu>=2.16"],
        "test": ["pytest", "playwright", "scikit-learn", "build"],
    },
    entry_points={
        "tensorboard_plugins": ["weights = tb_weights_plugin.plugin:WeightsLoader"],
    },
)
