"""Damaged real files: every reader ends in a CyborgError or a valid Recording, never worse.

Small real files (cut from the shared recordings) are truncated at several
points, get random bytes replaced (seeded), and get format-specific header
fields broken. Each variant is written to tmp_path and read through the
public :func:`cyborg.io.formats.read_recording`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import ezc3d
import mne
import numpy as np
import pytest

from cyborg.errors import CyborgError
from cyborg.io.formats import read_recording
from cyborg.recording import Recording

TRUNCATION_FRACTIONS = (0.0, 0.002, 0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
FLIP_COUNTS = (1, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16, 32)  # first half inside the header, then anywhere
VARIANTS_PER_FORMAT = 30


# ---------------------------------------------------------------- small real base files


def _small_edf(source: Path, out: Path, n_records: int = 4) -> Path:
    """The first records of an EDF+ file, with the record count rewritten."""
    data = source.read_bytes()
    header_bytes = int(data[184:192])
    n_records_total = int(data[236:244])
    record_bytes = (len(data) - header_bytes) // n_records_total
    header = data[:236] + f"{n_records:<8d}".encode() + data[244:header_bytes]
    out.write_bytes(header + data[header_bytes: header_bytes + n_records * record_bytes])
    return out


def _small_brainvision(folder: Path, out_dir: Path) -> Path:
    """test.vhdr/.vmrk with its .eeg cut to the first 1000 samples (32 ch x int16)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix in (".vhdr", ".vmrk"):
        shutil.copy(folder / f"test{suffix}", out_dir / f"test{suffix}")
    (out_dir / "test.eeg").write_bytes((folder / "test.eeg").read_bytes()[: 1000 * 32 * 2])
    return out_dir / "test.vhdr"


def _small_fif(source: Path, out: Path) -> Path:
    raw = mne.io.read_raw_fif(source, preload=True, verbose="error").crop(0, 0.5)
    raw.save(out, verbose="error")
    return out


