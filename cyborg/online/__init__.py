"""Live decoding: a saved :class:`~cyborg.training.decoder.Decoder` fed chunk by chunk.

::

    from cyborg.online import StreamDecoder
    live = StreamDecoder(Decoder.load("outputs/trick/.../decoders/subject0.pt"), sfreq=500.0,
                         subject="subject0", hop=0.02,
                         calibration=first_seconds)  # (72, n) µV of this session: the trick default's
                                                     # session steps (eeg_window_aligned) need it
    for chunk in source:                        # (n_chans, any n_samples), µV
        for emission in live.push(chunk):       # one per 20 ms once a window is full
            print(emission.end, live.label(emission.output))

The LSL side (replay a file, decode a live stream) is :mod:`cyborg.stream`; an exported decoder
(``python -m cyborg.export``) runs with numpy and onnxruntime alone in :mod:`cyborg.online.onnx_runtime`.
"""

from cyborg.online.decoder import Emission, StreamDecoder, calibration_windows, input_window
from cyborg.online.ring import RingBuffer

__all__ = ["Emission", "RingBuffer", "StreamDecoder", "calibration_windows", "input_window"]
