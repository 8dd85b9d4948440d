"""Stops at once when minidl/ cannot be imported; prints the points earned, last."""
import importlib
import os
from pathlib import Path

import pytest

from autograder.local import local_checks, points_table
from autograder.case import describe_exception


def pytest_sessionstart(session):
    os.environ["MINIDL_TUNED"] = "0"  # as the autograder: the kit's tuned files, if any, unused
    try:
        importlib.import_module("minidl")
    except BaseException as error:  # noqa: BLE001 -- any import failure, even SystemExit
        pytest.exit("Your minidl package could not be imported, so no check ran:\n"
                    f"{describe_exception(error)}", returncode=1)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter):
    scores = {report.nodeid.split("[", 1)[1].rstrip("]"): dict(report.user_properties).get("score", 0.0)
              for outcome in ("passed", "failed")
              for report in terminalreporter.stats.get(outcome, [])
              if report.when == "call" and "[" in report.nodeid}
    ran = {local: scores[local.id] for local in local_checks(Path(__file__).parent)
           if local.id in scores}
    if ran:
        terminalreporter.section("points")
        terminalreporter.write_line(points_table(ran))
