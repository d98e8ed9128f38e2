"""``python -m cyborg.stream``: play a recording as an LSL stream, or decode a live LSL stream.

::

    python -m cyborg.stream replay datasets/trick/train/subject0/train1.mat
    python -m cyborg.stream decode outputs/trick/2026-12-03_06-00-00 --decoder subject0

``replay`` plays any file :func:`cyborg.io.formats.read_recording` reads (and
the challenge's theme-1 ``.mat`` sessions) with :class:`mne_lsl.player.PlayerLSL`:
the signal as MNE holds it (volts for EEG), its events on a second stream of
markers (``<name>-annotations``). ``decode`` subscribes to a stream, runs a saved
decoder on its latest window every hop (:class:`cyborg.online.StreamDecoder`),
pushes each output on an LSL outlet, prints a live line and writes a CSV log.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cyborg.errors import StreamError
from cyborg.validation import check_file, fail

#: Name of the signal stream ``replay`` creates and ``decode`` looks for.
DEFAULT_STREAM = "cyborg-replay"
#: Name of the outlet ``decode`` pushes its outputs on.
DEFAULT_OUTLET = "cyborg-decoded"
#: Stream unit to decoder unit: MNE and PlayerLSL send volts, decoders take µV.
VOLTS_TO_MICROVOLTS = 1e6


def read_continuous(path: str | Path):
    """The continuous ``mne.io.Raw`` of a recording file, events as annotations.

    Parameters
    ----------
    path : str | Path
        A challenge theme-1 session (``.mat``) or any format
        :func:`cyborg.io.formats.read_recording` reads.

    Raises
    ------
    DataFormatError
        The file is epoched (pre-cut trials), not a continuous recording.
    """
    import mne

    from cyborg.io import read_trick_session
    from cyborg.io.formats import read_recording

    path = check_file(path, "recording file")
    recording = read_trick_session(path) if path.suffix.lower() == ".mat" else read_recording(path)
    if not isinstance(recording.raw, mne.io.BaseRaw):
        fail(path, None, "a continuous recording to replay", "epochs (pre-cut trials)")
    return recording.raw


def replay(args: argparse.Namespace) -> None:
    """Play ``args.file`` on LSL until its end (or forever with ``--loop``)."""
    from mne_lsl.player import PlayerLSL

    raw = read_continuous(args.file)
    n_repeat = np.inf if args.loop else 1
    player = PlayerLSL(raw, chunk_size=args.chunk_size, n_repeat=n_repeat, name=args.name,
                       source_id=args.name)
    markers = sorted(set(raw.annotations.description))
    print(f"replaying {args.file}: {len(raw.ch_names)} channels at {raw.info['sfreq']:g} Hz, "
          f"{raw.times[-1] + 1 / raw.info['sfreq']:.1f} s, {len(raw.annotations)} events "
          f"{markers} as stream '{args.name}'" + (f" + '{args.name}-annotations'" if markers else ""), flush=True)
    player.start()
    try:
        while player.running:
            time.sleep(0.05)
    except KeyboardInterrupt:
        player.stop()
    print(f"replay of '{args.name}' ended", flush=True)


def decoder_file(run: Path, name: str | None) -> Path:
    """The decoder file: ``run`` itself (a ``.pt``) or ``run/decoders/<name>.pt``.

    With ``name`` None, the run must hold exactly one decoder.
    """
    if run.is_file():
        return run
    found = sorted((run / "decoders").glob("*.pt"))
    names = [p.stem for p in found]
    if name is not None:
        if name not in names:
            fail(run / "decoders", None, f"a decoder '{name}.pt' among {names}", "none by that name")
        return run / "decoders" / f"{name}.pt"
    if len(found) != 1:
        fail(run / "decoders", None, "one decoder file or --decoder NAME", f"{len(found)} files {names}")
    return found[0]


def default_log(run: Path, path: Path) -> Path:
    """``RUN/live/decode_<time>.csv`` for a run folder, ``<file>_live_<time>.csv`` beside a bare ``.pt``."""
    stamp = time.strftime("%Y%m%d_%H%M%S")
    return run / "live" / f"decode_{stamp}.csv" if run.is_dir() else path.with_name(f"{path.stem}_live_{stamp}.csv")


def _output_names(decoder) -> list[str]:
    if decoder.class_names is not None:
        return [f"p_{name}" for name in decoder.class_names]
    n_steps, n_axes = decoder.target_shape
    axes = decoder.target_names or tuple(f"axis{i}" for i in range(n_axes))
    return [f"{axis}_{step:02d}" for step in range(n_steps) for axis in axes]


def _summary_text(live, output: np.ndarray) -> str:
    if live.decoder.class_names is not None:
        return f"{live.label(output):<20s} p={float(output.max()):.2f}"
    return "last step (" + ", ".join(f"{v:+.2f}" for v in output[-1]) + ")"


def _connect(name: str, wait: float):
    from mne_lsl.lsl import StreamInlet, resolve_streams

    deadline = time.monotonic() + wait
    while True:
        found = resolve_streams(timeout=min(1.0, wait), name=name)
        if found:
            break
        if time.monotonic() > deadline:
            raise StreamError(f"LSL: expected a stream named '{name}' within {wait:g} s, found none")
    inlet = StreamInlet(found[0], max_buffered=60)
    inlet.open_stream(timeout=wait)
    return inlet


def _pull(inlet, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The samples waiting in ``inlet``, (n_chans, n) float32 times ``scale``, and their stamps (n,)."""
    data, stamps = inlet.pull_chunk(timeout=0.0)
    # copies: mne_lsl's data and stamps are views of buffers the next pull reuses
    return np.ascontiguousarray(data.T * scale, dtype=np.float32), np.array(stamps, dtype=np.float64)


