import re

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
    with pytest.raises(ValueError, match=re.escape("'method' parameter of minimize must be one of")):
        minimize(lambda x: 0.0, [(0.0, 1.0)], method="annealing")
    opt = RandomOptimizer({"x0": (0.0, 1.0)}, random_state=0)
    assert len(minimize(lambda x: x[0], [(0.0, 1.0)], method=opt, n_calls=3).x_iters) == 3
    with pytest.raises(ValueError, match="another space"):
        minimize(lambda x: 0.0, [(0.0, 2.0)], method=opt)


def _never_called(x):
    raise AssertionError("the function must not be called when the arguments are invalid")


@pytest.mark.parametrize(
    "params, err, match",
    [
        ({"n_calls": 0}, ValueError,
         "The 'n_calls' parameter of minimize must be an int in the range [1, inf). Got 0 instead."),
        ({"n_calls": True}, ValueError, "'n_calls' parameter of minimize must be an int in the range [1, inf). Got True"),
        ({"n_calls": 5.0}, ValueError, "'n_calls' parameter of minimize must be an int in the range [1, inf). Got 5.0"),
        ({"n_points": 0}, ValueError, "'n_points' parameter of minimize must be an int in the range [1, inf). Got 0"),
        ({"n_points": True}, ValueError, "'n_points' parameter of minimize must be an int in the range [1, inf). Got True"),
        ({"n_initial_points": False}, ValueError,
         "'n_initial_points' parameter of minimize must be an int in the range [1, inf). Got False"),
        ({"method": ["bayes"]}, ValueError,
         ("The 'method' parameter of minimize must be one of ['bayes', 'evolution', 'random'] or a "
          "Strategy. Got ['bayes'] instead.")),
        ({"callback": "stop"}, TypeError,
         "The 'callback' parameter of minimize must be a callable, a list of callables or None. Got 'stop' instead."),
        ({"callback": [print, 3]}, TypeError, "'callback' parameter of minimize must be a callable"),
        ({"x0": "ab"}, TypeError, "x0 must be a list of points or one point. Got 'ab' instead."),
        ({"x0": [[0.1, 2, 0.3]]}, ValueError, "x0[0] has 3 value(s) but the space has 2 dimension(s)."),
        ({"x0": [[0.1, 2], 5]}, TypeError, "x0[1] must be a list of values or a dict of the space's parameters. Got int 5"),
        ({"x0": [[0.1, 2]], "y0": [1.0, 2.0]}, ValueError,
         "y0 has 2 value(s) but x0 has 1 point(s); give one value per point."),
        ({"y0": [1.0]}, ValueError, "y0 was given without x0; pass the points of its values as x0."),
        ({"x0": [[0.1, 2]], "y0": [None]}, TypeError,
         "y0[0] must be a real number (or an array holding exactly one). Got NoneType None instead."),
        ({"x0": [{"x0": 0.1, "x1": 2, "lr": 1.0}], "y0": [1.0]}, ValueError,
         "tell got a point with the parameter(s) 'lr', which the search space does not have"),
        ({"random_state": "seed"}, ValueError, "random_state must be None, an int or a numpy RandomState"),
    ],
)
def test_invalid_arguments_raise_before_any_call(params, err, match):
    with pytest.raises(err, match=re.escape(match)):
        minimize(_never_called, [(0.0, 1.0), (1, 5)], **params)


def test_func_must_be_callable():
    with pytest.raises(TypeError, match=re.escape("The 'func' parameter of minimize must be a callable. Got None")):
        minimize(None, [(0.0, 1.0)])


@pytest.mark.parametrize(
    "value, shown",
    [
        (None, "NoneType None"),
        ("0.5", "str '0.5'"),
        (np.array([0.5, 1.0]), "ndarray array([0.5, 1. ])"),
        ([0.5], "list [0.5]"),
        (True, "bool True"),
        (1 + 2j, "complex (1+2j)"),
    ],
)
def test_func_returning_no_real_number_names_what_it_returned(value, shown):
    with pytest.raises(TypeError, match=re.escape("must be a real number (or an array holding exactly one). Got " + shown)) as info:
        minimize(lambda x: value, [(0.0, 1.0), (1, 5)], method="random", n_calls=3, random_state=0)
    assert re.match(r"The value of func\(\[0\.\d+, \d\]\)", str(info.value))


@pytest.mark.parametrize("value", [np.array([0.25]), np.array([[0.25]]), np.array(0.25), np.float32(0.25), np.int64(2)])
def test_one_number_in_an_array_or_numpy_scalar_is_accepted(value):
    res = minimize(lambda x: value, [(0.0, 1.0)], method="random", n_calls=2, random_state=0)
    np.testing.assert_array_equal(res.func_vals, [float(np.ravel(value)[0])] * 2)


def test_single_x0_point_and_scalar_y0_as_in_skopt():
    res = minimize(lambda x: x[0], [(0.0, 1.0)], method="random", n_calls=2, x0=[0.3], y0=-1.0, random_state=0)
    assert res.x_iters[0] == [0.3] and res.fun == -1.0
    res = minimize(lambda p: p["a"], {"a": (0.0, 1.0)}, method="random", n_calls=2, x0={"a": 0.3}, random_state=0)
    assert res.params[0] == {"a": 0.3} and res.func_vals[0] == 0.3
