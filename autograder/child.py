"""The process that runs a student's code: `python -m autograder.child PACKAGE FD LIMITS`.

It lowers its own resource limits (LIMITS, JSON), imports the student's package once, reports
on the reply pipe (file descriptor FD) whether that worked, then serves requests read from stdin, one JSON
line per check: it forks a fresh process per check, which writes each case's status (JSON) and
outputs (.npz of plain arrays) into the request's folder. Nothing here is trusted by the
grader: it reads back only those files, as plain data, and compares them itself.
"""
from __future__ import annotations

import importlib
import io
import json
import os
import resource
import sys
from pathlib import Path

import numpy as np

from .checks import load_check_module
from .verdict import describe_exception, run_case

PRINTED_LIMIT = 1 << 20


class CappedText(io.TextIOBase):
    """A text stream that keeps the first PRINTED_LIMIT characters written and drops the rest."""

    def __init__(self, raw_fd: int):
        self.raw = os.fdopen(raw_fd, "w", encoding="utf-8", errors="replace", buffering=1)
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


def _write_atomically(path: Path, write) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        write(file)
    os.replace(partial, path)


def _reply(fd: int, message: dict) -> None:
    os.write(fd, (json.dumps(message) + "\n").encode())


def _set_limits(limits: dict) -> None:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def _run_check(mdl, request: dict) -> None:
    """In the forked process: run one check's cases, writing results into request['out']."""
    out = Path(request["out"])
    fd = os.open(out / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = sys.stderr = CappedText(os.dup(1))
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    check = getattr(load_check_module(Path(request["check_file"])), request["check_name"])
    for number, seed in enumerate(request["seeds"]):
        result = run_case(check, mdl, seed)
        if result.outputs is not None:
            _write_atomically(out / f"case{number}.npz",
                              lambda f, o=result.outputs: np.savez(f, **o))
        _write_atomically(out / f"case{number}.json",
                          lambda f, r=result: f.write(json.dumps(
                              {"seed": r.seed, "error": r.error}).encode()))
    sys.stdout.flush()


def serve(package: str, reply_fd: int, limits: dict) -> None:
    _set_limits(limits)
    try:
        mdl = importlib.import_module(package)
    except BaseException as error:  # noqa: BLE001 -- report any import failure, even SystemExit
        _reply(reply_fd, {"import_error": describe_exception(error, package)})
        return
    _reply(reply_fd, {"import_error": None})
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os.close(reply_fd)
            os.close(0)
            code = 1
            try:
                _run_check(mdl, request)
                code = 0
            except BaseException as error:  # noqa: BLE001 -- SystemExit included
                print(f"\nstopped by {describe_exception(error, package)}", file=sys.stderr)
            finally:
                try:
                    sys.stdout.flush()
                finally:
                    os._exit(code)
        _, status = os.waitpid(pid, 0)
        _reply(reply_fd, {"status": status})


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]))
