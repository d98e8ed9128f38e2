"""cyborg: decode human motion from biosignals.

Scalp EEG -> which movement is being made; surface EMG -> how the body moves.
The core import is light: heavy modules (MNE readers, Lightning training) are
imported by the stage that needs them.
"""

from cyborg.errors import CyborgError, DataFormatError, SubmissionError
from cyborg.recording import Recording
from cyborg.trials import Trials

__all__ = ["CyborgError", "DataFormatError", "SubmissionError", "Recording", "Trials"]
__version__ = "0.1.0"
