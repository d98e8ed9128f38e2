"""Signal building blocks for the simulators: coloured and band-limited noise, event-locked courses.

All generators are vectorised over leading axes, shape their noise in the
frequency domain (one real FFT per call) and return float32.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.fft import irfft, next_fast_len
from scipy.signal import oaconvolve


def coloured_noise(rng: np.random.Generator, n_signals: int, n_times: int, sfreq: float,
                   exponents: np.ndarray | float, min_freq: float = 0.5) -> np.ndarray:
    """Noise with a power spectrum proportional to ``1 / f**exponent``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_signals, n_times : int
        Output shape.
    sfreq : float
        Sampling rate in Hz.
    exponents : np.ndarray of shape (n_signals,) | float
        Spectral exponent per signal (1 = pink).
    min_freq : float
        Frequencies below it (Hz) get the power of ``min_freq``, so the
        variance stays finite; the DC bin is zero.

    Returns
    -------
    noise : np.ndarray, shape (n_signals, n_times), float32
        Zero mean, unit variance per signal.
    """
    n_fft = next_fast_len(n_times, real=True)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sfreq)
    exponents = np.broadcast_to(np.asarray(exponents, dtype=float), (n_signals,))
    amplitude = np.maximum(freqs, min_freq)[None, :] ** (-exponents[:, None] / 2.0)
    amplitude[:, 0] = 0.0
    return _shaped(rng, (n_signals,), n_times, n_fft, amplitude)


def band_noise(rng: np.random.Generator, shape: Sequence[int], n_times: int, sfreq: float,
               low: float, high: float) -> np.ndarray:
    """White noise restricted to the band ``[low, high]`` Hz (brick-wall in frequency).

    Returns
    -------
    noise : np.ndarray, shape (*shape, n_times), float32
        Zero mean, unit variance along the last axis.
    """
    n_fft = next_fast_len(n_times, real=True)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sfreq)
    amplitude = ((freqs >= low) & (freqs <= high)).astype(float)
    return _shaped(rng, tuple(shape), n_times, n_fft, amplitude)


def _shaped(rng: np.random.Generator, lead_shape: tuple[int, ...], n_times: int, n_fft: int,
            amplitude: np.ndarray) -> np.ndarray:
    """Random spectrum times ``amplitude``, back to time, cropped to ``n_times`` and standardised."""
    n_freqs = n_fft // 2 + 1
    spectrum = rng.standard_normal((*lead_shape, n_freqs, 2), dtype=np.float32).view(np.complex64)[..., 0]
    spectrum *= amplitude.astype(np.float32)
    noise = irfft(spectrum, n=n_fft, axis=-1)[..., :n_times].astype(np.float32, copy=False)
    noise -= noise.mean(axis=-1, keepdims=True)
    noise /= np.maximum(noise.std(axis=-1, keepdims=True), np.finfo(np.float32).tiny)
    return noise


def event_locked(n_times: int, samples: np.ndarray, amplitudes: np.ndarray, kernel: np.ndarray,
                 kernel_start: int) -> np.ndarray:
    """Sum of one kernel placed at every event, scaled per event.

    Parameters
    ----------
    n_times : int
        Length of the output in samples.
    samples : np.ndarray of int, shape (n_events,)
        Event sample indices.
    amplitudes : np.ndarray, shape (n_events,)
        Scale of the kernel at each event.
    kernel : np.ndarray, shape (n_kernel,)
        The waveform; ``kernel[0]`` lands ``kernel_start`` samples after the
        event (negative: before it).
    kernel_start : int
        Offset of the kernel's first sample relative to the event.

    Returns
    -------
    course : np.ndarray, shape (n_times,), float32
    """
    train = np.zeros(n_times, dtype=np.float64)
    np.add.at(train, np.asarray(samples, dtype=np.int64), amplitudes)
    full = oaconvolve(train, kernel)
    index = np.arange(n_times) - kernel_start
    course = np.zeros(n_times, dtype=np.float32)
    valid = (index >= 0) & (index < full.size)
    course[valid] = full[index[valid]]
    return course


def poisson_times(rng: np.random.Generator, rate: float, n_times: int, sfreq: float) -> np.ndarray:
    """Sample indices of a Poisson process of ``rate`` events per second."""
    n_events = rng.poisson(rate * n_times / sfreq)
    return np.sort(rng.integers(0, n_times, n_events))


def gaussian_kernel(sfreq: float, centre_s: float, width_s: float, start_s: float,
                    stop_s: float) -> tuple[np.ndarray, int]:
    """A Gaussian bump exp(-((t - centre) / width)**2 / 2) on ``[start, stop]`` s.

    Returns
    -------
    kernel : np.ndarray, shape (n_kernel,)
    kernel_start : int
        ``start`` in samples, for :func:`event_locked`.
    """
    times = np.arange(round(start_s * sfreq), round(stop_s * sfreq)) / sfreq
    return np.exp(-0.5 * ((times - centre_s) / width_s) ** 2), round(start_s * sfreq)


def plateau_kernel(sfreq: float, rise_s: float, fall_s: float, edge_s: float,
                   start_s: float, stop_s: float) -> tuple[np.ndarray, int]:
    """A smooth plateau: logistic rise at ``rise_s`` and fall at ``fall_s``, edges ``edge_s`` wide."""
    times = np.arange(round(start_s * sfreq), round(stop_s * sfreq)) / sfreq
    rise = 1.0 / (1.0 + np.exp(-(times - rise_s) / edge_s))
    fall = 1.0 / (1.0 + np.exp((times - fall_s) / edge_s))
    return rise * fall, round(start_s * sfreq)
