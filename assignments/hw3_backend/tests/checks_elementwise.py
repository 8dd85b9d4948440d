"""Section 3: elementwise and scalar kernels, on sizes 1, primes and a long odd size."""
from autograder.checks import graded
from _hw3_arrays import floats

SIZES = (1, 7, 13, 1031)


def _operands(mdl, rng, low=-2.0, high=2.0):
    for n in SIZES:
        a, b = floats(rng, (n,), low, high), floats(rng, (n,), low, high)
        yield n, mdl.cpu_numba().array(a), mdl.cpu_numba().array(b), float(rng.uniform(low, high))


@graded(points=3, number="3.1")
def arithmetic(mdl, rng):
    """Multiply, divide and power, array by array and array by scalar"""
    out = {}
    for n, a, b, s in _operands(mdl, rng, 0.5, 2.0):
        out |= {f"a*b n={n}": a * b, f"a*s n={n}": a * s, f"a/b n={n}": a / b,
                f"a/s n={n}": a / s, f"a**b n={n}": a ** b, f"a**s n={n}": a ** s}
    return out


@graded(points=2, number="3.2")
def comparisons_and_maximum(mdl, rng):
    """==, >= and maximum, array by array and array by scalar (1.0 for true, 0.0 for false)"""
    out = {}
    for n, a, b, s in _operands(mdl, rng):
        a, b, s = (a * 2.0).numpy().round(), (b * 2.0).numpy().round(), round(s * 2)
        a, b = mdl.cpu_numba().array(a), mdl.cpu_numba().array(b)  # small integers: ties occur
        out |= {f"a==b n={n}": a == b, f"a==s n={n}": a == s, f"a>=b n={n}": a >= b,
                f"a>=s n={n}": a >= s, f"max(a,b) n={n}": a.maximum(b),
                f"max(a,s) n={n}": a.maximum(s)}
    return out


@graded(points=2, number="3.3")
def log_exp_tanh(mdl, rng):
    """log, exp and tanh elementwise"""
    out = {}
    for n, a, _, _ in _operands(mdl, rng, 0.1, 3.0):
        out |= {f"log n={n}": a.log(), f"exp n={n}": a.exp(), f"tanh n={n}": (a - 1.5).tanh()}
    return out
