"""Input transforms usable as a model's first layer (argument ``input_transform``).

Each transform maps ``(batch, n_in_chans, n_times)`` to ``(batch, n_out_chans, n_times)``
and exposes ``n_in_chans`` and ``n_out_chans`` so a model can size its layers.

- :class:`BipolarDifferences`: EEG channel differences (neighbours on the 10-10 grid,
  or left-right homologous pairs), appended to or replacing the channels.
- :class:`LRInvariantEMG`: EMG features that do not change when the right and left
  channels swap roles (a stance flip, CHALLENGE.md 2.4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import torch
from torch import nn

from cyborg.errors import CyborgError
from cyborg.validation import check_option, fail

_TEN_TEN_NAME = re.compile(r"^([A-Za-z]+?)(\d+|[zZ])$")
#: Rows of the 10-10 grid, front to back; T, FT and TP continue the C, FC and CP rows.
_GRID_ROWS = ("FP", "AF", "F", "FC", "C", "CP", "P", "PO", "O", "I")
_ROW_ALIASES = {"T": "C", "FT": "FC", "TP": "CP"}


def _parse_ten_ten(name: str) -> tuple[str, int | None] | None:
    """``'FC5'`` -> ``('FC', 5)``, ``'Cz'`` -> ``('C', None)``, other names -> ``None``."""
    match = _TEN_TEN_NAME.match(name.strip())
    if match is None:
        return None
    prefix, position = match.groups()
    return prefix.upper(), None if position in "zZ" else int(position)


def hemispheric_pairs(ch_names: Sequence[str]) -> list[tuple[str, str]]:
    """Left-right homologous pairs among 10-10 channel names.

    Odd numbers are left, even numbers right, ``z`` the midline: ``C3`` pairs with
    ``C4``, ``FC5`` with ``FC6``, ``Fp1`` with ``Fp2``. Midline channels, names that
    are not 10-10 names and channels whose homologue is absent are not paired.

    Parameters
    ----------
    ch_names : sequence of str
        Channel names; surrounding spaces are ignored (the challenge pads them).

    Returns
    -------
    pairs : list of (str, str)
        ``(left, right)`` names as given in ``ch_names``, in the order the left
        channels appear.
    """
    by_key = {}
    for name in ch_names:
        parsed = _parse_ten_ten(name)
        if parsed is not None:
            by_key[parsed] = name
    pairs = []
    for name in ch_names:
        parsed = _parse_ten_ten(name)
        if parsed is None or parsed[1] is None or parsed[1] % 2 == 0:
            continue
        partner = by_key.get((parsed[0], parsed[1] + 1))
        if partner is not None:
            pairs.append((name, partner))
    return pairs


def _grid_position(name: str) -> tuple[int, int] | None:
    """(row index front to back, column index left negative) of a 10-10 name, or ``None``."""
    parsed = _parse_ten_ten(name)
    if parsed is None:
        return None
    prefix, number = parsed
    row = _ROW_ALIASES.get(prefix, prefix)
    if row not in _GRID_ROWS:
        return None
    if number is None:
        column = 0
    elif number % 2:
        column = -(number + 1) // 2
    else:
        column = number // 2
    return _GRID_ROWS.index(row), column


def neighbour_pairs(ch_names: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of channels that are adjacent on the 10-10 grid.

    Adjacent means the next column in the same row (``C3``-``C1``, ``C1``-``Cz``,
    ``T7``-``C5``) or the same column in the next row (``FC3``-``C3``,
    ``C3``-``CP3``). This is the "bipolar montage" idea used by theme-1 solutions
    (CHALLENGE.md 1.10).

    Parameters
    ----------
    ch_names : sequence of str
        Channel names; names off the 10-10 grid are ignored.

    Returns
    -------
    pairs : list of (str, str)
        ``(first, second)`` with ``first`` left of or in front of ``second``,
        sorted front to back, then left to right.
    """
    positions = {}
    for name in ch_names:
        position = _grid_position(name)
        if position is not None:
            positions[position] = name
    pairs = []
    for (row, column), name in sorted(positions.items()):
        for neighbour in ((row, column + 1), (row + 1, column)):
            if neighbour in positions:
                pairs.append((name, positions[neighbour]))
    return pairs


class BipolarDifferences(nn.Module):
    """Differences of channel pairs, appended to the channels or replacing them.

    Parameters
    ----------
    ch_names : sequence of str
        Names of the input channels, in input order (length ``n_in_chans``).
    pairs : sequence of (str, str)
        ``(a, b)`` pairs; each gives the output channel ``x[a] - x[b]``. See
        :func:`hemispheric_pairs` and :func:`neighbour_pairs`.
    keep_channels : bool
        ``True`` outputs the input channels followed by the differences;
        ``False`` outputs the differences only.

    Notes
    -----
    Input ``(batch, n_in_chans, n_times)``, output ``(batch, n_out_chans, n_times)``
    with ``n_out_chans = len(pairs) (+ n_in_chans if keep_channels)``. Names are
    compared without surrounding spaces.
    """

    def __init__(self, ch_names: Sequence[str], pairs: Sequence[tuple[str, str]],
                 keep_channels: bool = True) -> None:
        super().__init__()
        index = {name.strip(): i for i, name in enumerate(ch_names)}
        if not pairs:
            fail("BipolarDifferences", "pairs", "at least one channel pair", "none", CyborgError)
        first, second = [], []
        for a, b in pairs:
            for name in (a, b):
                if name.strip() not in index:
                    fail("BipolarDifferences", "pairs", f"channel names among {list(index)}",
                         repr(name), CyborgError)
            first.append(index[a.strip()])
            second.append(index[b.strip()])
        self.register_buffer("first", torch.tensor(first, dtype=torch.long), persistent=False)
        self.register_buffer("second", torch.tensor(second, dtype=torch.long), persistent=False)
        self.keep_channels = keep_channels
        self.n_in_chans = len(ch_names)
        self.n_out_chans = len(first) + (self.n_in_chans if keep_channels else 0)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        differences = signal.index_select(1, self.first) - signal.index_select(1, self.second)
        if self.keep_channels:
            return torch.cat([signal, differences], dim=1)
        return differences


