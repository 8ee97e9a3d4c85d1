"""Tests of PBT's model-based explore (``explore="bandit"``)."""

import math
import re

import numpy as np
import pytest

from hptune.space import Categorical, Real
from hptune.strategies._pbt import PBTScheduler
from hptune.strategies._pbt_bandit import _MAX_ROWS, ImprovementModel, improvement_data

LR = {"lr": Real(1e-5, 1.0, "log-uniform")}


def _gain(params):
    """Improvement per step of a toy learner: a narrow peak at lr = 1e-2 (log scale)."""
    return math.exp(-(((math.log10(params["lr"]) + 2.0) / 0.3) ** 2))


def _train(explore, seed, n_steps=8, population_size=8):
    """Run the scheduler on the toy learner; return its best final score."""
    scheduler = PBTScheduler(
        LR, population_size=population_size, explore=explore, random_state=seed
    )
    noise = np.random.RandomState(100 + seed)
    scores = np.zeros(population_size)
    for step in range(n_steps):
        params = scheduler.ask()
        scores = scores + [_gain(p) for p in params] + noise.normal(0, 0.02, population_size)
        parents = scheduler.tell(scores, perturb=step < n_steps - 1)
        scores = scores[parents]
    return scores.max()


def test_improvements_follow_the_lineage():
    scheduler = PBTScheduler(LR, population_size=4, random_state=0)
    scheduler.ask()
    parents = scheduler.tell([0.1, 0.9, 0.5, 0.7])
    assert parents.tolist() == [1, 1, 2, 3]
    scheduler.ask()
    scheduler.tell([1.0, 1.2, 0.6, 0.75])
    space = scheduler.spaces[0]
    X, y = improvement_data(scheduler.history_, space, n_told=2)
    # Step 1 only; member 0 continued from member 1's model (0.9).
    np.testing.assert_allclose(y, [1.0 - 0.9, 1.2 - 0.9, 0.6 - 0.5, 0.75 - 0.7])
    np.testing.assert_allclose(X[:, 0], 0.5)  # t = step / steps told
    # Before any improvement is known, the step-0 scores stand in.
    _, y0 = improvement_data(scheduler.history_[:4], space, n_told=1)
    np.testing.assert_allclose(y0, [0.1, 0.9, 0.5, 0.7])


def test_failed_steps_enter_the_model_as_the_worst_improvement():
    scheduler = PBTScheduler(LR, population_size=5, random_state=0)
    scheduler.ask()
    scheduler.tell([np.nan, 0.9, 0.5, 0.7, 0.6])
    X, y = improvement_data(scheduler.history_, scheduler.spaces[0], n_told=1)
    np.testing.assert_array_equal(y, [np.nan, 0.9, 0.5, 0.7, 0.6])
    np.testing.assert_array_equal(X[:, 0], [1.0, 0.0, 0.0, 0.0, 0.0])  # failures at the next step
    model = ImprovementModel.fit(scheduler.history_, scheduler.spaces[0], 1, np.random.RandomState(0))
    np.testing.assert_allclose(model.gp.unstandardise(model.gp.y_train_), [0.5, 0.9, 0.5, 0.7, 0.6])


def test_failures_of_every_step_are_kept_and_a_failed_start_has_no_improvement():
    scheduler = PBTScheduler(LR, population_size=4, random_state=0)
    scheduler.ask()
    parents = scheduler.tell([np.nan, -np.inf, 0.5, 0.7])
    # One pair (a quarter of 4): one failed member copies member 3, the other
    # continues from its own failed model.
    [copier] = np.flatnonzero(parents != np.arange(4))
    assert copier in (0, 1) and parents[copier] == 3
    scheduler.ask()
    step_1 = np.array([1.0, 1.0, 0.6, 0.8])
    step_1[copier] = np.nan
    scheduler.tell(step_1, perturb=False)
    X, y = improvement_data(scheduler.history_, scheduler.spaces[0], n_told=2)
    # Both step-0 failures, then step 1 in member order without the member
    # that trained from a failed model: its improvement is undefined.
    np.testing.assert_array_equal(y, [np.nan, np.nan, np.nan, 0.6 - 0.5, 0.8 - 0.7])
    np.testing.assert_array_equal(X[:, 0], [1.0, 1.0, 1.0, 0.5, 0.5])


