"""Export saved decoders for use without cyborg or torch: ``python -m cyborg.export RUN_DIR --format onnx``."""

from cyborg.export.onnx import export_decoder
from cyborg.export.run import export_run

__all__ = ["export_decoder", "export_run"]
