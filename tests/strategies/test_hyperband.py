"""HyperbandScheduler: the plan of brackets, promotions, budget, proposals and state."""

import math
import re

import numpy as np
import pytest

from hptune.exceptions import ExhaustedSpaceWarning
from hptune.strategies import HyperbandScheduler
from hptune.strategies._hyperband import bracket_rungs, plan_brackets, rung_cost

SPACE = {"x": (0.0, 1.0), "y": (0.0, 1.0)}


def _objective(params, resource, max_resources):
    """A smooth score whose ranking sharpens with the resource (noise shrinks).

    A point of another sub-space ({"z": ...}) scores by its own coordinate.
    """
    if "z" in params:
        return -abs(params["z"] - 20) / 50
    true = -((params["x"] - 0.3) ** 2 + (params["y"] - 0.7) ** 2)
    wiggle = 0.05 * math.sin(40 * params["x"]) * (1 - resource / max_resources)
    return true + wiggle


def _run(scheduler, objective=_objective, stop_after=None):
    n_rungs = 0
    while jobs := scheduler.ask():
        scheduler.tell(jobs, [objective(j.params, j.resource, scheduler.max_resources) for j in jobs])
        n_rungs += 1
        if stop_after is not None and n_rungs == stop_after:
            break
    return scheduler


def test_one_of_each_bracket_is_hyperbands_table():
    # Li et al. (2018), Table 1: R = 81, eta = 3.
    plan = plan_brackets(81, 1, 3, budget=None)
    assert plan == [
        (4, [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)]),
        (3, [(34, 3), (11, 9), (3, 27), (1, 81)]),
        (2, [(15, 9), (5, 27), (1, 81)]),
        (1, [(8, 27), (2, 81)]),
        (0, [(5, 81)]),
    ]


@pytest.mark.parametrize("max_resources, min_resources, factor", [(81, 1, 3), (100, 4, 3), (60, 20, 3), (1000, 7, 4), (5, 5, 2)])
@pytest.mark.parametrize("budget", [1, 2.5, 7, 30, 200])
@pytest.mark.parametrize("continued", [False, True])
def test_plan_spends_at_most_the_budget_and_ends_every_bracket_at_full_resource(
    max_resources, min_resources, factor, budget, continued
):
    plan = plan_brackets(max_resources, min_resources, factor, budget, continued)
    total = sum(rung_cost(rungs, max_resources, continued) for _, rungs in plan)
    assert plan and total <= budget + 1e-9
    # Less than the cheapest bracket is left over (one full evaluation, or one
    # candidate of the cheapest bracket).
    assert budget - total < 1 + 1e-9 or len(plan) > 1
    for s, rungs in plan:
        assert rungs[-1][1] == max_resources and all(n >= 1 for n, _ in rungs)
        sizes, resources = [n for n, _ in rungs], [r for _, r in rungs]
        assert sizes == sorted(sizes, reverse=True) and resources == sorted(set(resources))
        assert all(r >= min_resources for r in resources) and len(rungs) <= s + 1


def test_brackets_cycle_from_the_smallest_resource_down_to_full_evaluations_only():
    plan = plan_brackets(9, 1, 3, budget=40)
    assert [s for s, _ in plan][:6] == [2, 1, 0, 2, 1, 0]


def test_a_bracket_that_does_not_fit_shrinks_and_jumps_to_full_resource():
    # Full bracket s=2 (9, 3, 1) costs 3; with 2.5 it starts 7 candidates:
    # 7 at 1, 2 at 3, 1 at 9 costs 7/9 + 6/9 + 1 = 2.44.
    assert plan_brackets(9, 1, 3, budget=2.5) == [(2, [(7, 1), (2, 3), (1, 9)])]
    # A rung that would keep one candidate goes straight to the full resource.
    assert bracket_rungs(2, 4, 9, 1, 3) == [(4, 1), (1, 9)]


def test_continued_training_pays_only_the_increment():
    rungs = [(9, 1), (3, 3), (1, 9)]
    assert rung_cost(rungs, 9, continued=False) == pytest.approx(9 / 9 + 9 / 9 + 9 / 9)
    assert rung_cost(rungs, 9, continued=True) == pytest.approx(9 / 9 + 3 * 2 / 9 + 6 / 9)


