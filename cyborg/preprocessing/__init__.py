"""Signal preprocessing built from config: per-window steps applied alike to train and test."""

from cyborg.preprocessing.pipeline import Pipeline
from cyborg.preprocessing.sessions import EuclideanAlign, SessionScale
from cyborg.preprocessing.steps import (BandPass, DeadChannels, Envelope, Notch, RemoveDC, Resample,
                                        SubjectScale)

__all__ = ["Pipeline", "BandPass", "DeadChannels", "Envelope", "EuclideanAlign", "Notch", "RemoveDC", "Resample",
           "SessionScale", "SubjectScale"]
