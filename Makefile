# minidl course kit. `make release` builds dist/, `make test` runs the project's tests.
# Every target installs what it needs into .venv first, from the pinned requirements.

# The system Python first: the grader runs student code as another user, who must be able to
# run .venv's interpreter (a Python under /root, such as pyenv's, is out of its reach).
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
REVEAL ?=
FAST   ?=
HW     ?= hw1
SUBMISSION ?=
EXPORT ?=
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help venv starter release test test-all bench grade regrade sensitivity specificity clean

help:
	@echo "make release                      build dist/<hw>/ (autograder.zip, student bundle)"
	@echo "make release REVEAL=hw1           ... with hw1's solutions given to students"
	@echo "make release REVEAL=hw1,hw2,hw3,hw3b,hw4 FAST=1   ... and the kit's fast kernels"
	@echo "make test                         the project's tests (what CI runs)"
	@echo "make test-all                     ... including the slow ones"
	@echo "make bench                        benchmarks against NumPy and PyTorch (installs CPU torch)"
	@echo "make grade HW=hw1 SUBMISSION=X    grade a folder or zip with dist/hw1/autograder.zip"
	@echo "make regrade HW=hw1 EXPORT=X      regrade a Gradescope export into dist/hw1/regrade/grades.csv"
	@echo "make sensitivity HW=hw1           which of hw1's catalogue of plausible bugs its checks catch"
	@echo "make specificity HW=hw1           whether every correct alternative in hw1's catalogue keeps full marks"
	@echo "make starter                      regenerate starter/ from reference/"
	@echo "make clean                        remove dist/, .venv/ and caches"

$(STAMP): requirements.txt autograder/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=python3.x (3.11 or newer)"; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

starter: $(STAMP)
	$(PY) -m autograder starter

release: starter
	$(PY) -m autograder release --reveal "$(REVEAL)" $(if $(FAST),--fast)

test: $(STAMP)
	$(PY) -m ruff check reference autograder bench tests
	$(PY) -m pytest -m "not slow" --durations=25 tests

test-all: $(STAMP)
	$(PY) -m pytest tests

bench: $(STAMP)
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install --quiet torch==2.13.0
	$(PY) bench/autodiff.py
	$(PY) bench/training.py
	$(PY) bench/backend.py
	$(PY) bench/grading.py
	$(PY) bench/notebooks.py
	$(PY) bench/regrade.py
	$(PY) bench/cnn_rnn.py
	$(PY) bench/tokenizer.py
	$(PY) bench/gpt.py
	$(PY) bench/generative.py
	$(PY) bench/graphs.py
	$(PY) bench/gpu.py

grade: $(STAMP)
	@test -n "$(SUBMISSION)" || { echo "usage: make grade HW=hw1 SUBMISSION=path/to/minidl-or-zip"; exit 1; }
	@$(PY) -m autograder grade-local $(HW) "$(SUBMISSION)"

regrade: $(STAMP)
	@test -n "$(EXPORT)" || { echo "usage: make regrade HW=hw1 EXPORT=path/to/export.zip [JOBS=n]"; exit 1; }
	@$(PY) -m autograder regrade $(HW) "$(EXPORT)" --jobs $(JOBS)

sensitivity: $(STAMP)
	@$(PY) -m autograder sensitivity $(HW) --jobs $(JOBS)

specificity: $(STAMP)
	@$(PY) -m autograder specificity $(HW) --jobs $(JOBS)

clean:
	rm -rf dist $(VENV) .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
