"""Adversarial and malformed submissions, graded through the real run_autograder.

Each attack is the starter (which honestly earns nothing) plus code that tries to earn points
another way: every one must still score zero, leave a valid results.json written by the grader,
and leave no process or file of the sandbox user behind. The grader runs as root here when the
tests do, as on Gradescope; checks that only root can enforce are skipped otherwise.
"""
import json
import os
import shutil
import textwrap
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.assignment import Assignment
from autograder.implementation import load_package, unload
from autograder.local_grading import prepare_root, run_autograder
from autograder.release import build_assignment
from autograder.sandbox import SANDBOX_UIDS, SandboxUser
from conftest import REFERENCE, STARTER

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
DRILL = Path(__file__).parent / "drill"
IS_ROOT = os.geteuid() == 0
DRILL_POINTS = 5.0
root_only = pytest.mark.skipif(not IS_ROOT, reason="only a root grader can switch users")

# Code run when each check multiplies (the drill's checks all do), before failing honestly.
AT_CHECK = """
from .ops import mathematic as _m
def _attack(self, a, b):
{body}
    raise NotImplementedError()
_m.EWiseMul.compute = _attack
"""
# Finds the folder the current check writes its results to, from the child's own frames.
FIND_OUT = """
    import sys
    frame, out = sys._getframe(), None
    while frame and out is None:
        out = frame.f_locals.get("out") if hasattr(frame.f_locals.get("out"), "mkdir") else None
        frame = frame.f_back
"""

ATTACKS = {
    "results_json_at_import": ("import", """
        open("{results}", "w").write('{{"score": 100, "tests": []}}')"""),
    "results_json_from_atexit": ("import", """
        import atexit
        atexit.register(lambda: open("{results}", "w").write('{{"score": 100, "tests": []}}'))"""),
    "results_json_from_a_forked_process": ("check", """
    import os, time
    if os.fork() == 0:
        time.sleep(1.5)
        open("{results}", "w").write('{{"score": 100, "tests": []}}')
        os._exit(0)"""),
    "results_json_from_a_daemon": ("check", """
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(2)
            open("{results}", "w").write('{{"score": 100, "tests": []}}')
        os._exit(0)"""),
    "read_goldens": ("check", """
    import glob, numpy as np
    for path in glob.glob("{source}/assignment/goldens/*.npz"):
        open("{marks}/read_goldens", "w").write(str(np.load(path)["seeds"]))"""),
    "read_hidden_checks": ("import", """
        open("{marks}/read_hidden", "w").write(open("{source}/assignment/tests/hidden_checks.py").read())"""),
    "read_grader_code": ("import", """
        open("{marks}/read_grader", "w").write(open("{source}/autograder/grade.py").read())"""),
    "overwrite_goldens": ("import", """
        import glob
        for path in glob.glob("{source}/assignment/goldens/*.npz"):
            open(path, "wb").write(b"")
            open("{marks}/overwrote", "w").write(path)"""),
    "monkeypatch_numpy_unittest_and_comparison": ("import", """
        import numpy, unittest, autograder.compare, autograder.verdict
        numpy.allclose = lambda *a, **k: True
        numpy.testing.assert_allclose = lambda *a, **k: None
        unittest.TestCase.fail = lambda *a, **k: None
        autograder.compare.compare = lambda *a, **k: None
        autograder.compare.compare_outputs = lambda *a, **k: None
        autograder.verdict.compare_outputs = lambda *a, **k: None"""),
    "object_whose_eq_lies": ("check", """
    class Liar:
        shape = (3, 4)
        def __eq__(self, other): return True
        def __array__(self, *a, **k): raise TypeError("no")
    return Liar()"""),
    "ndarray_subclass": ("check", """
    import numpy as np
    class Always(np.ndarray):
        def __eq__(self, other): return np.ones(self.shape, bool)
        def __sub__(self, other): return np.zeros(self.shape)
    return np.zeros(a.shape).view(Always)"""),
    "pickled_payload_in_results": ("check", FIND_OUT + """
    import json, pickle, numpy as np
    for i in range(3):
        (out / f"case{{i}}.json").write_text(json.dumps({{"seed": 0, "error": None}}))
        np.savez(out / f"case{{i}}.npz", **{{"a*b": np.array([object()], dtype=object)}})
    os._exit(0)"""),
    "forged_results_symlinked_to_goldens": ("check", FIND_OUT + """
    import glob, json, os
    for i in range(3):
        (out / f"case{{i}}.json").write_text(json.dumps({{"seed": 0, "error": None}}))
        os.symlink("{source}/assignment/goldens/mul_forward.npz", out / f"case{{i}}.npz")
    os._exit(0)"""),
    "forged_results_hardlinked_to_goldens": ("check", FIND_OUT + """
    import json, os
    for i in range(3):
        (out / f"case{{i}}.json").write_text(json.dumps({{"seed": 0, "error": None}}))
        try:
            os.link("{source}/assignment/goldens/mul_forward.npz", out / f"case{{i}}.npz")
            open("{marks}/hardlinked", "w").write("x")
        except OSError:
            pass
    os._exit(0)"""),
    "os_exit_before_failing": ("check", """
    import os
    os._exit(0)"""),
    "sys_exit_at_import": ("import", """
        import sys
        sys.exit(0)"""),
    "kill_the_grader": ("check", """
    import os, signal
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if b"autograder" in open(f"/proc/{{pid}}/cmdline", "rb").read() and int(pid) != os.getpid():
                    os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass"""),
    "kill_every_process_it_can": ("check", """
    import os, signal
    os.kill(-1, signal.SIGKILL)"""),
    "sleep_forever": ("check", """
    import time
    time.sleep(10 ** 6)"""),
    "hang_at_import": ("import", """
        while True:
            pass"""),
    "fork_bomb": ("check", """
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass"""),
    "memory_bomb": ("check", """
    hoard = []
    while True:
        hoard.append(bytearray(50 << 20))"""),
    "disk_bomb": ("check", """
    with open("/tmp/minidl-disk-bomb", "wb") as f:
        for _ in range(1 << 12):
            f.write(b"x" * (1 << 20))"""),
    "stdout_flood": ("check", """
    import os
    for _ in range(10 ** 4):
        print("x" * 10 ** 5)
    for _ in range(10 ** 3):
        os.write(1, b"y" * 10 ** 6)"""),
    "become_root": ("import", """
        import os
        try:
            os.setuid(0)
            open("{marks}/root", "w").write("x")
        except OSError:
            pass"""),
}
ROOT_ONLY = {"read_goldens", "read_hidden_checks", "read_grader_code", "overwrite_goldens",
             "kill_the_grader", "kill_every_process_it_can", "fork_bomb",
             "results_json_from_a_daemon", "forged_results_hardlinked_to_goldens"}


