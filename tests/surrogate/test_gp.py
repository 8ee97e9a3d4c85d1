import ast
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

import hptune.surrogate
from hptune.exceptions import NumericalWarning
from hptune.surrogate import GaussianProcess
from hptune.surrogate import _gp

D = 3
THETA = np.log([0.4, 0.8, 3.0, 1.3, 1e-3])


def _data(n=20, seed=0, d=D):
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(n, d))
    y = 3.0 + 2.0 * np.sin(4 * X[:, 0]) + X[:, 1] ** 2
    return X, y


def _sklearn_gpr(X, y, theta, normalize_y=True):
    kernel = ConstantKernel(np.exp(theta[-2])) * Matern(np.exp(theta[:-2]), nu=2.5)
    gpr = GaussianProcessRegressor(
        kernel, alpha=np.exp(theta[-1]), optimizer=None, normalize_y=normalize_y
    )
    return gpr.fit(X, y)


@pytest.fixture
def fitted():
    X, y = _data()
    return GaussianProcess()._fit_fixed(X, y, THETA)


def test_posterior_matches_sklearn(fitted):
    X, y = _data()
    Xq = np.random.RandomState(1).uniform(size=(30, D))
    mean, std = fitted.predict(Xq)
    mean_sk, std_sk = _sklearn_gpr(X, y, THETA).predict(Xq, return_std=True)
    np.testing.assert_allclose(mean, mean_sk, rtol=1e-9)
    np.testing.assert_allclose(std, std_sk, rtol=1e-7)
    np.testing.assert_allclose(fitted.predict(Xq, return_std=False), mean_sk, rtol=1e-9)
    assert mean.shape == std.shape == (30,) and mean.dtype == np.float64


def test_fitted_attributes(fitted):
    X, y = _data()
    np.testing.assert_allclose(fitted.lengthscales_, np.exp(THETA[:D]))
    assert fitted.amplitude_ == pytest.approx(1.3) and fitted.noise_ == pytest.approx(1e-3)
    assert fitted.y_mean_ == pytest.approx(y.mean()) and fitted.y_std_ == pytest.approx(y.std())
    np.testing.assert_allclose(fitted.y_train_, (y - y.mean()) / y.std())
    np.testing.assert_array_equal(fitted.X_train_, X)
    assert fitted.L_.shape == (20, 20) and fitted.alpha_.shape == (20,)
    sk = _sklearn_gpr(X, y, THETA)
    np.testing.assert_allclose(fitted.alpha_, sk.alpha_, rtol=1e-9)
    expected_lml = sk.log_marginal_likelihood(np.r_[THETA[-2], THETA[:D]])
    assert fitted.log_marginal_likelihood() == pytest.approx(expected_lml, rel=1e-10)


