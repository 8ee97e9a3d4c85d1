import numpy as np
import pytest

from hptune.strategies import RandomOptimizer, minimize


def test_list_space_calls_with_lists_and_reports_skopt_fields():
    seen = []

    def f(x):
        seen.append(x)
        return (x[0] - 1) ** 2 + abs(x[1])

    res = minimize(f, [(-3.0, 3.0), (-2, 2)], method="random", n_calls=20, random_state=0)
    assert all(isinstance(x, list) and type(x[1]) is int for x in seen)
    assert len(res.x_iters) == 20 and res.func_vals.shape == (20,)
    assert res.fun == pytest.approx(min(res.func_vals)) and res.fun == f(res.x)


def test_dict_space_calls_with_dicts():
    res = minimize(lambda p: p["a"] ** 2, {"a": (-1.0, 1.0)}, method="random", n_calls=5, random_state=0)
    assert set(res.best_params) == {"a"} and len(res.params) == 5


def test_x0_y0_are_told_first():
    res = minimize(lambda x: x[0], [(0.0, 1.0)], method="random", n_calls=3, x0=[[0.0]], y0=[-5.0], random_state=0)
    assert res.fun == -5.0 and len(res.x_iters) == 4


def test_callback_stops():
    res = minimize(lambda x: x[0], [(0.0, 1.0)], method="random", n_calls=10, callback=lambda r: len(r.x_iters) >= 4)
    assert len(res.x_iters) == 4


def test_failures_are_kept_as_nan():
    res = minimize(lambda x: np.nan if x[0] > 0.5 else x[0], [(0.0, 1.0)], method="random", n_calls=20, random_state=1)
    assert np.isnan(res.func_vals).any() and np.isfinite(res.fun)


def test_method_validation_and_instances():
    with pytest.raises(ValueError, match="method must be one of"):
        minimize(lambda x: 0.0, [(0.0, 1.0)], method="annealing")
    opt = RandomOptimizer({"x0": (0.0, 1.0)}, random_state=0)
    assert len(minimize(lambda x: x[0], [(0.0, 1.0)], method=opt, n_calls=3).x_iters) == 3
    with pytest.raises(ValueError, match="another space"):
        minimize(lambda x: 0.0, [(0.0, 2.0)], method=opt)
