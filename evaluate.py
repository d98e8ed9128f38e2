"""Organizers: validate a challenge submission and score it against the private truth.

    python evaluate.py submission=FILE truth=FILE [private=true] [split.seed=0]
                       [split.public_fraction=0.5] [average=trials|groups]

Prints ``public accuracy: 0.8125 (n=373)`` (and the private line with
``private=true``). Any problem with the files prints one line ``error: ...`` to
stderr and exits with code 2; no message quotes the truth.
"""

from __future__ import annotations

import hydra
from hydra.utils import to_absolute_path
from omegaconf import DictConfig, OmegaConf

from cyborg.cli import one_line_errors, run_hydra_app
from cyborg.errors import ConfigError, CyborgError
from cyborg.submission import ScoreResult, score_submission

USAGE = "python evaluate.py submission=FILE truth=FILE [private=true]"


def score_lines(result: ScoreResult, digits: int, show_private: bool) -> list[str]:
    """The printed report: the public score, and the private one when asked for."""
    lines = [f"public {result.metric}: {result.public_score:.{digits}f} (n={result.n_public})"]
    if show_private:
        private = "none" if result.private_score is None else f"{result.private_score:.{digits}f}"
        lines.append(f"private {result.metric}: {private} (n={result.n_private})")
    return lines


@hydra.main(config_path="configs", config_name="evaluate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    """Score ``cfg.submission`` against ``cfg.truth`` and print the result."""
    with one_line_errors():
        for key in ("submission", "truth"):
            if OmegaConf.is_missing(cfg, key):
                raise ConfigError(f"missing {key}=FILE (usage: {USAGE})")
        if not isinstance(cfg.private, bool):
            raise ConfigError(f"private: expected true or false, found {cfg.private!r}")
        if not isinstance(cfg.digits, int) or isinstance(cfg.digits, bool) or cfg.digits < 0:
            raise ConfigError(f"digits: expected a non-negative integer, found {cfg.digits!r}")
        try:
            result = score_submission(to_absolute_path(str(cfg.submission)), to_absolute_path(str(cfg.truth)),
                                      split_seed=cfg.split.seed, public_fraction=cfg.split.public_fraction,
                                      show_private=cfg.private, average=cfg.average)
        except CyborgError:
            raise
        except Exception as err:  # a bug, not bad input: still one line, never a traceback
            raise CyborgError(f"unexpected {type(err).__name__} while scoring: {err}") from None
    print("\n".join(score_lines(result, cfg.digits, cfg.private)))


if __name__ == "__main__":
    run_hydra_app(main, "evaluate")
