import math
import re

import numpy as np
import pytest

from hptune.exceptions import ExhaustedSpaceWarning, NumericalWarning
from hptune.space import Real
from hptune.strategies import BayesOptimizer, EvolutionOptimizer, RandomOptimizer
from hptune.strategies._base import clean_scores, model_scores, score_scale


def test_clean_scores_maps_failures_to_worst():
    np.testing.assert_array_equal(clean_scores([1.0, np.nan, 3.0, -np.inf]), [1.0, 1.0, 3.0, 1.0])
    np.testing.assert_array_equal(clean_scores([np.nan, np.nan]), [0.0, 0.0])


def test_clean_scores_clips_plus_inf_with_warning():
    with pytest.warns(NumericalWarning, match=r"\+inf was clipped"):
        np.testing.assert_array_equal(clean_scores([1.0, np.inf, 2.0]), [1.0, 2.0, 2.0])


def test_ask_tell_history_and_best():
    opt = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    params = opt.ask(4)
    opt.tell(params, [0.1, np.nan, 0.7, 0.3])
    assert opt.n_told == 4 and opt.best_score == 0.7 and opt.best_params is params[2]
    assert len(opt._pending) == 0


def test_best_is_nan_while_everything_failed():
    opt = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    opt.tell(opt.ask(2), [np.nan, np.nan])
    assert math.isnan(opt.best_score) and opt.best_params is None


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_ask_validates_n(n):
    opt = RandomOptimizer({"x": Real(0, 1)})
    with pytest.raises(ValueError, match=re.escape(f"The 'n' parameter of RandomOptimizer.ask must be an int in the range [1, inf). Got {n!r}")):
        opt.ask(n)


def test_tell_validates_lengths_and_points():
    opt = RandomOptimizer({"x": Real(0, 1)})
    with pytest.raises(ValueError, match="tell got 1 points but 2 scores"):
        opt.tell([{"x": 0.5}], [1.0, 2.0])
    with pytest.raises(ValueError, match="Parameter 'x'"):
        opt.tell([{"x": 5.0}], [1.0])


STRATEGIES = [RandomOptimizer, BayesOptimizer, EvolutionOptimizer]


@pytest.mark.parametrize("cls", STRATEGIES)
@pytest.mark.parametrize(
    "point, err, match",
    [
        (
            {"x": 0.5, "k": 1, "lr": 0.1},
            ValueError,
            (
                "tell got a point with the parameter(s) 'lr', which the search space does not "
                "have; its parameters are ['x', 'k']. Got {'k': 1, 'lr': 0.1, 'x': 0.5}."
            ),
        ),
        (
            {"x": 0.5, "k": 1, "a": 1, "b": 2},
            ValueError,
            "tell got a point with the parameter(s) 'a', 'b', which",
        ),
        ({"x": 0.5}, ValueError, "A point is missing the parameter 'k'."),
        ([0.5, 1], TypeError, "tell expects parameter dicts (names to values). Got a list: [0.5, 1]."),
    ],
)
def test_tell_rejects_points_without_exactly_the_space_names(cls, point, err, match):
    opt = cls({"x": Real(0, 1), "k": [1, 2]}, random_state=0)
    good = {"x": 0.25, "k": 2}
    with pytest.raises(err, match=re.escape(match)):
        opt.tell([good, point], [1.0, 2.0])
    assert opt.n_told == 0  # nothing of a rejected batch is recorded
    opt.tell([good], [1.0])
    assert opt.n_told == 1


def test_score_scale_is_one_for_every_practical_score():
    assert score_scale([1e150, -3.0, np.nan, np.inf, 5e-324]) == 1.0
    assert score_scale([np.nan, -np.inf]) == 1.0


@pytest.mark.parametrize("top", [np.finfo(float).max, -1.7e308, 1e300, 2.0**500])
def test_model_scores_are_exact_power_of_two_multiples_below_2_to_500(top):
    y = np.array([top, top / 3, 1.0, np.nan, -np.inf, np.inf])
    with pytest.warns(NumericalWarning, match=r"\+inf was clipped"):
        y_model, scale = model_scores(y)
    assert scale == score_scale(y) and scale == 2.0 ** round(math.log2(scale)) and scale > 1
    assert np.all(np.abs(y_model) < 2.0**500) and np.abs(y_model).max() >= 2.0**499
    with pytest.warns(NumericalWarning, match=r"\+inf was clipped"):
        np.testing.assert_array_equal(y_model * scale, clean_scores(y))


def test_finite_space_is_exhausted_without_repeats():
    opt = RandomOptimizer({"k": [1, 2, 3], "c": ["a", "b"]}, random_state=0)
    first = opt.ask(4)
    opt.tell(first, [0, 1, 2, 3])
    with pytest.warns(ExhaustedSpaceWarning, match="Only 2 of the 5 requested points are new"):
        rest = opt.ask(5)
    seen = {(p["k"], p["c"]) for p in first + rest}
    assert len(seen) == 6
    with pytest.warns(ExhaustedSpaceWarning):
        assert opt.ask(1) == []


def test_state_round_trip_continues_identically():
    a = RandomOptimizer({"x": Real(0, 1), "k": ["a", "b", "c"]}, random_state=3)
    a.tell(a.ask(3), [1.0, 2.0, np.nan])
    state = a.state_dict()
    b = RandomOptimizer({"x": Real(0, 1), "k": ["a", "b", "c"]}, random_state=99).load_state_dict(state)
    assert a.ask(3) == b.ask(3)
    np.testing.assert_array_equal(b.y_, [1.0, 2.0, np.nan])


def test_state_for_other_space_is_rejected():
    state = RandomOptimizer({"x": Real(0, 1)}).state_dict()
    with pytest.raises(ValueError, match="different search space"):
        RandomOptimizer({"x": Real(0, 2)}).load_state_dict(state)
    with pytest.raises(ValueError, match="format"):
        RandomOptimizer({"x": Real(0, 1)}).load_state_dict({**state, "format": 99})


def test_space_of_constants_has_one_point():
    opt = RandomOptimizer({"c": ["only"], "d": [3]}, random_state=0)
    assert opt.ask(1) == [{"c": "only", "d": 3}]
    opt.tell([{"c": "only", "d": 3}], [1.0])
    with pytest.warns(ExhaustedSpaceWarning):
        assert opt.ask(2) == []


def test_fresh_is_fast_for_mid_sized_discrete_spaces():
    # 40,000 points are enumerated and deduplicated in one pass.
    opt = RandomOptimizer({"a": list(range(200)), "b": list(range(200))}, random_state=0)
    points = opt.ask(500)
    assert len({(p["a"], p["b"]) for p in points}) == 500
