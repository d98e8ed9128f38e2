"""Evaluation: the challenge's metrics (and, beside them, split protocols and reports)."""

from cyborg.evaluation.metrics import (
    accuracy,
    balanced_accuracy,
    pearson_r_per_axis,
    rmse_3d,
    rmse_3d_per_trial,
)

__all__ = ["accuracy", "balanced_accuracy", "pearson_r_per_axis", "rmse_3d", "rmse_3d_per_trial"]
