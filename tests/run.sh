#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh machine, then runs it:
# Debian's chromium (browsers cannot be downloaded here) and Node.js (for the
# frontend's unit tests, `node --test`), a virtual environment
# with pinned TensorFlow and TensorBoard, and this project installed from a
# freshly built wheel, so the tests check what a user would install.
set -euo pipefail
cd "$(dirname "$0")/.."

missing_packages=""
[ -x /usr/bin/chromium ] || missing_packages="chromium"
command -v node >/dev/null || missing_packages="$missing_packages nodejs"
if [ -n "$missing_packages" ]; then
  sudo_prefix=""
  [ "$(id -u)" -ne 0 ] && sudo_prefix="sudo"
  $sudo_prefix apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo_prefix apt-get install -y -qq $missing_packages
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q "setuptools>=70" wheel build "tensorflow-cpu==2.21.0" "tensorboard==2.21.0"

rm -rf dist
.venv/bin/python -m build --no-isolation --wheel --outdir dist . >/dev/null
wheel_file=$(ls dist/*.whl)
.venv/bin/pip install -q --force-reinstall --no-deps "$wheel_file"
# The wheel's own requirements and the test tools (setup.py's "test" extra).
.venv/bin/pip install -q "${wheel_file}[test]"

TB_WEIGHTS_PLUGIN_FROM_WHEEL=1 .venv/bin/pytest tests "$@"
