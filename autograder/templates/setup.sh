#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04).
# The kit is developed and tested on Python 3.11, which Ubuntu 22.04 packages; the image's
# default python3 is 3.10, so it is not used. The venv is built from the system's own
# /usr/bin/python3.11, never whichever python3.11 comes first on PATH (a pyenv build under
# /root is out of the sandbox user's reach).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON=/usr/bin/python3.11
# libseccomp (in Ubuntu's base image already) lets the grader take student code's network away.
if ! "$PYTHON" -c "import ensurepip" 2>/dev/null || ! ldconfig -p | grep -q libseccomp.so.2; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv libseccomp2
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --no-cache-dir --upgrade pip
"$ROOT/venv/bin/python" -m pip install --no-cache-dir -r "$ROOT/source/requirements.txt"
# Student code runs as an unprivileged uid of its own: check now that such a uid can run the venv.
cd "$ROOT/source" && "$ROOT/venv/bin/python" -c \
    "from autograder.sandbox import SandboxUser; SandboxUser.allocate().check_can_run()"
