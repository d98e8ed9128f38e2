"""Read C3D motion-capture files (analog EMG + marker trajectories) with ezc3d.

The analog channels become the signal (an ``mne.io.RawArray`` at the analog
rate); the marker trajectories become :attr:`Recording.targets` at the point
(camera) rate. Both start at the file's first frame, so analog sample ``i``
(time ``i / sfreq``) and marker frame ``k`` (time ``k / target_sfreq``) are
on one clock; the C3D format stores a whole number of analog samples per
frame, and the reader checks that the two streams cover the same frames.

- Analog channels whose label contains ``EMG`` get the ``emg`` type, the
  others ``misc``; values are converted to volts from ``ANALOG:UNITS``.
- Marker positions are converted to metres from ``POINT:UNITS``; occluded
  samples (negative residual) are NaN, which :func:`cyborg.windows.sliding.sliding_windows`
  masks. ``target="velocity"`` differentiates positions (m/s); a NaN
  position makes its neighbouring velocities NaN too.
- ``EVENT`` parameters become annotations (``"<context> <label>"``).
- ezc3d is compiled code: a damaged file can crash or hang it. By default
  the file is read in a child process (``isolate=True``) with a time limit,
  so a bad file ends in :class:`cyborg.errors.DataFormatError`, never in a
  crashed or frozen caller.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.formats import finish_recording, report_issue, reader_errors
from cyborg.recording import Recording
from cyborg.validation import check_file, check_option

if TYPE_CHECKING:
    import mne

#: Scale from a unit written in the file to SI (volts for analogs, metres for points).
UNIT_SCALES = {"v": 1.0, "mv": 1e-3, "uv": 1e-6, "µv": 1e-6, "μv": 1e-6,
               "m": 1.0, "cm": 1e-2, "mm": 1e-3}
TARGET_KINDS = ("position", "velocity")
AXES = ("x", "y", "z")


def read_c3d(path: str | Path, *, markers: Sequence[str] | None = None, target: str = "position",
             isolate: bool = True, timeout_s: float = 60.0) -> Recording:
    """Read a C3D file: analog channels as signal, markers as targets.

    Parameters
    ----------
    path : str | Path
        The ``.c3d`` file.
    markers : sequence of str | None
        Marker labels to keep as targets (full labels such as
        ``"Daphnee:WRIST"`` or the part after the subject prefix,
        ``"WRIST"``); ``None`` keeps all markers.
    target : {"position", "velocity"}
        Marker positions in metres or their velocity in m/s.
    isolate : bool
        Read in a child process so that a crash or hang of the compiled
        reader on a damaged file becomes a DataFormatError.
    timeout_s : float
        Time limit for the isolated read, in seconds.

    Returns
    -------
    recording : Recording
        ``raw``: analog channels in volts at the analog rate; ``targets``:
        shape (n_frames, 3 * n_markers) at ``target_sfreq`` = the point
        rate, ``target_names`` such as ``"WRIST_x"``; ``subject`` from the
        file's ``SUBJECTS`` parameter (else the file stem), ``session`` =
        the file stem; ``extra`` has ``marker_gaps``, ``file_units``,
        ``issues``.

    Raises
    ------
    DataFormatError
        A file that is not C3D, is truncated, or that ezc3d cannot read.
    """
    path = check_file(path, "C3D file")
    check_option(target, TARGET_KINDS, "read_c3d: target")
    content = _read_isolated(path, timeout_s) if isolate else _read_content(str(path))
    issues: list[str] = []
    with reader_errors(path, "interpreting the C3D content"):
        return _to_recording(content, path, markers, target, issues)


def _read_isolated(path: Path, timeout_s: float) -> dict[str, Any]:
    """Run :func:`_read_content` in a child process; its failures become DataFormatError."""
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_read, args=(str(path), sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            process.kill()
            raise DataFormatError(f"{path}: reading the C3D file failed: ezc3d did not finish "
                                  f"within {timeout_s:g} s (damaged file?)")
        try:
            status, payload = receiver.recv()
        except EOFError:
            process.join(timeout_s)
            raise DataFormatError(f"{path}: reading the C3D file failed: ezc3d crashed "
                                  f"(exit code {process.exitcode}; damaged file?)") from None
    finally:
        receiver.close()
        process.join(1.0)
        if process.is_alive():
            process.kill()
    if status == "error":
        raise DataFormatError(payload)
    return payload


def _child_read(path: str, sender: Any) -> None:
    """Child-process body: read the file and send ("ok", content) or ("error", text)."""
    try:
        message = ("ok", _read_content(path))
    except Exception as error:  # noqa: BLE001 - everything goes back to the parent as text
        text = str(error) if isinstance(error, CyborgError) else (
            f"{path}: reading the C3D file failed: {type(error).__name__}: {error}")
        message = ("error", text)
    sender.send(message)
    sender.close()


def _read_content(path: str) -> dict[str, Any]:
    """What the reader needs from a C3D file, as plain Python and numpy objects."""
    with reader_errors(path, "reading the C3D file"):
        import ezc3d

        _check_magic(path)
        c3d = ezc3d.c3d(path)
        parameters = c3d["parameters"]
        header = c3d["header"]
        point, analog = parameters["POINT"], parameters["ANALOG"]

        def value(group: dict, key: str, default: Any) -> Any:
            return group[key]["value"] if key in group else default

        events = parameters.get("EVENT", {})
        subjects = parameters.get("SUBJECTS", {})
        return {
            "point_rate": float(header["points"]["frame_rate"]),
            "analog_rate": float(header["analogs"]["frame_rate"]),
            "header_frames": _declared_frames(path),
            "first_frame": int(header["points"]["first_frame"]),
            "point_labels": list(value(point, "LABELS", [])),
            "point_units": list(value(point, "UNITS", ["mm"])),
            "analog_labels": list(value(analog, "LABELS", [])),
            "analog_units": list(value(analog, "UNITS", [])),
            "points": np.asarray(c3d["data"]["points"][:3], dtype=float),
            "analogs": np.asarray(c3d["data"]["analogs"], dtype=float),
            "event_labels": list(value(events, "LABELS", [])),
            "event_contexts": list(value(events, "CONTEXTS", [])),
            "event_times": np.asarray(value(events, "TIMES", np.zeros((2, 0))), dtype=float),
            "subject_names": list(value(subjects, "NAMES", [])),
            "subject_prefixes": list(value(subjects, "LABEL_PREFIXES", [])),
        }


def _declared_frames(path: str) -> int | None:
    """Frames the file's own header promises (words 4-5), before ezc3d adjusts them.

    ezc3d shortens its header copy to what it could read, so a truncated file
    looks complete there. Returns ``None`` when the 16-bit words cannot say
    (more than 65535 frames).
    """
    with open(path, "rb") as handle:
        header = handle.read(512)
        handle.seek((header[0] - 1) * 512 + 3)
        processor = handle.read(1)
    order = ">" if processor == bytes([86]) else "<"  # 84 Intel, 85 DEC: little-endian; 86 MIPS
    first, last = np.frombuffer(header[6:10], dtype=f"{order}u2")
    if last == 0xFFFF or last < first:
        return None
    return int(last) - int(first) + 1


def _check_magic(path: str) -> None:
    """A C3D file's second byte is 0x50 and its first points to the parameter block."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    if len(head) < 2 or head[1] != 0x50 or head[0] < 2:
        raise DataFormatError(f"{path}: field 'header': expected a C3D header (byte 2 = 0x50, "
                              f"parameter block >= 2), found {head.hex() or 'an empty file'}")


