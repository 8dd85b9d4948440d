"""`make bench`: the graded runs of the assignments' notebooks (hw2, hw4, hw5, hw6, hw7).

1. Each notebook graded through its zip's run_autograder on one core, with the model answer
   (what a student who solved every region uploads) and the source notebook's answers:
   seconds of the whole grading (checks, then the notebook) and the notebook's points.
2. The notebook run under the grading profile (assignment.toml's [notebook.profile]) on one
   core, with the model answer and with the reference, for 5 seeds of the notebook's own
   generators (init.manual_seed and the loaders' seeds): seconds, the kernel's peak memory
   and the values each test cell compares with its threshold.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TAGS = {"hw2": "hw2_nn", "hw4": "hw4_cnn_rnn", "hw5": "hw5_transformer", "hw6": "hw6_generative",
        "hw7": "hw7_graphs_uncertainty"}
MEASURED = {  # what each notebook's test cells compare with their thresholds
    "hw2": "{'accuracy': history.eval_accuracy[-1], 'needs': 0.95}",
    "hw4": "{'cnn_accuracy': cnn_history.eval_accuracy[-1], 'needs': 0.9, "
           "'perplexity': float(perplexities[-1]), 'under': len(corpus.dictionary) / 3}",
    "hw5": "{'gpt_perplexity': gpt_perplexity, 'under': 80, 'gpt_seconds': gpt_seconds}",
    "hw6": "{'classifier_accuracy': classifier_history.eval_accuracy[-1], 'needs': 0.95, "
           "'vae_test_loss': vae_test_loss, 'under': 26, 'ddim_confident': ddim_confident, "
           "'over': 0.15, 'ddim_outside': ddim_outside, 'outside_under': 0.05, "
           "'seconds': {k: round(v) for k, v in sections.items()}}",
    "hw7": "{'karate': karate_accuracy, 'needs': 0.8, 'rings': ring_accuracy, "
           "'needs_2': 0.9, 'under_1': 0.7, 'accuracy': classifier_accuracy, 'ece': "
           "[ece_before, ece_after], 'under': 0.05, 'temperature': scaler.temperature, "
           "'entropy_30_deg': {m: entropy['rotation (degrees)', m][3] / "
           "entropy['rotation (degrees)', m][0] for m in ('MC dropout', 'ensemble')}, "
           "'entropy_noise': {m: entropy['noise (standard deviation)', m][-1] / "
           "entropy['noise (standard deviation)', m][0] for m in ('MC dropout', 'ensemble')}, "
           "'seconds': {k: round(v) for k, v in sections.items()}}",
}


def graded_on_one_core(root: Path) -> None:
    """Run root's run_autograder pinned to one core; print its seconds."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    start = time.perf_counter()
    subprocess.run([str(root / "source" / "run_autograder")], check=True,
                   env={**os.environ, "AUTOGRADER_ROOT": str(root)}, stdout=subprocess.DEVNULL)
    print(time.perf_counter() - start)


def graded_runs(scratch: Path, tags: list[str]) -> None:
    from autograder.local_grading import prepare_root
    from autograder.notebook_grade import is_notebook_test
    from autograder.release import MODEL_ANSWER, release

    print("grading the model answer and the source notebook on one core (seconds, notebook "
          "points)")
    for folder in release(ROOT, scratch / "dist", secret_seeds=(1,), tags=tags, progress=False):
        root = scratch / f"root-{folder.name}"
        prepare_root(folder / "autograder.zip", root)
        (root / "submission").mkdir()
        subprocess.run(["cp", "-r", str(ROOT / MODEL_ANSWER), str(root / "submission")], check=True)
        subprocess.run(["cp", str(ROOT / "assignments" / TAGS[folder.name] / "notebook.ipynb"),
                        str(root / "submission")], check=True)
        run = subprocess.run([sys.executable, __file__, "one-core", str(root)], check=True,
                             capture_output=True, text=True)
        seconds = float(run.stdout)
        tests = json.loads((root / "results" / "results.json").read_text())["tests"]
        cells = [t for t in tests if is_notebook_test(t)]
        print(f"  {folder.name}  {seconds:6.1f} s  notebook "
              f"{sum(t['score'] for t in cells):g} / {sum(t['max_score'] for t in cells):g}")


def seeded_runs(tags: list[str], seeds: range) -> None:
    import nbformat

    from autograder.assignment import Assignment
    from autograder.notebook_run import execute
    from autograder.release import MODEL_ANSWER

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"the graded run, seeds {seeds.start}-{seeds.stop - 1}, one core (seconds, measured "
          "values, the kernel's peak memory)")
    for tag, (code, package) in itertools.product(tags, [
            ("model answer", ROOT / MODEL_ANSWER), ("reference", ROOT / "reference" / "minidl")]):
        folder = ROOT / "assignments" / TAGS[tag]
        profile = Assignment.load(folder).notebook_settings.profile
        env = {"PYTHONPATH": os.pathsep.join([str(package.parent), str(ROOT)]),
               "OPENBLAS_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", **profile}
        for seed in seeds:
            notebook = nbformat.read(folder / "notebook.ipynb", as_version=4)
            for cell in notebook.cells:
                cell.source = re.sub(r"seed(\(|=)0\b", rf"seed\g<1>{seed}", cell.source)
            notebook.cells.append(nbformat.v4.new_code_cell(
                "import json, resource\nprint('MEASURED', json.dumps({**" + MEASURED[tag] +
                ", 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))"))
            with tempfile.TemporaryDirectory() as scratch:
                start = time.perf_counter()
                execute(notebook, Path(scratch) / "run", Path(scratch) / "cells.jsonl", 600, env)
                seconds = time.perf_counter() - start
                failed = [json.loads(line) for line in (Path(scratch) / "cells.jsonl").open()
                          if '"ok"' not in line]
            printed = "".join(o.get("text", "") for o in notebook.cells[-1].get("outputs", []))
            print(f"  {tag} {code} seed {seed}: {seconds:5.1f} s  {printed.strip()}  "
                  f"{'errors: ' + str([f.get('error') for f in failed]) if failed else 'all cells ran'}",
                  flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["one-core"]:
        graded_on_one_core(Path(sys.argv[2]))
    else:
        chosen = [t for t in sys.argv[2:] if t in TAGS] or list(TAGS)
        if sys.argv[1:2] != ["seeds"]:
            with tempfile.TemporaryDirectory() as scratch:
                graded_runs(Path(scratch), chosen)
        if sys.argv[1:2] != ["graded"]:
            seeded_runs(chosen, range(5))
