"""Section 3: elementwise and scalar kernels, on sizes 1, primes and a long odd size."""
from autograder.checks import graded
from _hw3_arrays import float32_rounding_hint, floats

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


@graded(points=2, number="3.4", rtol=1e-12, atol=1e-14, hint=float32_rounding_hint)
def elementwise_in_float64(mdl, rng):
    """Every elementwise and scalar kernel on float64 arrays, with float64 scalars"""
    out = {}
    device = mdl.cpu_numba()
    for n in (7, 1031):
        a, b = (device.array(rng.uniform(0.5, 2.0, n), "float64") for _ in range(2))
        s = float(rng.uniform(0.5, 2.0))  # every digit of a float64 in use
        out |= {f"a+b n={n}": a + b, f"a+s n={n}": a + s, f"a*b n={n}": a * b,
                f"a*s n={n}": a * s, f"a/b n={n}": a / b, f"a/s n={n}": a / s,
                f"a**b n={n}": a ** b, f"a**s n={n}": a ** s, f"max(a,b) n={n}": a.maximum(b),
                f"max(a,s) n={n}": a.maximum(s), f"log n={n}": a.log(),
                f"exp n={n}": a.exp(), f"tanh n={n}": (a - 1.25).tanh()}
        halves = device.array(rng.integers(-4, 5, n) / 2, "float64")  # ties occur
        t = float(rng.integers(-4, 5)) / 2
        out |= {f"a==b n={n}": halves == halves[::-1].compact(), f"a==s n={n}": halves == t,
                f"a>=b n={n}": halves >= halves[::-1].compact(), f"a>=s n={n}": halves >= t}
    return out