@pytest.mark.parametrize("proposal", ["random", "bayes"])
def test_scheduler_spends_its_budget_and_promotes_the_best(proposal):
    scheduler = _run(HyperbandScheduler(SPACE, max_resources=27, factor=3, budget=12, proposal=proposal,
                                        random_state=0))
    assert scheduler.done and scheduler.spent <= 12 + 1e-9 and scheduler.n_told == scheduler.n_planned
    ev = scheduler.evaluations_
    for b, i in set(zip(ev["bracket"].tolist(), ev["rung"].tolist())):
        if i == 0:
            continue
        previous = (ev["bracket"] == b) & (ev["rung"] == i - 1)
        promoted = set(ev["candidate"][(ev["bracket"] == b) & (ev["rung"] == i)].tolist())
        # The promoted candidates are exactly the best of the rung below.
        ranked = ev["candidate"][previous][np.argsort(-ev["score"][previous], kind="stable")]
        assert promoted == set(ranked[: len(promoted)].tolist())


def test_best_comes_from_full_resource_evaluations_only():
    def low_resource_flatters(params, resource, max_resources):
        return 10.0 if resource < max_resources else params["x"]

    scheduler = _run(HyperbandScheduler(SPACE, max_resources=9, budget=6, proposal="random", random_state=0),
                     low_resource_flatters)
    ev = scheduler.evaluations_
    full = ev["resource"] == 9
    assert scheduler.best_score == ev["score"][full].max() < 10
    assert scheduler.best_params == scheduler.candidates_[ev["candidate"][full][np.argmax(ev["score"][full])]]


def test_failures_are_never_promoted_and_a_failed_rung_ends_its_bracket():
    def fails_left(params, resource, max_resources):
        return np.nan if params["x"] < 0.5 else params["x"]

    scheduler = _run(HyperbandScheduler(SPACE, max_resources=9, budget=9, proposal="random", random_state=0),
                     fails_left)
    ev = scheduler.evaluations_
    promoted = ev["candidate"][ev["rung"] > 0]
    assert all(scheduler.candidates_[c]["x"] >= 0.5 for c in promoted)
    assert scheduler.done and scheduler.n_told <= scheduler.n_planned

    everything_fails = _run(HyperbandScheduler(SPACE, max_resources=9, budget=6, proposal="bayes", random_state=0),
                            lambda p, r, m: np.nan)
    assert everything_fails.done and np.isnan(everything_fails.best_score)
    assert everything_fails.best_params is None and (everything_fails.evaluations_["rung"] == 0).all()


def test_ask_repeats_until_told_and_tell_checks_the_jobs():
    scheduler = HyperbandScheduler(SPACE, max_resources=9, budget=3, random_state=0)
    jobs = scheduler.ask()
    assert scheduler.ask() == jobs and [j.resource for j in jobs] == [1] * 9
    with pytest.raises(ValueError, match=re.escape("tell expects the jobs of the last ask, in the same order.")):
        scheduler.tell(jobs[::-1], np.zeros(len(jobs)))
    with pytest.raises(ValueError, match=re.escape("tell got 9 jobs but 2 scores.")):
        scheduler.tell(jobs, [0.0, 1.0])


@pytest.mark.parametrize("proposal", ["random", "bayes"])
def test_state_dict_mid_bracket_continues_exactly(proposal):
    def make():
        return HyperbandScheduler([SPACE, {"z": (1, 50)}], max_resources=27, budget=10,
                                  proposal=proposal, random_state=3)

    full = _run(make())
    paused = _run(make(), stop_after=2)  # in the middle of the first bracket
    resumed = _run(make().load_state_dict(paused.state_dict()))
    assert resumed.candidates_ == full.candidates_
    for key, values in full.evaluations_.items():
        np.testing.assert_array_equal(resumed.evaluations_[key], values)


def test_state_of_another_plan_is_refused():
    state = HyperbandScheduler(SPACE, max_resources=27, budget=10, random_state=0).state_dict()
    with pytest.raises(ValueError, match="another plan of brackets"):
        HyperbandScheduler(SPACE, max_resources=27, budget=11, random_state=0).load_state_dict(state)


def test_subspaces_share_new_candidates_in_turn():
    scheduler = HyperbandScheduler([{"a": (0.0, 1.0)}, {"b": (0.0, 1.0)}], max_resources=9, budget=3,
                                   proposal="random", random_state=0)
    jobs = scheduler.ask()
    kinds = [next(iter(j.params)) for j in jobs]
    assert kinds.count("a") == 5 and kinds.count("b") == 4


