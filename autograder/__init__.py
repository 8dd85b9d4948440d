"""Course tooling of the minidl kit: strip, record, pack, and grade (python -m autograder)."""
