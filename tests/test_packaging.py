"""The wheel and sdist carry the dashboard, and the suite runs against the built wheel."""

import os
import subprocess
import sys
import tarfile
import zipfile

import pytest

import tb_weights_plugin
from tb_weights_plugin import plugin

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def frontend_files():
    return sorted(
        name for name in os.listdir(os.path.join(REPOSITORY, "frontend")) if name.endswith((".js", ".css"))
    )


@pytest.fixture(scope="module")
def distributions(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), REPOSITORY],
        check=True,
        capture_output=True,
    )
    [wheel] = [os.path.join(out, f) for f in os.listdir(out) if f.endswith(".whl")]
    [sdist] = [os.path.join(out, f) for f in os.listdir(out) if f.endswith(".tar.gz")]
    return wheel, sdist


def test_wheel_holds_the_frontend_docs_and_entry_point(distributions):
    wheel, _ = distributions
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith("entry_points.txt")]
        entry_text = archive.read(entry_points).decode()
    assert "index.js" in frontend_files() and "style.css" in frontend_files()
    for name in frontend_files():
        assert "tb_weights_plugin/frontend/" + name in names
    assert {"tb_weights_plugin/FORMAT.md", "tb_weights_plugin/http_api.md", "tb_weights_plugin/plugin.py"} <= names
    assert "[tensorboard_plugins]\nweights = tb_weights_plugin.plugin:WeightsLoader" in entry_text


def test_sdist_holds_the_frontend(distributions):
    _, sdist = distributions
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in frontend_files():
        assert "frontend/" + name in names
    assert {"setup.py", "README.md", "tb_weights_plugin/FORMAT.md"} <= names


@pytest.mark.skipif(
    os.environ.get("TB_WEIGHTS_PLUGIN_FROM_WHEEL") != "1",
    reason="only when tests/run.sh installed the built wheel",
)
def test_suite_imports_the_installed_wheel_not_the_source_tree():
    package = os.path.dirname(os.path.abspath(tb_weights_plugin.__file__))
    assert "site-packages" in package
    assert plugin.frontend_directory() == os.path.join(package, "frontend")


def test_tensorboard_side_does_not_import_tensorflow():
    code = (
        "import sys, tb_weights_plugin.plugin, tb_weights_plugin.tensor_index; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert output.strip() == "[]"
