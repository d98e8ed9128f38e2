"""The README's "Organizers: host a challenge" commands are real: each parses, the YAML loads."""

from __future__ import annotations

import re
import shlex

import yaml

from cyborg.host.cli import build_parser

from .serving import REPO


def test_the_readme_commands_parse_and_its_yaml_is_a_competition():
    section = (REPO / "README.md").read_text().split("## Organizers: host a challenge", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
    commands = [shlex.split(line, comments=True) for line in block.splitlines()
                if line.startswith("python -m cyborg.host ")]
    assert [c[3] for c in commands] == ["audit", "team", "admin-token", "serve", "submit", "export-leaderboard",
                                        "export-codabench"]
    for command in commands:
        build_parser().parse_args(command[3:])
    config = yaml.safe_load(re.search(r"<<'YAML'\n(.*?)YAML\n", block, re.S).group(1))
    assert config["theme"] == "trick" and config["phases"][0]["name"] == "main"
    assert "docs/host-leaderboard.png" in section and (REPO / "docs" / "host-leaderboard.png").is_file()
