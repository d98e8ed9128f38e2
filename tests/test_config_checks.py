"""What users meet: checked configs, one error line and exit code 2 everywhere, files in one place.

The command-line cases run the scripts as users do; a bad value must be refused before any data
is read, so each checks that no synthetic folder and no run folder were made.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import DictConfig, OmegaConf

from cyborg.cli import one_line_errors, resolve_data_root
from cyborg.errors import ConfigError, DataFormatError
from cyborg.training.fit import TrainSettings

REPO = Path(__file__).resolve().parents[1]


def run(command: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``command`` in ``tmp_path`` with this checkout first on the path and its own data folders."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1",
                   "CYBORG_DATA": str(tmp_path / "cache"), "CYBORG_SHARED_DATA": str(tmp_path / "shared"),
                   **env}
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600, env=environment)


def script(name: str, *overrides: str) -> list[str]:
    return [sys.executable, str(REPO / name), *overrides]


def assert_one_error_line(done: subprocess.CompletedProcess, pattern: str) -> str:
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert re.search(pattern, errors[0]), errors[0]
    return errors[0]


BAD_VALUES = [
    ("trainer.max_epochs=abc",
     r"trainer\.max_epochs=abc \(Value 'abc' of type 'str' could not be converted to Integer\)"),
    ("trainer.max_epochs=0", r"'trainer\.max_epochs': expected an integer >= 1 .*found 0"),
    ("trainer.lr=-0.001", r"'trainer\.lr': expected a number > 0, found -0\.001"),
    ("trainer.batch_size=0", r"'trainer\.batch_size': expected an integer >= 1, found 0"),
    ("trainer.selection=best", r"trainer\.selection: expected one of \['last', 'inner'\], found 'best'"),
    ("trainer.mirror=maybe", r"trainer\.mirror=maybe \(Value 'maybe' is not a valid bool"),
    ("split.protocol=kfold", r"split\.protocol: expected one of \['leave_one_session_out', .*found 'kfold'"),
    ("data.synthetic.seed=x", r"data\.synthetic\.seed=x \(Value 'x' of type 'str' could not be converted"),
    ("trainer.nope=1", r"Could not override 'trainer\.nope'"),
]


@pytest.mark.parametrize("override, message", BAD_VALUES, ids=[o for o, _ in BAD_VALUES])
def test_train_refuses_a_bad_value_before_any_data_is_read(tmp_path, override, message):
    done = run(script("train.py", override, f"hydra.run.dir={tmp_path / 'run'}"), tmp_path)
    assert_one_error_line(done, message)
    assert not (tmp_path / "cache").exists()        # the synthetic data were not generated
    assert not (tmp_path / "run").exists()          # nor a run folder made


@pytest.mark.parametrize("override, message", BAD_VALUES[:2], ids=[o for o, _ in BAD_VALUES[:2]])
def test_baseline_refuses_a_bad_value_before_any_data_is_read(tmp_path, override, message):
    done = run(script("baselines/run.py", override, f"hydra.run.dir={tmp_path / 'run'}"), tmp_path)
    assert_one_error_line(done, message)
    assert not (tmp_path / "cache").exists() and not (tmp_path / "run").exists()


def test_baseline_with_a_missing_data_root_is_one_line_and_a_failed_run_folder(tmp_path):
    out = tmp_path / "run"
    done = run(script("baselines/run.py", f"data.root={tmp_path / 'nonexistent'}", f"hydra.run.dir={out}"),
               tmp_path)
    line = assert_one_error_line(done, r"nonexistent: expected a folder 'train'")
    assert json.loads((out / "metrics.json").read_text()) == {"status": "failed",
                                                               "error": line.removeprefix("error: ")}


def _corrupt_trick_folder(root: Path) -> Path:
    for path in (root / "train" / "subject0" / "train1.mat", root / "test" / "subject0.mat"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not a MATLAB file" * 100)
    return root


def test_baseline_with_a_corrupt_mat_file_is_one_line(tmp_path):
    root = _corrupt_trick_folder(tmp_path / "bad")
    done = run(script("baselines/run.py", f"data.root={root}", f"hydra.run.dir={tmp_path / 'run'}"), tmp_path)
    assert_one_error_line(done, r"train1\.mat: expected a MATLAB v5 or v7\.3 file")


def test_inspect_of_a_corrupt_mat_file_is_one_line(tmp_path):
    root = _corrupt_trick_folder(tmp_path / "bad")
    done = run([sys.executable, "-m", "cyborg.inspect", str(root / "train" / "subject0" / "train1.mat")], tmp_path)
    assert_one_error_line(done, r"train1\.mat: expected a MATLAB v5 or v7\.3 file")


@pytest.mark.parametrize("task, found", [("gestures", "UCI gestures files"), ("eegmmidb", "EEGMMIDB files")])
def test_a_real_data_task_without_its_files_names_data_root(tmp_path, task, found):
    done = run(script("baselines/run.py", f"task={task}", f"hydra.run.dir={tmp_path / 'run'}"), tmp_path)
    assert_one_error_line(done, rf"{found} .*found none; set data\.root=DIR on the train\.py")


def test_train_with_a_missing_data_root_marks_its_run_folder_failed(tmp_path):
    out = tmp_path / "run"
    done = run(script("train.py", f"data.root={tmp_path / 'missing'}", f"hydra.run.dir={out}"), tmp_path)
    line = assert_one_error_line(done, r"missing: expected a folder 'train'")
    record = json.loads((out / "metrics.json").read_text())
    assert record == {"status": "failed", "error": line.removeprefix("error: ")}


def test_evaluate_names_a_trick_csv_scored_against_a_velocity_truth(tmp_path):
    truth = tmp_path / "test_answer.json"
    truth.write_text(json.dumps({"sub1": {"trial1": [[0.0, 0.0, 0.0]] * 30}}))
    (tmp_path / "submission.csv").write_text("subject0_000,pumping\n")
    done = run(script("evaluate.py", "submission=submission.csv", f"truth={truth}"), tmp_path)
    assert_one_error_line(done, r"submission\.csv: expected JSON \(the velocity format\), "
                                r"found CSV rows \(a trick submission\?\)")


def test_evaluate_turns_hydra_override_errors_into_one_line(tmp_path):
    done = run(script("evaluate.py", "submission=a.csv", "truth=b.csv", "unknown_key=1"), tmp_path)
    assert_one_error_line(done, r"Could not override 'unknown_key'")


def test_failed_run_keeps_what_metrics_json_held_and_a_bug_keeps_its_traceback(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps({"model": "x"}))
    with pytest.raises(KeyError):
        with one_line_errors(tmp_path):
            raise KeyError("bug")
    assert json.loads((tmp_path / "metrics.json").read_text()) == {
        "model": "x", "status": "failed", "error": "KeyError: 'bug'"}


def test_one_line_errors_exits_2_with_the_message_on_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        with one_line_errors(tmp_path / "run"):
            raise DataFormatError("first line\nsecond line")
    assert stop.value.code == 2
    assert capsys.readouterr().err == "error: first line second line\n"
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["status"] == "failed"


def test_zero_epochs_is_refused_unless_pre_trained_weights_are_kept():
    with pytest.raises(ConfigError, match=r"'trainer\.max_epochs': expected an integer >= 1"):
        TrainSettings(max_epochs=0)
    assert TrainSettings(max_epochs=0, pretrain_epochs=2).max_epochs == 0


def _data_config(**synthetic) -> DictConfig:
    return OmegaConf.create({"root": None, "synthetic": {"dir": None, "seed": 0, "full_size": False,
                                                          "scenario": "default", **synthetic}})


@pytest.fixture
def generated(monkeypatch):
    """Record the folders resolve_data_root asks for instead of generating 534 MB."""
    asked = []

    def fake_ensure_synthetic(task, root, **_):
        asked.append(Path(root))
        return Path(root)

    monkeypatch.setattr("cyborg.simulate.ensure_synthetic", fake_ensure_synthetic)
    return asked


def test_synthetic_data_live_under_cyborg_data_whatever_the_working_folder(tmp_path, monkeypatch, generated,
                                                                           caplog):
    monkeypatch.setenv("CYBORG_DATA", str(tmp_path / "data"))
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        with caplog.at_level("INFO", logger="cyborg"):
            resolve_data_root("trick", _data_config())
    expected = tmp_path / "data" / "synthetic" / "trick-default-seed0"
    assert generated == [expected, expected]
    assert f"synthetic data: {expected}" in caplog.text


def test_synthetic_data_default_to_the_user_cache_folder(tmp_path, monkeypatch, generated):
    monkeypatch.delenv("CYBORG_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))     # platformdirs' Linux cache folder
    if sys.platform != "linux":
        pytest.skip("XDG_CACHE_HOME sets the cache folder on Linux only")
    monkeypatch.chdir(tmp_path)
    resolve_data_root("velocity", _data_config(seed=3))
    assert generated == [tmp_path / "xdg" / "cyborg" / "synthetic" / "velocity-default-seed3"]


def test_an_explicit_synthetic_dir_is_relative_to_the_working_folder(tmp_path, monkeypatch, generated):
    monkeypatch.chdir(tmp_path)
    resolve_data_root("trick", _data_config(dir="here"))
    assert generated == [tmp_path / "here" / "trick-default-seed0"]
