"""UCI lower-limb loader: duplicates, sign conventions, knee-angle windows."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.datasets.lower_limb import (load_lower_limb_recordings, load_lower_limb_trials,
                                           lower_limb_files, lower_limb_trials)


@pytest.fixture(scope="module")
def recordings(lower_limb_dir):
    return load_lower_limb_recordings(lower_limb_dir.parent)


def test_duplicates_are_dropped_and_reported(recordings):
    names = [r.source.name for r in recordings]
    assert len(recordings) == 31  # 33 files, 2Npie and 2Nsen repeat 1Npie and 1Nsen
    assert "2Npie.txt" not in names and "2Nsen.txt" not in names and "2Nmar.txt" in names
    by_name = {r.source.name: r for r in recordings}
    assert by_name["1Npie.txt"].extra["duplicate_files"] == ["2Npie.txt"]
    assert by_name["1Nsen.txt"].extra["duplicate_files"] == ["2Nsen.txt"]
    assert len({r.subject for r in recordings}) == 11
    assert {r.extra["group"] for r in recordings} == {"normal"}


def test_duplicate_drop_is_logged(lower_limb_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="cyborg.io"):
        kept = load_lower_limb_recordings(lower_limb_dir.parent, subjects=[1, 2], exercises=("pie",))
    assert [r.source.name for r in kept] == ["1Npie.txt"]
    assert any("2Npie.txt" in r.getMessage() and "duplicated recording" in r.getMessage()
               for r in caplog.records)
    both = load_lower_limb_recordings(lower_limb_dir.parent, subjects=[1, 2], exercises=("pie",),
                                      drop_duplicates=False)
    assert len(both) == 2


def test_knee_angle_windows(recordings):
    trials = lower_limb_trials(recordings, window_s=0.25, step_s=0.05, target_sfreq=50.0)
    assert trials.X.shape == (8745, 4, 250) and trials.y.shape == (8745, 1, 1)
    # 11 files lose their last window: it ends after the last 50 Hz target sample
    assert trials.info["n_candidates"] == 8756 and trials.info["n_dropped_target"] == 11
    assert trials.metadata.groupby("exercise").size().to_dict() == {"mar": 1465, "pie": 3418, "sen": 3862}
    assert sorted(trials.info["duplicate_files"]) == ["2Npie.txt", "2Nsen.txt"]
    assert len(trials.info["angle_flipped"]) == 11
    assert set(trials.metadata.columns) >= {"subject", "session", "exercise", "group", "start_s", "time_s"}
    # X in mV, y the knee angle (deg) at the window's last sample
    first = recordings[0]
    rows = trials.metadata.index[(trials.metadata["subject"] == first.subject)
                                 & (trials.metadata["session"] == first.session)]
    start = round(trials.metadata.loc[rows[3], "start_s"] * 1000)
    np.testing.assert_allclose(trials.X[rows[3]], first.raw.get_data()[:, start:start + 250] * 1e3, rtol=1e-5)
    at = np.round(trials.metadata.loc[rows, "time_s"].to_numpy() * 1000).astype(int)
    assert np.abs(trials.y[rows, 0, 0] - first.targets[at, 0]).max() < 1.0  # 50 Hz low-pass only


def test_sequence_targets(recordings):
    trials = lower_limb_trials(recordings[:2], window_s=0.5, step_s=0.25, target_sfreq=60.0,
                               target_mode="sequence")
    assert trials.y.shape[1:] == (30, 1) and trials.target_sfreq == 60.0


def test_load_lower_limb_trials_selects_subjects(lower_limb_dir):
    trials = load_lower_limb_trials(lower_limb_dir.parent, subjects=[5], exercises=("mar",))
    assert set(trials.metadata["subject"]) == {"N05"} and set(trials.metadata["exercise"]) == {"mar"}
    assert len(trials) == (6563 - 250) // 50 + 1  # every window of the 6.563 s file
    assert trials.info["n_dropped"] == 0


def test_a_causal_lag_takes_the_angle_later(lower_limb_dir):
    plain = load_lower_limb_trials(lower_limb_dir.parent, subjects=[5], exercises=("mar",))
    lagged = load_lower_limb_trials(lower_limb_dir.parent, subjects=[5], exercises=("mar",), causal_lag_s=0.1)
    # the hop is 50 ms: a 100 ms lag gives each window the angle of the window two hops later
    assert len(lagged) == len(plain) - 2 and lagged.info["n_dropped_target"] == 2
    np.testing.assert_array_equal(lagged.X, plain.X[:-2])
    np.testing.assert_allclose(lagged.y, plain.y[2:], atol=1e-4)


def test_files_are_found_in_several_layouts(lower_limb_dir):
    from_root = lower_limb_files(lower_limb_dir.parent)
    assert len(from_root) == 33 and from_root[0].name == "1Nmar.txt" and from_root[-1].name == "11Npie.txt"
    assert lower_limb_files(lower_limb_dir) == from_root
    assert lower_limb_files(lower_limb_dir / "N_TXT") == from_root


def test_no_files_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match=r"expected UCI lower-limb files .* found none"):
        load_lower_limb_recordings(tmp_path)


# ---------------------------------------------------------------- tiny hand-made folders

def _file_text(name: str, n_rows: int = 400, *, pathology_header: bool = False, seed: int = 0) -> str:
    """A small lower-limb file: the normal layout (FX at 50 Hz spread over 1000 rows per second) or the
    pathology header variant ('Flexo', a 'Digitals combined' line and a sixth column)."""
    rng = np.random.default_rng(seed)
    emg = rng.standard_normal((n_rows, 4)) * 0.01
    angle = 30 + 20 * np.sin(np.arange(n_rows) / 100)
    muscles = ("Recto femoral", "Biceps Femoral", "Vasto Medial", "Semitendinoso") if pathology_header \
        else ("RF", "BF", "VM", "ST")
    lines = [f"File Name: {name}.log"]
    lines += [f"Channel {i + 1}: '{m}', {n_rows} values, engineering units: mV, no filters."
              for i, m in enumerate(muscles)]
    if pathology_header:
        lines.append(f"Channel 5: 'Flexo', {n_rows} values, engineering units: deg, no filters.")
        lines.append(f"Digitals combined (event=16, d=8, c=4, b=2, a=1): {n_rows} values, .")
    else:
        lines.append(f"Channel 5: 'FX', {n_rows // 20} values, engineering units: deg, no filters, "
                     f"extrapolated from 50 to 1000 samples per second.")
    lines.append("")
    extra = ["31"] if pathology_header else []
    lines += ["\t".join([*(f"{v:.4f}" for v in row), f"{a:.1f}", *extra]) for row, a in zip(emg, angle)]
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture()
def both_groups(tmp_path):
    """N_TXT with subjects 1-2 (gait), A_TXT with subject 1 (normal header) and 10 (header variant)."""
    root = tmp_path / "uci_lower_limb_emg"
    for folder, name, variant, seed in (("N_TXT", "1Nmar", False, 1), ("N_TXT", "2Nmar", False, 2),
                                        ("A_TXT", "1Amar", False, 3), ("A_TXT", "10Amar", True, 4)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        text = _file_text(name, pathology_header=variant, seed=seed)
        (root / folder / f"{name}.txt").write_bytes(text.encode("latin-1"))
    return root


@pytest.mark.parametrize("groups, names", [
    (("normal",), ["1Nmar.txt", "2Nmar.txt"]),
    ("pathology", ["1Amar.txt", "10Amar.txt"]),
    ("both", ["1Nmar.txt", "2Nmar.txt", "1Amar.txt", "10Amar.txt"]),
    (["pathology", "normal"], ["1Nmar.txt", "2Nmar.txt", "1Amar.txt", "10Amar.txt"]),  # dataset order
])
def test_groups_select_folders_and_file_letters(both_groups, groups, names):
    assert [p.name for p in lower_limb_files(both_groups, groups=groups)] == names


def test_group_is_in_the_metadata(both_groups):
    trials = load_lower_limb_trials(both_groups, groups="both", window_s=0.1, step_s=0.1)
    assert trials.n_chans == 4 and trials.ch_names == ["RF", "BF", "VM", "ST"]  # DIGITAL is a stim channel
    by_subject = trials.metadata.groupby("subject")["group"].first().to_dict()
    assert by_subject == {"N01": "normal", "N02": "normal", "A01": "pathology", "A10": "pathology"}
    only = load_lower_limb_trials(both_groups, groups="pathology", window_s=0.1, step_s=0.1)
    assert set(only.metadata["group"]) == {"pathology"}


def test_unknown_group_is_refused(both_groups):
    with pytest.raises(CyborgError, match=r"lower limb: groups: expected one of \['normal', 'pathology', "
                                          r"'both'\], found 'abnormal'"):
        lower_limb_files(both_groups, groups="abnormal")
    with pytest.raises(CyborgError, match=r"expected one of \['normal', 'pathology'\], found 'both'"):
        lower_limb_files(both_groups, groups=["normal", "both"])


def test_bad_file_raises_by_default_and_is_skipped_on_request(both_groups, caplog):
    bad = both_groups / "N_TXT" / "2Nmar.txt"
    bad.write_bytes(bad.read_bytes()[:600])  # truncated
    with pytest.raises(DataFormatError, match=r"2Nmar\.txt: field 'data': expected 400 EMG rows"):
        load_lower_limb_trials(both_groups, groups="normal")
    with caplog.at_level(logging.WARNING, logger="cyborg.io"):
        trials = load_lower_limb_trials(both_groups, groups="both", on_error="skip", window_s=0.1, step_s=0.1)
    reports = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(reports) == 1 and "\n" not in reports[0]
    assert reports[0].startswith(f"{bad}: skipped (on_error='skip'): ") and "expected 400 EMG rows" in reports[0]
    assert "N02" not in set(trials.metadata["subject"]) and len(set(trials.metadata["subject"])) == 3
    assert list(trials.info["skipped_files"]) == ["2Nmar.txt"]


def test_every_file_refused_or_bad_option(both_groups):
    for path in (both_groups / "N_TXT").glob("*.txt"):
        path.write_text("File Name: x.log\r\n")
    with pytest.raises(DataFormatError, match=r"expected at least one readable lower-limb file, found 2 "
                                              r"refused: \['1Nmar.txt', '2Nmar.txt'\]"):
        load_lower_limb_recordings(both_groups, on_error="skip")
    with pytest.raises(CyborgError, match=r"on_error: expected one of \['raise', 'skip'\], found 'ignore'"):
        load_lower_limb_recordings(both_groups, on_error="ignore")
