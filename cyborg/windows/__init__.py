"""Recording -> Trials: epochs around events, pre-cut trials, sliding windows."""

from cyborg.windows.epochs import event_windows, trials_from_epochs

__all__ = ["event_windows", "trials_from_epochs"]