def emg_lr_pairs(ch_names: Sequence[str]) -> list[tuple[int, int]]:
    """Right/left channel index pairs from EMG names ending in ``R`` / ``L``.

    ``"TA R"`` pairs with ``"TA L"`` (the challenge order interleaves them: even
    index right, odd index left, CHALLENGE.md 2.3).

    Parameters
    ----------
    ch_names : sequence of str
        EMG channel names such as ``"GMAX R"``.

    Returns
    -------
    pairs : list of (int, int)
        ``(right index, left index)`` in the order the right channels appear.
    """
    names = [name.strip() for name in ch_names]
    pairs = []
    for i, name in enumerate(names):
        if name.endswith("R") and name[:-1] + "L" in names:
            pairs.append((i, names.index(name[:-1] + "L")))
    return pairs


class LRInvariantEMG(nn.Module):
    """EMG features unchanged when the right and left channels of each muscle swap.

    Parameters
    ----------
    pairs : sequence of (int, int)
        ``(right, left)`` channel indices, one pair per muscle (see :func:`emg_lr_pairs`).
    n_in_chans : int
        Channels of the input.
    mode : {"sum_absdiff", "geometric_mean"}
        ``"sum_absdiff"``: for each pair ``x_r + x_l`` then ``|x_r - x_l|``
        (``2 * len(pairs)`` channels: all sums first, then all absolute differences).
        ``"geometric_mean"``: ``sqrt(|x_r| * |x_l|)``, the rectified-amplitude
        geometric mean of CHALLENGE.md 2.4 (``len(pairs)`` channels).
    eps : float
        Floor under the product in ``"geometric_mean"`` (keeps the gradient finite),
        in squared input units.

    Notes
    -----
    Input ``(batch, n_in_chans, n_times)``, output ``(batch, n_out_chans, n_times)``.
    Channels not in any pair are dropped.
    """

    def __init__(self, pairs: Sequence[tuple[int, int]], n_in_chans: int, mode: str = "sum_absdiff",
                 eps: float = 1e-12) -> None:
        super().__init__()
        check_option(mode, ("sum_absdiff", "geometric_mean"), "LRInvariantEMG: mode")
        used = [int(i) for pair in pairs for i in pair]
        if not pairs or any(len(pair) != 2 for pair in pairs):
            fail("LRInvariantEMG", "pairs", "a non-empty list of (right, left) index pairs", list(pairs),
                 CyborgError)
        if len(set(used)) != len(used) or min(used) < 0 or max(used) >= n_in_chans:
            fail("LRInvariantEMG", "pairs", f"distinct channel indices in [0, {n_in_chans})", list(pairs),
                 CyborgError)
        self.register_buffer("right", torch.tensor([p[0] for p in pairs], dtype=torch.long), persistent=False)
        self.register_buffer("left", torch.tensor([p[1] for p in pairs], dtype=torch.long), persistent=False)
        self.mode = mode
        self.eps = eps
        self.n_in_chans = n_in_chans
        self.n_out_chans = len(pairs) * (2 if mode == "sum_absdiff" else 1)

    @classmethod
    def from_names(cls, ch_names: Sequence[str], mode: str = "sum_absdiff") -> LRInvariantEMG:
        """Build from EMG channel names ending in ``R`` / ``L`` (see :func:`emg_lr_pairs`)."""
        pairs = emg_lr_pairs(ch_names)
        if not pairs:
            fail("LRInvariantEMG", "ch_names", "names ending in 'R' and 'L' for the same muscle",
                 list(ch_names), CyborgError)
        return cls(pairs, len(ch_names), mode)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        right = signal.index_select(1, self.right)
        left = signal.index_select(1, self.left)
        if self.mode == "sum_absdiff":
            return torch.cat([right + left, (right - left).abs()], dim=1)
        return (right.abs() * left.abs()).clamp_min(self.eps).sqrt()


#: Input transforms selectable by name in a model config (``model.params.input_transform``).
INPUT_TRANSFORMS = ("hemispheric", "neighbours", "lr_invariant", "lr_geometric_mean")


def make_input_transform(name: str, ch_names: Sequence[str]) -> nn.Module:
    """Build a named input transform for these channels.

    Parameters
    ----------
    name : str
        ``"hemispheric"`` (EEG channels plus left-right homologous differences),
        ``"neighbours"`` (EEG channels plus neighbour differences),
        ``"lr_invariant"`` (EMG L/R pair sums and absolute differences) or
        ``"lr_geometric_mean"`` (EMG L/R geometric mean of rectified amplitudes).
    ch_names : sequence of str
        The input channel names.
    """
    check_option(name, INPUT_TRANSFORMS, "model.params.input_transform")
    if name == "hemispheric":
        return BipolarDifferences(ch_names, hemispheric_pairs(ch_names))
    if name == "neighbours":
        return BipolarDifferences(ch_names, neighbour_pairs(ch_names))
    return LRInvariantEMG.from_names(ch_names, "sum_absdiff" if name == "lr_invariant" else "geometric_mean")
