"""Inspect a recording: what it holds and what looks wrong, as text and plots.

Command line::

    python -m cyborg.inspect FILE [--out DIR] [--seconds S] [--json]

prints :func:`summarize` as readable text (or JSON) and, with ``--out``,
writes the PNG plots of :func:`save_plots` and prints their paths. FILE is
anything :func:`cyborg.io.formats.read_recording` reads, or a challenge
``.mat`` file (:func:`read_for_inspection`): theme 1 ``train<N>.mat``
(a continuous session) and ``test/subject<K>.mat`` (pre-cut epochs), theme 2
``train.mat``, ``test.mat``, ``reference.mat`` (one recording per subject
and side, each summarised and plotted).

Every plot states in its title what it leaves out (``"16 of 64 channels
shown"``, ``"first 5.0 s of 600.0 s"``) or that it shows everything; the
same caption is stored in the PNG's ``Description`` text field and printed
after the path.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cyborg.cli import one_line_errors
from cyborg.recording import Recording
from cyborg.validation import fail

#: Channel types never analysed as signal.
NON_SIGNAL_TYPES = ("stim",)
#: Fewest samples stacked on a channel's min or max that can count as clipping.
CLIP_MIN_COUNT = 3
#: Mains frequencies checked for line noise (Hz).
LINE_FREQUENCIES = (50.0, 60.0)
#: Half-width of the line band and the neighbour bands around it (Hz).
LINE_HALF_WIDTH, NEIGHBOUR_GAP, NEIGHBOUR_WIDTH = 1.0, 2.0, 4.0
#: Longest stretch of signal analysed for spectra (s), to keep inspection fast.
MAX_SPECTRUM_S = 120.0
#: Most target axes and epoched target trials drawn in the targets plot.
MAX_TARGET_AXES, MAX_TARGET_TRIALS = 6, 10
#: Theme 2 file names (stems) and the theme 1 file-name patterns :func:`read_for_inspection` knows.
VELOCITY_FILES = ("train", "test", "reference")
_TRICK_SESSION, _TRICK_TEST = re.compile(r"^train\d+$", re.I), re.compile(r"^subject\d+$", re.I)


def read_for_inspection(path: str | Path) -> list[Recording]:
    """Read any file ``python -m cyborg.inspect`` accepts, as one or more Recordings.

    Parameters
    ----------
    path : str | Path
        A file :func:`cyborg.io.formats.read_recording` reads, or a challenge
        ``.mat`` file recognised by its name: ``train<N>.mat`` (theme 1
        continuous session, :func:`cyborg.io.challenge_trick.read_trick_session`),
        ``subject<K>.mat`` (theme 1 test epochs,
        :func:`cyborg.io.challenge_trick.read_trick_test`), ``train.mat``,
        ``test.mat`` or ``reference.mat`` (theme 2,
        :func:`cyborg.io.challenge_velocity.read_velocity_file`).

    Returns
    -------
    recordings : list of Recording
        One, except for theme 2 files: one per subject (and side for
        ``reference.mat``).

    Raises
    ------
    DataFormatError
        A ``.mat`` file with another name, or a file its reader refuses.
    """
    from cyborg.io.formats import extension_of, read_recording
    from cyborg.validation import check_file

    path = check_file(path, "recording file")
    if extension_of(path) != ".mat":
        return [read_recording(path)]
    stem = path.stem
    if stem.lower() in VELOCITY_FILES:
        from cyborg.io.challenge_velocity import read_velocity_file

        return read_velocity_file(path, stem.lower())
    if not (_TRICK_SESSION.match(stem) or _TRICK_TEST.match(stem)):
        fail(path, "file name", "a challenge .mat file: train<N>.mat or subject<K>.mat (theme 1), "
                                "train.mat, test.mat or reference.mat (theme 2)", repr(path.name))
    from cyborg.io.challenge_trick import read_trick_session, read_trick_test

    return [read_trick_session(path) if _TRICK_SESSION.match(stem) else read_trick_test(path)]


def summarize(recording: Recording) -> dict[str, Any]:
    """What a recording holds and what looks wrong in it.

    Parameters
    ----------
    recording : Recording
        Continuous or epoched recording.

    Returns
    -------
    summary : dict
        ``source``, ``subject``, ``session``, ``side``, ``kind`` (``"raw"``/``"epochs"``),
        ``n_channels``, ``channels_by_type`` ({type: [names]}), ``sfreq``
        (Hz), ``n_times`` (per epoch for epochs), ``n_epochs``,
        ``duration_s`` (all samples), ``event_counts`` ({description: n}),
        ``nan_channels``, ``flat_channels`` (constant value),
        ``clipped_channels`` ({name: fraction of samples on the min/max
        rails}, see :func:`clipped_channels`), ``line_noise_db``
        ({type: {"50": dB, "60": dB}}: median over channels of the power
        within 1 Hz of the mains frequency relative to the median power
        2-6 Hz away; about 0 dB means no line noise), ``targets`` (shape,
        rate, names, number of invalid samples) and the reader's ``issues``.
    """
    data, names, types = _signal_matrix(recording)
    sfreq = recording.sfreq
    by_type: dict[str, list[str]] = {}
    for name, kind in zip(recording.ch_names, recording.raw.get_channel_types()):
        by_type.setdefault(kind, []).append(name)
    finite = np.isfinite(data)
    nan_channels = [n for n, ok in zip(names, finite.all(axis=1)) if not ok]
    flat = [n for n, row, ok in zip(names, data, finite) if ok.any() and np.ptp(row[ok]) == 0]
    n_epochs = len(recording.raw) if recording.is_epoched else None
    n_times = len(recording.raw.times) if recording.is_epoched else recording.raw.n_times
    return {
        "source": str(recording.source) if recording.source else None,
        "subject": recording.subject,
        "session": recording.session,
        "side": recording.side,
        "kind": "epochs" if recording.is_epoched else "raw",
        "n_channels": len(recording.ch_names),
        "channels_by_type": by_type,
        "sfreq": sfreq,
        "n_times": int(n_times),
        "n_epochs": n_epochs,
        "duration_s": float(n_times * (n_epochs or 1) / sfreq),
        "event_counts": event_counts(recording),
        "nan_channels": nan_channels,
        "flat_channels": flat,
        "clipped_channels": clipped_channels(data, names, exclude=set(flat)),
        "line_noise_db": line_noise_db(data, types, sfreq, exclude=set(flat) | set(nan_channels),
                                       names=names),
        "targets": _target_summary(recording),
        "issues": list(recording.extra.get("issues", [])),
    }


def event_counts(recording: Recording) -> dict[str, int]:
    """Number of events per description (annotations, or epochs' event ids)."""
    if recording.is_epoched:
        code_to_name = {code: name for name, code in recording.raw.event_id.items()}
        counts = Counter(code_to_name.get(code, str(code)) for code in recording.raw.events[:, 2])
    else:
        counts = Counter(recording.raw.annotations.description)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def clipped_channels(data: np.ndarray, names: Sequence[str], *, min_count: int = CLIP_MIN_COUNT,
                     exclude: set[str] = frozenset()) -> dict[str, float]:
    """Channels whose values pile up on their minimum or maximum (saturation).

    A rail (the minimum or the maximum) counts as clipped when at least
    ``min_count`` samples sit exactly on it and they outnumber the samples
    on the next value inside: natural tails thin out towards the extremes,
    even for coarsely quantised signals, while a saturated converter stacks
    samples on its limit.

    Parameters
    ----------
    data : np.ndarray, shape (n_chans, n_times)
        The signal (any unit).
    names : sequence of str
        Channel names.
    min_count : int
        Fewest samples on a rail that can count as clipping.
    exclude : set of str
        Channels to skip (flat ones sit on their rails everywhere).

    Returns
    -------
    clipped : dict
        ``{name: fraction of samples on the clipped rails}``.
    """
    clipped = {}
    for name, row in zip(names, data):
        row = row[np.isfinite(row)]
        if name in exclude or row.size == 0:
            continue
        values, counts = np.unique(row, return_counts=True)
        if len(values) < 3:
            continue
        on_rails = sum(rail for rail, inner in ((counts[0], counts[1]), (counts[-1], counts[-2]))
                       if rail >= min_count and rail > inner)
        if on_rails:
            clipped[name] = round(float(on_rails / row.size), 6)
    return clipped


def line_noise_db(data: np.ndarray, types: Sequence[str], sfreq: float, *,
                  names: Sequence[str], exclude: set[str] = frozenset()) -> dict[str, dict[str, float]]:
    """Mains power relative to neighbouring frequencies, per channel type.

    Parameters
    ----------
    data : np.ndarray, shape (n_chans, n_times)
        The signal.
    types : sequence of str
        Channel type of each row.
    sfreq : float
        Sampling rate in Hz.
    names : sequence of str
        Channel names (to apply ``exclude``).
    exclude : set of str
        Channels left out (flat, NaN).

    Returns
    -------
    levels : dict
        ``{type: {"50": dB, "60": dB}}``; a frequency is absent when the
        neighbour band does not fit below the Nyquist frequency.
    """
    frequencies, power = _psd(data, sfreq)
    levels: dict[str, dict[str, float]] = {}
    if frequencies is None:
        return levels
    for kind in sorted(set(types)):
        rows = [i for i, (t, n) in enumerate(zip(types, names)) if t == kind and n not in exclude]
        if not rows:
            continue
        for line in LINE_FREQUENCIES:
            if line + NEIGHBOUR_GAP + NEIGHBOUR_WIDTH >= sfreq / 2:
                continue
            distance = np.abs(frequencies - line)
            in_line = distance <= LINE_HALF_WIDTH
            beside = (distance >= NEIGHBOUR_GAP) & (distance <= NEIGHBOUR_GAP + NEIGHBOUR_WIDTH)
            if not in_line.any() or not beside.any():
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = power[rows][:, in_line].mean(axis=1) / np.median(power[rows][:, beside], axis=1)
                db = 10 * np.log10(ratio[np.isfinite(ratio) & (ratio > 0)])
            if db.size:
                levels.setdefault(kind, {})[f"{line:g}"] = round(float(np.median(db)), 2)
    return levels


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as a few lines of readable text."""
    lines = [f"{summary['source'] or 'recording'}",
             f"  subject {summary['subject']}, session {summary['session']}, "
             + (f"side {summary['side']}, " if summary["side"] else "") + summary["kind"],
             f"  {summary['n_channels']} channels at {summary['sfreq']:g} Hz, "
             f"{summary['duration_s']:.2f} s"
             + (f" in {summary['n_epochs']} epochs of {summary['n_times']} samples"
                if summary["n_epochs"] is not None else f" ({summary['n_times']} samples)")]
    for kind, names in summary["channels_by_type"].items():
        shown = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
        lines.append(f"  {kind}: {shown}")
    events = summary["event_counts"]
    lines.append("  events: " + (", ".join(f"{k} x{v}" for k, v in events.items()) if events else "none"))
    lines.append(f"  NaN channels: {summary['nan_channels'] or 'none'}")
    lines.append(f"  flat channels: {summary['flat_channels'] or 'none'}")
    clipped = summary["clipped_channels"]
    lines.append("  clipped channels: " + (", ".join(f"{k} ({v:.2%} on the rails)" for k, v in clipped.items())
                                           if clipped else "none"))
    noise = summary["line_noise_db"]
    lines.append("  line noise (dB over neighbours): " + (
        "; ".join(f"{kind} " + ", ".join(f"{f} Hz {db:+.1f}" for f, db in values.items())
                  for kind, values in noise.items()) if noise else "not measurable"))
    targets = summary["targets"]
    if targets:
        lines.append(f"  targets: {targets['shape']} at {targets['sfreq']:g} Hz "
                     f"({', '.join(targets['names'][:6])}{', ...' if len(targets['names']) > 6 else ''}), "
                     f"{targets['n_invalid']} invalid samples")
    for issue in summary["issues"]:
        lines.append(f"  issue: {issue}")
    return "\n".join(lines)


def save_plots(recording: Recording, out_dir: str | Path, *, seconds: float = 5.0,
               max_traces: int = 16, stem: str | None = None) -> list[Path]:
    """Write PNG plots of a recording; each title says what the plot leaves out.

    Parameters
    ----------
    recording : Recording
        Continuous or epoched recording.
    out_dir : str | Path
        Folder for the images (created if needed).
    seconds : float
        Length of the trace plot from the start, in seconds (epochs are laid
        end to end).
    max_traces : int
        Most channels drawn in the trace plot.
    stem : str | None
        File-name prefix; default the source file's stem (or
        ``<subject>_<session>``).

    Returns
    -------
    paths : list of Path
        ``<stem>_psd_<type>.png`` per channel type, ``<stem>_traces.png``,
        ``<stem>_events.png`` when there are events and ``<stem>_targets.png``
        when there are targets. Each PNG's ``Description`` text field holds
        its caption (what is shown and what is left out).
    """
    from matplotlib.figure import Figure

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if stem is None:
        stem = recording.source.stem if recording.source else f"{recording.subject}_{recording.session}"
    data, names, types = _signal_matrix(recording)
    sfreq = recording.sfreq
    total_s = data.shape[1] / sfreq
    n_stim = len(recording.ch_names) - len(names)
    stim_note = f"; {n_stim} stim channel{'s' * (n_stim > 1)} left out" if n_stim else ""
    paths = []
    frequencies, power = _psd(data, sfreq)
    spectrum_s = min(total_s, MAX_SPECTRUM_S)
    for kind in sorted(set(types)):
        if frequencies is None:
            break
        rows = [i for i, t in enumerate(types) if t == kind]
        figure = Figure(figsize=(7, 4))
        axes = figure.subplots()
        with np.errstate(divide="ignore"):
            log_power = 10 * np.log10(power[rows])
        axes.plot(frequencies, log_power.T, color="0.6", linewidth=0.5)
        axes.plot(frequencies, np.median(log_power, axis=0), color="C0", linewidth=1.5, label="median")
        caption = (f"{stem}: PSD, {_shown(len(rows), len(rows), f'{kind} channels')}, "
                   f"{_span(spectrum_s, total_s, recording)}")
        axes.set(xlabel="frequency (Hz)", ylabel="power (dB)", title=_wrap(caption))
        axes.legend(loc="upper right")
        paths.append(_save(figure, out_dir / f"{stem}_psd_{kind}.png", caption))

    shown = data[:max_traces, : max(1, int(seconds * sfreq))]
    figure = Figure(figsize=(9, 0.45 * len(shown) + 1.5))
    axes = figure.subplots()
    times = np.arange(shown.shape[1]) / sfreq
    for offset, row in enumerate(shown):
        centred = row - np.nanmedian(row)
        scale = np.nanpercentile(np.abs(centred), 99) or 1.0
        axes.plot(times, 0.45 * centred / scale - offset, linewidth=0.6)
    axes.set_yticks(-np.arange(len(shown)), names[: len(shown)])
    caption = (f"{stem}: traces, {_shown(len(shown), len(names), 'channels')}{stim_note}, "
               f"{_span(shown.shape[1] / sfreq, total_s, recording)} "
               f"(each trace scaled to its 99th percentile)")
    axes.set(xlabel="time (s)" if not recording.is_epoched else "time (s, epochs end to end)",
             title=_wrap(caption))
    paths.append(_save(figure, out_dir / f"{stem}_traces.png", caption))

    counts = event_counts(recording)
    if counts:
        figure = Figure(figsize=(8, 4))
        left, right = figure.subplots(1, 2)
        left.barh(list(counts), list(counts.values()))
        left.set(xlabel="count", title="events by description")
        onsets = _event_onsets(recording)
        right.hist([onsets[k] for k in counts], bins=30, stacked=True, label=list(counts))
        right.set(xlabel="time (s)", ylabel="events", title="event times")
        right.legend(fontsize="small", loc="upper right")
        caption = f"{stem}: {_shown(sum(counts.values()), sum(counts.values()), 'events')} " \
                  f"of {len(counts)} descriptions"
        figure.suptitle(caption)
        figure.tight_layout()
        paths.append(_save(figure, out_dir / f"{stem}_events.png", caption))

    if recording.targets is not None:
        paths.append(_targets_plot(recording, out_dir / f"{stem}_targets.png", stem))
    return paths


def _targets_plot(recording: Recording, path: Path, stem: str) -> Path:
    """Continuous targets against time, or the first epochs' target trajectories, one panel per axis."""
    from matplotlib.figure import Figure

    targets = np.asarray(recording.targets)
    names = list(recording.target_names or (f"axis {i}" for i in range(targets.shape[-1])))
    n_axes = min(targets.shape[-1], MAX_TARGET_AXES)
    axes_note = _shown(n_axes, targets.shape[-1], "axes")
    if not recording.is_epoched:
        figure = Figure(figsize=(9, 3.5))
        axes = figure.subplots()
        target_times = np.arange(len(targets)) / recording.target_sfreq
        axes.plot(target_times, targets[:, :n_axes], linewidth=0.8, label=names[:n_axes])
        axes.legend(fontsize="small", loc="upper right")
        caption = f"{stem}: targets, {axes_note}, all {target_times[-1] if len(targets) else 0:.1f} s"
        axes.set(xlabel="time (s)", title=_wrap(caption))
        return _save(figure, path, caption)
    n_trials = min(len(targets), MAX_TARGET_TRIALS)
    figure = Figure(figsize=(3 * n_axes + 1, 3.2))
    panels = np.atleast_1d(figure.subplots(1, n_axes, sharey=True))
    step_times = np.arange(targets.shape[1]) / recording.target_sfreq
    for index, panel in enumerate(panels):
        panel.plot(step_times, targets[:n_trials, :, index].T, linewidth=0.8)
        panel.set(xlabel="time in epoch (s)", title=names[index])
    caption = f"{stem}: targets, {_shown(n_trials, len(targets), 'epochs')}, {axes_note}"
    figure.suptitle(_wrap(caption))
    figure.tight_layout()
    return _save(figure, path, caption)


