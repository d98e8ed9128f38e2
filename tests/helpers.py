"""Small builders shared by tests: Trials and Recordings with known content."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cyborg.trials import Trials


def make_trials(X: np.ndarray, y: np.ndarray | None = None, sfreq: float = 500.0, *,
                subjects=None, sessions=None, class_names=("a", "b", "c"), **meta) -> Trials:
    """Trials around ``X`` (n, c, t) with simple metadata."""
    n = len(X)
    y = np.zeros(n, dtype=np.int64) if y is None else y
    metadata = pd.DataFrame({
        "subject": subjects if subjects is not None else ["s0"] * n,
        "session": sessions if sessions is not None else ["train1"] * n,
        "trial": np.arange(n), **meta})
    return Trials(X=np.asarray(X, dtype=np.float32), y=y, metadata=metadata, sfreq=sfreq,
                  ch_names=[f"ch{i}" for i in range(X.shape[1])],
                  class_names=class_names if y.ndim == 1 else None)


def sine(freq: float, sfreq: float, n_times: int, amplitude: float = 1.0) -> np.ndarray:
    """A sine of ``freq`` Hz, ``n_times`` samples at ``sfreq`` Hz."""
    return amplitude * np.sin(2 * np.pi * freq * np.arange(n_times) / sfreq)


def planted_two_class_trials(seed: int = 0) -> Trials:
    """80 trials, 4 x 64 samples, two classes told apart by a ramp on channel 1 (easy to learn)."""
    rng = np.random.default_rng(seed)
    y = np.tile([0, 1], 40)
    X = rng.normal(size=(80, 4, 64))
    X[:, 1] += (y[:, None] - 0.5) * np.linspace(-4, 4, 64)
    return make_trials(X, y, class_names=("a", "b"))


def untrained_decoder(trials: Trials, steps: list, model: str = "compact_cnn1d", task=None):
    """A Decoder with one member: ``steps`` and a channel scaler fitted on ``trials``, a network at its
    initial (seeded) weights; ``task`` (default the generic Task) gives the spec. For tests of what
    happens around a model (streaming, saving), not of learning."""
    import torch

    from cyborg.preprocessing import Pipeline
    from cyborg.tasks.base import Task
    from cyborg.training.decoder import Member
    from cyborg.training.normalize import ChannelScaler

    torch.manual_seed(0)
    decoder = (task or Task()).decoder_template(trials, model, {}, steps)
    pipeline = Pipeline(steps)
    X = pipeline.fit_transform(trials).X
    decoder.members = [Member(pipeline=pipeline, scaler=ChannelScaler().fit(X),
                              state_dict=decoder.build().state_dict())]
    return decoder