@pytest.fixture(scope="module")
def drill_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("drill")
    reference = load_package(REFERENCE, "minidl_drill_reference")
    try:
        build_assignment(Assignment.load(DRILL), reference, STARTER, out / "drill", (99,),
                         progress=False)
    finally:
        unload("minidl_drill_reference")
    return out / "drill" / "autograder.zip"


@pytest.fixture
def grader(drill_zip, tmp_path):
    """A fresh AUTOGRADER_ROOT with the drill unpacked, and a world-writable evidence folder."""
    root = tmp_path / "root"
    prepare_root(drill_zip, root)
    marks = tmp_path / "marks"
    marks.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(marks, 0o777)
    return root, marks


def submission_with(tmp_path: Path, package: Path, where: str, code: str) -> Path:
    folder = tmp_path / "upload" / "minidl"
    shutil.copytree(package, folder, ignore=shutil.ignore_patterns("__pycache__"))
    init = folder / "__init__.py"
    if where == "import":
        init.write_text(init.read_text() + "\n" + textwrap.dedent(code) + "\n")
    else:
        init.write_text(init.read_text() + AT_CHECK.format(body=code.strip("\n")))
    return folder


def grade(root: Path, upload: Path) -> dict:
    start = time.monotonic()
    results_path = run_autograder(root, upload, timeout=300)
    results = json.loads(results_path.read_text())
    jsonschema.validate(results, SCHEMA)
    results["seconds"] = time.monotonic() - start
    return results


def assert_grader_wrote_it(results: dict) -> None:
    assert [t["number"] for t in results["tests"]] == ["1.1", "1.2", "2.1"]
    assert sum(t["max_score"] for t in results["tests"]) == DRILL_POINTS


