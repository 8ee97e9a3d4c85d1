"""Shared test configuration."""

import os

import numpy as np
import pytest
from hypothesis import settings

# Property tests are deterministic so that CI never flakes; a scheduled job can
# set HYPOTHESIS_PROFILE=explore for fresh examples.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None)
settings.register_profile("explore", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _seeds():
    value = os.environ.get("HPTUNE_TEST_SEEDS", "0")
    if value == "all":
        return list(range(20))
    return [int(s) for s in value.split(",")]


@pytest.fixture(params=_seeds())
def global_random_seed(request):
    """One fixed seed by default; HPTUNE_TEST_SEEDS=all sweeps twenty."""
    return request.param


@pytest.fixture
def rng(global_random_seed):
    return np.random.RandomState(global_random_seed)