def test_model_prefers_the_candidate_that_improved_most():
    scheduler = PBTScheduler(LR, population_size=8, random_state=0)
    for step in range(3):
        params = scheduler.ask()
        base = [0.0] * 8 if step == 0 else [r["score"] for r in scheduler.history_[-8:]]
        scheduler.tell([b + _gain(p) for b, p in zip(base, params)], perturb=False)
    model = ImprovementModel.fit(scheduler.history_, scheduler.spaces[0], 3, np.random.RandomState(0))
    candidates = [{"lr": 1e-5}, {"lr": 1e-2}, {"lr": 0.9}]
    assert model.choose(candidates) == {"lr": 1e-2}


def test_assigned_configurations_lose_their_uncertainty():
    scheduler = PBTScheduler(LR, population_size=6, random_state=0)
    scheduler.ask()
    scheduler.tell(np.linspace(0, 1, 6))
    model = ImprovementModel.fit(scheduler.history_, scheduler.spaces[0], 1, np.random.RandomState(0))
    point = [{"lr": 3e-3}]
    _, before = model.gp.predict(model._inputs(point))
    _, after = model.assign(point).gp.predict(model._inputs(point))
    assert after[0] < 0.5 * before[0]


def test_too_few_scores_fall_back_to_random_perturbation():
    runs = []
    for explore in ("perturb", "bandit"):
        scheduler = PBTScheduler(LR, population_size=3, explore=explore, random_state=0)
        scheduler.ask()
        scheduler.tell([0.1, 0.9, 0.5])  # 3 scores: fewer than the model needs
        runs.append(scheduler.ask())
    assert runs[0] == runs[1]
    assert ImprovementModel.fit([], scheduler.spaces[0], 1, None) is None


def test_bandit_stays_in_the_space_with_subspaces_and_categoricals():
    spaces = [
        {"lr": Real(1e-4, 1e-1, "log-uniform"), "kind": Categorical(["a", "b"])},
        {"depth": Real(1.0, 8.0)},
    ]
    scheduler = PBTScheduler(spaces, population_size=8, explore="bandit", random_state=0)
    rng = np.random.RandomState(0)
    for _ in range(5):
        scheduler.ask()
        scheduler.tell(rng.uniform(size=8))
    for params, s in zip(scheduler.ask(), scheduler.subspace_):
        assert scheduler.spaces[s].contains(params)


def test_bandit_is_deterministic():
    assert _train("bandit", 3) == _train("bandit", 3)


def test_bandit_beats_random_perturbation_on_a_toy_learner():
    # Fixed seeds. Measured means over these 8 seeds: bandit 7.38 (7.15 before
    # the warm-started, cheaper model), perturb 6.22 (8.0 is the most any member
    # can reach), so the margin is well under the gap.
    seeds = range(8)
    bandit = np.mean([_train("bandit", s) for s in seeds])
    perturb = np.mean([_train("perturb", s) for s in seeds])
    assert bandit > perturb + 0.45, (bandit, perturb)


# alpha fails above 1e-2 on a log range [1e-5, 1]: 2 of 5 decades, 40% of the prior.
ALPHA = {"alpha": Real(1e-5, 1.0, "log-uniform")}
FAILS_ABOVE = 1e-2


def _moves_into_failures(explore, seed, n_steps=4, population_size=8):
    """Explore moves and how many land where training fails, on a synthetic learner.

    Each step adds a smooth gain that grows with alpha up to 10**-2.5, next
    to the failing region (as a learning rate trains faster until it
    diverges), plus noise; a member whose alpha fails scores NaN.
    """
    scheduler = PBTScheduler(ALPHA, population_size=population_size, explore=explore, random_state=seed)
    noise = np.random.RandomState(100 + seed)
    scores = np.zeros(population_size)
    n_moves = n_bad = 0
    for step in range(n_steps):
        alpha = np.array([p["alpha"] for p in scheduler.ask()])
        gain = np.exp(-(((np.log10(alpha) + 2.5) / 1.5) ** 2)) + noise.normal(0, 0.05, population_size)
        scores = np.where(alpha > FAILS_ABOVE, np.nan, scores + gain)
        parents = scheduler.tell(scores, perturb=step < n_steps - 1)
        scores = scores[parents]
        moved = np.flatnonzero(parents != np.arange(population_size))
        n_moves += len(moved)
        n_bad += sum(scheduler.population_[i]["alpha"] > FAILS_ABOVE for i in moved)
    return n_moves, n_bad


