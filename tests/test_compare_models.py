"""benchmarks/compare_models.py: ranks over sources, and the README tables it rewrites from its rows."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "compare_models.py"


def _module():
    spec = importlib.util.spec_from_file_location("compare_models", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(source, candidate, seed, score):
    return {"source": source, "candidate": candidate, "seed": seed, "metric": "val_accuracy", "score": score,
            "chance": 0.5, "fit_seconds": 1.0}


ROWS = [_row("trick:default", "a", 0, 0.9), _row("trick:default", "a", 1, 0.7),     # a: mean 0.8, sd 0.1
        _row("trick:default", "b", 0, 0.6),
        _row("trick:hard", "a", 0, 0.5), _row("trick:hard", "b", 0, 0.55),
        _row("trick:hard", "c", 0, 0.99)]                                            # c: not on every source


def test_mean_rank_counts_only_candidates_on_every_source():
    lines = _module().task_tables(ROWS)
    table = {line.split(" | ")[0].strip("| "): line for line in lines if line.startswith("| ")}
    assert table["a"].endswith("| 0.8000 ± 0.1000 (2) | 0.5000 ± 0.0000 (1) | 1.50 |")
    assert table["b"].endswith("| 1.50 |")
    assert table["c"].endswith("| not on every source |")


def test_report_only_rewrites_the_readme_between_its_markers(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    readme = tmp_path / "README.md"
    module = _module()
    readme.write_text(f"intro\n{module.README_BEGIN}\nold table\n{module.README_END}\noutro\n")
    done = subprocess.run([sys.executable, str(SCRIPT), "--resume", str(rows), "--report-only", "--readme",
                           str(readme)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = readme.read_text()
    assert "old table" not in text and text.startswith("intro\n") and text.endswith(f"{module.README_END}\noutro\n")
    assert "#### task=trick" in text and "| a | 0.8000 ± 0.1000 (2)" in text

    readme.write_text("no markers\n")
    done = subprocess.run([sys.executable, str(SCRIPT), "--resume", str(rows), "--report-only", "--readme",
                           str(readme)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and f"{readme}: expected the marker lines" in done.stderr
    assert readme.read_text() == "no markers\n"


def test_a_bad_rows_file_names_the_line():
    done = subprocess.run([sys.executable, str(SCRIPT), "--resume", str(REPO / "README.md"), "--report-only"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "README.md: line 1: expected one JSON row" in done.stderr