def test_one_model_over_the_subspaces_puts_new_candidates_where_the_scores_are_good():
    # "bad" ({"z"}) never scores above -1; "good" ({"x"}) peaks at 0 at x = 0.3.
    # After the first bracket (40 candidates), the model's candidates go to
    # "good" while the random third keeps visiting "bad".
    def score(params, resource, max_resources):
        return -1.0 - abs(params["z"] - 20) / 50 if "z" in params else -((params["x"] - 0.3) ** 2)

    def later_candidates(proposal):
        scheduler = _run(HyperbandScheduler([{"x": (0.0, 1.0)}, {"z": (0, 50)}], max_resources=27,
                                            budget=20, proposal=proposal, random_state=0), score)
        return ["x" in p for p in scheduler.candidates_[40:]]

    model, plain = later_candidates("bayes"), later_candidates("random")
    assert np.mean(model) >= 0.6 and np.mean(plain) <= 0.5
    assert len(model) - sum(model) >= 5  # "bad" is not starved


def test_a_finite_space_runs_out_without_repeating_a_candidate():
    scheduler = HyperbandScheduler({"k": [1, 2, 3, 4]}, max_resources=9, budget=6, proposal="bayes",
                                   random_state=0)
    with pytest.warns(ExhaustedSpaceWarning):
        _run(scheduler, lambda p, r, m: p["k"] * r / m)
    keys = [p["k"] for p in scheduler.candidates_]
    assert sorted(keys) == [1, 2, 3, 4] and scheduler.done and scheduler.best_params == {"k": 4}


def test_model_proposals_concentrate_near_the_optimum():
    # Same seed, same plan: after the first bracket, BOHB's new candidates lie
    # much closer to the optimum (0.3, 0.7) than random ones. A wide margin: a
    # factor of 1.5 on the median distance.
    def new_candidates_distance(proposal):
        scheduler = _run(HyperbandScheduler(SPACE, max_resources=27, budget=20, proposal=proposal,
                                            random_state=0))
        later = scheduler.candidates_[40:]
        return np.median([math.hypot(p["x"] - 0.3, p["y"] - 0.7) for p in later])

    assert new_candidates_distance("bayes") * 1.5 < new_candidates_distance("random")


def test_the_model_learns_across_resources_when_small_ones_mislead():
    # The optimum moves from x = 0.9 at the smallest resource to x = 0.1 at the
    # full one, and most scores are at small resources. The model's candidates
    # after the first bracket (two thirds of them) cluster near 0.1: median
    # distance 0.03 (0.10 with a model of the largest resource with enough
    # scores only, as BOHB's; 0.37 at random). Margins: 0.07 and 0.25.
    def objective(params, resource, max_resources):
        fidelity = math.log(resource) / math.log(max_resources)
        return -((params["x"] - (0.9 - 0.8 * fidelity)) ** 2)

    def distance(proposal):
        scheduler = _run(HyperbandScheduler({"x": (0.0, 1.0)}, max_resources=27, budget=20,
                                            proposal=proposal, random_state=0), objective)
        return np.median([abs(p["x"] - 0.1) for p in scheduler.candidates_[27:]])

    assert distance("bayes") < 0.07 and distance("random") > 0.25


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(max_resources=0), "The 'max_resources' parameter of HyperbandScheduler must be an int in the range [1, inf). Got 0 instead."),
        (dict(max_resources=9, min_resources=10), "min_resources=10 exceeds max_resources=9; lower min_resources or raise max_resources."),
        (dict(max_resources=9, factor=1), "The 'factor' parameter of HyperbandScheduler must be an int in the range [2, inf). Got 1 instead."),
        (dict(max_resources=9, budget=0.5), "The 'budget' parameter of HyperbandScheduler must be a number in the range [1, inf). Got 0.5 instead."),
        (dict(max_resources=9, proposal="tpe"), "The 'proposal' parameter of HyperbandScheduler must be one of ['bayes', 'random']. Got 'tpe' instead."),
        (dict(max_resources=9, random_fraction=2), "The 'random_fraction' parameter of HyperbandScheduler must be a number in the range [0, 1]. Got 2 instead."),
        (dict(max_resources=9, min_points=0), "The 'min_points' parameter of HyperbandScheduler must be an int in the range [1, inf). Got 0 instead."),
    ],
)
def test_invalid_parameters_name_the_parameter(params, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        HyperbandScheduler(SPACE, **params)