def _small_c3d(source: Path, out: Path, n_frames: int = 40) -> Path:
    """The first frames of the C3D trial: 5 markers and 8 analog channels."""
    full = ezc3d.c3d(str(source))
    small = ezc3d.c3d()
    small["parameters"]["POINT"]["RATE"]["value"] = full["parameters"]["POINT"]["RATE"]["value"]
    small["parameters"]["POINT"]["LABELS"]["value"] = full["parameters"]["POINT"]["LABELS"]["value"][8:13]
    small["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    small["parameters"]["ANALOG"]["RATE"]["value"] = full["parameters"]["ANALOG"]["RATE"]["value"]
    small["parameters"]["ANALOG"]["LABELS"]["value"] = full["parameters"]["ANALOG"]["LABELS"]["value"][4:12]
    small["parameters"]["ANALOG"]["UNITS"]["value"] = ["V"] * 8
    small["data"]["points"] = full["data"]["points"][:, 8:13, :n_frames]
    small["data"]["analogs"] = full["data"]["analogs"][:, 4:12, : n_frames * 20]
    small.write(str(out))
    return out


def _small_lower_limb(source: Path, out: Path, n_rows: int = 400) -> Path:
    """1Nmar.txt's header with the counts of its first ``n_rows`` rows, CRLF kept."""
    lines = source.read_bytes().decode("latin-1").split("\r\n")
    header = [line.replace("5681 values", f"{n_rows} values").replace("285 values", f"{n_rows // 20} values")
              for line in lines[:7]]
    out.write_bytes("\r\n".join(header + lines[7: 7 + n_rows] + ["\t\t\t\t", ""]).encode("latin-1"))
    return out


def _small_gestures(source: Path, out: Path, n_rows: int = 2000) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = source.read_text().splitlines()
    out.write_text("\n".join(lines[: n_rows + 1]) + "\n")
    return out


# ---------------------------------------------------------------- corruptions


def _replace(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new, 1)


def _at(offset: int, value: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data[:offset] + value + data[offset + len(value):]


def _edf_header_breaks() -> list[Callable[[bytes], bytes]]:
    return [_at(252, b"999 "), _at(252, b"0   "), _at(252, b"ab  "), _at(236, b"-5      "),
            _at(236, b"99999999"), _at(244, b"0       "), _at(244, b"nan     "), _at(184, b"12      "),
            _at(0, b"XXXXXXXX")]


HEADER_BREAKS: dict[str, list[Callable[[bytes], bytes]]] = {
    "edf": _edf_header_breaks(),
    "bdf": _edf_header_breaks(),
    "vhdr": [lambda d: _replace(d, b"SamplingInterval=1000", b"SamplingInterval=0"),
             lambda d: _replace(d, b"NumberOfChannels=32", b"NumberOfChannels=999"),
             lambda d: _replace(d, b"DataFile=test.eeg", b"DataFile=missing.eeg"),
             lambda d: _replace(d, b"BinaryFormat=INT_16", b"BinaryFormat=FOO"),
             lambda d: _replace(d, b"[Common Infos]", b"[Nothing]"),
             lambda d: _replace(d, b"Ch1=", b"Ch1000=")],
    "fif": [_at(0, b"\x00\x00\x00\x00"), _at(4, b"\xff\xff\xff\xff"), _at(8, b"\x7f\xff\xff\xff"),
            lambda d: d[:64] + bytes(256) + d[320:]],
    "c3d": [_at(1, b"\x00"), _at(0, b"\xff"), _at(2, b"\xff\xff"), _at(8, b"\xff\x7f"),
            _at(4, b"\xff\xff"), _at(512 + 3, b"\x01")],
    "lower_limb": [lambda d: _replace(d, b"from 50 to 1000", b"from 50 to 2000"),
                   lambda d: _replace(d, b"'RF', 400 values", b"'RF', 9999 values"),
                   lambda d: _replace(d, b"'BF'", b"'ZZ'"),
                   lambda d: _replace(d, b"File Name:", b"Filename:"),
                   lambda d: _replace(d, b"units: mV", b"units: furlong")],
    "gestures": [lambda d: _replace(d, b"channel8", b"channel9"),
                 lambda d: _replace(d, b"\n1\t", b"\n1e9\t"),
                 lambda d: _replace(d, b"time", b"TIME\tx"),
                 lambda d: d.replace(b"\t0\n", b"\t99\n"),
                 lambda d: d.replace(b"\n", b"\r")],
}


def _variants(data: bytes, header_size: int, breaks, rng: np.random.Generator) -> list[bytes]:
    """Truncations, random byte replacements and header breaks of ``data``."""
    variants = [data[: int(f * len(data))] for f in TRUNCATION_FRACTIONS] + [data[:-1]]
    for index, count in enumerate(FLIP_COUNTS):
        limit = header_size if index < len(FLIP_COUNTS) // 2 else len(data)
        damaged = bytearray(data)
        for position in rng.integers(0, min(limit, len(data)), size=count):
            damaged[position] = int(rng.integers(0, 256))
        variants.append(bytes(damaged))
    variants += [breaks(data) for breaks in breaks]
    return variants


@pytest.fixture(scope="module")
def base_files(tmp_path_factory, shared_data) -> dict[str, tuple[Path, int]]:
    """Small real files per format, with the size of their header region in bytes."""
    root = tmp_path_factory.mktemp("fuzz_bases")
    edf = _small_edf(shared_data / "eegmmidb_S001" / "S001R03.edf", root / "S001R03.edf")
    return {
        "edf": (edf, int(edf.read_bytes()[184:192])),
        "bdf": (shutil.copy(shared_data / "mne_python_testfiles" / "edf" / "test_bdf_stim_channel.bdf",
                            root / "stim.bdf"), 5 * 256),
        "vhdr": (_small_brainvision(shared_data / "mne_python_testfiles" / "brainvision", root / "bv"), 6000),
        "fif": (_small_fif(shared_data / "mne_python_testfiles" / "brainvision" / "test_bin_raw.fif",
                           root / "small_raw.fif"), 4096),
        "c3d": (_small_c3d(shared_data / "pyomeca_emg_mocap" / "markers_analogs.c3d", root / "small.c3d"), 1536),
        "lower_limb": (_small_lower_limb(shared_data / "uci_lower_limb_emg" / "N_TXT" / "1Nmar.txt",
                                         root / "1Nmar.txt"), 400),
        "gestures": (_small_gestures(shared_data / "uci_emg_gestures" / "01" / "1_raw_data_13-12_22.03.16.txt",
                                     root / "01" / "1_raw_data_13-12_22.03.16.txt"), 200),
    }


def _write_variant(kind: str, base: Path, data: bytes, folder: Path) -> Path:
    folder.mkdir(parents=True)
    if kind == "vhdr":  # damage the header, the data file or the marker file in turn
        for sibling in base.parent.iterdir():
            shutil.copy(sibling, folder / sibling.name)
        return folder / base.name
    if kind == "gestures":
        (folder / "01").mkdir()
        path = folder / "01" / base.name
    else:
        path = folder / base.name
    path.write_bytes(data)
    return path


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", list(HEADER_BREAKS))
def test_damaged_files_end_in_cyborg_error_or_recording(kind, base_files, tmp_path):
    base, header_size = base_files[kind]
    rng = np.random.default_rng(sum(map(ord, kind)))  # seeded per format
    targets = [base]
    if kind == "vhdr":
        targets = [base, base.with_suffix(".eeg"), base.with_suffix(".vmrk")]
    outcomes = {"error": 0, "recording": 0}
    failures = []
    n_variants = 0
    for target in targets:
        original = target.read_bytes()
        size = header_size if target == base else min(len(original), 2048)
        breaks = HEADER_BREAKS[kind] if target == base else []
        for index, data in enumerate(_variants(original, size, breaks, rng)):
            folder = tmp_path / f"{target.suffix[1:]}{index}"
            path = _write_variant(kind, base, data, folder)
            if kind == "vhdr":
                (folder / target.name).write_bytes(data)
            n_variants += 1
            try:
                recording = read_recording(path)
            except CyborgError as error:
                outcomes["error"] += 1
                assert path.name in str(error) or str(folder) in str(error), error
                continue
            except Exception as error:  # noqa: BLE001 - the point of the test
                failures.append(f"{target.name} variant {index}: {type(error).__name__}: {error}")
                continue
            outcomes["recording"] += 1
            assert isinstance(recording, Recording)
            assert recording.sfreq > 0 and len(recording.ch_names) > 0 and recording.raw.n_times > 0
    assert not failures, "\n".join(failures)
    assert n_variants >= VARIANTS_PER_FORMAT - 5 and outcomes["error"] > 0


def test_enough_variants_overall():
    per_base = len(TRUNCATION_FRACTIONS) + 1 + len(FLIP_COUNTS)
    total = sum(per_base + len(breaks) for breaks in HEADER_BREAKS.values()) + 2 * per_base  # 2 more vhdr files
    assert total >= 200
