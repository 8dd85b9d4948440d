"""Prints the points the visible checks that ran would earn, after each pytest run."""
from pathlib import Path

from autograder.local import local_cases, points_summary


def _case_ids(terminalreporter, outcome: str) -> set[str]:
    return {report.nodeid.split("[", 1)[1].rstrip("]")
            for report in terminalreporter.stats.get(outcome, []) if "[" in report.nodeid}


def pytest_terminal_summary(terminalreporter):
    passed = _case_ids(terminalreporter, "passed")
    ran = passed | _case_ids(terminalreporter, "failed")
    cases = [case for case in local_cases(Path(__file__).parent) if case.id in ran]
    if cases:
        terminalreporter.section("points")
        terminalreporter.write_line(points_summary(cases, passed))