def assert_nothing_left_behind() -> None:
    if IS_ROOT:
        alive = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _owner(p) in SANDBOX_UIDS
                 and (p / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        assert alive == [], "processes of a sandbox uid outlived grading"
        left = [p for p in Path("/tmp").iterdir() if _owner(p) in SANDBOX_UIDS]
        assert left == []


def _owner(path: Path) -> int | None:
    try:
        return path.lstat().st_uid
    except OSError:  # gone meanwhile
        return None


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_earns_nothing(name, grader, tmp_path):
    if name in ROOT_ONLY and not IS_ROOT:
        pytest.skip("only a root grader can stop this attack")
    root, marks = grader
    where, code = ATTACKS[name]
    code = code.format(results=root / "results" / "results.json", source=root / "source",
                       marks=marks)
    results = grade(root, submission_with(tmp_path, STARTER, where, code))
    assert results["score"] == 0, json.dumps(results, indent=1)[:3000]
    assert all(t["score"] == 0 for t in results["tests"])
    assert_grader_wrote_it(results)
    assert list(marks.iterdir()) == [], "the attack reached what it should not"
    assert results["seconds"] < 120
    assert_nothing_left_behind()


@root_only
def test_concurrent_gradings_do_not_touch_each_other(drill_zip, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    os.chmod(tmp_path, 0o755)
    marks = tmp_path / "marks"
    marks.mkdir(mode=0o777)
    os.chmod(marks, 0o777)
    attacks = ["fork_bomb", "results_json_from_a_daemon", "sleep_forever",
               "kill_every_process_it_can"]
    uploads = {}
    for name in ["reference", "reference_again", *attacks]:
        root = tmp_path / name / "root"
        prepare_root(drill_zip, root)
        if name.startswith("reference"):
            uploads[name] = (root, REFERENCE)
            continue
        where, code = ATTACKS[name]
        code = code.format(results=root / "results" / "results.json", source=root / "source",
                           marks=marks)
        uploads[name] = (root, submission_with(tmp_path / name, STARTER, where, code))
    with ThreadPoolExecutor(len(uploads)) as pool:
        results = dict(zip(uploads, pool.map(lambda job: grade(*job), uploads.values())))
    assert results["reference"]["score"] == results["reference_again"]["score"] == DRILL_POINTS
    for name in attacks:
        assert results[name]["score"] == 0, (name, results[name])
        assert_grader_wrote_it(results[name])
    assert list(marks.iterdir()) == []
    assert_nothing_left_behind()


def test_the_reference_gets_full_marks_in_the_sandbox(grader):
    root, _ = grader
    results = grade(root, REFERENCE)
    assert results["score"] == DRILL_POINTS
    assert_nothing_left_behind()


def test_a_hang_at_import_is_detected_once(grader, tmp_path):
    root, _ = grader
    where, code = ATTACKS["hang_at_import"]
    results = grade(root, submission_with(tmp_path, REFERENCE, where, code))
    assert "could not be imported" in results["output"] and "timed out after 4 s" in results["output"]
    assert results["seconds"] < 4 * 2 + 10


@pytest.mark.parametrize("code, fate", [
    ("import os\nos._exit(7)", "exited with code 7"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "killed by SIGKILL"),
], ids=["exit", "killed"])
def test_a_crash_at_import_says_how_the_process_ended(grader, tmp_path, code, fate):
    root, _ = grader
    results = grade(root, submission_with(tmp_path, REFERENCE, "import", code))
    assert "could not be imported" in results["output"] and fate in results["output"]
    assert results["score"] == 0


def test_checks_hanging_everywhere_still_finish_within_the_total_time(grader, tmp_path):
    root, _ = grader
    settings = root / "source" / "assignment" / "assignment.toml"
    settings.write_text(settings.read_text().replace("total_timeout = 40", "total_timeout = 6"))
    where, code = ATTACKS["sleep_forever"]
    results = grade(root, submission_with(tmp_path, REFERENCE, where, code))
    outputs = " ".join(t.get("output", "") for t in results["tests"])
    assert "timed out after 4 s" in outputs and "ran out" in outputs
    assert results["score"] == 0 and results["seconds"] < 6 + 10


def test_a_flood_of_output_is_cut_with_a_note(grader, tmp_path):
    root, _ = grader
    where, code = ATTACKS["stdout_flood"]
    results = grade(root, submission_with(tmp_path, REFERENCE, where, code))
    first = results["tests"][0]
    assert "[output cut]" in first["output"] and len(first["output"]) < 6000


def test_a_crash_costs_only_the_checks_it_happens_in(grader, tmp_path):
    root, _ = grader
    folder = submission_with(tmp_path, REFERENCE, "import", "")
    path = folder / "ops" / "mathematic.py"
    path.write_text(path.read_text().replace(
        "        return -a\n", "        import os\n        os._exit(3)\n", 1))
    results = grade(root, folder)
    scores = {t["number"]: t["score"] for t in results["tests"]}
    assert scores == {"1.1": 2.0, "1.2": 2.0, "2.1": 0.0}
    assert "did not finish: the process running your code exited with code 3" in \
        results["tests"][2]["output"]


# Malformed uploads: each gets a valid results.json, a message, and zero only for what it breaks.

def _reference_copy(folder: Path) -> Path:
    shutil.copytree(REFERENCE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_missing_file_is_named(grader, tmp_path):
    root, _ = grader
    folder = _reference_copy(tmp_path / "minidl")
    (folder / "ops" / "logarithmic.py").unlink()
    results = grade(root, folder)
    assert results["score"] == 0
    assert "could not be imported" in results["output"] and "logarithmic" in results["output"]


def test_misnamed_folder_is_graded_with_a_note(grader, tmp_path):
    root, _ = grader
    upload = tmp_path / "upload"
    _reference_copy(upload / "minidl-main")
    results = grade(root, upload)
    assert results["score"] == DRILL_POINTS
    assert "minidl-main/ was graded as minidl/" in results["output"]


def test_zip_inside_a_folder_inside_the_upload(grader, tmp_path):
    root, _ = grader
    upload = tmp_path / "upload"
    upload.mkdir()
    with zipfile.ZipFile(upload / "hw.zip", "w") as archive:
        for path in REFERENCE.rglob("*.py"):
            archive.write(path, "work/hw1/minidl/" + path.relative_to(REFERENCE).as_posix())
    assert grade(root, upload)["score"] == DRILL_POINTS


def test_non_utf8_source_is_reported_with_the_file(grader, tmp_path):
    root, _ = grader
    folder = _reference_copy(tmp_path / "minidl")
    path = folder / "ops" / "mathematic.py"
    path.write_bytes(path.read_bytes().replace(b"a * b for tensors", "a \u00d7 b".encode("latin-1")))
    results = grade(root, folder)
    assert results["score"] == 0
    assert "SyntaxError" in results["output"] and "mathematic.py" in results["output"]


def test_huge_file_is_left_out_with_a_note(grader, tmp_path):
    root, _ = grader
    folder = _reference_copy(tmp_path / "minidl")
    with open(folder / "weights.bin", "wb") as file:
        file.truncate(25 << 20)
    results = grade(root, folder)
    assert results["score"] == DRILL_POINTS
    assert "weights.bin (25 MB) was left out" in results["output"]


def test_symlinks_out_of_the_submission_are_not_followed(grader, tmp_path):
    root, _ = grader
    folder = _reference_copy(tmp_path / "minidl")
    (folder / "leak.py").symlink_to(root / "source" / "assignment" / "tests" / "hidden_checks.py")
    results = grade(root, folder)
    assert results["score"] == DRILL_POINTS
    assert "leak.py is a link or special file and was left out" in results["output"]


def test_an_upload_with_no_package_says_what_it_holds(grader, tmp_path):
    root, _ = grader
    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "notes.txt").write_text("hi")
    results = grade(root, upload)
    assert results["score"] == 0 and "notes.txt" in results["output"]


@root_only
def test_a_grader_that_is_not_root_still_isolates_and_says_so(drill_zip):
    import subprocess
    import tempfile

    user = SandboxUser.allocate()  # an unprivileged uid to run the whole grader as
    root = Path(tempfile.mkdtemp(prefix="minidl-nonroot-"))
    try:
        prepare_root(drill_zip, root)
        shutil.copytree(REFERENCE, root / "submission" / "minidl",
                        ignore=shutil.ignore_patterns("__pycache__"))
        user.own(root)
        subprocess.run([str(root / "source" / "run_autograder")], check=True, timeout=300,
                       user=user.uid, group=user.gid, extra_groups=[],
                       env={**os.environ, "AUTOGRADER_ROOT": str(root)})
        results = json.loads((root / "results" / "results.json").read_text())
        jsonschema.validate(results, SCHEMA)
        assert results["score"] == DRILL_POINTS
        assert "not running as root" in results["output"]
    finally:
        shutil.rmtree(root, ignore_errors=True)
        user.kill_all()
        user.release()


@pytest.fixture
def listeners():
    """A TCP listener on 127.0.0.1 and one on ::1, each recording what reaches it."""
    import socket
    import threading

    reached, stop, threads, ports = [], threading.Event(), [], {}
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        server = socket.socket(family, socket.SOCK_STREAM)
        server.bind((host, 0))
        server.listen()
        server.settimeout(0.1)
        ports[host] = server.getsockname()[1]

        def accept(server=server, host=host):
            while not stop.is_set():
                try:
                    connection, _ = server.accept()
                except OSError:
                    continue
                connection.settimeout(1)
                try:
                    reached.append((host, connection.recv(100)))
                except OSError:
                    reached.append((host, b""))
                connection.close()
            server.close()

        threads.append(threading.Thread(target=accept, daemon=True))
        threads[-1].start()
    yield ports, reached
    stop.set()
    for thread in threads:
        thread.join()


# Run at import, each attempt caught: the upload must still earn what its code deserves.
REACH_OUT = """
    import socket, subprocess, sys
    for address in (("127.0.0.1", {v4}), ("::1", {v6})):
        try:
            socket.create_connection(address, timeout=2).sendall(b"the hidden checks' inputs")
        except OSError:
            pass
    try:
        socket.getaddrinfo("pypi.org", 443)
    except OSError:
        pass
    subprocess.run([sys.executable, "-c", "import socket; socket.create_connection("
                    "('127.0.0.1', {v4}), timeout=2).sendall(b'from a child')"], timeout=60)
"""


def test_student_code_and_what_it_starts_get_no_network(grader, listeners, tmp_path):
    root, _ = grader
    ports, reached = listeners
    code = REACH_OUT.format(v4=ports["127.0.0.1"], v6=ports["::1"])
    results = grade(root, submission_with(tmp_path, REFERENCE, "import", code))
    assert reached == [], "a sandboxed process reached a loopback listener"
    assert results["score"] == DRILL_POINTS, json.dumps(results, indent=1)[:3000]
    assert "network isolation was unavailable" not in results.get("output", "")
    assert_nothing_left_behind()


@pytest.mark.parametrize("attempt", [
    "socket.create_connection(('127.0.0.1', {v4}), timeout=2)",
    "socket.create_connection(('::1', {v6}), timeout=2)",
    "socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
    "socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
    "socket.getaddrinfo('pypi.org', 443)",
], ids=["ipv4", "ipv6", "raw", "packet", "name-lookup"])
def test_a_refused_socket_is_explained_in_the_checks_feedback(attempt, grader, listeners,
                                                             tmp_path):
    root, _ = grader
    ports, reached = listeners
    body = "    import socket\n    " + attempt.format(v4=ports["127.0.0.1"], v6=ports["::1"])
    results = grade(root, submission_with(tmp_path, STARTER, "check", body))
    assert reached == []
    assert results["score"] == 0
    for test in results["tests"]:
        assert "network access is not allowed while grading" in test["output"], test["output"]


def test_local_sockets_and_pipes_still_work_in_the_sandbox(grader, tmp_path):
    root, _ = grader
    code = """
    import multiprocessing, socket
    left, right = socket.socketpair()
    left.sendall(b"x")
    assert right.recv(1) == b"x"
    with multiprocessing.get_context("forkserver").Pool(2) as pool:
        assert pool.map(abs, [-1, -2]) == [1, 2]
"""
    results = grade(root, submission_with(tmp_path, REFERENCE, "import", code))
    assert results["score"] == DRILL_POINTS, json.dumps(results, indent=1)[:3000]


def test_where_the_kernel_refuses_the_filter_grading_goes_on_and_tells_staff(grader, listeners,
                                                                            tmp_path):
    root, _ = grader
    ports, reached = listeners
    child = root / "source" / "autograder" / "child.py"
    child.write_text(child.read_text().replace(
        "        import pyseccomp as seccomp\n",
        "        raise OSError(22, 'seccomp refused (simulated)')\n"))
    code = REACH_OUT.format(v4=ports["127.0.0.1"], v6=ports["::1"])
    results = grade(root, submission_with(tmp_path, REFERENCE, "import", code))
    assert results["score"] == DRILL_POINTS
    assert "network isolation was unavailable on this machine" in results["output"]
    assert "seccomp refused (simulated)" in results["output"]
    assert reached, "without the filter the listener should have been reached (test is void)"
