"""Latency of live decoding: per-hop streaming, one-epoch predict, batch throughput, beside the bare model.

    python benchmarks/latency.py                                    # trains tiny decoders itself
    python benchmarks/latency.py --trick outputs/trick/<time> --velocity outputs/velocity/<time>
    python benchmarks/latency.py --hops 50 --batch 32 --out /tmp/latency.json   # a smoke run

For the trick and velocity defaults (the model and preprocessing ``configs/task/<task>.yaml``
selects, first in the table), a network and the classical decoders beside them (compact_cnn1d,
fb_logvar_lda, xdawn_tangent_space; scalogram_cnn, emg_td_ridge), at 1 and 2 torch threads, in one
process:

- ``bare_ms``: the decoder's networks alone (every fold member's, one after the other) on one
  prepared window (median; networks only);
- ``predict_ms``: ``Decoder.predict`` on one epoch (median), and its ratio to ``bare_ms``;
- ``mem``: the decoder's members (one per fold, or one refitted on every trial);
- ``hop p50/p99/max``: :meth:`cyborg.online.StreamDecoder.push` of one 20 ms chunk that closes a
  window (so each call decodes one window), in ms;
- ``batch/s``: windows a second through ``Decoder.predict_output`` in batches of ``--batch``.

Classical decoders whose steps all have a numpy path (:mod:`cyborg.online.classical_path`) are
measured through it (runtime "numpy path") and through their scikit-learn estimators
("scikit-learn"). Each torch decoder is also exported (:func:`cyborg.export.onnx.export_decoder`) and measured with
:class:`cyborg.online.onnx_runtime.OnnxDecoder` at the same thread count (``runtime`` "onnxruntime"):
its hop is the exported decoder on the latest window of the same stream (the ring buffer is the
same numpy slice), its ``bare_ms`` the member graphs alone. Signals are Gaussian noise at the task's rate: latency does not
depend on what the decoder learnt. Given decoders are used as saved (``RUN/decoders/<name>.pt``,
the first name unless ``--decoder``); otherwise each is trained for ``--max-epochs`` on random
trials of the challenge's shapes. A decoder with session steps (the trick default's
``eeg_window_aligned``) is first calibrated on 2 s of noise (:meth:`Decoder.calibrate`, as
``python -m cyborg.stream decode --calibrate`` does) and measured calibrated, ONNX export included.
A ``model=auto`` default is measured only from a run (``--trick``): its blends are chosen on real
folds. ``--also PT ...`` adds saved trick decoders after it (another model on the same subject).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from cyborg.online import StreamDecoder, calibration_windows, input_window
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder

#: Challenge shapes per task: stream rate (Hz), channels, window samples, kind.
TASKS = {"trick": (500.0, 72, 250, "classification"), "velocity": (2000.0, 16, 1000, "regression")}
#: Decoders measured per task beside the task's default (configs/task/<task>.yaml): a network and classical ones.
OTHERS = {"trick": ("compact_cnn1d", "fb_logvar_lda", "xdawn_tangent_space"),
          "velocity": ("scalogram_cnn", "emg_td_ridge")}
CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def task_defaults(task: str) -> tuple[str, str]:
    """``(model, preprocessing)`` that ``configs/task/<task>.yaml`` selects for ``train.py task=<task>``."""
    from omegaconf import OmegaConf

    chosen = {}
    for entry in OmegaConf.to_container(OmegaConf.load(CONFIGS / "task" / f"{task}.yaml"))["defaults"]:
        for key, value in entry.items():
            chosen[key.split("/")[-1]] = value
    return chosen["model"], chosen["preprocessing"]


def random_trials(task: str, n_trials: int, seed: int = 0) -> Trials:
    """``n_trials`` Gaussian windows of ``task``'s shape with balanced labels or random kinematics."""
    sfreq, n_chans, n_times, kind = TASKS[task]
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n_trials, n_chans, n_times)) * 20).astype(np.float32)
    metadata = pd.DataFrame({"subject": ["s0"] * n_trials, "session": ["train1"] * n_trials,
                             "trial": np.arange(n_trials)})
    if kind == "classification":
        return Trials(X, np.arange(n_trials) % 3, metadata, sfreq, [f"ch{i}" for i in range(n_chans)],
                      class_names=("frontside_kickturn", "backside_kickturn", "pumping"))
    return Trials(X, rng.normal(size=(n_trials, 30, 3)).astype(np.float32), metadata, sfreq,
                  [f"ch{i}" for i in range(n_chans)], target_names=("vx", "vy", "vz"), target_sfreq=60.0)


