"""Who holds a lease: a worker id `hostname:pid:tag`, recorded on whatever a worker claims
(a bulk run item, an outbox message in flight) and on the task rows of django-tasks-db.

The worker command (`manage.py office_worker`) sets the process's id; anything else (a web
request draining inline, a test, a plain `db_worker`) holds as `hostname:pid:inline`. From an
id on the same host, the pid alone tells whether the holder is still there; from another host,
only its heartbeat does (`tenders.workers.selectors.workers_gone`).

No database here: pure process facts.
"""

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

MAX_LENGTH = 64  # django-tasks-db refuses longer worker ids

_current: str | None = None


@dataclass(frozen=True, slots=True)
class Holder:
    host: str
    pid: int | None
    tag: str


def _worker_id(tag: str) -> str:
    suffix = f":{os.getpid()}:{tag}"
    return socket.gethostname()[: MAX_LENGTH - len(suffix)] + suffix


def new_worker_id() -> str:
    """A fresh id for a worker process: its host and pid, and a random part (pids are reused)."""
    return _worker_id(secrets.token_hex(4))


def set_current_worker_id(worker_id: str | None) -> None:
    """Called by the worker command for its process (None: back to the inline holder)."""
    global _current
    _current = worker_id


def current_worker_id() -> str:
    """The holder this process records on what it claims."""
    return _current or _worker_id("inline")


def parse(worker_id: str) -> Holder:
    """`host:pid:tag`; an id of another shape (a plain db_worker's random id) has no pid."""
    host, _, rest = worker_id.partition(":")
    pid_text, _, tag = rest.partition(":")
    return Holder(host=host, pid=int(pid_text) if pid_text.isdigit() else None, tag=tag)


def on_this_host(holder: Holder) -> bool:
    """Only an untruncated host name is compared: a cut one might be another machine's."""
    return bool(holder.host) and holder.host == socket.gethostname()


def pid_exists(pid: int) -> bool:
    """Whether a process with this pid runs on this host (a zombie, killed and not yet
    reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): the signal said it exists
    return state not in ("Z", "X")
