"""Execute a notebook cell by cell in a fresh Jupyter kernel, recording how each code cell ended.

This runs where the student's code runs (the sandboxed child, or a student's own `pytest -k
notebook`). The kernel talks to this process over Unix sockets (ZeroMQ's ipc transport), the
only sockets the grading sandbox leaves. Each code cell, once it ends, appends one JSON line to
the record file: {"index", "status": "ok" | "error" | "timeout" | "died", "error": the error's
name and message, "traceback": its last lines, "seconds"}, so whatever finished before a
whole-notebook time limit struck is known.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

TRACEBACK_CHARS = 1500
KERNEL = "graded-python3"  # notebook_kernel.py, whatever kernel the notebook names
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # the colours of IPython's tracebacks
_TIMED_OUT = "CellTimedOut"  # the reply nbclient makes up for a cell it interrupted


def _error_record(cell) -> dict:
    """The error a cell's outputs show, if any, as plain text."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            trace = _ANSI.sub("", "\n".join(output.get("traceback", [])))
            return {"status": "error", "error": f"{output.get('ename')}: {output.get('evalue')}",
                    "traceback": trace[-TRACEBACK_CHARS:]}
    return {"status": "ok"}


@contextmanager
def _shut_down_after(manager: AsyncKernelManager):
    """Shut the kernel down at the end: nbclient leaves alone a kernel it was given."""
    try:
        yield
    finally:
        if run_sync(manager.is_alive)():
            run_sync(manager.shutdown_kernel)(now=True)


def execute(notebook: nbformat.NotebookNode, folder: Path, records: Path, cell_timeout: float,
            env: dict[str, str] | None = None, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Run every code cell of `notebook` in order, in a kernel working in `cwd` (else `folder`,
    which holds the kernel's sockets) with `env` added to this process's environment; append
    each cell's record to `records`. A cell running past `cell_timeout` seconds is interrupted
    and the next one runs; after the kernel dies, nothing more runs. The notebook with its
    outputs."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = folder / "kernels"
    (specs / KERNEL).mkdir(parents=True, exist_ok=True)
    (specs / KERNEL / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "autograder.notebook_kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (graded)", "language": "python"}), encoding="utf-8")
    # a short socket path: a Unix socket's name may not pass 107 bytes
    manager = AsyncKernelManager(kernel_name=KERNEL, transport="ipc", ip=str(folder / "k"),
                                 kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]))
    replies = {}
    client = NotebookClient(
        notebook, km=manager, kernel_name=KERNEL, timeout=int(cell_timeout), allow_errors=True,
        interrupt_on_timeout=True, error_on_timeout={"ename": _TIMED_OUT},
        resources={"metadata": {"path": str(cwd or folder)}},
        on_cell_executed=lambda cell, cell_index, execute_reply:
        replies.update({cell_index: execute_reply}))
    with _shut_down_after(manager), client.setup_kernel(env={**os.environ, **(env or {})}), \
            open(records, "a", encoding="utf-8") as out:
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            start = time.monotonic()
            try:
                client.execute_cell(cell, index)
                reply = replies.get(index, {}).get("content", {})
                record = {"status": "timeout"} if reply.get("ename") == _TIMED_OUT \
                    else _error_record(cell)
            except DeadKernelError:
                record = {"status": "died"}
            record.update(index=index, seconds=round(time.monotonic() - start, 2))
            out.write(json.dumps(record) + "\n")
            out.flush()
            if record["status"] == "died":
                break
    return notebook
