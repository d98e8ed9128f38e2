"""Read the plain-text EMG layouts of two public UCI datasets into Recordings.

**UCI "EMG dataset in Lower Limb"** (:func:`read_uci_lower_limb`): a header
(``File Name: 1Nmar.log``, then one ``Channel n: 'NAME', N values,
engineering units: U, ...`` line per column), a blank line, then
tab-separated rows of RF, BF, VM, ST (sEMG, mV) and FX (knee flexion angle,
degrees) at 1000 Hz. What the reader does with the known quirks:

- CRLF or LF line endings and a Latin-1 header are both read.
- The trailing rows that hold only FX (the goniometer ran a little longer
  than the EMG) are dropped: targets end where the signal ends.
- A token with trailing letters (``7.5V`` in ``1Nmar.txt``) is read as its
  number; a token with no number becomes NaN. Each is reported.
- A row with the EMG present but FX blank gives a NaN target (masked by
  :func:`cyborg.windows.sliding.sliding_windows`); a target shorter than the
  signal is padded with NaN and reported.
- Timing: FX was recorded at 50 Hz and "extrapolated" to 1000 rows per
  second; the header's row counts must agree with the rows found (a
  truncated file raises) and its stated rate with ``sfreq`` (a file whose
  timing disagrees with the documented 1 kHz raises).
- Sign convention: some recordings are negative-going (flexion < 0). With
  ``angle_sign="auto"`` the sign of such a file is flipped so that knee
  flexion is positive, and the flip is reported (``extra["angle_flipped"]``).
- Channel headers in Spanish (``'Recto Femoral'``, ``'Flexo-Extension'``,
  file ``7Nmar.txt``; ``'Flexo'`` in the knee-pathology files ``9A``-``11A``)
  are mapped to RF, BF, VM, ST, FX.
- Header variant of the knee-pathology files ``9A``-``11A``: an extra line
  ``Digitals combined (event=16, d=8, c=4, b=2, a=1): N values, .`` and a
  sixth data column with the logger's digital inputs (bit-coded). The column
  is kept as a ``stim`` channel ``DIGITAL`` (left out of windows and signal
  checks); each change of its code becomes an annotation ``digital <code>``,
  and a code that never changes (31 in every file of the original set) is
  reported. The FX column of these files has one value per row (no 50 Hz
  "extrapolation" note).
- ``extra["data_sha1"]`` fingerprints the numbers so that a dataset loader
  can detect duplicated recordings (``2Npie``/``2Nsen`` repeat ``1N``).

**UCI "EMG Data for Gestures"** (:func:`read_uci_gestures`): a header
``time channel1..channel8 class`` then tab-separated rows with the time in
ms (~1 kHz, irregular, small gaps), 8 Myo channels and the gesture class.
The reader places the rows on a regular grid (default 1 kHz) by their time
stamps, holds the last value across gaps (reported), and turns runs of
non-zero class into annotations named after the gestures.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cyborg.errors import DataFormatError
from cyborg.io.formats import finish_recording, report_issue, reader_errors
from cyborg.recording import Recording
from cyborg.validation import check_file, check_option

if TYPE_CHECKING:
    import mne

#: Canonical lower-limb columns: 4 sEMG muscles then the knee angle.
LOWER_LIMB_EMG = ("RF", "BF", "VM", "ST")
LOWER_LIMB_MUSCLES = {"RF": "rectus femoris", "BF": "biceps femoris",
                      "VM": "vastus medialis", "ST": "semitendinosus"}
#: Header spellings seen in the dataset (lower case) -> canonical column.
LOWER_LIMB_ALIASES = {"rf": "RF", "recto femoral": "RF", "bf": "BF", "biceps femoral": "BF",
                      "vm": "VM", "vasto medial": "VM", "vasto interno": "VM",
                      "st": "ST", "emg semitendinoso": "ST", "semitendinoso": "ST",
                      "fx": "FX", "flexo-extension": "FX", "flexo-extensión": "FX", "flexo": "FX"}
#: Column name of the bit-coded digital inputs of the header variant (kept as a stim channel).
DIGITAL_COLUMN = "DIGITAL"
LOWER_LIMB_SFREQ = 1000.0
LOWER_LIMB_EXERCISES = {"mar": "gait", "sen": "leg extension from sitting",
                        "pie": "knee flexion standing"}
ANGLE_SIGNS = ("auto", "as_recorded")
EMG_UNIT_SCALES = {"mv": 1e-3, "v": 1.0, "uv": 1e-6, "µv": 1e-6}

#: Gesture class codes of the UCI gestures set (0 = unmarked, not annotated).
GESTURES = {1: "rest", 2: "fist", 3: "wrist_flexion", 4: "wrist_extension",
            5: "radial_deviation", 6: "ulnar_deviation", 7: "extended_palm"}
GESTURE_COLUMNS = ("time", *(f"channel{i}" for i in range(1, 9)), "class")
#: Gaps between gesture rows longer than this (s) are reported as warnings.
GESTURE_MAX_GAP_S = 0.1
#: Largest fraction of damaged rows a reader repairs before refusing the file.
MAX_BAD_ROW_FRACTION = 0.01

_CHANNEL_LINE = re.compile(r"^Channel\s+\d+:\s*'([^']*)',\s*(\d+)\s+values,\s*engineering units:\s*([^,]+)",
                           re.IGNORECASE)
_DIGITAL_LINE = re.compile(r"^Digitals combined\s*\(([^)]*)\):\s*(\d+)\s+values", re.IGNORECASE)
_EXTRAPOLATED = re.compile(r"extrapolated from\s+(\d+(?:\.\d+)?)\s+to\s+(\d+(?:\.\d+)?)", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_LOWER_LIMB_NAME = re.compile(r"^(\d+)([NA])(mar|sen|pie)$", re.IGNORECASE)


def read_text_emg(path: str | Path, **kwargs: Any) -> Recording:
    """Read a plain-text EMG file, recognising its layout from the first line.

    Parameters
    ----------
    path : str | Path
        A UCI lower-limb file (first line ``File Name: ...``) or a UCI
        gestures file (first line ``time channel1 ... class``).
    **kwargs
        Passed to :func:`read_uci_lower_limb` or :func:`read_uci_gestures`.

    Returns
    -------
    recording : Recording
    """
    path = check_file(path, "text EMG file")
    with open(path, "rb") as handle:
        first = handle.readline(256).decode("latin-1").strip().lower()
    if first.startswith("file name:"):
        return read_uci_lower_limb(path, **kwargs)
    if first.split("\t")[:2] == ["time", "channel1"]:
        return read_uci_gestures(path, **kwargs)
    raise DataFormatError(f"{path}: field 'first line': expected 'File Name: ...' (UCI lower limb) "
                          f"or 'time<TAB>channel1...' (UCI gestures), found {first[:60]!r}")


def read_uci_lower_limb(path: str | Path, *, sfreq: float | None = LOWER_LIMB_SFREQ,
                        angle_sign: str = "auto", zero_angle: bool = False) -> Recording:
    """Read one file of the UCI lower-limb set: 4 sEMG channels + knee angle target.

    Parameters
    ----------
    path : str | Path
        A ``<k>N<exercise>.txt`` (or ``<k>A...``) file.
    sfreq : float | None
        Documented row rate in Hz (1000). The header's stated rate must
        agree; ``None`` trusts the header instead.
    angle_sign : {"auto", "as_recorded"}
        ``"auto"`` flips negative-going files so that knee flexion is
        positive; ``"as_recorded"`` keeps the file's sign (the detection is
        still reported).
    zero_angle : bool
        Subtract the file's 1st percentile of the angle, so that the most
        extended posture reads about 0 degrees (removes goniometer offsets
        that differ between subjects).

    Returns
    -------
    recording : Recording
        ``raw``: channels RF, BF, VM, ST (``emg``, volts) at ``sfreq``,
        plus the ``stim`` channel ``DIGITAL`` (bit codes) when the file has
        the digital column, its code changes as annotations;
        ``targets``: knee flexion angle in degrees, shape (n_times, 1) at
        ``target_sfreq`` = ``sfreq``, ``target_names`` = ``("knee_angle",)``;
        ``subject`` ``"N01"`` (group letter + number), ``session`` the
        exercise code; ``extra``: ``exercise``, ``group`` (``"normal"`` or
        ``"pathology"``), ``angle_flipped``, ``data_sha1``, ``file_units``,
        ``issues`` and, with the digital column, ``digital_codes`` (the
        distinct codes found).

    Raises
    ------
    DataFormatError
        Missing header lines, unknown columns or units, a truncated file,
        timing that disagrees with ``sfreq``, or more than 1 % damaged rows.
    """
    path = check_file(path, "UCI lower-limb file")
    check_option(angle_sign, ANGLE_SIGNS, "read_uci_lower_limb: angle_sign")
    issues: list[str] = []
    with reader_errors(path, "parsing the lower-limb text"):
        lines = path.read_bytes().decode("latin-1").splitlines()
        header_end = _blank_line_index(lines, path)
        columns, counts, units, rate_from, rate_to = _lower_limb_header(lines[:header_end], path)
        table = _parse_rows(lines[header_end + 1:], len(columns), header_end + 2, path, issues)
    fx = columns.index("FX")
    emg_index = [columns.index(name) for name in LOWER_LIMB_EMG]
    row_sfreq = _check_lower_limb_timing(table, columns, counts, rate_from, rate_to, sfreq, path)

    emg_rows = np.flatnonzero(~np.isnan(table[:, emg_index]).all(axis=1))
    n_times = int(emg_rows[-1]) + 1 if len(emg_rows) else 0
    if n_times == 0:
        raise DataFormatError(f"{path}: field 'data': expected EMG rows, found none")
    emg = table[:n_times, emg_index].T
    n_missing = int(np.isnan(emg).any(axis=0).sum())
    if n_missing:
        report_issue(issues, path, f"{n_missing} rows with blank EMG cells inside the signal (NaN)")
    angle = _knee_angle(table[:, fx], n_times, path, issues)
    scales = np.array([_emg_scale(units[i], columns[i], path) for i in emg_index])
    flipped, angle = _normalise_sign(angle, angle_sign, path, issues)
    extra_angle = {}
    if zero_angle and np.isfinite(angle).any():
        offset = float(np.nanpercentile(angle, 1))
        angle = angle - offset
        extra_angle["angle_offset_deg"] = offset

    import mne

    signal = emg * scales[:, None]
    names, kinds = list(LOWER_LIMB_EMG), ["emg"] * len(LOWER_LIMB_EMG)
    extra_digital = {}
    if DIGITAL_COLUMN in columns:
        codes = np.nan_to_num(table[:n_times, columns.index(DIGITAL_COLUMN)])
        signal = np.vstack([signal, codes])
        names.append(DIGITAL_COLUMN)
        kinds.append("stim")
        extra_digital["digital_codes"] = sorted(int(c) for c in np.unique(codes))
    raw = mne.io.RawArray(signal, mne.create_info(names, row_sfreq, kinds), verbose="error")
    if DIGITAL_COLUMN in columns:
        _digital_annotations(raw, codes, path, issues)
    subject, exercise, group = _lower_limb_identity(path)
    recording = finish_recording(raw, path, subject=subject, session=exercise, issues=issues,
                                 stim_to_annotations=False, set_montage=False, targets=angle[:, None],
                                 target_names=("knee_angle",), target_sfreq=row_sfreq)
    recording.extra.update(
        exercise=exercise, group=group, angle_flipped=flipped, target_unit="deg", **extra_digital,
        file_units={columns[i]: units[i] for i in range(len(columns))},
        muscles=dict(LOWER_LIMB_MUSCLES), data_sha1=_fingerprint(table), **extra_angle)
    return recording


def read_uci_gestures(path: str | Path, *, grid_sfreq: float = 1000.0) -> Recording:
    """Read one file of the UCI gestures set (8-channel Myo EMG + gesture class).

    Parameters
    ----------
    path : str | Path
        A ``<series>_raw_data_<time>_<date>.txt`` file, usually in a folder
        named after the subject (``01/``).
    grid_sfreq : float
        Rate of the regular grid the time-stamped rows are placed on (Hz);
        the time stamps are in ms, so 1000 keeps every row.

    Returns
    -------
    recording : Recording
        ``raw``: 8 ``emg`` channels at ``grid_sfreq``, values as written
        (scaled Myo 8-bit units, about +-0.00128, not volts);
        annotations: one per run of a non-zero class, named as in
        :data:`GESTURES`; ``subject`` from the folder name, ``session`` the
        series number from the file name; ``extra``: ``repeated_row_fraction``,
        ``n_gap_samples`` (grid samples filled by holding), ``issues``.

    Raises
    ------
    DataFormatError
        Wrong header, time stamps not increasing or not at ~1 ms, unknown
        class codes, or more than 1 % damaged rows.
    """
    path = check_file(path, "UCI gestures file")
    issues: list[str] = []
    with reader_errors(path, "parsing the gestures text"):
        lines = path.read_bytes().decode("latin-1").splitlines()
        if not lines:
            raise DataFormatError(f"{path}: expected a header line, found an empty file")
        header = tuple(lines[0].strip().lower().split("\t"))
        if header != GESTURE_COLUMNS:
            raise DataFormatError(f"{path}: field 'header': expected {list(GESTURE_COLUMNS)}, "
                                  f"found {list(header)}")
        table = _parse_rows(lines[1:], len(GESTURE_COLUMNS), 2, path, issues, drop_partial=True)
    times_ms, values, codes = table[:, 0], table[:, 1:9], table[:, 9]
    if len(times_ms) < 2:
        raise DataFormatError(f"{path}: field 'data': expected at least 2 rows, found {len(times_ms)}")
    steps = np.diff(times_ms)
    if (steps <= 0).any():
        first = int(np.flatnonzero(steps <= 0)[0]) + 2
        raise DataFormatError(f"{path}: field 'time': expected increasing time stamps, "
                              f"found a step of {steps[first - 2]:g} ms at data row {first}")
    period_ms = 1000.0 / grid_sfreq
    if not np.isclose(np.median(steps), period_ms, rtol=0.25):
        raise DataFormatError(f"{path}: field 'time': expected rows every {period_ms:g} ms "
                              f"({grid_sfreq:g} Hz), found a median step of {np.median(steps):g} ms")
    unknown = sorted({int(code) for code in np.unique(codes)} - set(GESTURES) - {0})
    if unknown or not np.allclose(codes, np.round(codes)):
        raise DataFormatError(f"{path}: field 'class': expected codes 0-7, found {unknown or 'non-integers'}")

    grid_index = np.round((times_ms - times_ms[0]) / period_ms).astype(int)
    held = np.searchsorted(grid_index, np.arange(grid_index[-1] + 1), side="right") - 1
    n_gap_samples = int(len(held) - len(np.unique(grid_index)))
    longest_gap = float(steps.max()) / 1000.0
    level = logging.WARNING if longest_gap > GESTURE_MAX_GAP_S else logging.INFO
    if n_gap_samples:
        report_issue(issues, path, f"{n_gap_samples} grid samples had no row (gaps up to "
                                   f"{longest_gap * 1000:g} ms); the previous row was held", level)
    repeated = float((np.abs(np.diff(values, axis=0)).sum(axis=1) == 0).mean())
    report_issue(issues, path, f"{repeated:.0%} of rows repeat the previous values (Myo updates "
                               f"at <= 200 Hz); kept as written", logging.INFO)

    import mne

    names = list(GESTURE_COLUMNS[1:9])
    raw = mne.io.RawArray(values[held].T, mne.create_info(names, grid_sfreq, "emg"), verbose="error")
    raw.set_annotations(_class_annotations(codes[held].astype(int), grid_sfreq))
    subject, series = _gesture_identity(path)
    recording = finish_recording(raw, path, subject=subject, session=series, issues=issues,
                                 set_montage=False)
    recording.extra.update(repeated_row_fraction=repeated, n_gap_samples=n_gap_samples,
                           file_units={n: "Myo units (8-bit x 1e-5)" for n in names},
                           first_time_ms=float(times_ms[0]))
    return recording


def _blank_line_index(lines: list[str], path: Path) -> int:
    for index, line in enumerate(lines[:20]):
        if not line.strip():
            return index
    raise DataFormatError(f"{path}: field 'header': expected a blank line after the header, "
                          f"found none in the first {min(len(lines), 20)} lines")


def _lower_limb_header(header: list[str], path: Path
                       ) -> tuple[list[str], list[int], list[str], float | None, float | None]:
    """Columns (canonical names, ``DIGITAL`` for the digital inputs), declared counts, units
    and the FX interpolation rates."""
    if not header or not header[0].lower().startswith("file name:"):
        raise DataFormatError(f"{path}: field 'header': expected 'File Name: ...' first, "
                              f"found {header[:1]}")
    columns, counts, units = [], [], []
    rate_from = rate_to = None
    for line in header[1:]:
        digital = _DIGITAL_LINE.match(line.strip())
        if digital and DIGITAL_COLUMN not in columns:
            columns.append(DIGITAL_COLUMN)
            counts.append(int(digital.group(2)))
            units.append(f"bit code ({digital.group(1).strip()})")
            continue
        match = _CHANNEL_LINE.match(line.strip())
        if not match:
            raise DataFormatError(f"{path}: field 'header': expected \"Channel n: 'NAME', N values, "
                                  f"engineering units: U\" or \"Digitals combined (...): N values\", "
                                  f"found {line.strip()[:80]!r}")
        name = LOWER_LIMB_ALIASES.get(match.group(1).strip().lower())
        if name is None:
            raise DataFormatError(f"{path}: field 'header': expected a channel in "
                                  f"{sorted(LOWER_LIMB_ALIASES)}, found {match.group(1)!r}")
        columns.append(name)
        counts.append(int(match.group(2)))
        units.append(match.group(3).strip())
        extrapolated = _EXTRAPOLATED.search(line)
        if name == "FX" and extrapolated:
            rate_from, rate_to = float(extrapolated.group(1)), float(extrapolated.group(2))
    analog = [name for name in columns if name != DIGITAL_COLUMN]
    if sorted(analog) != sorted((*LOWER_LIMB_EMG, "FX")):
        raise DataFormatError(f"{path}: field 'header': expected channels "
                              f"{[*LOWER_LIMB_EMG, 'FX']} (and optionally a 'Digitals combined' line), "
                              f"found {columns}")
    return columns, counts, units, rate_from, rate_to


def _parse_rows(lines: list[str], n_columns: int, first_line: int, path: Path, issues: list[str],
                drop_partial: bool = False) -> np.ndarray:
    """Tab-separated numbers -> float array (n_rows, n_columns); blank cells are NaN.

    Empty lines are skipped; a line of empty cells is a row of NaN (it keeps
    its place in time). Tokens with trailing letters are read as their
    number; tokens without one become NaN. With ``drop_partial`` rows with
    any blank or unreadable cell are dropped instead. Clean files take a
    fast path through pandas; the cell-by-cell path runs only when it fails.
    """
    table = _fast_table(lines, n_columns)
    if table is not None and not (drop_partial and np.isnan(table).any()):
        if not len(table):
            raise DataFormatError(f"{path}: field 'data': expected data rows, found none")
        return table
    rows, repaired, damaged = [], [], []
    for offset, line in enumerate(lines):
        if not line:
            continue
        cells = line.split("\t")
        if len(cells) > n_columns and not any(c.strip() for c in cells[n_columns:]):
            cells = cells[:n_columns]
        if len(cells) > n_columns:
            damaged.append(first_line + offset)
            continue
        row = []
        bad_row = False
        for cell in cells + [""] * (n_columns - len(cells)):
            value, status = _parse_cell(cell)
            if status == "repaired":
                repaired.append((first_line + offset, cell.strip()))
            bad_row |= status == "unreadable" or (drop_partial and status == "blank")
            row.append(value)
        if bad_row:
            damaged.append(first_line + offset)
            if drop_partial:
                continue
        rows.append(row)
    n_bad = len(damaged) + len(repaired)
    if n_bad > max(1, MAX_BAD_ROW_FRACTION * max(len(rows), 1)):
        raise DataFormatError(f"{path}: field 'data': expected tab-separated numbers in "
                              f"{n_columns} columns, found {n_bad} damaged rows "
                              f"(first at line {(damaged or [r[0] for r in repaired])[0]})")
    if repaired:
        report_issue(issues, path, f"stray tokens read as their number: "
                                   f"{[f'line {n}: {t!r}' for n, t in repaired[:5]]}")
    if damaged:
        action = "dropped" if drop_partial else "unreadable cells set to NaN"
        report_issue(issues, path, f"{len(damaged)} damaged rows ({action}), first at line {damaged[0]}")
    if not rows:
        raise DataFormatError(f"{path}: field 'data': expected data rows, found none")
    return np.asarray(rows, dtype=float)


def _fast_table(lines: list[str], n_columns: int) -> np.ndarray | None:
    """The rows through pandas' C parser, or ``None`` when any cell is not a plain number."""
    import pandas as pd

    body = "\n".join(line for line in lines if line)
    if not body:
        return np.zeros((0, n_columns))
    try:
        frame = pd.read_csv(io.StringIO(body), sep="\t", header=None, names=list(range(n_columns)),
                            dtype=float, skip_blank_lines=False, engine="c")
    except (ValueError, pd.errors.ParserError):
        return None
    table = frame.to_numpy(dtype=float)
    return table if not np.isinf(table).any() else None


