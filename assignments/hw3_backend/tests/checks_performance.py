"""Section 6: the kernels run in parallel, and matmul's speed against NumPy's (a leaderboard)."""
import time
import warnings

import numpy as np

from autograder.checks import graded

_STRIDED = lambda k, a, o, i: k(a, o, i["shape"], i["strides"], 0)  # noqa: E731
KERNELS = {  # each student kernel and a call with small arguments that compiles and runs it
    "_compact": _STRIDED, "_ewise_setitem": _STRIDED,
    "_scalar_setitem": lambda k, a, o, i: k(a.size, 1.0, o, i["shape"], i["strides"], 0),
    **{f"ewise_{op}": lambda k, a, o, i: k(a, a, o)
       for op in ("mul", "div", "power", "maximum", "eq", "ge")},
    **{f"scalar_{op}": lambda k, a, o, i: k(a, 2.0, o)
       for op in ("mul", "div", "power", "maximum", "eq", "ge")},
    **{f"ewise_{op}": lambda k, a, o, i: k(a, o) for op in ("log", "exp", "tanh")},
    "reduce_sum": lambda k, a, o, i: k(a, o[:4], 4),
    "reduce_max": lambda k, a, o, i: k(a, o[:4], 4),
    "matmul": lambda k, a, o, i: k(a, a, o, 4, 4, 4),
}
SPEED_SIZE = 256
# Of NumPy's (OpenBLAS) GFLOP/s, the grader giving each one thread. Measured on one thread of an
# AVX-512 Xeon (OpenBLAS 100-155 GFLOP/s): the model answer's i, k, j kernel 0.17-0.26x, with a
# float64 row or as float64 dot products 0.09-0.13x, the naive i, j, k loop 0.017x and i, k, j
# adding into out[i * p + j] 0.028x. Full credit for any vectorized kernel, with room for noise.
FULL_CREDIT_RATIO = 0.06


_FRESH = {}  # kernel code -> its fresh compilation, which has diagnostics


def _parallel_loops(kernel, call) -> int:
    """Parallel loops Numba made of the kernel's code (its parallel diagnostics).

    A kernel loaded from Numba's disk cache has no diagnostics: it is compiled afresh then.
    """
    import numba

    a, out = np.arange(16, dtype="float32"), np.zeros(16, dtype="float32")
    index = {"shape": np.array([4, 4]), "strides": np.array([4, 1])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(kernel, a, out, index)
        found = [(kernel.get_metadata(s) or {}).get("parfor_diagnostics")
                 for s in kernel.signatures]
        if not any(found):
            if kernel.py_func not in _FRESH:
                _FRESH[kernel.py_func] = numba.njit(parallel=True)(kernel.py_func)
                call(_FRESH[kernel.py_func], a, out, index)
            fresh = _FRESH[kernel.py_func]
            found = [fresh.get_metadata(fresh.signatures[0])["parfor_diagnostics"]]
    return max(len(d.initial_parfors) for d in found if d)


@graded(points=3, number="6.1", cases=1)
def parallel_loops(mdl, rng):
    """Each kernel is compiled with parallel=True and has a loop Numba runs in parallel (prange)"""
    kernels = mdl.backends.numba_backend
    out = {}
    for name, call in KERNELS.items():
        kernel = getattr(kernels, name)
        out[f"{name}: parallel=True"] = bool(getattr(kernel, "targetoptions", {}).get("parallel"))
        out[f"{name}: has a parallel loop"] = _parallel_loops(kernel, call) > 0
    return out


def _gflops(matmul, a, b, repeats: int = 10) -> float:
    matmul(a, b)  # compiles, if it must
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * SPEED_SIZE ** 3 / best / 1e9


def _correct(outputs):
    return None if outputs["correct"] else "matmul's result is wrong (see check 5.1)"


def _speed_credit(outputs):
    ratio = float(outputs["x NumPy"])
    if ratio >= FULL_CREDIT_RATIO:
        return 1.0, None
    return ratio / FULL_CREDIT_RATIO, (
        f"your matmul ran at {float(outputs['your GFLOP/s']):.2f} GFLOP/s, {ratio:.3f}x NumPy's "
        f"{float(outputs['NumPy GFLOP/s']):.1f}; full credit from "
        f"{FULL_CREDIT_RATIO}x (see the handout on blocking)")


@graded(points=3, number="6.2", cases=1, golden=False, verify=_correct, credit=_speed_credit,
        leaderboard="x NumPy")
def matmul_speed(mdl, rng):
    """matmul's GFLOP/s at 256x256x256 float32 as a fraction of NumPy's, measured in the same run"""
    a, b = (rng.standard_normal((SPEED_SIZE, SPEED_SIZE)).astype("float32") for _ in range(2))
    numba_a, numba_b = mdl.cpu_numba().array(a), mdl.cpu_numba().array(b)
    numpy_a, numpy_b = mdl.cpu().array(a), mdl.cpu().array(b)
    yours = _gflops(lambda x, y: x @ y, numba_a, numba_b)
    numpy = _gflops(lambda x, y: x @ y, numpy_a, numpy_b)
    correct = np.allclose((numba_a @ numba_b).numpy(), a @ b, rtol=1e-3, atol=1e-3)
    return {"x NumPy": yours / numpy, "your GFLOP/s": yours, "NumPy GFLOP/s": numpy,
            "correct": correct}
