"""Tests of hptune/acquisition/_special.py: log1mexp and the log-EI kernel."""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.special import log_ndtr
from scipy.stats import norm

from hptune.acquisition._special import (
    _asymptotic,
    _middle,
    _upper,
    log1mexp,
    log_h,
    log_h_grad,
    log_h_terms,
    log_phi,
)

# u = +-10**k for k in -3..8, and 0: every regime of the log-EI branches and their joins.
MAGNITUDES = 10.0 ** np.arange(-3, 9)
SWEEP = np.sort(np.concatenate([-MAGNITUDES, [0.0], MAGNITUDES]))


@pytest.fixture(autouse=True)
def strict_float_errors():
    # numpy ignores some floating-point errors by default; make them fail too.
    # (Underflow stays allowed: exp of a very negative number is exactly 0.)
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        yield


def naive_h(u):
    return norm.pdf(u) + u * norm.cdf(u)


def reference_log_h_over_phi(u):
    """log(h(u)/phi(u)) by quadrature: h(u) = int_0^inf Phi(u - s) ds."""
    scale = 1.0 / max(1.0, abs(u))  # the integrand decays on the scale 1/|u|

    def integrand(t):
        return math.exp(log_ndtr(u - t * scale) - log_phi(u)) * scale

    value, _ = integrate.quad(integrand, 0.0, np.inf, epsabs=0.0, epsrel=1e-13, limit=200)
    return math.log(value)


def asymptotic_log_h_over_phi(u, n_terms=8):
    """log(h(u)/phi(u)) = -2 log|u| + log(sum_k (-1)^k (2k+1)!! / u^(2k)), u << -1."""
    terms = [(-1) ** k * math.prod(range(1, 2 * k + 2, 2)) / u ** (2 * k) for k in range(n_terms)]
    return -2.0 * math.log(-u) + math.log(sum(terms))


def test_log_h_sweep_finite_and_increasing():
    values = log_h(SWEEP)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) > 0)


def test_log_h_grad_sweep_finite_and_positive():
    grads = log_h_grad(SWEEP)
    assert np.all(np.isfinite(grads)) and np.all(grads > 0)
    # log h is concave: its slope Phi/h falls from about |u| (u -> -inf) to 1/u.
    assert np.all(np.diff(grads) < 0)


