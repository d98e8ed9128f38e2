"""README.ja.md stays in step with README.md: every command it shows is one README.md shows."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands(text: str) -> list[str]:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("python")]


def test_every_command_of_the_japanese_readme_is_in_the_english_one():
    english = (ROOT / "README.md").read_text()
    commands = _commands((ROOT / "README.ja.md").read_text())
    assert len(commands) >= 6
    missing = [c for c in commands if c not in english]
    assert not missing, f"README.ja.md commands not in README.md: {missing}"
