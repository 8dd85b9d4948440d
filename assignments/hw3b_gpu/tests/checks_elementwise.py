"""Section 2: elementwise kernels, one GPU thread per element."""
from autograder.checks import graded
from _hw3b_arrays import float32_rounding_hint, floats

SIZES = (1, 7, 33)  # 33 needs three blocks of 16 threads


@graded(points=5, number="2.1", cases=2)
def binary_kernels(mdl, rng):
    """+, *, /, **, maximum, == and >=, array by array and array by scalar"""
    out = {}
    for n in SIZES:
        a = mdl.cuda().array(floats(rng, (n,), 0.5, 2.0).round(1))
        b = mdl.cuda().array(floats(rng, (n,), 0.5, 2.0).round(1))
        s = round(float(rng.uniform(0.5, 2.0)), 1)
        out |= {f"a+b n={n}": a + b, f"a+s n={n}": a + s, f"a*b n={n}": a * b,
                f"a*s n={n}": a * s, f"a/b n={n}": a / b, f"a/s n={n}": a / s,
                f"a**b n={n}": a ** b, f"a**s n={n}": a ** s, f"max(a,b) n={n}": a.maximum(b),
                f"max(a,s) n={n}": a.maximum(s), f"a==b n={n}": a == b, f"a==s n={n}": a == s,
                f"a>=b n={n}": a >= b, f"a>=s n={n}": a >= s}
    return out


@graded(points=2, number="2.2", cases=2)
def unary_kernels(mdl, rng):
    """log, exp and tanh"""
    out = {}
    for n in SIZES:
        a = mdl.cuda().array(floats(rng, (n,), 0.1, 3.0))
        out |= {f"log n={n}": a.log(), f"exp n={n}": a.exp(), f"tanh n={n}": a.tanh()}
    return out


@graded(points=1, number="2.3", cases=2, rtol=1e-12, atol=1e-14,
        hint=float32_rounding_hint)
def kernels_in_float64(mdl, rng):
    """Every binary, scalar and unary kernel on float64 arrays, with a float64 scalar"""
    n = 17  # two blocks of 16 threads, the second with one live thread
    a = mdl.cuda().array(floats(rng, (n,), 0.5, 2.0, "float64"), "float64")
    b = mdl.cuda().array(floats(rng, (n,), 0.5, 2.0, "float64"), "float64")
    s = float(rng.uniform(0.5, 2.0))  # every digit of a float64 in use
    halves = mdl.cuda().array(rng.integers(-4, 5, n) / 2, "float64")  # ties occur
    return {"a+b": a + b, "a+s": a + s, "a*b": a * b, "a*s": a * s, "a/b": a / b, "a/s": a / s,
            "a**b": a ** b, "a**s": a ** s, "max(a,b)": a.maximum(b), "max(a,s)": a.maximum(s),
            "a==b": halves == halves[::-1].compact(), "a==s": halves == 0.5,
            "a>=b": halves >= halves[::-1].compact(), "a>=s": halves >= -0.5,
            "log": a.log(), "exp": a.exp(), "tanh": (a - 1.25).tanh()}
