"""``streamlit run dashboard.py``, started the README's way, reaches no other machine.

The server runs with an audit hook: a ``sitecustomize.py`` put first on its PYTHONPATH logs every socket
connection, datagram, name lookup and urllib request of the process aimed beyond this machine (loopback,
the wildcard address and unix sockets are this machine). The server gets no flag at all, so
``.streamlit/config.toml`` alone decides: not even a port (Streamlit takes 8501, or the next free port,
and prints the URL it serves; the test reads it there). A browser opens the dashboard so that a session
runs the app; then the server is stopped and the log must hold no attempt.

The tables are this test's own copy (``VNKH_DATA``, ``VNKH_SEEDS``), so a build never writes into the
repository; ``HOME`` is an empty folder, so the developer's own ``~/.streamlit`` (config, e-mail
credentials) decides nothing. Two machines run the README's command:

* a server without a display: Streamlit runs headless, and would ask checkip.amazonaws.com for the
  machine's external address to print it;
* a desktop: Streamlit would prompt for an e-mail address and look up the machine's network address.
  It may open a browser on the dashboard (Streamlit 1.67 opens none for an ``st.App`` such as
  ``dashboard.py``'s): a stand-in ``xdg-open`` first on ``PATH`` records the address instead, which must
  be the one printed, on localhost.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import tests.test_browser as tb
from tests.conftest import Corpus
from tests.test_browser import ROOT_PAGE, Tab, assert_renders, server_process, visit, wait_until_healthy

pytestmark = tb.pytestmark
# test_browser.py's tab fixture, reused (the browser itself is conftest.py's, shared).
tab = tb.tab

#: The console script beside this interpreter is the README's ``.venv/bin/streamlit``.
STREAMLIT = Path(sys.executable).with_name("streamlit")
README_COMMAND = [str(STREAMLIT), "run", tb.ENTRY_FILE]

AUDIT_LOG_ENV = "VNKH_TEST_AUDIT_LOG"
OPENED_ENV = "VNKH_TEST_OPENED"
#: Every way of reaching another machine the interpreter reports (a connection, a datagram, a name
#: looked up, a URL opened); ``requests`` and ``http.client`` go through the socket events.
AUDITED_EVENTS = (
    "socket.connect",
    "socket.sendto",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "urllib.Request",
)
INSTALLED = "hook installed"  # the record each audited process writes first
STACK_FRAMES = 12  # of the code behind an attempt, in its record

AUDIT_HOOK = string.Template('''\
"""Written by tests/test_offline_server.py: log each attempt of this process to reach another machine."""

import ipaddress
import json
import os
import sys
import traceback
from urllib.parse import urlsplit

LOG = os.environ.get("$log_env")
EVENTS = frozenset($events)


def target(event, args):
    """The host an event aims at; None for a unix socket's path or another address of no network."""
    if event in ("socket.connect", "socket.sendto"):
        address = args[1]
        is_network = isinstance(address, tuple) and isinstance(address[0], (str, bytes))
        return address[0] if is_network else None
    if event == "urllib.Request":
        return urlsplit(args[0]).hostname  # None for a file: or data: URL
    return args[0]  # the name or address looked up


def is_this_machine(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = host.strip("[]").split("%", 1)[0].rstrip(".").lower()
    if name in ("", "localhost") or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a name to look up, perhaps on a name server
    address = getattr(address, "ipv4_mapped", None) or address
    # the wildcard (0.0.0.0, ::) names this machine's own interfaces
    return address.is_loopback or address.is_unspecified


def write(record):
    # one append per record: processes started by the server log into the same file
    fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(record) + "\\n").encode())
    finally:
        os.close(fd)


def hook(event, args):
    if event not in EVENTS:
        return
    host = target(event, args)
    if is_this_machine(host):
        return
    frames = traceback.extract_stack()[-$stack_frames - 1:-1]  # the code behind it, not this hook
    write({"event": event, "host": str(host), "args": repr(args), "pid": os.getpid(),
           "stack": [f"{f.filename}:{f.lineno} {f.name}" for f in frames]})


if LOG:
    write({"event": "$installed", "pid": os.getpid()})
    sys.addaudithook(hook)
