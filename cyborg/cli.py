"""Glue between Hydra configs and the library: what ``train.py`` runs, and how every entry point fails.

Every command (``train.py``, ``evaluate.py``, ``baselines/run.py``, ``python -m cyborg.inspect``)
ends a bad-input error the same way, through :func:`one_line_errors`: one line ``error: ...``
on stderr, exit code 2, no traceback. The Hydra scripts first compose and check their command
line (:func:`run_hydra_app`), so a wrong type or value fails before any data is read.
"""

from __future__ import annotations

import json
import logging
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

import cyborg.config_schema  # noqa: F401  (registers the group schemas before Hydra composes)
from cyborg.errors import ConfigError, CyborgError
from cyborg.evaluation import reports
from cyborg.evaluation.splits import PROTOCOLS
from cyborg.validation import check_option, fail

if TYPE_CHECKING:  # torch and Lightning load only where a run needs them: evaluate.py stays quick
    from cyborg.experiment import ExperimentResult, Fitter
    from cyborg.training.fit import TrainSettings

log = logging.getLogger("cyborg")

#: Exit code of a command stopped by bad input or configuration.
ERROR_EXIT_CODE = 2


def one_line(message: str) -> str:
    """``message`` on one line: its lines joined by spaces, blank ones dropped."""
    return " ".join(line.strip() for line in str(message).splitlines() if line.strip())


@contextmanager
def one_line_errors(run_dir: Path | None = None) -> Iterator[None]:
    """The one error path of every entry point: a :class:`CyborgError` ends the command in one line.

    The error is printed as ``error: <message on one line>`` to stderr and the
    process exits with :data:`ERROR_EXIT_CODE`, without a traceback. Any other
    exception (a bug) keeps its traceback.

    Parameters
    ----------
    run_dir : Path | None
        The run folder, when one was made: a run that fails, for any reason,
        marks it with ``metrics.json`` holding ``"status": "failed"`` and the
        error on one line (keys already written there are kept).

    Yields
    ------
    None
        The body runs inside the error path.
    """
    try:
        yield
    except CyborgError as error:
        message = one_line(str(error))
        if run_dir is not None:
            _mark_failed(run_dir, message)
        print(f"error: {message}", file=sys.stderr)
        sys.exit(ERROR_EXIT_CODE)
    except (Exception, KeyboardInterrupt) as error:
        if run_dir is not None:
            _mark_failed(run_dir, one_line(f"{type(error).__name__}: {error}"))
        raise


def _mark_failed(run_dir: Path, message: str) -> None:
    """Write ``"status": "failed"`` and the error into the run folder's ``metrics.json``."""
    path = Path(run_dir) / "metrics.json"
    record = json.loads(path.read_text()) if path.is_file() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**record, "status": "failed", "error": message}, indent=2))


def check_config(cfg: DictConfig) -> TrainSettings:
    """Check the values of a composed ``train.yaml`` (or ``baseline.yaml``) before any data is read.

    The key types are fixed by the group schemas (:mod:`cyborg.config_schema`);
    this checks the values: the ``trainer`` group through
    :class:`~cyborg.training.fit.TrainSettings` (its one list of allowed
    values and ranges), ``split.protocol`` against
    :data:`~cyborg.evaluation.splits.PROTOCOLS`, and ``seed``.

    Parameters
    ----------
    cfg : omegaconf.DictConfig
        The composed config.

    Returns
    -------
    settings : TrainSettings
        The ``trainer`` group as settings (:func:`settings_from_config`).

    Raises
    ------
    ConfigError
        A value out of range or not allowed, named by its command-line key.
    """
    if not isinstance(cfg.seed, int) or isinstance(cfg.seed, bool):
        fail("config", "seed", "an integer", repr(cfg.seed), ConfigError)
    check_option(cfg.split.protocol, PROTOCOLS, "split.protocol", error=ConfigError)
    return settings_from_config(cfg)


def hydra_error_line(error: Exception) -> str:
    """One line from Hydra's error for a command line it cannot compose.

    Hydra's message (``Error merging override trainer.max_epochs=abc``) is
    followed, in brackets, by the first line of OmegaConf's reason (``Value
    'abc' of type 'str' could not be converted to Integer``); the config search
    path Hydra appends to a missing option is left out.
    """
    from omegaconf.errors import OmegaConfBaseException

    text = str(error).split("Config search path:")[0]
    cause = error.__cause__
    if isinstance(cause, OmegaConfBaseException):
        text += f" ({str(cause).splitlines()[0]})"
    return one_line(text)


