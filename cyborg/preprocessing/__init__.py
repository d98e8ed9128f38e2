"""Signal preprocessing built from config: per-window steps applied alike to train and test."""

from cyborg.preprocessing.pipeline import Pipeline
from cyborg.preprocessing.sessions import CalibratedSessionStep, EuclideanAlign, SessionScale, SessionStep
from cyborg.preprocessing.steps import (BandPass, DeadChannels, Envelope, Notch, RemoveDC, Resample,
                                        SubjectScale)

__all__ = ["Pipeline", "BandPass", "CalibratedSessionStep", "DeadChannels", "Envelope", "EuclideanAlign", "Notch",
           "RemoveDC", "Resample", "SessionScale", "SessionStep", "SubjectScale"]
