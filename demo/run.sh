#!/usr/bin/env bash
# Sets up a virtual environment, trains the demo's two runs on scikit-learn's
# digits, and serves them in TensorBoard at http://127.0.0.1:6006/#weights
# (set PORT to change the port). Stop TensorBoard with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q "tensorflow-cpu==2.21.0" "tensorboard==2.21.0" scikit-learn
.venv/bin/pip install -q --force-reinstall --no-deps .
.venv/bin/pip install -q .

rm -rf demo/logs
.venv/bin/python demo/train.py --logdir demo/logs
echo "Open http://127.0.0.1:${PORT:-6006}/#weights"
exec .venv/bin/tensorboard --logdir demo/logs --host 127.0.0.1 --port "${PORT:-6006}"
