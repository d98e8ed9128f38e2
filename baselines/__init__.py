"""Classical pipelines that score in seconds, run under the same tasks and splits as train.py.

    python baselines/run.py                  # theme 1: tangent space + logistic regression
    python baselines/run.py task=velocity    # theme 2: EMG envelope + ridge
"""