def train_tiny(task: str, model: str, max_epochs: int) -> Decoder:
    """A decoder of ``model`` on ``task``'s default preprocessing, fitted on 48 random trials."""
    from omegaconf import OmegaConf

    from cyborg.api import fit_decoder
    from cyborg.tasks.base import Task
    from cyborg.tasks.velocity import VelocityTask
    from cyborg.training.fit import TrainSettings

    preprocessing = task_defaults(task)[1]
    steps = OmegaConf.to_container(OmegaConf.load(CONFIGS / "preprocessing" / f"{preprocessing}.yaml"))["steps"]
    return fit_decoder(random_trials(task, 48), model, preprocessing=steps,
                       settings=TrainSettings(max_epochs=max_epochs, batch_size=16,
                                              trainer={"enable_progress_bar": False}),
                       task=VelocityTask(swap_lr=False) if task == "velocity" else Task())


def load(run_or_pt: str, name: str | None) -> tuple[Decoder, str]:
    """The decoder of a run folder (``decoders/<name>.pt``, the first when ``name`` is None) or a ``.pt``."""
    path = Path(run_or_pt)
    if path.is_dir():
        path = path / "decoders" / f"{name}.pt" if name else sorted((path / "decoders").glob("*.pt"))[0]
    return Decoder.load(path), path.stem


def calibrated(decoder: Decoder, subject: str, task: str, seconds: float = 2.0) -> Decoder:
    """``decoder`` with its session steps' maps fixed on ``seconds`` of noise cut every hop (unchanged without them).

    Session steps (the trick default's ``eeg_window_aligned``) stream only after a calibration,
    as ``python -m cyborg.stream decode --calibrate`` does; every row then measures the calibrated decoder.
    """
    sfreq, n_chans = TASKS[task][0], int(decoder.model_kwargs["n_chans"])
    signal = (np.random.default_rng(3).normal(size=(n_chans, int(seconds * sfreq))) * 20).astype(np.float32)
    windows = calibration_windows(signal, input_window(decoder, sfreq), int(round(0.02 * sfreq)), sfreq,
                                  [f"ch{i}" for i in range(n_chans)], {"subject": [subject], "session": ["stream"]})
    return decoder.calibrate(windows)