def _parse_cell(cell: str) -> tuple[float, str]:
    token = cell.strip()
    if not token:
        return np.nan, "blank"
    try:
        value = float(token)
    except ValueError:
        match = _NUMBER_PREFIX.match(token)
        if match is None:
            return np.nan, "unreadable"
        return float(match.group(0)), "repaired"
    return (value, "ok") if np.isfinite(value) else (np.nan, "unreadable")


def _check_lower_limb_timing(table: np.ndarray, columns: list[str], counts: list[int],
                             rate_from: float | None, rate_to: float | None,
                             sfreq: float | None, path: Path) -> float:
    """Check row counts and rates against the header; return the row rate (Hz)."""
    header_rate = rate_to if rate_to is not None else LOWER_LIMB_SFREQ
    if sfreq is not None and not np.isclose(header_rate, sfreq):
        raise DataFormatError(f"{path}: field 'FX header': expected rows at the documented "
                              f"{sfreq:g} Hz, found {header_rate:g} samples per second")
    row_sfreq = float(sfreq if sfreq is not None else header_rate)
    fx = columns.index("FX")
    emg = [columns.index(name) for name in LOWER_LIMB_EMG]
    found_emg = _last_filled(table[:, emg])
    declared_emg = counts[emg[0]]
    if any(counts[i] != declared_emg for i in emg):
        raise DataFormatError(f"{path}: field 'header': expected one value count for the 4 EMG "
                              f"channels, found {[counts[i] for i in emg]}")
    if found_emg != declared_emg:
        hint = ": file truncated" if found_emg < declared_emg else ""
        raise DataFormatError(f"{path}: field 'data': expected {declared_emg} EMG rows (header), "
                              f"found {found_emg}{hint}")
    ratio = row_sfreq / rate_from if rate_from else 1.0
    expected_fx = counts[fx] * ratio
    found_fx = _last_filled(table[:, [fx]])
    if abs(found_fx - expected_fx) > max(ratio, 1.0):
        raise DataFormatError(
            f"{path}: field 'FX': expected about {expected_fx:g} angle rows ({counts[fx]} values "
            f"x {ratio:g} rows each at {row_sfreq:g} Hz), found {found_fx}: timing disagrees")
    return row_sfreq


