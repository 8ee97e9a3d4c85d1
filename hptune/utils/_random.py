"""Random-state helpers for the numpy-only core.

The core layers must not import scikit-learn, so they get their own copy of the
glossary rule for ``random_state``. Child seeds are drawn in a fixed order from
one generator, before any parallel dispatch, so results depend on neither
``n_jobs`` nor the joblib backend.
"""

import numbers

import numpy as np

# Child seeds are drawn below 2**31 so they are valid for RandomState, Sobol and
# every numpy/scipy API that takes an int seed.
_SEED_BOUND = np.iinfo(np.int32).max


def check_random_state(seed):
    """Turn ``seed`` into a ``numpy.random.RandomState`` instance.

    Parameters
    ----------
    seed : None, int or RandomState instance
        None gives a generator seeded from the operating system, an int a
        generator seeded with it, and a RandomState instance is returned as is.

    Returns
    -------
    rng : numpy.random.RandomState
    """
    if seed is None:
        return np.random.RandomState()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(
        f"random_state must be None, an int or a numpy RandomState instance. Got {seed!r} instead."
    )


def child_seed(rng):
    """Draw one integer seed for a sub-computation from ``rng``."""
    return int(rng.randint(_SEED_BOUND))


def rng_to_state(rng):
    """Return the state of a RandomState as JSON-friendly plain data."""
    name, keys, pos, has_gauss, cached = rng.get_state()
    return {
        "name": name,
        "keys": [int(k) for k in keys],
        "pos": int(pos),
        "has_gauss": int(has_gauss),
        "cached_gaussian": float(cached),
    }


def rng_from_state(state):
    """Rebuild a RandomState from :func:`rng_to_state` output."""
    rng = np.random.RandomState()
    rng.set_state(
        (
            state["name"],
            np.asarray(state["keys"], dtype=np.uint32),
            int(state["pos"]),
            int(state["has_gauss"]),
            float(state["cached_gaussian"]),
        )
    )
    return rng