def _shown(n_shown: int, n_total: int, noun: str) -> str:
    """``"16 of 64 channels shown"``, or ``"all 64 channels"`` when nothing is left out."""
    return f"all {n_total} {noun}" if n_shown >= n_total else f"{n_shown} of {n_total} {noun} shown"


def _span(shown_s: float, total_s: float, recording: Recording) -> str:
    """How much of the signal a plot covers: all of it, or the first seconds (and epochs)."""
    if recording.is_epoched:
        per_epoch = len(recording.raw.times)
        n_total = len(recording.raw)
        n_epochs = min(n_total, int(np.ceil(round(shown_s * recording.sfreq) / per_epoch)))
        return ("all " if n_epochs >= n_total else f"first {n_epochs} of ") + \
            f"{n_total} epochs ({shown_s:.1f} of {total_s:.1f} s)"
    if shown_s >= total_s:
        return f"all {total_s:.1f} s"
    return f"first {shown_s:.1f} s of {total_s:.1f} s"


def _wrap(caption: str, width: int = 80) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(caption, width))


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python -m cyborg.inspect FILE [--out DIR]``.

    Returns
    -------
    status : int
        0 on success.

    Raises
    ------
    SystemExit
        With code 2 after one line ``error: ...`` on stderr when the file
        cannot be read (:func:`cyborg.cli.one_line_errors`), as argparse does
        for a bad argument.
    """
    parser = argparse.ArgumentParser(
        prog="python -m cyborg.inspect",
        description="Read a recording (EDF/BDF/GDF, BrainVision .vhdr, EEGLAB .set, FIF, C3D, the "
                    "UCI lower-limb / gestures .txt files, or a challenge .mat file: theme 1 "
                    "train<N>.mat and test/subject<K>.mat, theme 2 train.mat, test.mat, reference.mat) "
                    "and print a summary: channels by type, sampling rate, duration, event counts, "
                    "NaN/flat/clipped channels, 50/60 Hz line noise per channel type, targets and "
                    "reader issues. A theme 2 file gives one summary per subject and side.")
    parser.add_argument("file", metavar="FILE", help="recording file to inspect")
    parser.add_argument("--out", metavar="DIR",
                        help="also write PNG plots (PSD per channel type, first seconds of traces, "
                             "event counts and times, targets) into DIR and print their paths with "
                             "what each leaves out")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="length of the trace plot in seconds (default: 5)")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as JSON instead of text (a list for several recordings)")
    args = parser.parse_args(argv)
    with one_line_errors():
        recordings = read_for_inspection(args.file)
        summaries = [summarize(recording) for recording in recordings]
        paths = []
        for recording in recordings if args.out else []:
            paths += save_plots(recording, args.out, seconds=args.seconds, stem=_plot_stem(recording, recordings))
    if args.json:
        print(json.dumps(summaries[0] if len(summaries) == 1 else summaries, indent=2, default=str))
    else:
        print("\n\n".join(format_summary(summary) for summary in summaries))
    for path in paths:
        print(f"wrote {path}: {_caption(path)}")
    return 0


def _plot_stem(recording: Recording, recordings: list[Recording]) -> str:
    """The source file's stem, with subject and side when one file gave several recordings."""
    stem = recording.source.stem if recording.source else f"{recording.subject}_{recording.session}"
    if len(recordings) > 1:
        stem += f"_{recording.subject}" + (f"_{recording.side}" if recording.side else "")
    return stem


