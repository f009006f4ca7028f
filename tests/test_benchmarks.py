"""The benchmark suite runs end to end in its smoke size, so it cannot rot.

Figures at this size mean nothing (the models are tiny); the full-size run
(`python benchmarks/run.py`) is what the README's table reports.
"""

import os
import subprocess
import sys

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_smoke_benchmarks_print_every_row(tmp_path):
    output = tmp_path / "table.md"
    subprocess.run(
        [sys.executable, os.path.join(REPOSITORY, "benchmarks", "run.py"), "--size", "smoke", "--repeats", "1", "--output", str(output)],
        check=True,
        capture_output=True,
        cwd=str(tmp_path),
        timeout=600,
    )
    table = output.read_text()
    assert table.startswith("Machine: ") and " cores, " in table.splitlines()[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| area")]
    areas = [line.split("|")[1].strip() for line in rows]
    assert areas.count("write") == 5 and areas.count("storage") == 4
    assert areas.count("read") == 3 and areas.count("training") == 2 and areas.count("memory") == 2
    for line in rows:
        value = line.split("|")[3].strip()
        assert value and value[0].isdigit(), line