def test_predict_with_grad_matches_predict_and_finite_differences(fitted):
    Xq = np.random.RandomState(2).uniform(size=(6, D))
    mean, std, dmean, dstd = fitted.predict_with_grad(Xq)
    mean_ref, std_ref = fitted.predict(Xq)
    np.testing.assert_allclose(mean, mean_ref, rtol=1e-12)
    np.testing.assert_allclose(std, std_ref, rtol=1e-12)
    assert dmean.shape == dstd.shape == (6, D)
    h = 1e-6
    for j in range(D):
        step = h * np.eye(D)[j]
        m_plus, s_plus = fitted.predict(Xq + step)
        m_minus, s_minus = fitted.predict(Xq - step)
        np.testing.assert_allclose(dmean[:, j], (m_plus - m_minus) / (2 * h), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(dstd[:, j], (s_plus - s_minus) / (2 * h), rtol=1e-5, atol=1e-6)


def test_predict_with_grad_zero_where_variance_clamped(fitted, monkeypatch):
    monkeypatch.setattr(_gp, "_VAR_FLOOR", 10.0)
    Xq = np.random.RandomState(3).uniform(size=(4, D))
    _, std, _, dstd = fitted.predict_with_grad(Xq)
    np.testing.assert_allclose(std, np.sqrt(10.0) * fitted.y_std_)
    np.testing.assert_array_equal(dstd, 0.0)


def test_condition_on_equals_from_scratch_posterior(fitted):
    X, y = _data()
    X_new, y_new = _data(n=4, seed=5)
    gp = fitted.condition_on(X_new, y_new)
    # Same theta and the same standardisation constants as the original fit.
    X_all, y_all = np.vstack([X, X_new]), np.r_[y, y_new]
    y_all_std = (y_all - fitted.y_mean_) / fitted.y_std_
    sk = _sklearn_gpr(X_all, y_all_std, THETA, normalize_y=False)
    Xq = np.random.RandomState(6).uniform(size=(10, D))
    mean, std = gp.predict(Xq)
    mean_sk, std_sk = sk.predict(Xq, return_std=True)
    np.testing.assert_allclose(mean, mean_sk * fitted.y_std_ + fitted.y_mean_, rtol=1e-9)
    np.testing.assert_allclose(std, std_sk * fitted.y_std_, rtol=1e-7)
    np.testing.assert_allclose(gp.L_, np.linalg.cholesky(sk.L_ @ sk.L_.T), atol=1e-10)
    np.testing.assert_array_equal(gp.theta_, fitted.theta_)
    assert (gp.y_mean_, gp.y_std_) == (fitted.y_mean_, fitted.y_std_)
    assert len(fitted.X_train_) == 20 and gp is not fitted  # the original is unchanged


def test_condition_on_falls_back_to_full_factorisation(fitted, monkeypatch):
    def failing(*args):
        raise np.linalg.LinAlgError("not positive definite")

    X_new, y_new = _data(n=3, seed=7)
    expected = fitted.condition_on(X_new, y_new)
    monkeypatch.setattr(_gp, "cholesky_append", failing)
    gp = fitted.condition_on(X_new, y_new)
    np.testing.assert_allclose(gp.L_, expected.L_, atol=1e-12)
    np.testing.assert_allclose(gp.alpha_, expected.alpha_, rtol=1e-9)


def test_duplicate_points_with_noise_floor_fit_without_jitter():
    X, y = _data(n=12)
    X, y = np.vstack([X, X[:4]]), np.r_[y, y[:4] + 0.01]
    gp = GaussianProcess().fit(X, y, random_state=0)  # no warning: errors under pytest
    assert np.all(np.isfinite(gp.predict(X)[1]))


def test_duplicate_points_without_noise_trigger_jitter():
    # k(x, x) = amplitude = 1 exactly, so two identical first rows make the
    # leading 2x2 block exactly singular once the noise (1e-20) rounds away.
    X, y = _data(n=6)
    X[1] = X[0]
    theta = np.r_[np.log([0.5, 0.5, 0.5]), 0.0, np.log(1e-20)]
    with pytest.warns(NumericalWarning, match="jitter") as record:
        gp = GaussianProcess()._fit_fixed(X, y, theta)
    assert record[0].filename == __file__
    assert np.all(np.isfinite(gp.predict(X)[0]))


def test_condition_on_duplicate_falls_back_to_jitter():
    # One point: L = [[1]] exactly, so the Schur complement of a duplicate is 0.
    X, y = _data(n=1)
    theta = np.r_[np.log([0.5, 0.5, 0.5]), 0.0, np.log(1e-20)]
    gp = GaussianProcess()._fit_fixed(X, y, theta)
    with pytest.warns(NumericalWarning, match="jitter") as record:
        conditioned = gp.condition_on(X, y)
    assert record[0].filename == __file__
    assert conditioned.predict(X)[0] == pytest.approx(y)


def test_constant_y():
    X, _ = _data(n=8)
    gp = GaussianProcess().fit(X, np.full(8, 0.3), random_state=0)
    assert gp.y_std_ == 1.0
    mean, std = gp.predict(np.random.RandomState(1).uniform(size=(5, D)))
    np.testing.assert_allclose(mean, 0.3, atol=1e-8)
    assert np.all(np.isfinite(std) & (std > 0))


FLOAT_MAX = np.finfo(float).max


@pytest.mark.parametrize(
    "y",
    [
        [FLOAT_MAX, -FLOAT_MAX, 0.5 * FLOAT_MAX, 0.0, 1.0, -0.9 * FLOAT_MAX],  # y - y_mean > FLOAT_MAX
        [FLOAT_MAX, 5e-324, 1e-300, -1e-310, 0.0, 1.0],  # huge and subnormal
        [1e300 * (1 + k * 2.0**-52) for k in (0, 1, 0, 0, 2, 1)],  # constant up to rounding
        [FLOAT_MAX * (1 - k * 2.0**-53) for k in (0, 1, 0, 0, 2, 1)],
        [5e-324, 1e-323, 5e-324, 0.0, 1.5e-323, 5e-324],  # subnormal only
    ],
    ids=["span", "huge-and-tiny", "constant-1e300", "constant-max", "subnormal"],
)
def test_fit_is_finite_for_any_finite_targets(y):
    y = np.array(y)
    X = np.random.RandomState(0).uniform(size=(len(y), D))
    gp = GaussianProcess().fit(X, y, random_state=0)
    for value in (gp.y_train_, gp.alpha_, gp.L_, gp.theta_, gp.y_mean_, gp.y_std_):
        assert np.all(np.isfinite(value))
    assert np.isfinite(gp.log_marginal_likelihood())
    # Standardised targets have at most unit std, so that rounding noise
    # around a constant is not blown up into structure.
    assert np.std(gp.y_train_) <= 1.0 + 1e-12
    mean, std = gp.predict(np.random.RandomState(1).uniform(size=(20, D)))
    # Subnormal scores may give a std that underflows to 0; acquisitions floor it.
    assert not np.isnan(mean).any() and np.all(np.isfinite(std) & (std >= 0))


def test_standardisation_by_a_power_of_two_is_exact():
    # Scaling by powers of two changes no bit of the standardised targets, so
    # ordinary scores are standardised exactly as by the direct formula.
    X, y = _data(n=12)
    gp = GaussianProcess()._fit_fixed(X, y, THETA)
    np.testing.assert_array_equal(gp.y_train_, (y - gp.y_mean_) / gp.y_std_)
    huge = GaussianProcess()._fit_fixed(X, y * 2.0**1020, THETA)
    np.testing.assert_array_equal(huge.y_train_, gp.y_train_)
    Xq = np.random.RandomState(1).uniform(size=(5, D))
    for a, b in zip(huge.predict(Xq), gp.predict(Xq)):
        np.testing.assert_array_equal(a, b * 2.0**1020)


def test_predictions_near_the_float_maximum_do_not_overflow_on_the_way():
    # y_mean_ is about -FLOAT_MAX / 2 and y_std_ about FLOAT_MAX / 2: the mean
    # at the largest target is y_train_ * y_std_ + y_mean_ = FLOAT_MAX, but
    # y_train_ * y_std_ alone would overflow.
    X = np.random.RandomState(0).uniform(size=(4, D))
    y = np.array([FLOAT_MAX, -FLOAT_MAX, -FLOAT_MAX, -FLOAT_MAX])
    gp = GaussianProcess()._fit_fixed(X, y, np.r_[np.log([0.3] * D), 0.0, np.log(1e-6)])
    with np.errstate(over="ignore"):
        assert gp.y_train_[0] * gp.y_std_ == np.inf
    np.testing.assert_allclose(gp.unstandardise(gp.y_train_), y, rtol=1e-12)
    np.testing.assert_allclose(gp.predict(X[:1], return_std=False), FLOAT_MAX, rtol=1e-5)
    conditioned = gp.condition_on(X[:1] * 0.5, [0.5 * FLOAT_MAX])
    assert np.all(np.isfinite(conditioned.y_train_))


def test_single_point():
    gp = GaussianProcess().fit(np.array([[0.2, 0.5]]), np.array([1.5]), random_state=0)
    mean, std = gp.predict(np.array([[0.2, 0.5], [0.9, 0.1]]))
    assert mean[0] == pytest.approx(1.5) and std[0] < std[1]
    assert gp.predict_with_grad(np.array([[0.3, 0.3]]))[2].shape == (1, 2)


def test_fit_interpolates_smooth_function():
    X, y = _data(n=30)
    Xq = np.random.RandomState(9).uniform(size=(50, D))
    gp = GaussianProcess().fit(X, y, random_state=0)
    mean, std = gp.predict(Xq)
    y_true = 3.0 + 2.0 * np.sin(4 * Xq[:, 0]) + Xq[:, 1] ** 2
    assert np.sqrt(np.mean((mean - y_true) ** 2)) < 0.05 * y.std()
    assert np.all(std < y.std())


def test_fit_is_reproducible():
    X, y = _data(n=15)
    a = GaussianProcess().fit(X, y, random_state=3)
    b = GaussianProcess().fit(X, y, random_state=3)
    np.testing.assert_array_equal(a.theta_, b.theta_)


def test_warm_start_and_restart_schedule(monkeypatch):
    draws = []
    original = _gp.random_thetas

    def spy(n, *args):
        draws.append(n)
        return original(n, *args)

    monkeypatch.setattr(_gp, "random_thetas", spy)
    X, y = _data(n=40)
    gp = GaussianProcess(n_restarts=3)
    for n in [10, 11, 15, 19, 20, 21]:
        gp.fit(X[:n], y[:n], random_state=0)
    assert draws == [3, 3]  # the first fit and n = 20 (doubled since 10)
    gp.fit(X[:21], y[:21], random_state=0, warm_start=False)
    assert draws == [3, 3, 3]
    gp.fit(X[:21, :2], y[:21], random_state=0)  # new dimension: no warm start
    assert draws == [3, 3, 3, 3] and gp.theta_.shape == (4,)


def test_warm_start_from_stored_theta():
    # The strategies restore theta_ from a checkpoint before the first fit.
    X, y = _data(n=25)
    reference = GaussianProcess().fit(X, y, random_state=0)
    gp = GaussianProcess()
    gp.theta_ = reference.theta_.copy()
    gp.fit(X, y, random_state=1)
    assert gp.log_marginal_likelihood() == pytest.approx(reference.log_marginal_likelihood(), abs=0.5)


def test_large_fit():
    # 2000 points: the hyperparameters are fitted on a subset, the posterior on
    # all. Its speed is measured in benchmarks/bench_ask_time.py, not here.
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(2000, 4))
    y = np.sin(3 * X[:, 0]) + X[:, 1] + 0.01 * rng.standard_normal(2000)
    gp = GaussianProcess().fit(X, y, random_state=0)
    mean, std = gp.predict(X[:100])
    np.testing.assert_allclose(mean, y[:100], atol=0.1)


