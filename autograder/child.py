"""The process that runs a student's code: `python -m autograder.child PACKAGE FD LIMITS`.

It lowers its own resource limits (LIMITS, JSON), takes away its own network (a seccomp filter
that it and every process it starts keep: no socket but local AF_UNIX ones), imports the
student's package once, reports on the reply pipe (file descriptor FD) whether that worked and
whether the network is blocked, then serves requests read from
stdin, one JSON line per check: it runs the check's cases, appending each result to the
request's folder as a plain record (see case_records.py), and replies when done. A notebook
request runs a notebook in a Jupyter kernel this process starts (so under the same user,
limits and network filter), recording each cell's end (see notebook_run.py). Nothing here
is trusted by the grader: it reads back only those records, as plain data, compares them
itself, and replaces this process whenever a check hangs or kills it.
"""
from __future__ import annotations

import errno
import importlib
import io
import json
import os
import resource
import socket
import sys
from pathlib import Path

import numpy as np

from .case_records import write_record
from .checks import load_check_module
from .case import describe_exception, run_case

PRINTED_LIMIT = 1 << 20


class CappedText(io.TextIOBase):
    """Text written to file descriptor 1, of which only the first PRINTED_LIMIT characters are kept."""

    def __init__(self):
        self.raw = os.fdopen(1, "w", encoding="utf-8", errors="replace", closefd=False)
        self.written = 0

    def write(self, text: str) -> int:
        room = PRINTED_LIMIT - self.written
        if room > 0:
            self.raw.write(text[:room])
            if len(text) > room:
                self.raw.write("\n[output cut]\n")
        self.written += len(text)
        return len(text)

    def flush(self) -> None:
        self.raw.flush()


def _reply(fd: int, message: dict) -> None:
    os.write(fd, (json.dumps(message) + "\n").encode())


def _cpu_seconds_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _print_into(path: Path) -> None:
    """Send this process's output, Python's and its subprocesses', to `path`, capped."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = sys.stderr = CappedText()


def _run_check(mdl, check, request: dict, package: str) -> str | None:
    """Run one check's cases, recording each in request['out']; why it stopped early, if it did."""
    out = Path(request["out"])
    _print_into(out / "output.txt")
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(_cpu_seconds_used()) + int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard < 0 else min(soft, hard), hard))
    try:
        with open(out / "cases.bin", "wb") as records:
            for number, seed in enumerate(request["seeds"]):
                write_record(records, number, run_case(check, mdl, seed))
        return None
    except BaseException as error:  # noqa: BLE001 -- SystemExit and KeyboardInterrupt too
        return describe_exception(error, package)
    finally:
        sys.stdout.flush()


def _run_notebook(request: dict) -> str | None:
    """Run the notebook sent in the request, its cells' records in request['out']; why it
    stopped early, if it did."""
    out = Path(request["out"])
    _print_into(out / "output.txt")
    try:
        import nbformat

        from .notebook_run import execute

        execute(nbformat.reads(request["notebook"], as_version=4), out / "run",
                out / "cells.jsonl", request["cell_timeout"], request["env"])
        return None
    except BaseException as error:  # noqa: BLE001 -- a kernel that cannot start, and the like
        return describe_exception(error)
    finally:
        sys.stdout.flush()


def block_network() -> str | None:
    """Refuse this process, and every process it starts, all sockets but AF_UNIX ones (IPv4,
    IPv6, raw, packet, netlink) with EACCES; None once in force, else why it could not be.

    A seccomp filter through libseccomp: unprivileged, after no_new_privs, which libseccomp
    sets, so it works inside Docker's default profile where a network namespace does not.
    """
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        refused = seccomp.ERRNO(errno.EACCES)
        for call in ("socket", "socketpair"):
            rules.add_rule(refused, call, seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        # io_uring opens sockets without socket(2)
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.load()
    except Exception as error:  # noqa: BLE001 -- no libseccomp, or a kernel that refuses it
        return f"{type(error).__name__}: {error}"
    return None


def serve(package: str, reply_fd: int, limits: dict) -> None:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    network = block_network()
    try:
        mdl = importlib.import_module(package)
    except BaseException as error:  # noqa: BLE001 -- report any import failure, even SystemExit
        _reply(reply_fd, {"import_error": describe_exception(error, package),
                          "network_open": network})
        return
    np.random.default_rng(0).standard_normal(1)  # load NumPy's lazy modules before any check
    _reply(reply_fd, {"import_error": None, "network_open": network})
    modules = {}
    for line in sys.stdin:
        request = json.loads(line)
        if "notebook" in request:
            _reply(reply_fd, {"stopped": _run_notebook(request)})
            continue
        path = request["check_file"]
        if path not in modules:
            modules[path] = load_check_module(Path(path))
        check = getattr(modules[path], request["check_name"])
        _reply(reply_fd, {"stopped": _run_check(mdl, check, request, package)})


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]))