def _collect(inlet, n_samples: int, scale: float, timeout: float, name: str) -> tuple[np.ndarray, np.ndarray]:
    """At least ``n_samples`` samples of ``inlet`` (n_chans, n >= n_samples) and their stamps, within ``timeout`` s."""
    chunks, stamps = [], []
    count, deadline = 0, time.monotonic() + timeout
    while count < n_samples:
        if time.monotonic() > deadline:
            raise StreamError(f"stream '{name}': expected {n_samples} calibration samples within {timeout:g} s, "
                              f"found {count}")
        chunk, stamp = _pull(inlet, scale)
        if len(stamp) == 0:
            time.sleep(0.001)
            continue
        chunks.append(chunk)
        stamps.append(stamp)
        count += len(stamp)
    return np.concatenate(chunks, axis=1), np.concatenate(stamps)


def decode(args: argparse.Namespace) -> None:
    """Decode the stream ``args.stream`` live with the decoder of ``args.run``."""
    from mne_lsl.lsl import StreamInfo, StreamOutlet, local_clock

    from cyborg.online import StreamDecoder
    from cyborg.training.decoder import Decoder

    path = decoder_file(Path(args.run), args.decoder)
    decoder = Decoder.load(path)
    subject = args.subject or path.stem
    print(f"waiting for LSL stream '{args.stream}' (up to {args.wait:g} s)", flush=True)
    inlet = _connect(args.stream, args.wait)
    sinfo = inlet.get_sinfo()
    n_chans = int(decoder.model_kwargs["n_chans"])
    if sinfo.n_channels != n_chans:
        fail(f"stream '{args.stream}'", "n_channels", f"{n_chans} (the decoder's)", sinfo.n_channels, error=StreamError)
    received: list[np.ndarray] = []
    pending: list[tuple[np.ndarray, np.ndarray]] = []
    calibration, n_calibration = None, 0
    if args.calibrate:
        n_calibration = int(round(args.calibrate * sinfo.sfreq))
        print(f"calibrating: collecting {args.calibrate:g} s ({n_calibration} samples) of '{args.stream}'", flush=True)
        signal, stamps = _collect(inlet, n_calibration, args.scale, args.calibrate + args.wait, args.stream)
        calibration = signal[:, :n_calibration]
        if signal.shape[1] > n_calibration:
            pending.append((signal[:, n_calibration:], stamps[n_calibration:]))
        if args.save_signal:
            received.append(calibration)
    live = StreamDecoder(decoder, sinfo.sfreq, subject=subject, hop=args.hop, session=args.session,
                         side=args.side, threads=args.threads, ch_names=sinfo.get_channel_names(),
                         calibration=calibration)
    names = _output_names(decoder)
    out_info = StreamInfo(args.outlet, "Predictions", len(names), sinfo.sfreq / live.hop, "float32", args.outlet)
    out_info.set_channel_names(names)
    outlet = StreamOutlet(out_info)
    log_path = Path(args.log) if args.log else default_log(Path(args.run), path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"decoding '{args.stream}' ({sinfo.n_channels} ch at {sinfo.sfreq:g} Hz) with {path} "
          f"(subject {subject}): a {live.n_times}-sample window every {live.hop} samples "
          f"({live.hop / sinfo.sfreq * 1000:g} ms), {live.threads} torch thread(s); outputs on '{args.outlet}', "
          f"log {log_path}", flush=True)
    latencies, decode_times = [], []
    started = last_data = time.monotonic()
    last_print = 0.0
    with open(log_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["window", "end_sample", "timestamp", "prediction", "decode_ms", "latency_ms", "age_ms",
                         *names])
        while True:
            now = time.monotonic()
            if args.duration is not None and now - started >= args.duration:
                break
            if args.duration is None and live.count and now - last_data >= args.idle:
                break
            chunk, stamps = pending.pop(0) if pending else _pull(inlet, args.scale)
            if len(stamps) == 0:
                time.sleep(0.001)
                continue
            arrived = local_clock()
            last_data = now
            first = live.count
            tic = time.perf_counter()
            emissions = live.push(chunk)
            decode_ms = (time.perf_counter() - tic) * 1000 / max(len(emissions), 1)
            if args.save_signal:
                received.append(chunk)
            for emission in emissions:
                stamp = float(stamps[emission.end - 1 - first])
                output = np.asarray(emission.output, dtype=np.float32).ravel()
                outlet.push_sample(output, timestamp=stamp)
                pushed = local_clock()
                latency = (pushed - arrived) * 1000
                latencies.append(latency)
                decode_times.append(decode_ms)
                label = live.label(emission.output) if decoder.class_names is not None else ""
                writer.writerow([len(latencies) - 1, n_calibration + emission.end, f"{stamp:.6f}", label,
                                 f"{decode_ms:.3f}", f"{latency:.3f}", f"{(pushed - stamp) * 1000:.3f}",
                                 *(f"{v:.9g}" for v in output)])
                if now - last_print >= args.print_every:
                    last_print = now
                    end = "\r" if sys.stdout.isatty() else "\n"
                    print(f"window {len(latencies) - 1:6d}  {_summary_text(live, emission.output)}  "
                          f"latency {latency:6.1f} ms  decode {decode_ms:5.2f} ms", end=end, flush=True)
    if args.save_signal:
        np.save(args.save_signal, np.concatenate(received, axis=1) if received else np.zeros((n_chans, 0), np.float32))
    if not latencies:
        raise StreamError(f"stream '{args.stream}': expected at least one full window ({live.n_times} samples), "
                          f"found {live.count} samples")
    p50, p99 = np.percentile(latencies, [50, 99])
    d50, d99 = np.percentile(decode_times, [50, 99])
    print(f"\ndecoded {len(latencies)} windows from {live.count} samples; latency p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms; decode p50 {d50:.2f} ms, p99 {d99:.2f} ms; log {log_path}", flush=True)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m cyborg.stream``."""
    parser = argparse.ArgumentParser(
        prog="python -m cyborg.stream",
        description="Live decoding over Lab Streaming Layer (LSL): replay a recording as a stream, or decode a "
                    "live stream with a saved decoder.")
    commands = parser.add_subparsers(dest="command", required=True)

    play = commands.add_parser(
        "replay", help="play a recording file as an LSL stream (its events as markers)",
        description="Play FILE as an LSL stream in real time with mne_lsl's PlayerLSL: the signal as MNE holds it "
                    "(volts for EEG) on stream NAME and, when it has events, those on a second stream NAME-annotations "
                    "(one channel per event type). Reads the challenge's theme-1 .mat sessions and every format of "
                    "cyborg.io.formats.read_recording (EDF, BDF, GDF, BrainVision, EEGLAB, FIF, C3D, text EMG).")
    play.add_argument("file", metavar="FILE", help="recording file (continuous, not pre-cut epochs)")
    play.add_argument("--name", default=DEFAULT_STREAM, help=f"LSL stream name (default {DEFAULT_STREAM})")
    play.add_argument("--chunk-size", type=int, default=10,
                      help="samples pushed at once, every chunk-size / sfreq seconds (default 10)")
    play.add_argument("--loop", action="store_true", help="replay forever (default: once, then exit)")
    play.set_defaults(func=replay)

    live = commands.add_parser(
        "decode", help="decode a live LSL stream with a saved decoder",
        description="Subscribe to the LSL stream STREAM, decode its latest window every HOP seconds with the saved "
                    "decoder of RUN, push each output (class probabilities, or kinematics step by step) on the LSL "
                    "outlet OUTLET stamped with the time of the window's last sample, print a live line "
                    "(prediction, latency) and log every output to a CSV file: window, end_sample (samples received "
                    "when the window closed), timestamp (the source's stamp of its last sample), prediction, "
                    "decode_ms (the chunk's decoding time over the windows it closed), latency_ms (from the arrival "
                    "of the chunk that closed the window to the output pushed), age_ms (from the source's stamp to "
                    "the output; PlayerLSL stamps a chunk ahead, so it can be negative), then the outputs. Stops "
                    "after --duration seconds, or once the stream has sent nothing for --idle seconds.")
    live.add_argument("run", metavar="RUN",
                      help="a train.py run folder (outputs/<task>/<time>, with decoders/*.pt) or one .pt file")
    live.add_argument("--decoder", default=None,
                      help="decoder name in RUN/decoders (e.g. subject0); needed when there are several")
    live.add_argument("--subject", default=None,
                      help="subject whose fitted statistics to use (default: the decoder file's name)")
    live.add_argument("--stream", default=DEFAULT_STREAM, help=f"LSL stream to decode (default {DEFAULT_STREAM})")
    live.add_argument("--outlet", default=DEFAULT_OUTLET, help=f"LSL outlet for the outputs (default {DEFAULT_OUTLET})")
    live.add_argument("--hop", type=float, default=0.02, help="seconds between outputs (default 0.02)")
    live.add_argument("--threads", type=int, default=1, help="torch threads (default 1, fastest for one window)")
    live.add_argument("--scale", type=float, default=VOLTS_TO_MICROVOLTS,
                      help="factor from stream unit to decoder unit (default 1e6: volts to µV)")
    live.add_argument("--session", default="stream", help="metadata session of the windows (default stream)")
    live.add_argument("--side", default=None, choices=("train", "test"),
                      help="theme 2: side of the ramp (test maps windows to the train side and outputs back)")
    live.add_argument("--calibrate", type=float, default=None, metavar="SECONDS",
                      help="first collect this many seconds of the stream and fix the decoder's session maps from "
                           "them (needed by session preprocessing: SessionScale, EuclideanAlign, as in the trick "
                           "default eeg_window_aligned), then decode what follows; end_sample counts from the "
                           "stream's first sample")
    live.add_argument("--log", default=None,
                      help="CSV log (default RUN/live/decode_<time>.csv; <file>_live_<time>.csv beside a bare .pt)")
    live.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    live.add_argument("--idle", type=float, default=2.0,
                      help="stop when the stream has sent nothing for this many seconds (default 2)")
    live.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the stream to appear (default 30)")
    live.add_argument("--print-every", type=float, default=0.5, help="seconds between live lines (default 0.5)")
    live.add_argument("--save-signal", default=None,
                      help="also write the received signal, (n_chans, n_samples) float32 in decoder units, to this "
                           ".npy file (to check a session against the file replayed)")
    live.set_defaults(func=decode)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``python -m cyborg.stream`` with ``argv`` (default: the process's arguments)."""
    from cyborg.cli import one_line_errors

    args = build_parser().parse_args(argv)
    with one_line_errors():
        args.func(args)


if __name__ == "__main__":
    main()