def test_params_repr_clone_and_pickle(fitted):
    gp = GaussianProcess(noise_floor=1e-4, n_restarts=5)
    assert gp.get_params() == {"noise_floor": 1e-4, "n_restarts": 5}
    assert repr(gp) == "GaussianProcess(noise_floor=0.0001, n_restarts=5)"
    assert gp.set_params(n_restarts=1) is gp and gp.n_restarts == 1
    cloned = clone(gp)
    assert cloned is not gp and cloned.get_params() == gp.get_params()
    restored = pickle.loads(pickle.dumps(fitted))
    Xq = np.random.RandomState(4).uniform(size=(3, D))
    np.testing.assert_array_equal(restored.predict(Xq)[0], fitted.predict(Xq)[0])


def test_set_params_rejects_unknown_name():
    with pytest.raises(ValueError, match="Invalid parameter 'noise' for GaussianProcess"):
        GaussianProcess().set_params(noise=1.0)


X_OK, Y_OK = _data(n=5)
NOISE_FLOOR_MSG = "The 'noise_floor' parameter of GaussianProcess must be a float in the range (0, 1)."
N_RESTARTS_MSG = "The 'n_restarts' parameter of GaussianProcess must be an int in the range [0, inf)."


@pytest.mark.parametrize(
    "params, X, y, match",
    [
        ({"noise_floor": 0.0}, X_OK, Y_OK, NOISE_FLOOR_MSG + " Got 0.0 instead."),
        ({"noise_floor": 1.0}, X_OK, Y_OK, NOISE_FLOOR_MSG + " Got 1.0 instead."),
        ({"noise_floor": "1e-6"}, X_OK, Y_OK, NOISE_FLOOR_MSG + " Got '1e-6' instead."),
        ({"n_restarts": -1}, X_OK, Y_OK, N_RESTARTS_MSG + " Got -1 instead."),
        ({"n_restarts": 1.5}, X_OK, Y_OK, N_RESTARTS_MSG + " Got 1.5 instead."),
        ({"n_restarts": True}, X_OK, Y_OK, N_RESTARTS_MSG + " Got True instead."),
        ({}, X_OK[0], Y_OK, "X must be a non-empty 2-D array of shape (n_points, n_dims). Got shape (3,)"),
        ({}, np.where(X_OK > 0.5, np.nan, X_OK), Y_OK, "X must be finite."),
        ({}, X_OK, np.r_[Y_OK[:4], np.nan], "y must be finite. Got 1 NaN or infinite value(s)"),
        ({}, X_OK, Y_OK[:, None], "y must be a 1-D array of shape (n_samples,). Got shape (5, 1) instead."),
        ({}, X_OK, Y_OK[:4], "X and y must have the same length. Got 5 and 4."),
    ],
)
def test_fit_input_errors(params, X, y, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        GaussianProcess(**params).fit(X, y, random_state=0)


def test_predict_errors(fitted):
    with pytest.raises(ValueError, match="not fitted yet"):
        GaussianProcess().predict(X_OK)
    match = "X has 2 columns, but this GaussianProcess was fitted with 3."
    with pytest.raises(ValueError, match=re.escape(match)):
        fitted.predict(X_OK[:, :2])
    with pytest.raises(ValueError, match=re.escape("Got shape (3,) instead")):
        fitted.predict_with_grad(X_OK[0])


def test_surrogate_does_not_import_sklearn():
    for path in Path(hptune.surrogate.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "sklearn" for name in names), path.name
