"""Output warping: monotone transforms of the scores the GP learns."""

import re

import numpy as np
import pytest

from hptune.space import Real
from hptune.strategies import BayesOptimizer
from hptune.strategies._warping import WARPINGS, copula, warp_scores

# A heavy lower tail: one candidate a thousand times worse than the rest.
HEAVY = np.array([-1e4, -50.0, -3.0, -2.5, -2.0, -1.9])


def test_copula_is_monotone_and_centred():
    y = np.array([0.5, -10.0, 0.51, 0.52, 0.52])
    z = copula(y)
    assert np.all(np.diff(z[np.argsort(y, kind="stable")]) >= 0)
    assert z[2] < z[3] == z[4]
    assert abs(copula(np.array([3.0, -1.0, 7.0])).sum()) < 1e-12  # symmetric without ties
    assert copula(np.array([3.0])).tolist() == [0.0]


@pytest.mark.parametrize("kind", WARPINGS)
def test_every_warping_keeps_the_order(kind):
    rng = np.random.RandomState(0)
    y = -np.exp(rng.normal(scale=3.0, size=40))  # log-normal losses, as scores
    order = np.argsort(y, kind="stable")
    assert np.all(np.diff(warp_scores(y, kind)[order]) >= -1e-12)


@pytest.mark.parametrize("kind", ["copula", "power"])
def test_warping_gives_the_good_scores_their_share_of_the_range(kind):
    def share(v):  # the best two scores' gap, as a share of the whole range
        return (v[-1] - v[-2]) / (v.max() - v.min())

    assert share(warp_scores(HEAVY, kind)) > 10 * share(HEAVY)


def test_no_warping_and_degenerate_inputs():
    assert warp_scores(HEAVY, "none").tolist() == HEAVY.tolist()
    assert warp_scores(np.full(4, 0.7), "power").tolist() == [0.0] * 4
    two = warp_scores(np.array([1.0, 3.0]), "power")
    assert two.tolist() == [-1.0, 1.0]  # too few points to fit an exponent: centred only


def test_unknown_warping_is_refused_with_the_choices():
    message = (
        "The 'output_warping' parameter of BayesOptimizer must be one of "
        "['none', 'copula', 'power']. Got 'rank' instead."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        BayesOptimizer({"x": Real(0.0, 1.0)}, output_warping="rank")


@pytest.mark.parametrize("kind", ["copula", "power"])
def test_warped_optimiser_finds_a_sharp_optimum_under_a_heavy_tail(kind):
    # exp(30 |x - 0.3|): the scores span thirteen orders of magnitude.
    opt = BayesOptimizer({"x": Real(0.0, 1.0)}, n_initial_points=5, output_warping=kind, random_state=0)
    for _ in range(25):
        [p] = opt.ask()
        opt.tell([p], [-np.exp(30.0 * abs(p["x"] - 0.3))])
    assert abs(opt.best_params["x"] - 0.3) < 0.05
    # The GP learned the warped scores: same order as the told ones.
    fitted = opt.gp_.y_train_
    told = np.asarray(opt.y_)[: len(fitted)]  # the GP is fitted at ask, before the last tell
    assert np.array_equal(np.argsort(fitted, kind="stable"), np.argsort(told, kind="stable"))


def test_bayes_search_cv_refuses_an_unknown_warping():
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    from hptune import BayesSearchCV

    search = BayesSearchCV(SVC(), {"C": (1e-2, 1e2, "log-uniform")}, n_iter=2, output_warping="rank")
    with pytest.raises(ValueError, match=re.escape("The 'output_warping' parameter of BayesSearchCV")):
        search.fit(*load_iris(return_X_y=True))


@pytest.mark.parametrize(
    "y",
    [
        [-1e308, 1e308, 0.0, 1.0, 2.0, 3.0],  # the scaling's spread overflows
        [0.0] * 10 + [1e300],  # no spread, and the standard deviation overflows
        [-1.7e308, -1e308, 1.0, 2.0, 3.0, 4.0],
    ],
)
def test_power_warping_survives_scores_near_the_float_limits(y):
    y = np.array(y)
    with np.errstate(all="raise"):
        warped = warp_scores(y, "power")
    assert np.all(np.isfinite(warped))
    order = np.argsort(y, kind="stable")
    assert np.all(np.diff(warped[order]) >= 0)
    # distinct scores stay distinct: the best candidate is still visible
    assert len(np.unique(warped)) == len(np.unique(y))


def test_power_warping_fits_the_same_exponent_and_transform_as_scipy():
    from scipy.stats import yeojohnson, yeojohnson_normmax

    from hptune.strategies._warping import _LAMBDA_RANGE, _yeojohnson, _yeojohnson_lambda

    rng = np.random.RandomState(0)
    for n, tail in [(12, 1.0), (40, 2.0), (200, 4.0)]:
        y = -np.exp(rng.normal(scale=tail, size=n))
        q1, median, q3 = np.percentile(y, [25, 50, 75])
        z = (y - median) / (q3 - q1)
        expected = float(np.clip(yeojohnson_normmax(z), *_LAMBDA_RANGE))
        assert abs(_yeojohnson_lambda(z) - expected) < 0.01
    for lam in [-1.5, 0.0, 0.7, 1.0, 2.0, 3.3]:  # including the logarithmic limits at 0 and 2
        np.testing.assert_allclose(_yeojohnson(z, lam), yeojohnson(z, lam), rtol=1e-12, atol=1e-12)
