"""Content-addressed storage of accepted submission files.

A file lives at ``ROOT/ab/cdef...`` under the SHA-256 of its bytes: written
to a temporary file, flushed to disk, then renamed into place (and the folder
flushed), so a file named by the database is complete even after a crash.
The name a participant gave never reaches the file system.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """Files by their SHA-256 under one folder.

    Parameters
    ----------
    root : Path
        The folder (made when missing).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        """Where the file of ``digest`` lives (a hex SHA-256; nothing else is accepted)."""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        """Store ``data`` durably (idempotent) and return its SHA-256."""
        digest = sha256(data)
        target = self.path(digest)
        if target.is_file():
            return digest
        target.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return digest

    def holds(self, digest: str) -> bool:
        """True when the file of ``digest`` is stored and its bytes still hash to it."""
        path = self.path(digest)
        return path.is_file() and sha256(path.read_bytes()) == digest