def _digital_annotations(raw: mne.io.BaseRaw, codes: np.ndarray, path: Path, issues: list[str]) -> None:
    """Annotate each change of the digital code (``digital <code>``), in place; report a constant code."""
    import mne

    changes = np.flatnonzero(np.diff(codes)) + 1
    if not len(changes):
        report_issue(issues, path, f"digital inputs constant at code {int(codes[0]) if len(codes) else 0} "
                                   f"over the file: no events; kept as stim channel {DIGITAL_COLUMN}",
                     logging.INFO)
        return
    raw.set_annotations(mne.Annotations(onset=changes / raw.info["sfreq"], duration=np.zeros(len(changes)),
                                        description=[f"digital {int(c)}" for c in codes[changes]]))


def _last_filled(block: np.ndarray) -> int:
    filled = np.flatnonzero(~np.isnan(block).all(axis=1))
    return int(filled[-1]) + 1 if len(filled) else 0


def _knee_angle(fx: np.ndarray, n_times: int, path: Path, issues: list[str]) -> np.ndarray:
    """The angle over the signal's rows: trailing rows dropped, a short one padded with NaN."""
    n_fx = _last_filled(fx[:, None])
    if n_fx > n_times:
        report_issue(issues, path, f"{n_fx - n_times} trailing angle-only rows after the EMG "
                                   f"dropped", logging.INFO)
    angle = np.full(n_times, np.nan)
    angle[: min(n_fx, n_times)] = fx[: min(n_fx, n_times)]
    if n_fx < n_times:
        report_issue(issues, path, f"target shorter than the signal by {n_times - n_fx} samples: "
                                   f"padded with NaN (masked by sliding windows)")
    n_blank = int(np.isnan(angle[:n_fx]).sum())
    if n_blank:
        report_issue(issues, path, f"{n_blank} blank or unreadable angle cells inside the recording (NaN targets)")
    return angle


