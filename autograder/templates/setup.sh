#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04).
# The kit is developed and tested on Python 3.11, which Ubuntu 22.04 packages; the image's
# default python3 is 3.10, so it is not used.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3.11 python3.11-venv
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --no-cache-dir --upgrade pip
"$ROOT/venv/bin/python" -m pip install --no-cache-dir -r "$ROOT/source/requirements.txt"
# The unprivileged account that student code runs as.
cd "$ROOT/source" && "$ROOT/venv/bin/python" -c "from autograder.sandbox import SandboxUser; SandboxUser.ensure()"