def _caption(path: Path) -> str:
    """The caption :func:`save_plots` stored in a PNG."""
    from PIL import Image

    with Image.open(path) as image:
        return image.text.get("Description", "")


def _signal_matrix(recording: Recording) -> tuple[np.ndarray, list[str], list[str]]:
    """Signal channels (stim excluded) as (n_chans, all samples), with names and types."""
    raw = recording.raw
    all_types = raw.get_channel_types()
    picks = [i for i, kind in enumerate(all_types) if kind not in NON_SIGNAL_TYPES]
    names = [raw.ch_names[i] for i in picks]
    types = [all_types[i] for i in picks]
    if not picks:
        return np.zeros((0, 1)), names, types
    data = raw.get_data(picks=picks)
    if data.ndim == 3:
        data = data.transpose(1, 0, 2).reshape(len(picks), -1)
    return data, names, types


def _psd(data: np.ndarray, sfreq: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Welch PSD of each row over at most :data:`MAX_SPECTRUM_S` seconds (NaN set to 0)."""
    from scipy.signal import welch

    data = np.nan_to_num(data[:, : int(MAX_SPECTRUM_S * sfreq)])
    if data.size == 0 or data.shape[1] < 16:
        return None, None
    segment = min(data.shape[1], int(2 * sfreq))
    frequencies, power = welch(data, fs=sfreq, nperseg=segment, axis=-1)
    return frequencies, power


def _target_summary(recording: Recording) -> dict[str, Any] | None:
    if recording.targets is None:
        return None
    targets = np.asarray(recording.targets)
    invalid = ~np.isfinite(targets)
    return {"shape": list(targets.shape), "sfreq": recording.target_sfreq,
            "names": list(recording.target_names or ()),
            "n_invalid": int(invalid.reshape(len(targets), -1).any(axis=1).sum())}


def _event_onsets(recording: Recording) -> dict[str, np.ndarray]:
    """Onset times (s from the first sample) per description."""
    onsets: dict[str, list[float]] = {}
    if recording.is_epoched:
        code_to_name = {code: name for name, code in recording.raw.event_id.items()}
        for sample, _, code in recording.raw.events:
            onsets.setdefault(code_to_name.get(code, str(code)), []).append(sample / recording.sfreq)
    else:
        annotations = recording.raw.annotations
        offset = recording.raw.first_time if annotations.orig_time is not None else 0.0
        for onset, description in zip(annotations.onset, annotations.description):
            onsets.setdefault(description, []).append(onset - offset)
    return {k: np.asarray(v) for k, v in onsets.items()}


def _save(figure: Any, path: Path, caption: str) -> Path:
    figure.savefig(path, dpi=80, bbox_inches="tight", metadata={"Description": caption})
    return path


if __name__ == "__main__":
    sys.exit(main())