def _normalise_sign(angle: np.ndarray, angle_sign: str, path: Path,
                    issues: list[str]) -> tuple[bool, np.ndarray]:
    """Detect a negative-going goniometer (|min| > |max|) and flip it when asked."""
    if not np.isfinite(angle).any():
        return False, angle
    low, high = float(np.nanmin(angle)), float(np.nanmax(angle))
    if abs(low) <= abs(high):
        return False, angle
    if angle_sign == "as_recorded":
        report_issue(issues, path, f"knee angle is negative-going (min {low:g}, max {high:g} deg); "
                                   f"kept as recorded", logging.INFO)
        return False, angle
    report_issue(issues, path, f"knee angle is negative-going (min {low:g}, max {high:g} deg); "
                               f"sign flipped so that flexion is positive", logging.INFO)
    return True, -angle


def _emg_scale(unit: str, name: str, path: Path) -> float:
    scale = EMG_UNIT_SCALES.get(unit.strip().lower())
    if scale is None:
        raise DataFormatError(f"{path}: field '{name} unit': expected one of "
                              f"{sorted(EMG_UNIT_SCALES)}, found {unit!r}")
    return scale


def _fingerprint(table: np.ndarray) -> str:
    """SHA-1 of the numbers (header excluded), to find duplicated recordings."""
    return hashlib.sha1(np.ascontiguousarray(np.round(table, 6)).tobytes()).hexdigest()


