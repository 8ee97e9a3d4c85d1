"""Output warping: monotone transforms of the scores the GP learns."""

import re

import numpy as np
import pytest

from hptune.space import Real
from hptune.strategies import BayesOptimizer
from hptune.strategies._warping import WARPINGS, Unwarp, copula, warp_scores

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


@pytest.mark.parametrize("kind", WARPINGS)
def test_unwarp_returns_the_told_scores_and_is_monotone(kind):
    rng = np.random.RandomState(0)
    y = -np.exp(rng.uniform(3.0, 9.0, size=30))  # model sizes over orders of magnitude
    w = warp_scores(y, kind)
    unwarp = Unwarp(w, y)
    np.testing.assert_allclose(unwarp(w)[0], y, rtol=1e-12)
    grid = np.linspace(w.min() - 2.0, w.max() + 2.0, 500)  # both extrapolated tails too
    values, slopes = unwarp(grid)
    assert np.all(np.diff(values) >= 0) and np.all(slopes >= 0)


def test_unwarp_moments_of_an_affine_warping_are_affine():
    # scores = 3 w + 1 exactly, so the moments are 3 mean + 1 and 3 std.
    w = np.linspace(-2.0, 2.0, 9)
    unwarp = Unwarp(w, 3.0 * w + 1.0)
    mean, std = np.array([-5.0, 0.0, 0.7]), np.array([0.1, 1.0, 3.0])
    out_mean, out_std, d_dmean, d_dstd = unwarp.moments(mean, std)
    np.testing.assert_allclose(out_mean, 3.0 * mean + 1.0, rtol=1e-10)
    np.testing.assert_allclose(out_std, 3.0 * std, rtol=1e-10)
    np.testing.assert_allclose(d_dmean, [[3.0] * 3, [0.0] * 3], atol=1e-9)
    np.testing.assert_allclose(d_dstd, [[0.0] * 3, [3.0] * 3], atol=1e-9)


def _size_unwarp(seed):
    """An Unwarp of model-size-like scores and warped Gaussians on the data's scale."""
    rng = np.random.RandomState(seed)
    y = -np.exp(rng.uniform(3.0, 9.0, size=30))
    w = warp_scores(y, "power")
    spread = np.ptp(w)
    mean = rng.uniform(w.min(), w.max(), 6)
    return Unwarp(w, y), mean, rng.uniform(0.02, 0.3, 6) * spread, y


def test_unwarp_moments_match_sampling():
    unwarp, mean, std, _ = _size_unwarp(1)
    out_mean, out_std = unwarp.moments(mean, std)[:2]
    rng = np.random.RandomState(2)
    samples = unwarp(mean + std * rng.standard_normal((200_000, 1)))[0]
    # 16 quadrature nodes on a piecewise-linear function: a few per cent.
    np.testing.assert_allclose(out_mean, samples.mean(axis=0), rtol=0.06)
    np.testing.assert_allclose(out_std, samples.std(axis=0), rtol=0.06)


def test_unwarp_quantiles_are_the_median_and_upper_quantile_of_sampling():
    unwarp, mean, std, _ = _size_unwarp(1)
    centre, scale = unwarp.quantiles(mean, std)[:2]
    rng = np.random.RandomState(2)
    samples = unwarp(mean + std * rng.standard_normal((200_000, 1)))[0]
    median, upper = np.percentile(samples, [50.0, 100 * 0.8413447], axis=0)
    # Sampling error of a quantile: a small share of the std.
    assert np.all(np.abs(centre - median) < 0.02 * scale)
    assert np.all(np.abs(centre + scale - upper) < 0.02 * scale)


@pytest.mark.parametrize("match", ["moments", "quantiles"])
def test_unwarped_gaussian_gradients_match_differences(match):
    unwarp, mean, std, y = _size_unwarp(3)
    out = getattr(unwarp, match)(mean, std)
    eps = 1e-7 * std
    for j, derivative in enumerate(out[2:]):
        step = [eps * (j == 0), eps * (j == 1)]
        shifted = getattr(unwarp, match)(mean + step[0], std + step[1])[:2]
        numeric = (np.stack(shifted) - np.stack(out[:2])) / eps
        np.testing.assert_allclose(numeric, derivative, rtol=1e-4, atol=1e-6 * np.abs(y).max())
