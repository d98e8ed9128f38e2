"""``python -m cyborg.export RUN_DIR --format onnx [--out OUT]``: export a run's decoders."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from cyborg.cli import one_line_errors


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m cyborg.export``."""
    cli = argparse.ArgumentParser(
        prog="python -m cyborg.export",
        description="Export every decoder of a train.py run (RUN_DIR/decoders/<group>.pt) to OUT/<group>/: "
                    "decoder.json (input channels, rate and window length; per member the preprocessing as "
                    "plain parameters and the channel scaler's statistics; output spec; theme-2 side rule) "
                    "and one ONNX graph per member. Run them with cyborg.online.onnx_runtime.OnnxDecoder "
                    "(numpy, scipy, onnxruntime). Each export is checked against the torch decoder on random "
                    "windows and the largest output difference is printed. Torch members only: classical "
                    "(scikit-learn) decoders, model=auto blends, trainer.member_aggregate=lof and "
                    "DeadChannels(mode=interpolate) or SessionScale(mode=outliers) preprocessing end in one error line "
                    "naming the decoder and the reason (exit code 2).")
    cli.add_argument("run_dir", metavar="RUN_DIR", help="a run folder of train.py (metrics.json, decoders/*.pt)")
    cli.add_argument("--format", default="onnx", choices=["onnx"], help="export format (default: onnx)")
    cli.add_argument("--out", default=None, metavar="OUT", help="output folder (default: RUN_DIR/onnx)")
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line, export, print one line per decoder."""
    args = parser().parse_args(argv)
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # notices about torchvision ops it skips
    with one_line_errors():
        from cyborg.export.run import export_run

        for item in export_run(args.run_dir, args.out, args.format):
            print(f"{item.name}: {item.n_members} member(s) -> {item.folder} "
                  f"(max |onnx - torch| on 8 random windows: {item.max_abs_diff:.2g})")


if __name__ == "__main__":
    main(sys.argv[1:])