def _lower_limb_identity(path: Path) -> tuple[str, str | None, str | None]:
    """``1Nmar.txt`` -> subject ``"N01"``, exercise ``"mar"``, group ``"normal"`` (``A``: ``"pathology"``)."""
    match = _LOWER_LIMB_NAME.match(path.stem)
    if match is None:
        return path.stem, None, None
    number, letter, exercise = match.groups()
    group = "normal" if letter.upper() == "N" else "pathology"
    return f"{letter.upper()}{int(number):02d}", exercise.lower(), group


def _gesture_identity(path: Path) -> tuple[str, str | None]:
    """``01/2_raw_data_....txt`` -> subject ``"01"``, series ``"2"``."""
    series = path.name.split("_", 1)[0]
    subject = path.parent.name if path.parent.name.isdigit() else path.stem
    return subject, series if series.isdigit() else None


def _class_annotations(codes: np.ndarray, sfreq: float) -> mne.Annotations:
    """One annotation per run of a non-zero class code."""
    import mne

    change = np.flatnonzero(np.diff(codes)) + 1
    starts = np.r_[0, change]
    stops = np.r_[change, len(codes)]
    keep = codes[starts] != 0
    return mne.Annotations(onset=starts[keep] / sfreq, duration=(stops - starts)[keep] / sfreq,
                           description=[GESTURES[int(c)] for c in codes[starts[keep]]])
