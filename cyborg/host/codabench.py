"""A Codabench competition bundle whose scoring program is cyborg's scorer.

The zip holds ``competition.yaml`` (Codabench's version 2 format), pages, one
task per phase with that phase's truth as reference data, and
``scoring_program/``: a short ``score.py`` that calls
:func:`cyborg.submission.score_submission` from a copy of the library's
scoring modules (numpy and pandas are all they need, as in Codabench's
``codalab/codalab-legacy:py39`` image). Each submission gets both scores in
``scores.json``; the leaderboard shows the public one and keeps the private
column hidden until the organizers show it.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import yaml

import cyborg
from cyborg.host.config import load_competition
from cyborg.submission.score import METRICS

#: The library files the scorer imports (``import cyborg.submission``), copied into the bundle.
SCORER_FILES = (
    "__init__.py", "challenge.py", "errors.py", "recording.py", "trials.py", "validation.py",
    "evaluation/__init__.py", "evaluation/metrics.py", "submission/__init__.py", "submission/_text.py",
    "submission/public_private.py", "submission/score.py", "submission/trick.py", "submission/validate.py",
    "submission/velocity.py")

SCORE_PY = '''"""Codabench scoring program: cyborg's scorer on one submission.

    python score.py INPUT OUTPUT

INPUT/res holds the participant's file, INPUT/ref the truth and split.json;
OUTPUT/scores.json gets {"public": ..., "private": ...}. A malformed file ends
with its one-line error on stderr and exit code 1.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cyborg.errors import CyborgError  # noqa: E402
from cyborg.submission import score_submission  # noqa: E402


def main(input_dir, output_dir):
    ref, res = Path(input_dir) / "ref", Path(input_dir) / "res"
    split = json.loads((ref / "split.json").read_text())
    files = sorted(p for p in res.iterdir() if p.is_file() and not p.name.startswith("."))
    if len(files) != 1:
        raise CyborgError(f"submission: expected one file (CSV or JSON), found {[p.name for p in files]}")
    result = score_submission(files[0], ref / split["truth"], split_seed=split["seed"],
                              public_fraction=split["public_fraction"], show_private=True)
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    scores = {"public": result.public_score, "private": result.private_score}
    (Path(output_dir) / "scores.json").write_text(json.dumps(scores))
    print(f"public {result.metric}: {result.public_score:.4f} (n={result.n_public})")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2])
    except CyborgError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
'''


def _pages(title: str, theme: str, metric: str, public_fraction: float) -> dict[str, str]:
    submission = ("a CSV without header, one row `subject0_000,pumping` per test epoch" if theme == "trick" else
                  'a JSON `{"sub1": {"trial1": [[vx, vy, vz] x 30], ...}, ...}`')
    better = "higher" if theme == "trick" else "lower"
    return {
        "overview.md": f"# {title}\n\nDecode motion from biosignals (NEDO Cyborg AI Challenge format, theme "
                       f"`{theme}`).\n",
        "evaluation.md": f"# Evaluation\n\nSubmit {submission}. The score is `{metric}` ({better} is better), "
                         f"computed by cyborg's scorer on a seeded public share ({public_fraction:g}) of the test "
                         f"ids; the rest is the private score, shown when the organizers reveal it. A malformed "
                         f"file fails with a one-line error.\n",
        "terms.md": "# Terms\n\nSet by the organizers.\n"}


def write_bundle(competition_root: str | Path, out: str | Path) -> Path:
    """Write the Codabench bundle of a competition folder.

    Parameters
    ----------
    competition_root : str | Path
        The competition folder (``competition.yaml`` and truth files).
    out : str | Path
        The zip file to write.

    Returns
    -------
    Path
        ``out``.
    """
    competition = load_competition(competition_root)
    metric = METRICS[competition.theme]
    sorting = "desc" if competition.higher_is_better else "asc"
    tasks, phases, files = [], [], {}
    for index, phase in enumerate(competition.phases):
        folder = f"reference_data/{phase.name}"
        files[f"{folder}/{phase.truth.name}"] = phase.truth.read_bytes()
        files[f"{folder}/split.json"] = json.dumps({"truth": phase.truth.name, "seed": competition.split_seed,
                                                    "public_fraction": competition.public_fraction}).encode()
        tasks.append({"index": index, "name": phase.name, "description": f"Phase {phase.name}: {metric}",
                      "is_public": False, "reference_data": folder, "scoring_program": "scoring_program"})
        phases.append({"index": index, "name": phase.name, "description": f"Scored on {metric}.",
                       "start": phase.start.strftime("%m-%d-%Y"), "end": phase.end.strftime("%m-%d-%Y"),
                       "max_submissions_per_day": competition.daily_quota, "tasks": [index]})
    config = {
        "version": 2, "title": competition.title, "description": f"cyborg challenge, theme {competition.theme}",
        "registration_auto_approve": False, "docker_image": "codalab/codalab-legacy:py39",
        "terms": "pages/terms.md",
        "pages": [{"title": "Overview", "file": "pages/overview.md"},
                  {"title": "Evaluation", "file": "pages/evaluation.md"}],
        "tasks": tasks, "phases": phases,
        "leaderboards": [{"index": 0, "title": "Results", "key": "Results", "columns": [
            {"title": f"public {metric}", "key": "public", "index": 0, "sorting": sorting},
            {"title": f"private {metric}", "key": "private", "index": 1, "sorting": sorting, "hidden": True}]}]}
    files["competition.yaml"] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True).encode()
    for name, text in _pages(competition.title, competition.theme, metric, competition.public_fraction).items():
        files[f"pages/{name}"] = text.encode()
    files["scoring_program/metadata.yaml"] = b"command: python3 $program/score.py $input $output\n"
    files["scoring_program/score.py"] = SCORE_PY.encode()
    library = Path(cyborg.__file__).parent
    for name in SCORER_FILES:
        files[f"scoring_program/cyborg/{name}"] = (library / name).read_bytes()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in sorted(files.items()):
            bundle.writestr(name, data)
    return out
