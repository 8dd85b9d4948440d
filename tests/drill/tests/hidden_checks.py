"""A hidden drill check."""
from autograder.checks import graded


@graded(points=1, number="2.1", cases=3, visibility="hidden")
def mul_then_negate(mdl, rng):
    """-(a * b)"""
    a, b = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    return {"-(a*b)": -(mdl.Tensor(a) * mdl.Tensor(b))}
