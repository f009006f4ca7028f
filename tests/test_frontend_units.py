"""The frontend's pure modules under Node's built-in test runner (`node --test`).

The unit tests live in `tests/frontend/*.test.mjs` and import the ES modules
of `frontend/` directly; they need nothing but Node (no npm packages). This
module runs them all in one Node process and fails with Node's report if any
fails, so `pytest tests` covers them.
"""

import pathlib
import re
import shutil
import subprocess

import pytest

FRONTEND_TESTS = pathlib.Path(__file__).parent / "frontend"


def test_frontend_unit_tests_pass_under_node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed; tests/run.sh installs Debian's nodejs package.")
    files = sorted(str(path) for path in FRONTEND_TESTS.glob("*.test.mjs"))
    assert files, "no tests/frontend/*.test.mjs found"
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    passed = int(re.search(r"^# pass (\d+)$", report, re.M).group(1))
    failed = int(re.search(r"^# fail (\d+)$", report, re.M).group(1))
    assert failed == 0 and passed >= 20, report
