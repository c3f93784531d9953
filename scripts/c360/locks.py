"""Who holds the DuckDB file, and the locks that keep concurrent runs from losing work.

DuckDB guards its file with POSIX record locks: a read-only connection holds
a shared lock, a read-write connection an exclusive one, and a process can
open the file for writing only while no other process has it open at all.
c360 uses the same locks:

* ``c360 build`` holds ``<warehouse>.lock`` exclusively for the whole run, so
  a second build of the same warehouse stops at once instead of sharing the
  build copy, and holds a shared lock on the published file from the moment
  it copies it until it replaces it: readers (a BI tool) carry on, a writer
  (``c360 score``, a read-write connection) cannot slip in changes that the
  new file would silently drop;
* ``c360 score`` and the dbt commands that open the published file for
  writing first ask whether another process holds it and, if so, stop with a
  message naming that process and what to do.

The kernel releases these locks when a process dies, so a killed run leaves
no stale lock behind. POSIX locks belong to a process and closing any
descriptor of the file releases that process's locks on it: the checks here
open the file only while the calling process holds no connection to it.
Linux only (elsewhere the checks are skipped and DuckDB's own errors apply).
"""

from __future__ import annotations

import os
import re
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from c360.project import C360Error

#: struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (native alignment).
_FLOCK = "hhqqi"
_SUPPORTED = sys.platform.startswith("linux")


def holder(path: Path) -> int | None:
    """The id of another process holding a lock on ``path`` that keeps this
    process from writing it (a reader or a writer), or None."""
    if not _SUPPORTED or not Path(path).exists():
        return None
    import fcntl

    descriptor = os.open(path, os.O_RDONLY)
    try:
        request = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0).ljust(64, b"\0")
        answer = fcntl.fcntl(descriptor, fcntl.F_GETLK, request)
    finally:
        os.close(descriptor)
    lock_type, _, _, _, pid = struct.unpack(_FLOCK, answer[:struct.calcsize(_FLOCK)])
    return None if lock_type == fcntl.F_UNLCK else pid


def describe(pid: int | None) -> str:
    """``PID 123 (its command line)`` as far as it can be read."""
    if pid is None or pid <= 0:
        return "another process"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        command = ""
    command = " ".join(command.split())
    if len(command) > 160:
        command = command[:157] + "..."
    return f"PID {pid} ({command})" if command else f"PID {pid}"


def busy_message(path: Path, pid: int | None, action: str) -> str:
    return (f"the warehouse {path} is open in {describe(pid)}, and {action} needs it to itself: DuckDB lets "
            f"one process write a file only while no other process has it open. Close that connection "
            f"(or wait for that run to end), then run again; readers may stay open during `c360 build`, "
            f"which publishes a new file.")


def ensure_writable(path: Path, action: str) -> None:
    """Raise C360Error naming the process if another one has ``path`` open."""
    pid = holder(path)
    if pid is not None:
        raise C360Error(busy_message(path, pid, action))


def explain_duckdb_error(error: Exception, path: Path, action: str) -> Exception:
    """A DuckDB "could not set lock" error as a C360Error saying who and what
    to do; any other error unchanged."""
    text = str(error)
    if "Could not set lock" not in text:
        return error
    found = re.search(r"\(PID (\d+)\)", text)
    return C360Error(busy_message(path, int(found.group(1)) if found else None, action))


@contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """Hold ``<warehouse>.lock`` for a build; stop if another build holds it."""
    path = warehouse.with_name(warehouse.name + ".lock")
    if not _SUPPORTED:
        yield
        return
    import fcntl

    with open(path, "a+b") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise C360Error(f"another c360 build ({describe(holder(path))}) is building {warehouse}: "
                            "wait for it to finish, then run again") from None
        yield


@contextmanager
def held_for_reading(path: Path) -> Iterator[BinaryIO]:
    """``path`` open for reading with a shared lock held until the block
    ends; C360Error naming the process if one has it open for writing."""
    with open(path, "rb") as handle:
        if _SUPPORTED:
            import fcntl

            try:
                fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                raise C360Error(
                    f"the warehouse {path} is open for writing in {describe(holder(path))}: a build now would "
                    "drop what it writes. Wait for it to finish or close that connection (BI tools can open "
                    "the file read-only), then run again") from None
        yield handle