@pytest.mark.parametrize("u", np.concatenate([SWEEP[np.abs(SWEEP) < 5], [-4.9, -3.0, 2.5, 4.9]]))
def test_log_h_matches_naive_formula_where_accurate(u):
    # For |u| < 5, phi + u Phi cancels at most ~30-fold, so the naive form keeps
    # ~14 digits and is a valid reference.
    assert log_h(u) == pytest.approx(math.log(naive_h(u)), rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("u", [-1.0, -1.5, -3.0, -8.0, -20.0, -38.0, -60.0])
def test_log_h_matches_quadrature(u):
    assert log_h(u) - log_phi(u) == pytest.approx(reference_log_h_over_phi(u), rel=1e-10)


@pytest.mark.parametrize("u", [-100.0, -1e3, -1e4, -1e5, -1e6, -1e7, -1e8, -1e12])
def test_log_h_matches_asymptotic_series(u):
    # The series is divergent but its first terms are exact to double precision
    # for |u| >= 100 (the 8th term is below 1e-20).
    expected = asymptotic_log_h_over_phi(u)
    # log(h/phi) is compared through the ratio phi/h, which keeps its relative
    # precision (log h - log phi would cancel: both are about -u**2/2). The
    # erfcx branch keeps ~eps * u**2 relative accuracy in h/phi: 1e-4 at -1e6.
    log_h_value, _, pdf_over_h = log_h_terms(u)
    assert -np.log(pdf_over_h) == pytest.approx(expected, rel=1e-12, abs=2e-4)
    assert log_h_value == pytest.approx(log_phi(u) + expected, rel=1e-14)


def test_far_region_where_plain_ei_underflows():
    u = np.array([-1e7, -1e3, -40.0])
    assert np.all(naive_h(u) == 0.0)  # what log-EI fixes
    values = log_h(u)
    assert np.all(np.isfinite(values)) and np.all(np.diff(values) > 0)


@pytest.mark.parametrize(
    "boundary, lower, upper",
    [(-1.0, _middle, _upper), (-1e6, _asymptotic, _middle)],
    ids=["direct-erfcx", "erfcx-asymptotic"],
)
def test_branches_agree_at_boundaries(boundary, lower, upper):
    u = np.array([boundary])
    log_lo, cdf_lo, pdf_lo = lower(u)
    log_hi, cdf_hi, pdf_hi = upper(u)
    assert log_lo == pytest.approx(log_hi, rel=1e-13)
    # The erfcx branch's ratios keep ~eps * u**2 relative accuracy: 1e-4 at -1e6.
    rel = 1e-12 if boundary == -1.0 else 5e-3
    assert np.exp(cdf_lo) == pytest.approx(np.exp(cdf_hi), rel=rel)
    assert np.exp(pdf_lo) == pytest.approx(np.exp(pdf_hi), rel=rel)


def test_log_h_continuous_across_boundaries():
    for boundary in (-1.0, -1e6):
        u = boundary * (1.0 + np.array([-1e-12, 0.0, 1e-12]))
        values = log_h(u)
        slope = log_h_grad(boundary)
        assert np.all(np.diff(values[::-1]) > 0)
        # steps of |du| = |boundary| 1e-12 change log h by about slope * du
        assert np.abs(np.diff(values)).max() <= 2 * slope * abs(boundary) * 1e-12 + 1e-12 * abs(values[1])


@pytest.mark.parametrize("u", [-1e4, -300.0, -30.0, -5.0, -1.0 - 1e-3, -1.0 + 1e-3, -0.3, 0.0, 0.7, 4.0, 30.0, 1e3])
def test_log_h_grad_matches_finite_differences(u):
    step = 1e-6 * max(1.0, abs(u))
    fd = (log_h(u + step) - log_h(u - step)) / (2 * step)
    assert log_h_grad(u) == pytest.approx(fd, rel=1e-6)


def test_ratios_are_consistent():
    # phi/h = 1 - u Phi/h, which is cancellation-free for u <= 1.
    u = SWEEP[SWEEP <= 1]
    _, cdf_over_h, pdf_over_h = log_h_terms(u)
    np.testing.assert_allclose(pdf_over_h, 1.0 - u * cdf_over_h, rtol=1e-9)
    # and phi/h -> 0 without NaN for large u
    _, _, pdf_over_h = log_h_terms(np.array([40.0, 1e8, 1e200]))
    assert np.all(pdf_over_h >= 0) and np.all(pdf_over_h < 1e-300)


def test_extreme_inputs_stay_finite():
    u = np.array([-1e300, -1e200, 1e200, 1e300])
    values, cdf_over_h, pdf_over_h = log_h_terms(u)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(cdf_over_h))
    assert np.all(np.isfinite(pdf_over_h))
    assert log_h(1e300) == pytest.approx(math.log(1e300))


@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 4)])
def test_shapes(shape):
    u = np.linspace(-50, 50, int(np.prod(shape))).reshape(shape) if shape else 0.5
    for out in (log_h(u), log_h_grad(u), *log_h_terms(u), log1mexp(-np.abs(u) - 1e-3)):
        assert np.shape(out) == shape
    assert isinstance(log_h(0.5), np.floating)


def test_nan_propagates_quietly():
    with np.errstate(invalid="ignore"):  # NaN input is not an error of log_h itself
        assert np.isnan(log_h(np.nan))


def reference_log1mexp(x):
    """log(1 - e^x): log(-expm1(x)) near 0, else the series -sum_k e^(kx)/k."""
    if x > -0.5:
        return math.log(-math.expm1(x))
    return -math.fsum(math.exp(k * x) / k for k in range(1, 80))


@pytest.mark.parametrize("x", [-1e-300, -1e-20, -1e-8, -0.1, -0.69, -0.7, -1.0, -10.0, -50.0, -800.0])
def test_log1mexp_matches_reference(x):
    assert log1mexp(x) == pytest.approx(reference_log1mexp(x), rel=1e-14, abs=1e-300)


def test_log1mexp_limits():
    assert log1mexp(0.0) == -np.inf
    assert log1mexp(-np.inf) == 0.0
    values = log1mexp(-np.logspace(-10, 3, 50))
    assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize(
    "u",
    [
        np.array([0.5, 3.0, -0.2]),  # upper branch only
        np.array([0.5, -3.0, -50.0]),  # upper and middle
        np.array([-3.0, -2e6, -50.0]),  # middle and asymptotic
        np.array([2.0, -7.0, -1e9, np.nan]),  # every branch, and NaN
    ],
)
def test_log_h_terms_of_an_array_are_those_of_each_element(u):
    # The branches a call needs depend on the array; each value must not.
    together = log_h_terms(u)
    alone = [log_h_terms(np.array([v])) for v in u]
    for k in range(3):
        np.testing.assert_allclose(together[k], np.concatenate([a[k] for a in alone]), rtol=1e-14)