def check_command_line(config_name: str, overrides: Sequence[str],
                       check: Callable[[DictConfig], Any] | None = None) -> None:
    """Compose the config a Hydra entry point is about to run, and check it, before Hydra runs it.

    Only a command line of plain overrides is composed: with a Hydra flag
    (``--help``, ``-m``, ``--cfg``, ...) Hydra reads the command line itself,
    and a multirun's jobs are checked one by one when they start.

    Parameters
    ----------
    config_name : str
        The primary config (``train``, ``baseline``, ``evaluate``).
    overrides : sequence of str
        The command-line arguments.
    check : callable | None
        Checks the composed config's values (:func:`check_config`).

    Raises
    ------
    ConfigError
        An override Hydra cannot parse or apply (a wrong type included), or
        a value ``check`` refuses.
    """
    if any(argument.startswith("-") for argument in overrides):
        return
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from cyborg.config import config_dir

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            cfg = compose(config_name=config_name, overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as error:
        raise ConfigError(hydra_error_line(error)) from None
    if check is not None:
        check(cfg)


def run_hydra_app(main: Callable[[], Any], config_name: str,
                  check: Callable[[DictConfig], Any] | None = None) -> None:
    """Run a ``@hydra.main`` entry point after checking its command line (:func:`check_command_line`).

    A bad command line ends in one line and exit code 2 (:func:`one_line_errors`)
    before Hydra makes a run folder or any data is read.

    Parameters
    ----------
    main : callable
        The ``@hydra.main``-decorated function.
    config_name : str
        Its primary config.
    check : callable | None
        Checks the composed config's values (:func:`check_config`).
    """
    with one_line_errors():
        check_command_line(config_name, sys.argv[1:], check)
    main()


def hydra_run_dir() -> Path:
    """The running Hydra job's output folder (``hydra.run.dir``, or the sweep job's folder)."""
    from hydra.core.hydra_config import HydraConfig

    return Path(HydraConfig.get().runtime.output_dir)

#: Tasks whose embedded default is the synthetic challenge data.
SYNTHETIC_TASKS = ("trick", "velocity")


def resolve_data_root(task_name: str, data_cfg: DictConfig) -> Path | None:
    """The data folder: ``data.root`` when given, else the synthetic data (generated once).

    The synthetic folders live under ``data.synthetic.dir`` when set, else in one
    place whatever the working folder (:func:`cyborg.simulate.cache.synthetic_data_dir`:
    ``$CYBORG_DATA/synthetic`` or the user cache folder); the folder used is logged.
    """
    from hydra.utils import to_absolute_path

    if data_cfg.get("root"):
        return Path(to_absolute_path(str(data_cfg.root)))
    if task_name not in SYNTHETIC_TASKS:
        return None
    from cyborg.simulate import ensure_synthetic
    from cyborg.simulate.cache import synthetic_data_dir

    synthetic = data_cfg.synthetic
    size = "full" if synthetic.full_size else "default"
    scenario = str(synthetic.get("scenario") or "default")
    name = f"{task_name}-{size}-seed{synthetic.seed}" if scenario == "default" else \
        f"{task_name}-{scenario}-{size}-seed{synthetic.seed}"
    folder = Path(to_absolute_path(str(synthetic.dir))) if synthetic.get("dir") else synthetic_data_dir()
    root = folder / name
    log.info("synthetic data: %s (generated once, then reused; data.synthetic.dir=DIR or $CYBORG_DATA "
             "to keep it elsewhere)", root)
    return ensure_synthetic(task_name, root, seed=int(synthetic.seed), full_size=bool(synthetic.full_size),
                            scenario=scenario)


def settings_from_config(cfg: DictConfig) -> TrainSettings:
    """TrainSettings from the ``trainer`` group (its ``lightning`` part goes to lightning.Trainer)."""
    from cyborg.training.fit import TrainSettings

    trainer = OmegaConf.to_container(cfg.trainer, resolve=True)
    lightning = trainer.pop("lightning", {}) or {}
    return TrainSettings(**trainer, seed=int(cfg.seed), trainer=lightning)


def instantiate_task(task_cfg: DictConfig) -> Any:
    """The task of ``cfg.task``; a :class:`CyborgError` its constructor raises (a bad option) is raised as is.

    Hydra wraps what a constructor raises in its ``InstantiationException``;
    unwrapped, a bad task option ends in the one error line of
    :func:`one_line_errors`, before any data is read.
    """
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    try:
        return instantiate(task_cfg)
    except InstantiationException as error:
        if isinstance(error.__cause__, CyborgError):
            raise error.__cause__ from None
        raise


def train_from_config(cfg: DictConfig) -> float:
    """Run one experiment from a composed ``train.yaml`` config; returns the objective value."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.utils import instantiate

    from cyborg.experiment import run_experiment
    from cyborg.training import progress
    from cyborg.training.auto import fit_auto
    from cyborg.training.estimators import fit_estimators
    from cyborg.training.fit import fit_ensemble

    # One run makes dozens of fits: Lightning announces devices and tips at INFO for each, warns about
    # empty validation loaders, and torch's deprecation of Lightning's LeafSpec use prints twice a fit.
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=r".*LeafSpec.* is deprecated", category=FutureWarning)
    warnings.filterwarnings("ignore", message=r"Total length of .* across ranks is zero")
    settings = check_config(cfg)
    task = instantiate_task(cfg.task)
    # Progress bars only on a terminal: piped to a file they take megabytes; the fits' lines replace them.
    settings = replace(settings, trainer={**settings.trainer, "enable_progress_bar": progress.show_bars(
        settings.trainer.get("enable_progress_bar", True))})
    run_dir = hydra_run_dir()
    root = resolve_data_root(task.name, cfg.data)
    log.info("task %s, data %s, model %s, run folder %s", task.name, root, cfg.model.name, run_dir)
    data = task.load(root)
    log.info("%d training trials (%d ch x %d samples @ %g Hz), %d test trials", len(data.train),
             data.train.n_chans, data.train.n_times, data.train.sfreq,
             0 if data.test is None else len(data.test))
    model_params = OmegaConf.to_container(cfg.model.params, resolve=True) or {}
    fitter, selection, model_params = make_fitter(cfg.model.name, model_params, settings,
                                                  data.train.is_classification)
    split = OmegaConf.to_container(cfg.split, resolve=True)
    fitted_by = fitter.func if isinstance(fitter, partial) else None
    split = {**split, "args": task.split_arguments(split)}
    if fitted_by is fit_ensemble:
        plan = progress.planned_fits(data.train.metadata, split, task.subject_column, settings.members_per_fold,
                                     settings.pretrain_epochs > 0)
    elif fitted_by is fit_estimators:                                   # one estimator per fold
        plan = progress.planned_fits(data.train.metadata, split, task.subject_column)
    elif fitted_by is fit_auto:     # every candidate on the inner split, then one refit (more for a blend)
        plan = progress.planned_fits(data.train.metadata, split, task.subject_column,
                                     len(fitter.keywords["candidates"]) + 1)
    else:
        plan = None
    progress.RUN.start(plan)
    result = run_experiment(
        task, data, model_name=cfg.model.name, model_params=model_params,
        steps=OmegaConf.to_container(cfg.preprocessing.steps, resolve=True), fitter=fitter,
        split=split, run_dir=run_dir, write_submission=bool(cfg.write_submission), selection=selection,
        provenance={"seed": int(cfg.seed), "overrides": list(HydraConfig.get().overrides.task)})
    report(result)
    if result.submission is not None and cfg.score_against_answer and data.truth is not None:
        score_on_answer(result.submission, data.truth, run_dir)
    return float(result.overall[cfg.objective])


def make_fitter(model_name: str, model_params: dict, settings: TrainSettings,
                classification: bool) -> tuple[Fitter, dict, dict]:
    """The fitter of ``model=<model_name>``, its selection rule and the params the decoder spec keeps.

    A registry network trains with Lightning (:func:`~cyborg.training.fit.fit_ensemble`); a
    classical decoder (:mod:`cyborg.classical`) fits one estimator per fold; ``auto`` blends
    candidates chosen inside each training fold (:func:`~cyborg.training.auto.fit_auto`).
    """
    from cyborg.classical import is_classical
    from cyborg.training.auto import auto_selection, fit_auto
    from cyborg.training.estimators import ESTIMATOR_SELECTION, ClassicalFactory, fit_estimators
    from cyborg.training.fit import fit_ensemble

    if model_name == "auto":
        options = {"candidates": model_params.get("candidates") or [],
                   "inner_fraction": float(model_params.get("inner_fraction", 0.2)),
                   "max_blend": int(model_params.get("max_blend", 3)),
                   "inner_split": str(model_params.get("inner_split", "tail"))}
        return (partial(fit_auto, settings=settings, **options), auto_selection(**options), {})
    if is_classical(model_name):
        factory = ClassicalFactory(model_name, "classification" if classification else "regression", model_params)
        return partial(fit_estimators, make_estimator=factory), ESTIMATOR_SELECTION, {}
    return partial(fit_ensemble, settings=settings), settings.describe(), model_params


def report(result: ExperimentResult) -> None:
    """Print the per-subject table, the pooled metric, and the report and submission paths."""
    print(f"\nPer subject (validation folds) -> {result.run_dir / 'per_subject.csv'}")
    print(result.per_group.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("Overall: " + ", ".join(f"{k}={v:.4f}" if k.startswith(("val_", "chance_")) else f"{k}={v}"
                                  for k, v in result.overall.items()))
    print(f"Report: {result.run_dir / 'report.md'}")
    if result.submission is not None:
        print(f"Submission: {result.submission}")


def score_on_answer(submission: Path, truth: Path, run_dir: Path) -> None:
    """Score the submission on the hidden answer; print it, save ``hidden_test_score.json``.

    The score is also added to the run's ``metrics.json`` and ``report.md``
    (:func:`cyborg.evaluation.reports.record_hidden_score`).
    """
    from cyborg.submission import score_submission

    score = score_submission(submission, truth, show_private=True)
    found = {"metric": score.metric, "public": score.public_score, "private": score.private_score,
             "n_public": score.n_public, "n_private": score.n_private}
    (Path(run_dir) / "hidden_test_score.json").write_text(json.dumps(found, indent=2))
    reports.record_hidden_score(run_dir, {**found, "truth": str(truth)})
    private = "none" if score.private_score is None else f"{score.private_score:.4f}"
    print(f"Score on the hidden synthetic answer ({truth}): public {score.public_score:.4f} "
          f"(n={score.n_public}), private {private} (n={score.n_private})")
    print(f"Organizers: python evaluate.py submission={submission} truth={truth}")
