"""A saved :class:`~cyborg.training.decoder.Decoder` as ONNX graphs plus plain-parameter preprocessing.

One folder per decoder: ``decoder.json`` (format of
:mod:`cyborg.online.onnx_runtime`) and ``member<k>.onnx`` for each member.
A member's graph takes the preprocessed, scaled, centre-cropped windows
``(batch, n_chans, n_times)`` float32 and returns what the torch member
returns: class probabilities (softmax inside the graph) or kinematics
``(batch, n_steps, n_axes)`` in physical units (the training-fold target
standardisation undone inside the graph).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from cyborg.errors import ExportError
from cyborg.export.preprocessing import pipeline_spec
from cyborg.online.onnx_runtime import FORMAT, VERSION
from cyborg.preprocessing.side import lr_pairs
from cyborg.training.decoder import Blend, Decoder, Member

#: ONNX opset of the exported graphs.
OPSET = 18


class MemberGraph(nn.Module):
    """A member's network with its output head: softmax, or reshape and target de-standardisation.

    Parameters
    ----------
    model : nn.Module
        The network, in eval mode, mapping (batch, n_chans, n_times) to (batch, n_outputs).
    target_shape : tuple of int | None
        (n_steps, n_axes) for kinematics; ``None`` for classification (softmax).
    target_stats : tuple of float | None
        Training-fold target (mean, std) to undo, or ``None``.
    """

    def __init__(self, model: nn.Module, target_shape: tuple[int, int] | None,
                 target_stats: tuple[float, float] | None) -> None:
        super().__init__()
        self.model, self.target_shape = model, target_shape
        self.mean, self.std = target_stats if target_stats is not None else (0.0, 1.0)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """(batch, n_chans, n_times) -> (batch, n_classes) probabilities or (batch, n_steps, n_axes)."""
        out = self.model(signal)
        if self.target_shape is None:
            return torch.softmax(out, dim=-1)
        return out.reshape(-1, *self.target_shape) * self.std + self.mean


def _leaf_steps(name: str, estimator: Any) -> list[tuple[str, Any]]:
    """``(dotted name, estimator)`` of the leaves of nested scikit-learn pipelines, feature unions and stacks."""
    parts = (getattr(estimator, "steps", None) or getattr(estimator, "transformer_list", None)
             or getattr(estimator, "estimators", None))
    if not parts:
        return [(name, estimator)]
    return [leaf for part, sub in parts for leaf in _leaf_steps(f"{name}.{part}" if name else part, sub)]


def _classical_error(decoder: Decoder, member: Member, where: str) -> ExportError:
    """Why a classical (scikit-learn) member is not exported: the first step skl2onnx has no converter for."""
    from skl2onnx import get_model_alias

    for name, step in _leaf_steps("", member.estimator):
        if type(step).__name__ == "WindowsInput":  # the input check: a no-op on valid windows
            continue
        try:
            get_model_alias(type(step))
        except RuntimeError:
            return ExportError(f"{where}: classical decoder '{decoder.model_name}': step '{name}' "
                               f"({type(step).__module__}.{type(step).__qualname__}) has no skl2onnx converter; "
                               f"expected scikit-learn steps that skl2onnx converts")
    return ExportError(f"{where}: classical decoder '{decoder.model_name}': expected a pipeline on 2-D features "
                       f"(what skl2onnx takes), found one on 3-D windows")


def export_member_graph(decoder: Decoder, member: Member, path: Path, where: str) -> Path:
    """Write one torch member as an ONNX graph with a dynamic batch axis.

    Raises
    ------
    ExportError
        A model that declares ``export_unsupported_reason`` or that the
        exporter refuses (the exporter's first line is quoted).
    """
    model = decoder.build(member.state_dict)
    reason = getattr(model, "export_unsupported_reason", None)
    if reason:
        raise ExportError(f"{where}: model '{decoder.model_name}' cannot be exported to ONNX: {reason}")
    graph = MemberGraph(model, decoder.target_shape, member.target_stats).eval()
    example = torch.zeros(2, int(decoder.model_kwargs["n_chans"]), decoder.n_times)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(graph, (example,), dynamo=True, opset_version=OPSET,
                                        input_names=["windows"], output_names=["output"],
                                        dynamic_shapes=({0: torch.export.Dim("batch")},), verbose=False)
    except Exception as error:  # the exporter raises many types; each becomes one clear line
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ExportError(f"{where}: model '{decoder.model_name}' cannot be exported to ONNX by "
                          f"torch.onnx.export (dynamo): {type(error).__name__}: {first}") from error
    path.write_bytes(program.model_proto.SerializeToString())
    return path


def decoder_spec(decoder: Decoder, ch_names: list[str], sfreq: float, n_times: int, name: str) -> dict[str, Any]:
    """The ``decoder.json`` content without the members (input, model input, output, side rule).

    Parameters
    ----------
    decoder : Decoder
        The saved decoder.
    ch_names : list of str
        Channel order of its input windows.
    sfreq : float
        Their rate in Hz.
    n_times : int
        Their length in samples.
    name : str
        The decoder's group name (``subject0``, ``all``, ...).
    """
    output: dict[str, Any] = ({"kind": "classes", "class_names": list(decoder.class_names)}
                              if decoder.class_names is not None else
                              {"kind": "kinematics", "target_shape": list(decoder.target_shape),
                               "target_names": list(decoder.target_names or ())})
    side = None
    if decoder.side_transform is not None:
        pairs = lr_pairs(ch_names) if decoder.side_transform.swap_lr else []
        side = {"swap_pairs": [list(p) for p in pairs], "sign": list(decoder.side_transform.sign)}
    return {"format": FORMAT, "version": VERSION, "name": name, "model": decoder.model_name,
            "input": {"ch_names": list(ch_names), "sfreq": float(sfreq), "n_times": int(n_times)},
            "model_input": {"n_chans": int(decoder.model_kwargs["n_chans"]), "n_times": int(decoder.n_times),
                            "sfreq": float(decoder.model_kwargs["sfreq"])},
            "output": output, "aggregate": "mean", "side_transform": side, "members": []}


def export_decoder(decoder: Decoder, out: str | Path, *, ch_names: list[str], sfreq: float, n_times: int,
                   name: str = "decoder") -> Path:
    """Write ``decoder`` to the folder ``out`` as ``decoder.json`` and one ``member<k>.onnx`` per member.

    Parameters
    ----------
    decoder : Decoder
        A fitted decoder of torch members.
    out : str | Path
        The folder (created).
    ch_names : list of str
        Channel order of the raw windows, length ``n_chans``.
    sfreq : float
        Rate of the raw windows in Hz.
    n_times : int
        Length of the raw windows in samples.
    name : str
        Name recorded in ``decoder.json`` and used in error messages.

    Returns
    -------
    folder : Path

    Raises
    ------
    ExportError
        The first member, step or setting that cannot be exported, named
        with the reason: classical (scikit-learn) members whose steps skl2onnx
        cannot convert, blends (``model=auto``), the ``"lof"`` member
        aggregate, preprocessing the runtime cannot replay, models the ONNX
        exporter refuses.
    """
    where = f"decoder '{name}'"
    if len(ch_names) != int(decoder.model_kwargs["n_chans"]):
        raise ExportError(f"{where}: ch_names: expected {decoder.model_kwargs['n_chans']} channel names (the "
                          f"model's n_chans), found {len(ch_names)}")
    if getattr(decoder, "aggregate", "mean") != "mean":
        raise ExportError(f"{where}: member aggregate: expected 'mean' (the runtime averages members), found "
                          f"{decoder.aggregate!r} (a per-trial local outlier factor needs scikit-learn)")
    for member in decoder.members:
        member_where = f"{where}, member '{member.name}'"
        if isinstance(member.estimator, Blend):
            raise ExportError(f"{member_where}: expected a torch or scikit-learn member, found a blend of "
                              f"decoders (model=auto), which is not exported")
        if member.estimator is not None:
            raise _classical_error(decoder, member, member_where)
    spec = decoder_spec(decoder, ch_names, sfreq, n_times, name)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for k, member in enumerate(decoder.members):
        member_where = f"{where}, member '{member.name}'"
        steps, model_sfreq = pipeline_spec(member.pipeline, sfreq, member_where)
        if not np.isclose(model_sfreq, float(decoder.model_kwargs["sfreq"])):
            raise ExportError(f"{member_where}: preprocessing output rate: expected "
                              f"{decoder.model_kwargs['sfreq']:g} Hz (the model's), found {model_sfreq:g} Hz")
        graph = export_member_graph(decoder, member, folder / f"member{k}.onnx", member_where)
        spec["members"].append({"name": member.name, "onnx": graph.name, "preprocessing": steps,
                                "scaler": {"mean": member.scaler.mean_.ravel().tolist(),
                                           "scale": member.scaler.scale_.ravel().tolist()}})
    (folder / "decoder.json").write_text(json.dumps(spec, indent=1))
    return folder
