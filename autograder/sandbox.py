"""Run a student's code in a child process, as an unprivileged user, within resource limits.

The grader never imports student code. A child (`autograder/child.py`) imports the package once
and runs the checks it is sent, one at a time; the grader reads back only plain records (see
case_records.py) from files that are regular, not links, of bounded size and, where the grader
is root, written by the sandbox user. When a check runs past its time or the child dies, every
process the student's code started is killed and a fresh child serves the next check.
"""
from __future__ import annotations

import fcntl
import json
import os
import pwd
import select
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .case_records import RecordError, read_records
from .checks import GradedCheck
from .placement import CHILD, modules
from .case import CaseResult

SANDBOX_UIDS = range(61000, 61256)  # one per concurrent grading; no account may use them
LOCKS = Path("/run/minidl-sandbox")  # root's own folder: an unprivileged process cannot hold a uid
OUTPUT_SHOWN = 2000
MAX_REPLY = 1 << 16
MAX_NOTEBOOK_RECORDS = 1 << 20
_PASSED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")


@dataclass(frozen=True)
class Limits:
    """Resource limits of the student's processes (per process; processes per sandbox user)."""

    memory_mb: int = 2048
    file_mb: int = 256
    open_files: int = 256
    processes: int = 64

    def rlimits(self, per_user: bool) -> dict[str, int]:
        limits = {"RLIMIT_AS": self.memory_mb << 20, "RLIMIT_FSIZE": self.file_mb << 20,
                  "RLIMIT_NOFILE": self.open_files}
        if per_user:  # only a dedicated user's process count can be limited safely
            limits["RLIMIT_NPROC"] = self.processes
        return limits


class GraderSetupError(RuntimeError):
    """The grader's machine is set up so that student code cannot run: staff must fix it."""


