"""Reading a submission file's bytes as text, with one clear error per way it can fail."""

from __future__ import annotations

import codecs
from pathlib import Path

from cyborg.errors import SubmissionError
from cyborg.validation import fail

#: Byte-order marks of encodings other than UTF-8; UTF-32 first (its LE mark starts with UTF-16's).
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)
_QUOTE_LIMIT = 40


def quote(value: object) -> str:
    """``repr`` of a value, cut to a few dozen characters so an error stays one short line."""
    text = repr(value)
    return text if len(text) <= _QUOTE_LIMIT else text[:_QUOTE_LIMIT - 3] + "..."


def read_text(path: str | Path) -> str:
    """Read a submission-format file as UTF-8 text.

    A UTF-8 byte-order mark is dropped; line ends are left to the caller.

    Parameters
    ----------
    path : str | Path
        The file.

    Returns
    -------
    str
        The decoded text, not empty and not only whitespace.

    Raises
    ------
    SubmissionError
        If the file is missing or unreadable, empty, or not UTF-8 (another
        byte-order mark, NUL bytes as in UTF-16, or an invalid byte).
    """
    path = Path(path)
    if not path.is_file():
        fail(path, None, "an existing file",
             "a folder" if path.is_dir() else "nothing at that path", SubmissionError)
    try:
        data = path.read_bytes()
    except OSError as err:
        fail(path, None, "a readable file", err.strerror or type(err).__name__, SubmissionError)
    for bom, encoding in _FOREIGN_BOMS:
        if data.startswith(bom):
            fail(path, None, "UTF-8 text", f"{encoding} text (byte-order mark {bom.hex(' ').upper()})",
                 SubmissionError)
    nul_offset = data.find(b"\x00")
    if nul_offset >= 0:
        fail(path, None, "UTF-8 text", f"a NUL byte at offset {nul_offset} (UTF-16 text?)",
             SubmissionError)
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as err:
        position = offset + err.start
        fail(path, None, "UTF-8 text",
             f"invalid byte 0x{data[position]:02X} at offset {position}", SubmissionError)
    if not text.strip():
        fail(path, None, "a non-empty file", "an empty file" if not data else "only whitespace",
             SubmissionError)
    return text
