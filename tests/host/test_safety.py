"""Uploads are bounded and read as data; file names touch nothing; tokens see only their own; rate limits."""

from __future__ import annotations

import pickle

from .serving import call, submission_text, truth_rows


def test_uploads_names_and_tokens(server_factory):
    server = server_factory(max_upload_bytes=2000, rate_limit={"requests": 12, "per_seconds": 60})
    url = server.url
    host = server.host()
    alpha, beta = host.add_team("alpha"), host.add_team("beta")
    admin = host.new_admin_token()
    rows = truth_rows(server.competition)

    # size bound: refused before it is read, and not counted
    status, body = call(f"{url}/api/submissions?filename=big.csv", "POST", alpha, b"x" * 2001)
    assert status == 413 and body["error"] == "big.csv: expected at most 2000 bytes, found more"
    # a pickle is bytes that are not UTF-8 text, never unpickled
    status, body = call(f"{url}/api/submissions?filename=model.pkl", "POST", alpha, pickle.dumps(object()))
    assert status == 422 and body["message"].startswith("model.pkl: expected UTF-8 text, found ")
    status, body = call(f"{url}/api/submissions?filename=x.csv", "POST", alpha, b"__import__('os').system('id')\n")
    assert status == 422 and "expected 2 columns" in body["message"]
    # path traversal in the name: shown cleaned, stored only under its hash
    before = set(server.competition.rglob("*"))
    status, body = call(f"{url}/api/submissions?filename=..%2F..%2F..%2Fevil.csv", "POST", alpha,
                        submission_text(rows))
    assert status == 201 and body["filename"] == "evil.csv"
    created = [p.relative_to(server.competition).as_posix() for p in server.competition.rglob("*")
               if p not in before and p.is_file()]
    digest = body["sha256"]
    assert created == [f"submissions/{digest[:2]}/{digest[2:]}"]
    assert not (server.competition.parent.parent / "evil.csv").exists()

    # a team sees its own history, never another's; no route serves files
    call(f"{url}/api/submissions?filename=b.csv", "POST", beta, submission_text(rows, wrong={rows[0][0]}))
    status, mine = call(f"{url}/api/team", token=beta)
    assert {s["filename"] for s in mine["submissions"]} == {"b.csv"}
    assert call(f"{url}/api/team")[0] == 401
    assert call(f"{url}/api/team", token="guess")[0] == 401
    for path in (f"/submissions/{digest[:2]}/{digest[2:]}", f"/api/submissions/{digest}", "/api/submissions/1",
                 "/host.sqlite3", "/answer/test_labels.csv", "/docs", "/openapi.json"):
        assert call(url + path, token=beta)[0] in (404, 405), path
    # admin routes want the admin token, not a team's
    for path in ("/api/admin/leaderboard", "/api/admin/leaderboard.csv"):
        assert call(url + path, token=alpha)[0] == 401
        assert call(url + path, token=admin)[0] == 200
    # rate limit per token: alpha has made 6 requests (4 uploads, 2 admin tries); the 13th in a minute is refused
    statuses = [call(f"{url}/api/team", token=alpha)[0] for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    status, body = call(f"{url}/api/team", token=alpha)
    assert status == 429 and body["error"].startswith("rate limit: at most 12 requests per 60 s per token")
    assert call(f"{url}/api/team", token=beta)[0] == 200  # another token is not affected
