"""Synthetic objectives with known minima, shared by tests and benchmarks.

Each function takes a list of values (as :func:`hptune.minimize` passes for a
list space) and returns the value to minimise.
"""

import numpy as np

__all__ = ["FUNCTIONS", "ackley", "branin", "hartmann6", "rastrigin"]

_HARTMANN_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_HARTMANN_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def branin(x):
    """Branin-Hoo on [-5, 10] x [0, 15]; minimum 0.397887."""
    x1, x2 = x
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return float((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10)


def hartmann6(x):
    """Hartmann-6 on [0, 1]^6; minimum -3.32237."""
    x = np.asarray(x, dtype=float)
    inner = np.sum(_HARTMANN_A * (x - _HARTMANN_P) ** 2, axis=1)
    return float(-np.sum(_HARTMANN_ALPHA * np.exp(-inner)))


def rastrigin(x):
    """Rastrigin on [-5.12, 5.12]^d; minimum 0 at the origin."""
    x = np.asarray(x, dtype=float)
    return float(10 * len(x) + np.sum(x**2 - 10 * np.cos(2 * np.pi * x)))


def ackley(x):
    """Ackley on [-32.768, 32.768]^d; minimum 0 at the origin."""
    x = np.asarray(x, dtype=float)
    d = len(x)
    return float(
        -20 * np.exp(-0.2 * np.sqrt(np.sum(x**2) / d))
        - np.exp(np.sum(np.cos(2 * np.pi * x)) / d)
        + 20
        + np.e
    )


#: name -> (function, list of (low, high) bounds, known minimum)
FUNCTIONS = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887),
    "hartmann6": (hartmann6, [(0.0, 1.0)] * 6, -3.32237),
    "rastrigin5": (rastrigin, [(-5.12, 5.12)] * 5, 0.0),
    "ackley10": (ackley, [(-32.768, 32.768)] * 10, 0.0),
}
