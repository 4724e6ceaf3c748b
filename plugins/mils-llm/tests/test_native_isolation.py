"""The suite's isolation of native model libraries: a SIGILL in an isolated test fails that test only."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_a_native_crash_in_a_forked_test_fails_it_and_the_run_reports(tmp_path: Path) -> None:
    (tmp_path / "test_crash.py").write_text(textwrap.dedent("""
        import os, signal
        import pytest

        @pytest.mark.isolate(timeout=60)
        def test_dies_like_a_native_library():
            os.kill(os.getpid(), signal.SIGILL)

        @pytest.mark.isolate(timeout=60)
        def test_a_forked_test_can_pass_and_fail():
            assert os.getppid() != 1  # it really ran in a child

        @pytest.mark.isolate(timeout=60)
        def test_a_forked_assertion_is_reported():
            assert 1 == 2, "reported from the child"

        def test_after_the_crash():
            assert True
    """))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    import os

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf", "test_crash.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PARENT_PID": "0"},
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out  # tests failed; pytest itself did not die (that would be -4 / 132)
    assert "2 failed, 2 passed" in out, out
    assert "Crashed with exit code -4" in out, out  # -4: killed by signal 4, SIGILL
    assert "reported from the child" in out, out