def _to_recording(content: dict[str, Any], path: Path, markers: Sequence[str] | None,
                  target: str, issues: list[str]) -> Recording:
    import mne

    analog_rate, point_rate = content["analog_rate"], content["point_rate"]
    if not (analog_rate > 0 and point_rate > 0):
        raise DataFormatError(f"{path}: field 'RATE': expected positive point and analog rates, "
                              f"found {point_rate:g} Hz and {analog_rate:g} Hz")
    analogs = content["analogs"].reshape(-1, content["analogs"].shape[-1])
    points = content["points"]
    n_frames = points.shape[-1]
    if content["header_frames"] is not None and n_frames < content["header_frames"]:
        raise DataFormatError(f"{path}: field 'data': expected {content['header_frames']} frames "
                              f"(header), found {n_frames}: file truncated")
    if analogs.shape[0] == 0:
        raise DataFormatError(f"{path}: field 'ANALOG': expected analog (EMG) channels, found none")
    _check_alignment(analogs.shape[1], n_frames, analog_rate, point_rate, path)

    names = _unique_names([str(label) for label in content["analog_labels"]], analogs.shape[0], path, issues)
    units = (content["analog_units"] + ["V"] * len(names))[: len(names)]
    scales = np.array([_unit_scale(u, "V", name, path, issues) for u, name in zip(units, names)])
    types = ["emg" if "emg" in n.lower() else "misc" for n in names]
    info = mne.create_info(names, analog_rate, types)
    raw = mne.io.RawArray(analogs * scales[:, None], info, verbose="error")
    _add_events(raw, content, path)

    subject = _subject_of(content) or path.stem
    targets, target_names, gaps = _marker_targets(content, markers, target, path, issues)
    extra_fields = {"targets": targets, "target_names": target_names, "target_sfreq": point_rate}
    recording = finish_recording(raw, path, subject=subject, session=path.stem, issues=issues,
                                 **extra_fields)
    recording.extra.update(file_units=dict(zip(names, units)), marker_gaps=gaps,
                           target_unit="m/s" if target == "velocity" else "m")
    return recording