def median_ms(call, repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def hop_stats(per_hop_s: list[float], hop_s: float) -> dict:
    """The row's hop fields from per-hop times in seconds: hop length, count, p50, p99 and max in ms."""
    ms = np.array(per_hop_s) * 1000
    return {"hop_ms": hop_s * 1000, "hops": len(ms), "hop_p50_ms": float(np.percentile(ms, 50)),
            "hop_p99_ms": float(np.percentile(ms, 99)), "hop_max_ms": float(ms.max())}


def one_epoch(decoder: Decoder, subject: str, n_samples: int, n_chans: int, sfreq: float, n: int = 1) -> Trials:
    X = (np.random.default_rng(1).normal(size=(n, n_chans, n_samples)) * 20).astype(np.float32)
    return Trials(X, np.zeros(n, dtype=np.int64), pd.DataFrame({"subject": [subject] * n, "session": ["test"] * n}),
                  sfreq, [f"ch{i}" for i in range(n_chans)])


@torch.no_grad()
def measure(decoder: Decoder, subject: str, task: str, threads: int, hops: int, batch: int, repeats: int,
            compiled: bool = True) -> dict:
    """One row: bare model, one-epoch predict, streaming per hop and batch throughput at ``threads``.

    ``compiled`` runs classical members through :mod:`cyborg.online.classical_path` (runtime
    "numpy path"), otherwise through their scikit-learn estimators (runtime "scikit-learn").
    """
    sfreq, n_chans = TASKS[task][0], int(decoder.model_kwargs["n_chans"])
    live = StreamDecoder(decoder, sfreq, subject=subject, hop=0.02, threads=threads, compiled=compiled)
    epoch = one_epoch(decoder, subject, input_window(decoder, sfreq), n_chans, sfreq)
    runtime = "torch eager" if decoder.members[0].estimator is None else \
        "numpy path" if live.compiled_members else "scikit-learn"
    row = {"task": task, "model": decoder.model_name, "runtime": runtime, "members": len(decoder.members),
           "threads": threads, "bare_ms": None}
    networks = [member for member in decoder.members if member.estimator is None]
    if networks:  # every member's network alone on its prepared input, one after the other
        calls = [(decoder.model(m), torch.from_numpy(np.ascontiguousarray(decoder.model_input(m, epoch))))
                 for m in networks]
        row["bare_ms"] = median_ms(lambda: [model(x) for model, x in calls], repeats)
    row["predict_ms"] = median_ms(lambda: decoder.predict(epoch), repeats)
    row["predict_over_bare"] = row["predict_ms"] / row["bare_ms"] if row["bare_ms"] else None
    signal = (np.random.default_rng(2).normal(size=(n_chans, live.n_times + hops * live.hop)) * 20).astype(np.float32)
    live.push(signal[:, :live.n_times])  # the first window
    per_hop = []
    for start in range(live.n_times, signal.shape[1], live.hop):
        tic = time.perf_counter()
        emitted = live.push(signal[:, start:start + live.hop])
        per_hop.append(time.perf_counter() - tic)
        assert len(emitted) == 1
    row.update(hop_stats(per_hop, live.hop / sfreq))
    windows = one_epoch(decoder, subject, input_window(decoder, sfreq), n_chans, sfreq, n=batch)
    row["batch"] = batch
    row["batch_per_s"] = batch / (median_ms(lambda: decoder.predict_output(windows), max(1, repeats // 20)) / 1000)
    return row


def measure_onnx(decoder: Decoder, subject: str, task: str, threads: int, hops: int, batch: int, repeats: int,
                 folder: Path) -> dict:
    """The row of ``decoder`` exported to ONNX and run by onnxruntime with ``threads`` intra-op threads."""
    import onnxruntime

    from cyborg.export.onnx import export_decoder
    from cyborg.online.onnx_runtime import OnnxDecoder

    sfreq, n_chans = TASKS[task][0], int(decoder.model_kwargs["n_chans"])
    n_times = input_window(decoder, sfreq)
    names = [f"ch{i}" for i in range(n_chans)]
    export_decoder(decoder, folder, ch_names=names, sfreq=sfreq, n_times=n_times, name=decoder.model_name)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    exported = OnnxDecoder.load(folder, session_options=options)
    epoch = one_epoch(decoder, subject, n_times, n_chans, sfreq).X
    row = {"task": task, "model": decoder.model_name, "runtime": "onnxruntime", "members": len(decoder.members),
           "threads": threads}
    inputs = [(m.session, m.session.get_inputs()[0].name) for m in exported.members]
    probe = np.zeros((1, *inputs[0][0].get_inputs()[0].shape[1:]), dtype=np.float32) \
        if all(isinstance(d, int) for d in inputs[0][0].get_inputs()[0].shape[1:]) else None
    row["bare_ms"] = None if probe is None else median_ms(
        lambda: [session.run(None, {name: probe}) for session, name in inputs], repeats)
    row["predict_ms"] = median_ms(lambda: exported.predict_output(epoch, subject=subject), repeats)
    row["predict_over_bare"] = row["predict_ms"] / row["bare_ms"] if row["bare_ms"] else None
    hop = int(round(0.02 * sfreq))
    signal = (np.random.default_rng(2).normal(size=(n_chans, n_times + hops * hop)) * 20).astype(np.float32)
    per_hop = []
    for end in range(n_times + hop, signal.shape[1] + 1, hop):
        tic = time.perf_counter()
        exported.predict_output(signal[None, :, end - n_times:end], subject=subject)
        per_hop.append(time.perf_counter() - tic)
    row.update(hop_stats(per_hop, hop / sfreq))
    windows = one_epoch(decoder, subject, n_times, n_chans, sfreq, n=batch).X
    row["batch"] = batch
    row["batch_per_s"] = batch / (median_ms(lambda: exported.predict_output(windows, subject=subject),
                                            max(1, repeats // 20)) / 1000)
    return row


def table(rows: list[dict]) -> str:
    def num(value, digits=2):
        return "-" if value is None else f"{value:.{digits}f}"

    lines = [f"{'task':<9}{'model':<21}{'runtime':<13}{'mem':>4}{'thr':>4}{'bare ms':>9}{'predict ms':>11}"
             f"{'ratio':>7}{'hop p50':>9}{'hop p99':>9}{'hop max':>9}{'batch/s':>10}"]
    for r in rows:
        lines.append(f"{r['task']:<9}{r['model']:<21}{r['runtime']:<13}{r.get('members', 0):>4}{r['threads']:>4}"
                     f"{num(r['bare_ms']):>9}{num(r['predict_ms']):>11}{num(r['predict_over_bare']):>7}"
                     f"{num(r['hop_p50_ms']):>9}"
                     f"{num(r['hop_p99_ms']):>9}{num(r['hop_max_ms']):>9}{num(r['batch_per_s'], 0):>10}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trick", help="trick run folder or .pt for the default's row (default: fit a tiny one)")
    parser.add_argument("--velocity", help="velocity run folder or .pt for the default's row (default: fit a tiny one)")
    parser.add_argument("--decoder", help="decoder name in RUN/decoders (default: the first)")
    parser.add_argument("--also", nargs="+", default=[], metavar="PT",
                        help="more saved trick decoders (.pt) measured after the trick default, e.g. another "
                             "model's run on the same subject")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="torch threads to measure (default 1 2)")
    parser.add_argument("--hops", type=int, default=2000, help="streamed hops per row (default 2000: 40 s of signal)")
    parser.add_argument("--batch", type=int, default=256, help="windows per batch for throughput (default 256)")
    parser.add_argument("--repeats", type=int, default=200, help="calls per median (default 200)")
    parser.add_argument("--max-epochs", type=int, default=2, help="epochs of the tiny decoders (default 2)")
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--out", type=Path, help="write the rows and the machine's description to this JSON file")
    args = parser.parse_args()
    given = {"trick": args.trick, "velocity": args.velocity}
    decoders = []
    for task in args.tasks:
        default = task_defaults(task)[0]
        for model in dict.fromkeys((default, *OTHERS[task])):
            if model == default and given[task]:
                decoder, subject = load(given[task], args.decoder)
            elif model == "auto":       # a blend is chosen on real folds: random trials cannot stand for it
                print(f"not measuring the {task} default (model=auto) without --{task} RUN", flush=True)
                continue
            else:
                print(f"fitting a tiny {task} {model} on 48 random trials", flush=True)
                decoder, subject = train_tiny(task, model, args.max_epochs), "s0"
            decoders.append((task, calibrated(decoder, subject, task), subject))
            if model == default and task == "trick":
                decoders += [(task, calibrated(other, name, task), name) for other, name in map(
                    lambda pt: load(pt, None), args.also)]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for threads in args.threads:
            for k, (task, decoder, subject) in enumerate(decoders):
                rows.append(measure(decoder, subject, task, threads, args.hops, args.batch, args.repeats))
                if rows[-1]["runtime"] == "numpy path":  # beside the same decoder through scikit-learn
                    rows.append(measure(decoder, subject, task, threads, args.hops, args.batch, args.repeats,
                                        compiled=False))
                if all(member.estimator is None for member in decoder.members):
                    rows.append(measure_onnx(decoder, subject, task, threads, args.hops, args.batch, args.repeats,
                                             Path(scratch) / f"{k}-{threads}"))
    print(table(rows))
    if args.out:
        result = {"command": "python benchmarks/latency.py " + " ".join(sys.argv[1:]),
                  "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": platform.platform(),
                  "cpus": os.cpu_count(), "load_average": os.getloadavg(), "torch": torch.__version__,
                  "rows": rows}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
