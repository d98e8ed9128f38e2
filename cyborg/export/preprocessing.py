"""Fitted preprocessing steps as plain parameters (JSON) that numpy and scipy can replay.

Each step of a fitted :class:`cyborg.preprocessing.Pipeline` becomes one or
more dicts with a ``"step"`` name; :mod:`cyborg.online.onnx_runtime` applies
them in order, casting to float32 after each, as the steps do:

- ``{"step": "remove_dc"}``: subtract each window's per-channel mean;
- ``{"step": "sosfilt", "sos": [[b0, b1, b2, a0, a1, a2], ...]}``: causal
  ``scipy.signal.sosfilt`` along time from zero initial state, with MNE's own
  Butterworth design (band-pass, low-pass, notch and envelope filters);
- ``{"step": "abs"}``: full-wave rectification;
- ``{"step": "resample", "sfreq": Hz}``: MNE's polyphase resampling
  (``scipy.signal.resample_poly``, Kaiser window, reflect padding);
- ``{"step": "dead_channels", "bad": {subject: [index, ...]}, "flat_uv": .., "wild_ratio": ..}``:
  zero the channels found dead for a subject in training; an unseen subject's
  are found on its own windows;
- ``{"step": "subject_scale", "scale": {subject: [per-channel scale]}}``:
  divide by the subject's training scale, an unseen subject's by its own windows';
- ``{"step": "session_scale"}``: divide by the per-channel median window
  standard deviation of each (subject, session) group of the batch;
- ``{"step": "euclidean_align", "shrinkage": s}``: multiply each window of a
  (subject, session) group of the batch by ``R^{-1/2}``, ``R`` the group's mean
  window covariance shrunk by ``s`` towards ``trace(R) / n_chans * I``;
- ``{"step": "channel_divide", "divisors": [per-channel divisor]}`` and
  ``{"step": "spatial_filter", "matrix": [[...], ...]}``: a session step
  calibrated on one session (``Decoder.calibrate``), its fixed map: each
  channel divided by its divisor, or ``matrix @ x`` for every window ``x``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cyborg.errors import ExportError
from cyborg.preprocessing import (CalibratedSessionStep, DeadChannels, Envelope, EuclideanAlign, Pipeline,
                                  RemoveDC, Resample, SessionScale, SubjectScale)
from cyborg.preprocessing.steps import FilterStep, Step


def _sosfilt(sos: np.ndarray) -> dict[str, Any]:
    return {"step": "sosfilt", "sos": sos.tolist()}


def step_spec(step: Step, sfreq: float, where: str) -> tuple[list[dict[str, Any]], float]:
    """Plain parameters of one fitted step, and the sampling rate after it.

    Parameters
    ----------
    step : Step
        A fitted preprocessing step.
    sfreq : float
        Rate of the step's input in Hz.
    where : str
        Name of the decoder and member, for error messages.

    Returns
    -------
    specs : list of dict
        JSON-ready dicts (see the module docstring); empty for a step that
        leaves the signal unchanged (a band-pass with no edge below Nyquist).
    sfreq : float
        Rate of the step's output in Hz.

    Raises
    ------
    ExportError
        A step the runtime cannot replay, named with the reason.
    """
    if isinstance(step, RemoveDC):
        return [{"step": "remove_dc"}], sfreq
    if isinstance(step, FilterStep):  # BandPass, Notch, Envelope: the sections the step itself runs
        sections = step.sos(sfreq)
        filtered = [_sosfilt(np.concatenate(sections))] if sections else []
        return ([{"step": "abs"}] if isinstance(step, Envelope) else []) + filtered, sfreq
    if isinstance(step, Resample):
        return [{"step": "resample", "sfreq": float(step.sfreq)}], float(step.sfreq)
    if isinstance(step, DeadChannels):
        if step.mode != "zero":
            raise ExportError(f"{where}: preprocessing step {step!r}: expected mode 'zero' (a zeroed channel is "
                              f"plain parameters), found mode {step.mode!r} (MNE's spherical-spline "
                              f"interpolation is not replayed outside MNE)")
        return [{"step": "dead_channels", "bad": {k: list(v) for k, v in step.bad_.items()},
                 "flat_uv": float(step.flat_uv), "wild_ratio": float(step.wild_ratio)}], sfreq
    if isinstance(step, SubjectScale):
        return [{"step": "subject_scale", "scale": {k: v.tolist() for k, v in step.scale_.items()}}], sfreq
    if isinstance(step, SessionScale):
        if step.mode != "all":
            raise ExportError(f"{where}: preprocessing step {step!r}: expected mode 'all', found mode "
                              f"{step.mode!r} (its per-subject usual amplitudes are not replayed)")
        return [{"step": "session_scale"}], sfreq
    if isinstance(step, EuclideanAlign):
        return [{"step": "euclidean_align", "shrinkage": float(step.shrinkage)}], sfreq
    if isinstance(step, CalibratedSessionStep):
        session_map = np.asarray(step.session_map, dtype=np.float64)
        if session_map.ndim == 1:
            return [{"step": "channel_divide", "divisors": session_map.tolist()}], sfreq
        return [{"step": "spatial_filter", "matrix": session_map.tolist()}], sfreq
    raise ExportError(f"{where}: preprocessing step {step!r}: expected one of RemoveDC, BandPass, Notch, "
                      f"Envelope, Resample, DeadChannels(mode='zero'), SubjectScale, SessionScale, "
                      f"EuclideanAlign, a calibrated session step, found {type(step).__name__}, which the ONNX "
                      f"runtime cannot replay")


def pipeline_spec(pipeline: Pipeline, sfreq: float, where: str) -> tuple[list[dict[str, Any]], float]:
    """Plain parameters of every step of a fitted pipeline, in order, and the output rate in Hz.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline.
    sfreq : float
        Rate of the raw windows in Hz.
    where : str
        Name of the decoder and member, for error messages.

    Raises
    ------
    ExportError
        The first step that cannot be exported (see :func:`step_spec`).
    """
    specs: list[dict[str, Any]] = []
    for step in pipeline.steps:
        more, sfreq = step_spec(step, sfreq, where)
        specs.extend(more)
    return specs, sfreq