def _check_alignment(n_samples: int, n_frames: int, analog_rate: float, point_rate: float,
                     path: Path) -> None:
    """The analog stream must hold a whole number of samples per point frame."""
    ratio = analog_rate / point_rate
    if not np.isclose(ratio, round(ratio)) or n_samples != round(ratio) * n_frames:
        raise DataFormatError(
            f"{path}: field 'ANALOG': expected {round(ratio)} analog samples per frame "
            f"({round(ratio) * n_frames} for {n_frames} frames), found {n_samples} samples "
            f"at {analog_rate:g} Hz vs {point_rate:g} Hz frames")


def _unique_names(labels: list[str], n_channels: int, path: Path, issues: list[str]) -> list[str]:
    labels = (labels + [f"analog{i + 1}" for i in range(len(labels), n_channels)])[:n_channels]
    seen: dict[str, int] = {}
    names = []
    for label in labels:
        label = label.strip() or "analog"
        count = seen.get(label, 0)
        seen[label] = count + 1
        names.append(label if count == 0 else f"{label}-{count}")
    if names != labels:
        report_issue(issues, path, "empty or repeated analog labels renamed with a -N suffix")
    return names


def _unit_scale(unit: str, default: str, name: str, path: Path, issues: list[str]) -> float:
    scale = UNIT_SCALES.get(str(unit).strip().lower())
    if scale is None:
        report_issue(issues, path, f"channel {name}: unknown unit {unit!r}, values kept as written "
                                   f"(assumed {default})")
        return 1.0
    return scale


def _add_events(raw: mne.io.BaseRaw, content: dict[str, Any], path: Path) -> None:
    import mne

    labels, times = content["event_labels"], content["event_times"]
    if not labels:
        return
    times = times.reshape(2, -1) if times.size else np.zeros((2, 0))
    if times.shape[1] != len(labels):
        raise DataFormatError(f"{path}: field 'EVENT:TIMES': expected {len(labels)} times, "
                              f"found {times.shape[1]}")
    contexts = (content["event_contexts"] + [""] * len(labels))[: len(labels)]
    onsets = times[0] * 60 + times[1] - content["first_frame"] / content["point_rate"]
    descriptions = [f"{c} {lab}".strip() for c, lab in zip(contexts, labels)]
    raw.set_annotations(mne.Annotations(onsets, np.zeros(len(onsets)), descriptions))


def _subject_of(content: dict[str, Any]) -> str | None:
    """The ``SUBJECTS:NAMES`` entry that prefixes the most marker labels."""
    names, prefixes = content["subject_names"], content["subject_prefixes"]
    if not names:
        return None
    prefixes = (prefixes + [""] * len(names))[: len(names)]
    counts = [sum(lab.startswith(p) for lab in content["point_labels"]) if p else 0 for p in prefixes]
    return str(names[int(np.argmax(counts))]).strip() or None


def _marker_targets(content: dict[str, Any], markers: Sequence[str] | None, target: str,
                    path: Path, issues: list[str]) -> tuple[np.ndarray | None, tuple[str, ...] | None, dict]:
    labels = [str(label) for label in content["point_labels"]]
    points = content["points"]
    if points.shape[1] == 0:
        return None, None, {}
    labels = (labels + [f"point{i + 1}" for i in range(len(labels), points.shape[1])])[: points.shape[1]]
    short = [lab.split(":", 1)[-1] for lab in labels]
    if markers is None:
        index = list(range(len(labels)))
    else:
        index = []
        for marker in markers:
            if marker in labels:
                index.append(labels.index(marker))
            elif short.count(marker) == 1:
                index.append(short.index(marker))
            else:
                raise DataFormatError(f"{path}: field 'POINT:LABELS': expected marker {marker!r}, "
                                      f"found {labels}")
    unit = (content["point_units"] or ["mm"])[0]
    scale = _unit_scale(unit, "mm", "POINT", path, issues)
    selected = points[:, index, :] * scale  # (3, n_markers, n_frames)
    positions = selected.transpose(2, 1, 0).reshape(points.shape[-1], 3 * len(index))
    gaps = {labels[i]: int(np.isnan(points[:, i, :]).any(axis=0).sum()) for i in index}
    gaps = {k: v for k, v in gaps.items() if v}
    if gaps:
        report_issue(issues, path, f"{len(gaps)} markers have occluded frames (NaN targets, "
                                   f"masked by sliding windows): {gaps}")
    base = short if len(set(short)) == len(short) else labels
    names = tuple(f"{base[i]}_{axis}" for i in index for axis in AXES)
    if target == "velocity":
        positions = np.gradient(positions, 1.0 / content["point_rate"], axis=0)
    return positions, names, gaps
