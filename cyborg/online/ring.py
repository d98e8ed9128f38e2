"""A fixed-size ring buffer of multichannel samples: the latest window of a stream."""

from __future__ import annotations

import numpy as np


class RingBuffer:
    """The last ``size`` samples of ``n_chans`` channels, written in blocks of any length.

    Parameters
    ----------
    n_chans : int
        Channels.
    size : int
        Samples kept (the window length).
    dtype : numpy dtype
        Sample type of the buffer.
    """

    def __init__(self, n_chans: int, size: int, dtype: np.dtype = np.float32):
        self.data = np.zeros((n_chans, size), dtype=dtype)
        self.size = size
        #: Samples written since creation.
        self.count = 0

    def write(self, block: np.ndarray) -> None:
        """Append ``block`` of shape (n_chans, n) with ``n`` at most ``size``."""
        n = block.shape[1]
        start = self.count % self.size
        first = min(n, self.size - start)
        self.data[:, start:start + first] = block[:, :first]
        self.data[:, :n - first] = block[:, first:]
        self.count += n

    def latest(self, out: np.ndarray) -> np.ndarray:
        """Copy the last ``size`` samples, oldest first, into ``out`` of shape (n_chans, size); returns ``out``."""
        start = self.count % self.size
        tail = self.size - start
        out[:, :tail] = self.data[:, start:]
        out[:, tail:] = self.data[:, :start]
        return out
