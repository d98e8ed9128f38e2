"""Recording: one continuous or epoched recording as MNE holds it, plus metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # MNE is heavy; the core import stays light
    import mne


@dataclass
class Recording:
    """A recording and what we know about who, when and where.

    Parameters
    ----------
    raw : mne.io.BaseRaw | mne.BaseEpochs
        The signal with channel types, units (MNE stores volts), montage and
        annotations (events). Pre-cut trials (challenge test files, theme 2)
        are ``mne.EpochsArray``.
    subject : str
        Subject identifier as the source names it (``"subject0"``, ``"0001"``).
    session : str | None
        Session / run / file identifier.
    side : str | None
        Theme 2: ``"train"`` (LED side) or ``"test"`` (the opposite side).
    stance : str | None
        ``"regular"`` or ``"goofy"`` when known.
    source : Path | None
        The file it came from.
    targets : np.ndarray | None
        Kinematic targets aligned with the signal: for epochs, shape
        (n_epochs, n_steps, n_axes); for continuous data, shape
        (n_target_samples, n_axes) at ``target_sfreq`` starting at the
        first signal sample.
    target_names : tuple of str | None
        Names of the target axes.
    target_sfreq : float | None
        Rate of ``targets`` in Hz.
    extra : dict
        Anything else a reader found worth keeping (e.g. raw event codes).
    """

    raw: "mne.io.BaseRaw | mne.BaseEpochs"
    subject: str
    session: str | None = None
    side: str | None = None
    stance: str | None = None
    source: Path | None = None
    targets: np.ndarray | None = None
    target_names: tuple[str, ...] | None = None
    target_sfreq: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def sfreq(self) -> float:
        return float(self.raw.info["sfreq"])

    @property
    def ch_names(self) -> list[str]:
        return list(self.raw.ch_names)

    @property
    def is_epoched(self) -> bool:
        import mne

        return isinstance(self.raw, mne.BaseEpochs)

    def __repr__(self) -> str:
        kind = "epochs" if self.is_epoched else "raw"
        return (f"<Recording {self.subject}/{self.session} {kind} {len(self.ch_names)} ch "
                f"@ {self.sfreq:g} Hz side={self.side} stance={self.stance}>")