def test_bandit_learns_to_avoid_where_training_fails():
    # Fixed seeds, 24 explore moves. Measured: none into the failing region;
    # 2 of 24 with explore="perturb" (resamples from the prior), and 14 of 24
    # when failed steps were left out of the model (the failing region then
    # looked unexplored, so the most uncertain). The bound, a quarter of the
    # prior's 40%, is far from the 0 measured and from the 58% of a model
    # that ignores failures.
    n_moves, n_bad = np.sum([_moves_into_failures("bandit", seed) for seed in range(4)], axis=0)
    assert n_moves == 24
    assert n_bad <= 0.1 * n_moves, (n_bad, n_moves)


def test_invalid_explore():
    with pytest.raises(ValueError, match=re.escape("The 'explore' parameter of PBTScheduler must be one of ['perturb', 'bandit']")):
        PBTScheduler(LR, explore="gp")


def _told(scheduler, rng, n_steps):
    """Tell ``n_steps`` steps of noisy scores that grow with log10(lr)."""
    for _ in range(n_steps):
        params = scheduler.ask()
        scheduler.tell([math.log10(p["lr"]) + rng.normal(0, 0.1) for p in params])


def test_bandit_model_is_warm_started_and_resumes_exactly_from_its_state():
    from hptune.search._checkpoint_file import CHECKPOINT_FORMAT, checkpoint_bytes, load_checkpoint

    scheduler = PBTScheduler(LR, population_size=8, explore="bandit", random_state=0)
    _told(scheduler, np.random.RandomState(0), 6)
    [warm] = scheduler.state_dict()["bandit"]
    # The GP's kernel hyperparameters are kept for the next round's fit.
    assert len(warm["theta"]) == 1 + 1 + 2 and warm["restarted_at"] > 0
    # Through the plain data of a checkpoint file, the run continues as if
    # never interrupted, the bandit's warm start included.
    tree = {"format": CHECKPOINT_FORMAT, "strategy": scheduler.state_dict()}
    state = load_checkpoint(checkpoint_bytes(tree))["strategy"]
    resumed = PBTScheduler(LR, population_size=8, explore="bandit", random_state=1)
    resumed.load_state_dict(state)
    _told(scheduler, np.random.RandomState(1), 6)
    _told(resumed, np.random.RandomState(1), 6)
    assert resumed.ask() == scheduler.ask()
    assert resumed.state_dict()["bandit"] == scheduler.state_dict()["bandit"]


def test_bandit_model_keeps_only_the_most_recent_rows():
    scheduler = PBTScheduler(LR, population_size=16, explore="bandit", random_state=0)
    _told(scheduler, np.random.RandomState(0), 12)
    X, y = improvement_data(scheduler.history_, scheduler.spaces[0], n_told=12)
    assert len(y) == _MAX_ROWS < 11 * 16
    # The rows kept are those of the last steps (t = step / steps told).
    np.testing.assert_allclose(X[:, 0].min(), (12 - _MAX_ROWS // 16) / 12)
    # With one space every row belongs to it: skipping the test changes nothing.
    X1, y1 = improvement_data(scheduler.history_, scheduler.spaces[0], 12, every_row_in_space=True)
    np.testing.assert_array_equal(X1, X)
    np.testing.assert_array_equal(y1, y)


def test_a_batch_of_explores_follows_the_single_explore_rule():
    # The bandit's candidates draw their random numbers in one block; each is
    # still one explore: a log value moves by 0.8 or 1.2 or is resampled,
    # an ordinal moves to a neighbour or is resampled.
    space = {"lr": Real(1e-5, 1.0, "log-uniform"), "batch": [16, 32, 64, 128, 256]}
    scheduler = PBTScheduler(space, population_size=4, random_state=0)
    start = {"lr": 1e-3, "batch": 64}
    candidates = scheduler._explores(start, 0, 2000)
    ratios = np.array([c["lr"] / start["lr"] for c in candidates])
    moved = np.isclose(ratios, 0.8) | np.isclose(ratios, 1.2)
    assert 0.70 < moved.mean() < 0.80  # 1 - resample_probability = 0.75
    assert 0.30 < np.isclose(ratios, 1.2).mean() < 0.45
    batches = np.array([c["batch"] for c in candidates])
    neighbour = np.isin(batches, [32, 128])
    assert 0.75 < neighbour.mean() < 0.90  # 0.75, plus resamples that land there
    assert set(batches) <= {16, 32, 64, 128, 256}
