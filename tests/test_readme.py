"""The README's Python example runs as written (on the shared real recordings)."""

import re
from pathlib import Path

import pytest

from cyborg.io.datasets import shared_data_root

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_use_it_from_python_example_runs(tmp_path, monkeypatch):
    root = shared_data_root()
    if not (root / "uci_lower_limb_emg").is_dir():
        pytest.skip(f"shared data not found at {root} (set CYBORG_SHARED_DATA)")
    section = README.read_text().split("## Use it from Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert '"../shared/data"' in code
    monkeypatch.chdir(tmp_path)
    exec(compile(code.replace('"../shared/data"', repr(str(root))), "README.md", "exec"), {})
    assert (tmp_path / "knee_angle.pt").is_file()
