"""An ordered list of preprocessing steps, built from config."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cyborg.preprocessing.steps import Step
from cyborg.trials import Trials


class Pipeline:
    """Apply steps in order; ``fit`` sees training trials only.

    Parameters
    ----------
    steps : sequence of Step
        The steps, in order.
    """

    def __init__(self, steps: Sequence[Step] = ()):
        self.steps = list(steps)

    @classmethod
    def from_config(cls, steps: Iterable[Any] | None) -> "Pipeline":
        """Build from Hydra config entries (each with a ``_target_``) or ready Step objects."""
        from hydra.utils import instantiate

        built = [step if isinstance(step, Step) else instantiate(step) for step in (steps or [])]
        return cls(built)

    def fit(self, trials: Trials) -> "Pipeline":
        """Fit each step on the output of the steps before it."""
        self.fit_transform(trials)
        return self

    def fit_transform(self, trials: Trials) -> Trials:
        for step in self.steps:
            trials = step.fit(trials).transform(trials)
        return trials

    def transform(self, trials: Trials) -> Trials:
        for step in self.steps:
            trials = step.transform(trials)
        return trials

    def check_stream(self, subject: str) -> None:
        """Raise :class:`~cyborg.errors.StreamError` unless every step can stream ``subject``'s windows."""
        for step in self.steps:
            step.check_stream(subject)

    def calibrate(self, trials: Trials) -> "Pipeline":
        """A copy whose session steps use the statistics of ``trials``, windows of one session (calibration).

        Each :class:`~cyborg.preprocessing.sessions.SessionStep` becomes its
        :meth:`~cyborg.preprocessing.sessions.SessionStep.calibrate` result,
        computed on the calibration windows as the steps before it left them;
        the other steps are kept. The copy streams when its other steps do.
        """
        from cyborg.preprocessing.sessions import SessionStep

        steps = []
        for step in self.steps:
            steps.append(step.calibrate(trials) if isinstance(step, SessionStep) else step)
            trials = steps[-1].transform(trials)
        return Pipeline(steps)

    def __repr__(self) -> str:
        return f"Pipeline({self.steps!r})"
