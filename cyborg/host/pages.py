"""The three HTML pages: public leaderboard with upload, team history, admin.

Static HTML with a little JavaScript that calls the JSON API
(:mod:`cyborg.host.app`); tokens stay in the page (``sessionStorage``), are
sent as ``Authorization: Bearer`` headers, and never appear in a URL. Every
value from the server is inserted as text, never as HTML.
"""

from __future__ import annotations

import html

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:56rem;color:#222;padding:0 1rem}
nav a{margin-right:1rem} table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left} th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums} input{margin:.2rem .5rem .2rem 0}
#message{padding:.6rem;margin:.8rem 0;border-radius:4px;display:none}
#message.ok{display:block;background:#e7f6e7} #message.error{display:block;background:#fbe9e9}
small{color:#666}
"""

_COMMON_JS = """
const $ = (id) => document.getElementById(id);
function tokenFrom(id, key){const v=$(id).value.trim(); if(v){sessionStorage.setItem(key,v);} return v||sessionStorage.getItem(key)||'';}
async function api(path, token, options={}){
  const headers = Object.assign({}, options.headers||{}, token ? {'Authorization': 'Bearer '+token} : {});
  const response = await fetch(path, Object.assign({}, options, {headers}));
  let body = null; try { body = await response.json(); } catch (e) {}
  return {ok: response.ok, status: response.status, body};
}
function fill(table, rows, columns){
  const body = $(table).tBodies[0]; body.replaceChildren();
  for (const row of rows){ const tr = body.insertRow();
    for (const [key, numeric] of columns){ const td = tr.insertCell(); const v = row[key];
      td.textContent = (v === null || v === undefined) ? '' : (key.endsWith('_score') ? v.toFixed(4) : String(v));
      if (numeric) td.className = 'num'; } }
}
function say(text, ok){ const m=$('message'); m.textContent=text; m.className= ok ? 'ok' : 'error'; }
"""


def _page(title: str, competition: str, body: str, script: str) -> str:
    """A whole page: head, navigation, ``body`` and its ``script``."""
    name = html.escape(competition)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)} · {name}"
            f"</title><style>{_STYLE}</style></head><body><h1>{name}</h1>"
            "<nav><a href='/'>Leaderboard</a><a href='/team'>My team</a><a href='/admin'>Admin</a></nav>"
            f"{body}<script>{_COMMON_JS}{script}</script></body></html>")


def leaderboard_page(competition: str) -> str:
    """The public leaderboard, with the upload form."""
    body = """
<h2>Public leaderboard <small id='phase'></small></h2>
<table id='board'><thead><tr><th>#</th><th>Team</th><th id='metric'>Public score</th><th>Entries</th>
<th>Submitted (UTC)</th></tr></thead><tbody></tbody></table>
<h2>Submit</h2>
<form id='upload'><label>Team token <input id='token' type='password' autocomplete='off'></label>
<input id='file' type='file'> <button id='send' type='submit'>Upload</button></form>
<div id='message' role='status'></div>
<p><small>Only the public half of the test set is scored here; the private ranking is revealed when the
phase ends. Invalid files get their error and do not count against the daily quota.</small></p>"""
    script = """
async function refresh(){ const r = await api('/api/leaderboard');
  if (!r.ok) return; $('phase').textContent = '(' + r.body.phase + ', ' + r.body.metric + ')';
  fill('board', r.body.rows, [['rank',1],['team',0],['public_score',1],['entries',1],['submitted_at',0]]); }
$('upload').addEventListener('submit', async (event) => { event.preventDefault();
  const file = $('file').files[0]; const token = tokenFrom('token', 'team-token');
  if (!file) { say('error: choose a file first', false); return; }
  const r = await api('/api/submissions?filename=' + encodeURIComponent(file.name), token,
                      {method: 'POST', body: file});
  if (r.ok) say('accepted: ' + r.body.filename + ', public score ' + r.body.public_score.toFixed(4), true);
  else say('error: ' + ((r.body && (r.body.message || r.body.error)) || ('HTTP ' + r.status)), false);
  refresh(); });
refresh();"""
    return _page("Leaderboard", competition, body, script)


def team_page(competition: str) -> str:
    """A team's own history (its token unlocks it)."""
    body = """
<h2>My team <small id='team'></small></h2>
<form id='login'><label>Team token <input id='token' type='password' autocomplete='off'></label>
<button type='submit'>Show</button></form><div id='message' role='status'></div>
<p id='quota'></p>
<table id='history'><thead><tr><th>Id</th><th>Phase</th><th>File</th><th>Status</th><th>Public</th>
<th>Private</th><th>Submitted (UTC)</th><th>Message</th></tr></thead><tbody></tbody></table>"""
    script = """
async function show(){ const r = await api('/api/team', tokenFrom('token', 'team-token'));
  if (!r.ok) { say('error: ' + (r.body ? r.body.error : 'HTTP ' + r.status), false); return; }
  $('message').className = ''; $('team').textContent = r.body.team;
  $('quota').textContent = r.body.used_today + ' of ' + r.body.daily_quota + ' valid submissions used today (UTC)';
  fill('history', r.body.submissions, [['id',1],['phase',0],['filename',0],['status',0],['public_score',1],
       ['private_score',1],['submitted_at',0],['message',0]]); }
$('login').addEventListener('submit', (event) => { event.preventDefault(); show(); });
if (sessionStorage.getItem('team-token')) show();"""
    return _page("My team", competition, body, script)


def admin_page(competition: str) -> str:
    """The organizers' page: both rankings (the private one once the phase has ended), closing a phase."""
    body = """
<h2>Admin <small id='phase'></small></h2>
<form id='login'><label>Admin token <input id='token' type='password' autocomplete='off'></label>
<button type='submit'>Show</button> <button id='close' type='button'>End this phase now</button></form>
<div id='message' role='status'></div>
<h3>Private ranking</h3><p id='reveal'></p>
<table id='private'><thead><tr><th>#</th><th>Team</th><th>Private score</th><th>Submission</th>
</tr></thead><tbody></tbody></table>
<h3>Public ranking</h3>
<table id='public'><thead><tr><th>#</th><th>Team</th><th>Public score</th><th>Submission</th>
</tr></thead><tbody></tbody></table>"""
    script = """
async function show(){ const r = await api('/api/admin/leaderboard', tokenFrom('token', 'admin-token'));
  if (!r.ok) { say('error: ' + (r.body ? r.body.error : 'HTTP ' + r.status), false); return; }
  $('message').className = ''; $('phase').textContent = '(' + r.body.phase + ')';
  $('reveal').textContent = r.body.revealed ? 'revealed' : 'hidden until the phase ends (' + r.body.ends_at + ')';
  fill('public', r.body.public, [['rank',1],['team',0],['public_score',1],['submission_id',1]]);
  fill('private', r.body.private || [], [['rank',1],['team',0],['private_score',1],['submission_id',1]]); }
$('login').addEventListener('submit', (event) => { event.preventDefault(); show(); });
$('close').addEventListener('click', async () => { const b = await api('/api/admin/leaderboard', tokenFrom('token', 'admin-token'));
  if (!b.ok) { say('error: ' + (b.body ? b.body.error : 'HTTP ' + b.status), false); return; }
  if (!confirm('End phase ' + b.body.phase + ' now?')) return;
  const r = await api('/api/admin/phases/' + encodeURIComponent(b.body.phase) + '/close', tokenFrom('token', 'admin-token'), {method: 'POST'});
  say(r.ok ? 'phase ended' : 'error: ' + (r.body ? r.body.error : 'HTTP ' + r.status), r.ok); show(); });
if (sessionStorage.getItem('admin-token')) show();"""
    return _page("Admin", competition, body, script)
