"""A whole phase on the real server: teams, valid and invalid files, the quota, the boards, the reveal."""

from __future__ import annotations

import csv
import io
import json

from cyborg.submission import public_mask

from .serving import call, run_cli, submission_text, truth_rows


def _walk(value, path=""):
    """Every (key path, value) pair of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def test_a_whole_phase(server_factory, tmp_path):
    server = server_factory()
    url = server.url
    added = run_cli("team", "add", "alpha", "--competition", str(server.competition),
                    "--database-url", server.database_url)
    alpha = added.stdout.split()[-1]
    host = server.host()
    beta = host.add_team("beta")
    admin = host.new_admin_token()
    rows = truth_rows(server.competition)
    ids = [i for i, _ in rows]
    public = dict(zip(ids, public_mask(ids, seed=0, public_fraction=0.5)))
    private_ids = [i for i in ids if not public[i]]
    # alpha: perfect on the public half, 7 of 20 right on the private half (private 0.35)
    planted = submission_text(rows, wrong=set(private_ids[7:]))
    # beta: 2 public mistakes (public 0.9), all private right (private 1.0)
    beta_file = submission_text(rows, wrong=set([i for i in ids if public[i]][:2]))
    responses = []

    def record(result):
        responses.append(result[1])
        return result

    status, body = record(call(f"{url}/api/submissions?filename=alpha.csv", "POST", alpha, planted))
    assert status == 201 and body["public_score"] == 1.0 and "private_score" not in body
    status, body = record(call(f"{url}/api/submissions?filename=beta.csv", "POST", beta, beta_file))
    assert status == 201 and body["public_score"] == 0.9
    # an invalid file: its one line, not counted
    status, body = record(call(f"{url}/api/submissions?filename=bad.csv", "POST", beta, b"subject0_000,jump\n"))
    assert status == 422 and body["status"] == "invalid"
    assert body["message"] == ("bad.csv, line 1: field 'label': expected one of ['frontside_kickturn', "
                               "'backside_kickturn', 'pumping'], found 'jump'")
    status, body = record(call(f"{url}/api/submissions?filename=short.csv", "POST", beta,
                               submission_text(rows[:-1])))
    assert status == 422 and "no row for 'subject1_019'" in body["message"]
    # the quota (3 a day) counts valid files only: beta has 1 valid, 2 invalid
    for _ in range(2):
        assert record(call(f"{url}/api/submissions?filename=again.csv", "POST", beta, beta_file))[0] == 201
    status, body = record(call(f"{url}/api/submissions?filename=four.csv", "POST", beta, planted))
    assert status == 429 and "daily quota used: 3 of 3" in body["error"]
    # the public board: best public score per team
    status, board = record(call(f"{url}/api/leaderboard"))
    assert [(r["team"], r["public_score"], r["entries"]) for r in board["rows"]] == [("alpha", 1.0, 1),
                                                                                    ("beta", 0.9, 3)]
    # team pages: own history only
    status, mine = record(call(f"{url}/api/team", token=beta))
    assert mine["team"] == "beta" and mine["used_today"] == 3
    assert [s["status"] for s in mine["submissions"]] == ["scored", "scored", "invalid", "invalid", "scored"]
    assert {s["filename"] for s in mine["submissions"]} == {"beta.csv", "bad.csv", "short.csv", "again.csv"}
    record(call(f"{url}/api/team", token=alpha))
    status, before = record(call(f"{url}/api/admin/leaderboard", token=admin))
    assert status == 200 and before["revealed"] is False and before["private"] is None
    status, body = record(call(f"{url}/api/admin/leaderboard.csv?board=private", token=admin))
    assert status == 403 and "revealed when the phase ends" in body["error"]
    record(call(f"{url}/api/competition"))
    for page in ("/", "/team", "/admin"):
        status, text = record(call(url + page))
        assert status == 200 and "<table" in text

    # No response before the reveal holds a private score: no non-null private key, no private value.
    for body in responses:
        for key, value in _walk(body) if isinstance(body, (dict, list)) else []:
            assert not ("private" in key and value is not None), (key, value)
        text = json.dumps(body) if not isinstance(body, str) else body
        assert "0.35" not in text

    # The reveal: the admin ends the phase; the private ranking comes out, submissions stop.
    assert call(f"{url}/api/admin/phases/main/close", "POST", alpha)[0] == 401
    status, body = call(f"{url}/api/admin/phases/main/close", "POST", admin)
    assert status == 200 and body["phase"] == "main"
    status, after = call(f"{url}/api/admin/leaderboard", token=admin)
    assert after["revealed"] is True
    assert [(r["team"], r["private_score"]) for r in after["private"]] == [("beta", 1.0), ("alpha", 0.35)]
    assert call(f"{url}/api/submissions?filename=late.csv", "POST", alpha, planted)[0] == 409
    status, text = call(f"{url}/api/admin/leaderboard.csv?board=private", token=admin)
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["1", "beta", "1.0", "2", after["private"][0]["submitted_at"], "3"],
        ["2", "alpha", "0.35", "1", after["private"][1]["submitted_at"], "1"]]
    status, mine = call(f"{url}/api/team", token=alpha)
    assert mine["submissions"][0]["private_score"] == 0.35
    # the CLI export writes both final boards
    out = tmp_path / "boards"
    printed = run_cli("export-leaderboard", "--competition", str(server.competition), "--database-url",
                      server.database_url, "--out", str(out)).stdout
    assert "main-private.csv" in printed
    assert (out / "main-private.csv").read_text() == text
    assert (out / "main-public.csv").read_text().splitlines()[1].startswith("1,alpha,1.0,1,")


def test_submit_command_and_its_errors(server_factory, tmp_path):
    server = server_factory()
    token = server.host().add_team("gamma")
    rows = truth_rows(server.competition)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(submission_text(rows))
    bad.write_text("sample_id,label\n")
    done = run_cli("submit", str(good), "--token", token, "--server", server.url)
    assert done.stdout.startswith("accepted: submission 1 (good.csv, sha256 ") and "public score 1.0000" in done.stdout
    failed = run_cli("submit", str(bad), "--token", token, "--server", server.url, check=False)
    assert failed.returncode == 2
    assert failed.stderr == "error: bad.csv, line 1: expected no header row, found header 'sample_id,label'\n"
    refused = run_cli("submit", str(good), "--token", "wrong", "--server", server.url, check=False)
    assert refused.returncode == 2 and "(HTTP 401): unknown or missing team token" in refused.stderr
    assert "Traceback" not in failed.stderr + refused.stderr
