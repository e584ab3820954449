"""Under REQUIRE_ALL=1 (CI) a test that did not run fails the run, whether skipped inside a test or while its
module was collected (module-level ``pytest.skip``, ``pytest.importorskip``)."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MODULES = {
    "test_skips_itself.py": "import pytest\npytest.skip('no GPU here', allow_module_level=True)\n\n"
                            "def test_never_runs():\n    assert False\n",
    "test_imports_what_is_missing.py": "import pytest\npytest.importorskip('no_such_module_anywhere')\n\n"
                                       "def test_never_runs():\n    assert False\n",
    "test_runs.py": "def test_passes():\n    assert True\n",
}


@pytest.fixture
def planted() -> Path:
    """A package of throw-away test modules under tests/, so that tests/conftest.py applies to them."""
    folder = HERE / f"_planted_{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for name, text in MODULES.items():
        (folder / name).write_text(text)
    yield folder
    shutil.rmtree(folder)


def run_pytest(folder: Path, require_all: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REQUIRE_ALL"}
    if require_all:
        env["REQUIRE_ALL"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
                          cwd=HERE.parent, env=env, capture_output=True, text=True, timeout=120)


def test_module_level_skips_fail_the_run_under_require_all(planted):
    result = run_pytest(planted, require_all=True)
    out = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, out
    assert "skipped while collecting, under REQUIRE_ALL=1" in out
    lines = out.split("skipped while collecting, under REQUIRE_ALL=1")[1].splitlines()
    assert any(line.endswith("test_skips_itself.py: Skipped: no GPU here") for line in lines), out
    assert any("test_imports_what_is_missing.py: Skipped: could not import 'no_such_module_anywhere'" in line
               for line in lines), out
    assert "1 passed" in out  # the rest still ran


def test_without_require_all_they_are_plain_skips(planted):
    result = run_pytest(planted, require_all=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 2 skipped" in result.stdout
