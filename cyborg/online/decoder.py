"""StreamDecoder: a saved Decoder run on the latest window of a live signal, every hop.

The offline steps filter each window from zero state (the challenge test set
is pre-cut 0.5 s epochs), so the stream keeps the latest window in a ring
buffer and runs the decoder's own per-window preprocessing and models on it:
a streamed output equals ``Decoder.predict_output`` on the same window.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import torch

from cyborg.errors import StreamError
from cyborg.online.classical_path import attach_live_paths
from cyborg.online.ring import RingBuffer
from cyborg.preprocessing.steps import Resample
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder, thread_pools
from cyborg.validation import check_finite, check_shape, fail


class Emission(NamedTuple):
    """One decoded window.

    Attributes
    ----------
    end : int
        Stream samples pushed when the window closed: the window is samples
        ``end - n_times`` to ``end - 1`` (0 is the first sample pushed).
    output : np.ndarray
        Class probabilities, shape (n_classes,), or kinematics, shape (n_steps, n_axes).
    """

    end: int
    output: np.ndarray


def input_window(decoder: Decoder, sfreq: float) -> int:
    """Samples of signal at ``sfreq`` Hz that make one model input of ``decoder``.

    The model sees ``decoder.n_times`` samples at ``model_kwargs["sfreq"]``;
    a resampling step in the preprocessing maps the stream's rate to it.
    Without one, the stream must run at the model's rate.

    Raises
    ------
    StreamError
        ``sfreq`` differs from the rate the decoder was trained at.
    """
    model_sfreq = float(decoder.model_kwargs.get("sfreq", sfreq))
    resamples = any(isinstance(step, Resample) for member in decoder.members for step in member.pipeline.steps)
    if not resamples and not np.isclose(sfreq, model_sfreq):
        fail(f"decoder {decoder.model_name}", "sfreq", f"a stream at the training rate {model_sfreq:g} Hz",
             f"{sfreq:g} Hz", error=StreamError)
    return int(round(decoder.n_times * sfreq / model_sfreq))


def calibration_windows(signal: np.ndarray, n_times: int, hop: int, sfreq: float, ch_names: list[str],
                        metadata: dict) -> Trials:
    """Windows of ``n_times`` samples every ``hop`` samples of ``signal`` (n_chans, n_samples), cut as a stream cuts.

    ``metadata`` (one value per column, the stream's ``subject``, ``session``
    and ``side``) is repeated for every window.

    Raises
    ------
    StreamError
        ``signal`` is not (n_chans, n_samples) with at least ``n_times`` finite samples.
    """
    signal = check_shape(signal, (len(ch_names), None), "stream", "calibration", error=StreamError)
    check_finite(signal, "stream", "calibration", error=StreamError)
    if signal.shape[1] < n_times:
        fail("stream", "calibration samples", f">= {n_times} (one window)", signal.shape[1], error=StreamError)
    starts = np.arange(0, signal.shape[1] - n_times + 1, hop)
    X = np.stack([signal[:, s:s + n_times] for s in starts]).astype(np.float32)
    meta = pd.DataFrame({key: [value[0]] * len(starts) for key, value in metadata.items()})
    return Trials(X=X, y=np.zeros(len(starts), dtype=np.int64), metadata=meta, sfreq=sfreq, ch_names=list(ch_names))


class StreamDecoder:
    """Decode a live signal: chunks of any length in, one output every ``hop`` from the latest window.

    Windows start at stream samples ``0, hop, 2 * hop, ...``: the ``k``-th
    emission decodes samples ``k * hop`` to ``k * hop + n_times - 1``, exactly
    as ``decoder.predict_output`` does on that window cut offline.

    Parameters
    ----------
    decoder : Decoder
        A fitted decoder whose preprocessing is causal (every step's
        :attr:`~cyborg.preprocessing.steps.Step.causal`); its networks are built
        and its filters designed once, here.
    sfreq : float
        Stream sampling rate in Hz.
    subject : str
        Whose per-subject statistics to use (dead channels, channel scales):
        a subject the decoder was fitted on (the group name of ``decoders/<group>.pt``).
    hop : float
        Seconds between emissions (0.02 is 50 outputs a second); rounded to whole samples.
    session : str
        Metadata ``session`` of the windows.
    side : str | None
        Metadata ``side`` (theme 2: ``"test"`` maps the window to the train side
        of the ramp and its kinematics back).
    threads : int
        Torch intra-op threads and BLAS threads, set here for the whole process
        (1 is fastest for batch-1 calls on small CPUs).
    compiled : bool
        Run classical members through their fitted parameters with numpy
        (:mod:`cyborg.online.classical_path`; the same outputs, several times
        faster) where every step has such a path; ``False`` calls the estimators.
    ch_names : list of str | None
        The stream's channel names, in the decoder's channel order (steps
        such as ``DeadChannels(mode="interpolate")`` place channels by name);
        ``None`` names them ``ch0, ch1, ...``.
    calibration : np.ndarray | None
        Signal of the stream's session recorded before decoding, shape
        (n_chans, n_samples) at ``sfreq``, for decoders with session steps
        (:class:`~cyborg.preprocessing.SessionScale`,
        :class:`~cyborg.preprocessing.EuclideanAlign`): it is cut into
        windows every ``hop`` and :meth:`Decoder.calibrate` fixes the maps
        from them (:func:`calibration_windows`). ``None`` streams only decoders without such steps.

    Raises
    ------
    StreamError
        A step is not causal (a session step without ``calibration``), was not
        fitted on ``subject``, ``sfreq`` does not match, or ``calibration`` is
        shorter than one window.
    """

    def __init__(self, decoder: Decoder, sfreq: float, *, subject: str, hop: float = 0.02,
                 session: str = "stream", side: str | None = None, threads: int = 1, compiled: bool = True,
                 ch_names: list[str] | None = None, calibration: np.ndarray | None = None):
        self.sfreq = float(sfreq)
        self.n_times = input_window(decoder, self.sfreq)
        self.hop = max(1, int(round(hop * self.sfreq)))
        self.n_chans = int(decoder.model_kwargs["n_chans"])
        meta = {"subject": [str(subject)], "session": [session]}
        if side is not None:
            meta["side"] = [side]
        names = list(ch_names) if ch_names is not None else [f"ch{i}" for i in range(self.n_chans)]
        if calibration is not None:
            decoder = decoder.calibrate(calibration_windows(calibration, self.n_times, self.hop, self.sfreq,
                                                            names, meta))
        decoder.check_stream(subject)
        self.decoder = decoder
        self.threads = int(threads)
        torch.set_num_threads(self.threads)
        thread_pools().limit(limits=self.threads, user_api="blas")
        #: Classical members that run through their compiled numpy path.
        self.compiled_members = attach_live_paths(decoder, enable=compiled)
        self._ring = RingBuffer(self.n_chans, self.n_times)
        self._window = np.zeros((1, self.n_chans, self.n_times), dtype=np.float32)
        self._trials = Trials(X=self._window, y=np.zeros(1, dtype=np.int64), metadata=pd.DataFrame(meta),
                              sfreq=self.sfreq, ch_names=names)
        # one throw-away window (noise: flat zeros have no log-variance) builds the networks and designs the filters
        self.decode_window(np.random.default_rng(0).standard_normal((self.n_chans, self.n_times)).astype(np.float32))

    @property
    def count(self) -> int:
        """Samples pushed so far."""
        return self._ring.count

    def push(self, chunk: np.ndarray) -> list[Emission]:
        """Add ``chunk`` of shape (n_chans, n_samples) and decode every window it completes.

        Parameters
        ----------
        chunk : np.ndarray, shape (n_chans, n_samples)
            The next samples, in the decoder's unit (µV for EEG); any length, 0 included.

        Returns
        -------
        emissions : list of Emission
            One per hop boundary reached in the chunk, oldest first.
        """
        chunk = check_shape(chunk, (self.n_chans, None), "stream", "chunk", error=StreamError)
        emissions = []
        done = 0
        while done < chunk.shape[1]:
            end = self._next_end()
            take = min(end - self.count, chunk.shape[1] - done, self.n_times)
            self._ring.write(chunk[:, done:done + take])
            done += take
            if self.count == end:
                self._ring.latest(self._window[0])
                emissions.append(Emission(self.count, self.decode_window(self._window[0])))
        return emissions

    def _next_end(self) -> int:
        """Sample count at which the next window closes."""
        if self.count < self.n_times:
            return self.n_times
        return self.count + self.hop - (self.count - self.n_times) % self.hop

    def decode_window(self, window: np.ndarray) -> np.ndarray:
        """The decoder's output for one window of shape (n_chans, n_times): probabilities or kinematics."""
        self._window[0] = window
        return self.decoder.predict_output(self._trials)[0]

    def label(self, output: np.ndarray) -> str | np.ndarray:
        """A class name for probabilities, or the kinematics unchanged."""
        names = self.decoder.class_names
        return names[int(np.argmax(output))] if names is not None else output