@dataclass(frozen=True)
class SandboxUser:
    """The unprivileged identity one grading runs student code as, when the grader is root.

    Each grading holds its own uid from SANDBOX_UIDS (uids no account uses) under an exclusive
    lock for as long as it runs, so the processes it kills and the files it removes, all of
    that uid, are its own: any number of gradings can share a machine.
    """

    uid: int
    lock: int  # the open, flock-ed lock file that reserves `uid`

    @property
    def gid(self) -> int:
        return self.uid

    @property
    def name(self) -> str:
        return f"uid {self.uid}"

    @classmethod
    def allocate(cls) -> "SandboxUser | None":
        """A uid of its own for this grading, cleared of any leftovers; None when not root."""
        if os.geteuid() != 0:
            return None
        LOCKS.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = LOCKS.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
            raise GraderSetupError(f"{LOCKS} must be a folder of root's that only root can use")
        for uid in SANDBOX_UIDS:
            if _has_account(uid):
                continue
            fd = os.open(LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another grading holds it
                os.close(fd)
                continue
            user = cls(uid, fd)
            user.kill_all()  # what a grader that died left running or lying around
            user.remove_files()
            return user
        raise GraderSetupError(f"all {len(SANDBOX_UIDS)} sandbox uids are in use by gradings")

    def release(self) -> None:
        """Give the uid back (the lock goes with the file descriptor)."""
        os.close(self.lock)

    def check_can_run(self, python: str = sys.executable) -> None:
        """Raise GraderSetupError unless this user can run `python` and import NumPy with it."""
        try:
            run = subprocess.run([python, "-c", "import numpy"], user=self.uid, group=self.gid,
                                 extra_groups=[], cwd="/", env={"PATH": "/usr/bin:/bin"},
                                 capture_output=True, text=True, timeout=120)
            problem = run.stderr.strip().splitlines()[-1:] if run.returncode else None
        except OSError as error:
            problem = [str(error)]
        if problem is not None:
            raise GraderSetupError(
                f"the sandbox user {self.name} cannot run {python} and import NumPy "
                f"({''.join(problem) or 'it failed'}): build the grader's venv from a Python "
                "every user can run (/usr/bin/python3.11) in a folder every user can read, "
                "not under a private one such as /root")

    def own(self, path: Path) -> None:
        """Give `path` and everything under it to this user."""
        for folder, dirs, files in os.walk(path):
            for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                os.lchown(name, self.uid, self.gid)

    def pids(self) -> list[int]:
        """The live processes of this user (zombies, already dead, are not counted)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if entry.stat().st_uid == self.uid and \
                            (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                        found.append(int(entry.name))
                except (OSError, IndexError):
                    continue
        return found

    def kill_all(self) -> None:
        """Kill every process of this user, forked or daemonized ones included."""
        for _ in range(50):
            if not self.pids():
                return
            pid = os.fork()
            if pid == 0:  # kill(-1) from the user itself reaches exactly that user's processes
                try:
                    os.setgroups([])
                    os.setgid(self.gid)
                    os.setuid(self.uid)
                    os.kill(-1, signal.SIGKILL)
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
            time.sleep(0.01)

    def remove_files(self, folders=("/tmp", "/var/tmp", "/dev/shm")) -> None:
        """Delete what this user left in the shared temporary folders."""
        for top in folders:
            for entry in Path(top).iterdir() if os.path.isdir(top) else []:
                try:
                    if entry.lstat().st_uid != self.uid:
                        continue
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink()
                except OSError:
                    continue


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def read_plain_file(path: Path, limit: int, owner: int | None,
                    head_only: bool = False) -> bytes | None:
    """The bytes of `path` if it is a regular file (not a link) of at most `limit` bytes.

    With `head_only`, a longer file gives its first `limit` bytes.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return None
        if info.st_size > limit and not head_only:
            return None
        if owner is not None and info.st_uid != owner:
            return None
        return file.read(limit + 1)[:limit]


class Sandbox:
    """The child process holding the student's imported package, and how checks run in it."""

    def __init__(self, package_dir: Path, work: Path, limits: Limits, user: SandboxUser | None):
        self.package_dir, self.work, self.limits, self.user = package_dir, work, limits, user
        runtime = work / "runtime" / "autograder"
        runtime.mkdir(parents=True)
        for name in modules(CHILD):
            shutil.copyfile(Path(__file__).with_name(f"{name}.py"), runtime / f"{name}.py")
        home = work / "home"
        home.mkdir()
        self.env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home),
                    "PYTHONPATH": os.pathsep.join([str(runtime.parent), str(work)]),
                    "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
                    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                    "NUMBA_NUM_THREADS": "1",  # speed is compared with one-thread OpenBLAS
                    "MINIDL_TUNED": "0",  # checks grade the student's code, never the kit's
                    **{k: os.environ[k] for k in _PASSED_ENV if k in os.environ}}
        if user:
            os.chmod(work, 0o755)
            user.own(package_dir)
            user.own(home)
        self.process: subprocess.Popen | None = None
        self.checks_run = 0
        self.closed = False
        self.network_open: str | None = None  # why the child could not block its network

    def start(self, timeout: float) -> str | None:
        """Start the child and import the package: None when that worked, else why not."""
        self.stop()
        reply_read, reply_write = os.pipe()
        log = open(self.work / "import-output.txt", "wb")
        identity = dict(user=self.user.uid, group=self.user.gid, extra_groups=[]) \
            if self.user else {}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-B", "-m", "autograder.child", self.package_dir.name,
                 str(reply_write), json.dumps(self.limits.rlimits(per_user=bool(self.user)))],
                cwd=self.work, env=self.env, stdin=subprocess.PIPE, stdout=log,
                stderr=subprocess.STDOUT, pass_fds=(reply_write,), start_new_session=True,
                **identity)
        finally:
            os.close(reply_write)
            log.close()
        self.replies = reply_read
        reply, waited = self._reply(timeout)
        if reply is None:
            printed = _shown(read_plain_file(self.work / "import-output.txt", OUTPUT_SHOWN + 1,
                                             None, head_only=True))
            reason = f"timed out after {timeout:g} s" if waited >= timeout else self._fate()
            self.stop()
            return f"importing your {self.package_dir.name} package failed: {reason}\n{printed}"
        self.network_open = reply.get("network_open") or self.network_open
        if reply.get("import_error"):
            self.stop()
            return str(reply["import_error"])
        return None

    def run_check(self, check: GradedCheck, seeds: list[int],
                  timeout: float) -> tuple[list[CaseResult], str]:
        """Run every case of `check` in the child; each case's result and what it printed."""
        if self.process is None or self.process.poll() is not None:
            problem = self.start(timeout)
            if problem:
                return [CaseResult(s, error=f"did not run: {problem}") for s in seeds], ""
        self.checks_run += 1
        out = self._out_folder(f"check{self.checks_run}")
        check_file = self.work / "checks" / check.source.name
        if not check_file.exists():  # a check file reaches the child only when first needed
            check_file.parent.mkdir(exist_ok=True)
            for path in [check.source, *check.source.parent.glob("_*.py")]:
                shutil.copyfile(path, check_file.parent / path.name)
        request = {"check_file": str(check_file), "check_name": check.name,
                   "seeds": seeds, "out": str(out), "cpu_seconds": max(1, int(timeout) + 1)}
        reply, waited = self._ask(request, timeout)
        if reply is None:
            fate = (f"timed out after {timeout:g} s (look for an infinite loop or very slow code)"
                    if waited >= timeout else self._fate())
            self.stop()
        else:
            stopped = reply.get("stopped")
            fate = (f"your code stopped the check early: {str(stopped)[:2000]}" if stopped
                    else "its results went missing")
        owner = self.user.uid if self.user else None
        results = self._results(out, seeds, fate, owner)
        printed = _shown(read_plain_file(out / "output.txt", OUTPUT_SHOWN + 1, owner,
                                         head_only=True))
        shutil.rmtree(out, ignore_errors=True)
        return results, printed

    def run_notebook(self, notebook: str, cell_timeout: float, timeout: float,
                     env: dict[str, str], import_timeout: float) -> tuple[bytes | None, str]:
        """Run `notebook` (its JSON) in a fresh child's kernel with `env` added, for at most
        `timeout` s; the cells' records (see notebook_run.py) and, when the run stopped early,
        why, in a student's words (else "")."""
        self.stop()  # nothing the checks started carries over, nor any check's code
        shutil.rmtree(self.work / "checks", ignore_errors=True)
        problem = self.start(import_timeout)
        if problem:
            return None, f"your package could not be imported ({problem.splitlines()[0]})"
        out = self._out_folder("notebook")
        request = {"notebook": notebook, "out": str(out), "cell_timeout": cell_timeout,
                   "env": env}
        reply, waited = self._ask(request, timeout)
        if reply is None:
            fate = (f"the notebook's {timeout:g} s for its whole run ran out"
                    if waited >= timeout else self._fate())
        else:
            stopped = reply.get("stopped")
            fate = f"the notebook could not run: {str(stopped)[:2000]}" if stopped else \
                "its record went missing"
        self.stop()
        owner = self.user.uid if self.user else None
        records = read_plain_file(out / "cells.jsonl", MAX_NOTEBOOK_RECORDS, owner)
        shutil.rmtree(out, ignore_errors=True)
        return records, fate

    def _out_folder(self, name: str) -> Path:
        """A new folder of the work area that only the child's user can write into."""
        out = self.work / name
        out.mkdir(mode=0o700)
        if self.user:
            os.chown(out, self.user.uid, self.user.gid)
        return out

    def _ask(self, request: dict, timeout: float) -> tuple[dict | None, float]:
        """Send the child `request`; its reply (None if none came in `timeout` s, or the child
        is gone) and the seconds waited."""
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            return self._reply(timeout)
        except (BrokenPipeError, OSError):
            return None, 0.0

    def _reply(self, timeout: float) -> tuple[dict | None, float]:
        """The child's next reply line, or None on timeout, end of file or garbage."""
        start, data = time.monotonic(), b""
        while not data.endswith(b"\n") and len(data) < MAX_REPLY:
            waited = time.monotonic() - start
            ready, _, _ = select.select([self.replies], [], [], max(0.0, timeout - waited))
            if not ready:
                return None, time.monotonic() - start
            chunk = os.read(self.replies, MAX_REPLY)
            if not chunk:
                return None, time.monotonic() - start
            data += chunk
        try:
            reply = json.loads(data)
        except ValueError:
            return None, 0.0
        return (reply if isinstance(reply, dict) else None), time.monotonic() - start

    def _fate(self) -> str:
        """Why the child ended in the middle of a check, in a student's words."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the process running your code stopped answering"
        if code == -signal.SIGXCPU:
            return "used more CPU time than the check's time limit"
        if code < 0:
            hint = f" (perhaps more than {self.limits.memory_mb} MB of memory)" \
                if -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT) else ""
            return f"the process running your code was killed by {signal.Signals(-code).name}{hint}"
        if code == 0:
            return "your code ended the process early (os._exit or similar)"
        return f"the process running your code exited with code {code}"

    def _results(self, out: Path, seeds: list[int], fate: str, owner) -> list[CaseResult]:
        """Each case's result as recorded by the check's process; `fate` for missing ones."""
        data = read_plain_file(out / "cases.bin", self.limits.file_mb << 20, owner)
        try:
            records = read_records(data or b"")
        except RecordError as problem:
            return [CaseResult(s, error=f"its results could not be read back: {problem}")
                    for s in seeds]
        results = []
        for number, seed in enumerate(seeds):
            record = records.get(number)
            if record is None:
                results.append(CaseResult(seed, error=f"did not finish: {fate}"))
            elif record.seed != seed:
                results.append(CaseResult(seed, error="its results are for another case"))
            else:
                results.append(record)
        return results

    def stop(self) -> None:
        """End the child and every process the student's code started."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            self.process.stdin.close()
            os.close(self.replies)
            self.process = None
        if self.user:
            self.user.kill_all()

    def close(self) -> None:
        """Stop everything and remove what the student's code left in shared folders."""
        if self.closed:
            return
        self.closed = True
        self.stop()
        if self.user:
            self.user.remove_files()


def _shown(raw: bytes | None) -> str:
    """The first OUTPUT_SHOWN characters of what the student's code printed."""
    text = (raw or b"").decode("utf-8", errors="replace")
    return text if len(text) <= OUTPUT_SHOWN else text[:OUTPUT_SHOWN] + "\n[output cut]"
