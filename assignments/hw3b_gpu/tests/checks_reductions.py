"""Section 3: reductions in shared memory, one block per output element."""
from autograder.checks import graded
from _hw3b_arrays import float32_rounding_hint, floats

ROW_LENGTHS = (1, 5, 16, 17, 40)  # around and beyond the block size of 16 threads


@graded(points=5, number="3.1", cases=2, rtol=1e-5, atol=1e-5)
def sum_and_max(mdl, rng):
    """sum and max of rows shorter than, as long as and longer than a block; keepdims"""
    out = {}
    for length in ROW_LENGTHS:
        rows = int(rng.integers(1, 3))
        a = mdl.cuda().array(floats(rng, (rows, length)))
        out |= {f"sum {rows}x{length}": a.sum(axis=1), f"max {rows}x{length}": a.max(axis=1)}
    columns = mdl.cuda().array(floats(rng, (5, 3)))
    out["sum of columns, keepdims"] = columns.sum(axis=0, keepdims=True)
    return out


@graded(points=2, number="3.2", cases=2, rtol=1e-10, atol=1e-10,
        hint=float32_rounding_hint)
def reductions_in_float64(mdl, rng):
    """sum and max of float64 arrays to float64's precision, over the last axis counted from
    the end, two axes at once and all of them (None), rows longer than a block"""
    rows = mdl.cuda().array(floats(rng, (2, int(rng.integers(17, 24))), dtype="float64"),
                            "float64")
    return {"sum axis -1": rows.sum(axis=-1), "max axis None": rows.max(axis=None),
            "sum axes (0, -1), keepdims": rows.sum(axis=(0, -1), keepdims=True)}
