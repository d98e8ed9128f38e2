"""Challenge submissions: write, read, validate and score (public / private split).

Theme 1 ("trick") is a header-less CSV ``sample_id,label``; theme 2 ("velocity")
is a JSON ``{"subK": {"trialN": [[vx, vy, vz] x 30]}}``. The organizer's truth
files use the same formats.
"""

from cyborg.submission.public_private import public_mask
from cyborg.submission.score import ScoreResult, detect_task, score_submission
from cyborg.submission.trick import read_trick_submission, trick_sample_ids, write_trick_submission
from cyborg.submission.validate import validate_trick_submission, validate_velocity_submission
from cyborg.submission.velocity import read_velocity_submission, write_velocity_submission

__all__ = [
    "ScoreResult", "detect_task", "public_mask", "read_trick_submission",
    "read_velocity_submission", "score_submission", "trick_sample_ids",
    "validate_trick_submission", "validate_velocity_submission", "write_trick_submission",
    "write_velocity_submission",
]
