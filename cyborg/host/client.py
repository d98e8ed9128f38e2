"""The participants' side of the HTTP API: upload a file with a team token (``submit``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from cyborg.errors import CyborgError, SubmissionError
from cyborg.validation import check_file, fail


def submit_file(path: str | Path, token: str, server: str, timeout: float = 120.0) -> dict:
    """Upload ``path`` to ``server`` as the team holding ``token``.

    Parameters
    ----------
    path : str | Path
        The submission file (CSV for theme 1, JSON for theme 2).
    token : str
        The team's token (``python -m cyborg.host team add``).
    server : str
        The server's address, ``http://127.0.0.1:8000``.
    timeout : float
        Seconds to wait for the answer.

    Returns
    -------
    dict
        The server's answer for an accepted file: ``id``, ``filename``,
        ``sha256``, ``public_score``, ``submitted_at``.

    Raises
    ------
    SubmissionError
        The server's one-line reason for an invalid file.
    CyborgError
        Any other refusal (token, quota, rate limit, size, closed phase) or
        an unreachable server.
    """
    path = check_file(path, "submission file")
    query = urllib.parse.urlencode({"filename": path.name})
    request = urllib.request.Request(f"{server.rstrip('/')}/api/submissions?{query}", data=path.read_bytes(),
                                     method="POST", headers={"Authorization": f"Bearer {token}",
                                                             "Content-Type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            body = json.loads(error.read())
        except ValueError:
            body = {}
        if body.get("status") == "invalid":
            raise SubmissionError(body["message"]) from None
        raise CyborgError(f"{server}: refused {path.name} (HTTP {error.code}): "
                          f"{body.get('error', error.reason)}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        fail(server, None, "a running cyborg host server", f"no answer ({reason})", CyborgError)
