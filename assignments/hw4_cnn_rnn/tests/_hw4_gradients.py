"""Numerical gradients for hw4's gradient checks."""
import numpy as np

STEP = 1e-6


def numerical_gradient(function, x: np.ndarray) -> np.ndarray:
    """Central differences of the scalar `function` at `x`, one coordinate at a time."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        bumped = x.copy()
        bumped[index] += STEP
        up = function(bumped)
        bumped[index] -= 2 * STEP
        grad[index] = (up - function(bumped)) / (2 * STEP)
    return grad

