"""A bounded load test (benchmarks/host_load.py, small): 4 concurrent teams, 40 uploads, nothing accepted is lost."""

from __future__ import annotations

import subprocess
import sys

from .serving import REPO


def test_small_load_loses_nothing():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "host_load.py"), "--teams", "4",
                             "--submissions", "40"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("40 uploads by 4 concurrent teams") and "{201: 36, 422: 4}" in lines[0]
    assert lines[2] == "36 accepted; in the database and on disk: 36"
