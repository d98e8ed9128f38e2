"""Tasks: what is decoded, how it is scored, and what a submission looks like.

A task loads its data as Trials (``TaskData``), describes the decoder it needs
(classes or kinematic axes, window length, side transform), scores
predictions, and writes the test-set submission when the task has one.
"""

from cyborg.tasks.base import Task, TaskData

__all__ = ["Task", "TaskData"]