''')

#: Stands in for the desktop's browser opener: records the address it is asked to open.
XDG_OPEN = string.Template("""\
#!/bin/sh
printf '%s\\n' "$$1" >> "$$$opened_env"
""")

PRINTED_URL = re.compile(r"URL: (http://\S+)")  # "  URL: http://localhost:8501" in the server's output
#: What Streamlit prints when it could not learn the machine's external address (it asked the Internet).
EXTERNAL_IP_WARNING = "Did not auto detect external IP"
#: The first-run e-mail prompt (streamlit/runtime/credentials.py).
EMAIL_PROMPT = ("Welcome to Streamlit", "Email: ")
POLL_INTERVAL_S = tb.HEALTH_POLL_INTERVAL_S

#: Addresses the hook's own test aims at: 192.0.2.0/24 is reserved for documentation, and nothing is
#: sent to them (a datagram socket's connect sends nothing; a numeric name needs no lookup; an opener
#: without handlers opens nothing).
HOOK_PROBE = """\
import contextlib
import socket
import urllib.request

# this machine: none of these may be logged
for host in ("localhost", "127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", None):
    with contextlib.suppress(OSError):
        socket.getaddrinfo(host, 80)
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.connect(("127.0.0.1", 9))
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.sendto(b"", ("localhost", 9))
with socket.socket(socket.AF_UNIX) as s, contextlib.suppress(OSError):
    s.connect("/nonexistent/server.sock")
urllib.request.OpenerDirector().open("file:///nonexistent")
# another machine: each must be logged
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.connect(("192.0.2.1", 9))
socket.getaddrinfo("192.0.2.2", 80)
urllib.request.OpenerDirector().open("http://192.0.2.3/")
"""
HOOK_PROBE_ATTEMPTS = {
    ("socket.connect", "192.0.2.1"),
    ("socket.getaddrinfo", "192.0.2.2"),
    ("urllib.Request", "192.0.2.3"),
}
HOOK_PROBE_TIMEOUT_S = 30


@dataclass(frozen=True)
class Machine:
    name: str
    display: str | None  # without one, Streamlit runs headless (its server.headless default on Linux)


MACHINES = [Machine("server-without-display", None), Machine("desktop", ":0")]


@dataclass(frozen=True)
class Audit:
    """What a test's audit hook wrote: which processes ran it, and their attempts to leave the machine."""

    pids: set[int]
    attempts: list[dict]


def write_audit_hook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    hook = AUDIT_HOOK.substitute(log_env=AUDIT_LOG_ENV, events=repr(AUDITED_EVENTS), stack_frames=STACK_FRAMES,
                                 installed=INSTALLED)
    (folder / "sitecustomize.py").write_text(hook, encoding="utf-8")
    return folder


def write_browser_opener(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    opener = folder / "xdg-open"
    opener.write_text(XDG_OPEN.substitute(opened_env=OPENED_ENV), encoding="utf-8")
    opener.chmod(0o755)
    return folder


def audited_env(work: Path) -> dict[str, str]:
    """The environment of a process whose attempts to reach another machine land in ``work/audit.jsonl``."""
    hook = write_audit_hook(work / "hook")
    python_path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": python_path, AUDIT_LOG_ENV: str(work / "audit.jsonl")}


def read_audit(work: Path) -> Audit:
    log = work / "audit.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    records = [json.loads(line) for line in lines]
    return Audit(
        pids={r["pid"] for r in records if r["event"] == INSTALLED},
        attempts=[r for r in records if r["event"] != INSTALLED],
    )


def describe_attempts(attempts: list[dict]) -> str:
    return "\n".join(f"{a['event']} {a['host']} (pid {a['pid']}): {a['args']}\n    " + "\n    ".join(a["stack"])
                     for a in attempts)


def server_env(machine: Machine, corpus: Corpus, work: Path) -> dict[str, str]:
    env = audited_env(work)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    if machine.display:
        env["DISPLAY"] = machine.display
    home = work / "home"
    home.mkdir()
    opener = write_browser_opener(work / "bin")
    env.update({
        "HOME": str(home),
        # never a real browser from a test, even where Streamlit would open one
        "PATH": os.pathsep.join((str(opener), env.get("PATH", os.defpath))),
        OPENED_ENV: str(work / "opened.txt"),
        "VNKH_DATA": str(corpus.tables),
        "VNKH_SEEDS": str(corpus.seeds),
    })
    return env


def printed_url(process: subprocess.Popen[bytes], server_log: Path) -> str:
    """The URL the server prints once it listens (the port it took is known only from there)."""
    deadline = time.monotonic() + tb.SERVER_START_TIMEOUT_S
    while True:
        if match := PRINTED_URL.search(server_log.read_text(encoding="utf-8", errors="replace")):
            return match[1].rstrip("/")
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with code {process.returncode} before printing its URL\n"
                        f"{tb.log_tail(server_log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"streamlit printed no URL within {tb.SERVER_START_TIMEOUT_S} s\n{tb.log_tail(server_log)}")
        time.sleep(POLL_INTERVAL_S)


def test_the_audit_hook_logs_only_what_leaves_the_machine(tmp_path: Path) -> None:
    """The hook itself: otherwise an empty log could mean a hook that never ran or saw nothing."""
    env = audited_env(tmp_path)
    done = subprocess.run([sys.executable, "-c", HOOK_PROBE], env=env, capture_output=True, text=True,
                          timeout=HOOK_PROBE_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    audit = read_audit(tmp_path)
    assert len(audit.pids) == 1, audit
    assert {(a["event"], a["host"]) for a in audit.attempts} == HOOK_PROBE_ATTEMPTS, describe_attempts(audit.attempts)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_streamlit_run_reaches_no_other_machine(machine: Machine, seed_corpus: Corpus, tab: Tab,
                                                tmp_path: Path) -> None:
    server_log, opened = tmp_path / "server.log", tmp_path / "opened.txt"
    env = server_env(machine, seed_corpus, tmp_path)
    with server_process(README_COMMAND, env, server_log) as process:
        base_url = printed_url(process, server_log)
        wait_until_healthy(process, base_url, server_log)
        try:
            visit(tab, base_url, ROOT_PAGE)  # a session runs the app
            assert_renders(tab, ROOT_PAGE)
        except pytest.fail.Exception as failure:  # the browser shows errors redacted: the log has them
            pytest.fail(f"{failure}\nthe server's output:\n{tb.log_tail(server_log)}")
    output = server_log.read_text(encoding="utf-8", errors="replace")
    audit = read_audit(tmp_path)
    browsers_opened = opened.read_text(encoding="utf-8").split() if opened.exists() else []

    assert process.pid in audit.pids, f"the audit hook did not run in the server\n{output}"
    assert not audit.attempts, f"the server tried to reach another machine:\n{describe_attempts(audit.attempts)}"
    assert EXTERNAL_IP_WARNING not in output, output
    assert not any(prompt in output for prompt in EMAIL_PROMPT), output
    assert urlsplit(base_url).hostname == "localhost", f"the dashboard is not offered on localhost\n{output}"
    assert all(url.rstrip("/") == base_url for url in browsers_opened), f"a browser opened {browsers_opened}"
