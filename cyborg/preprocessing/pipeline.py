"""An ordered list of preprocessing steps, built from config."""

from __future__ import annotations

import hashlib
import pickle
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

    def transform(self, trials: Trials, shared: dict[str, Trials] | None = None) -> Trials:
        """Run the steps on ``trials``.

        Parameters
        ----------
        trials : Trials
            The windows, shape (n_trials, n_chans, n_times).
        shared : dict | None
            Outputs of fitted step prefixes already computed for these same
            ``trials``, by :meth:`prefix_keys`: the longest prefix found there
            is not run again, and every prefix run here is added. Pipelines
            whose first steps are equal (the aligned and the plain trick
            preprocessing share three) then run those steps once per call.
        """
        if shared is None:
            for step in self.steps:
                trials = step.transform(trials)
            return trials
        keys = self.prefix_keys()
        done = next((n for n in range(len(keys), 0, -1) if keys[n - 1] in shared), 0)
        if done:
            trials = shared[keys[done - 1]]
        for n in range(done, len(self.steps)):
            trials = shared[keys[n]] = self.steps[n].transform(trials)
        return trials

    def prefix_keys(self) -> list[str]:
        """Digests of ``steps[:1]``, ``steps[:2]``, ... (classes, parameters, fitted statistics), made on first use.

        Equal digests mean equal transforms. Steps must not be changed after
        the first call (the digests are cached; saved pipelines hold none).
        """
        keys = self.__dict__.get("_prefix_keys_")
        if keys is None:
            digest, keys = hashlib.sha1(b"cyborg.Pipeline"), []
            for step in self.steps:
                digest.update(pickle.dumps(step))
                keys.append(digest.copy().hexdigest())
            self.__dict__["_prefix_keys_"] = keys
        return keys

    def key(self) -> str:
        """Digest of the whole fitted pipeline (:meth:`prefix_keys`; one fixed value for no steps)."""
        keys = self.prefix_keys()
        return keys[-1] if keys else hashlib.sha1(b"cyborg.Pipeline").hexdigest()

    def __getstate__(self) -> dict:
        # the digests are a cache: saved pipelines hold the steps only
        return {k: v for k, v in vars(self).items() if k != "_prefix_keys_"}

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
