"""The ask/tell contract shared by every strategy.

A strategy proposes parameter dicts (``ask``) and learns their scores
(``tell``). It knows nothing of estimators, folds or joblib. Scores are
maximised; NaN means a failed evaluation and is kept as such in the history,
while each strategy decides how a failure enters its model.

Notation: ``Z`` is a batch of encodings (n_points, n_columns) in the space's
unit-cube representation, ``y`` the matching raw scores (n_points,).
"""

import math
import reprlib
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping

import numpy as np

from ..exceptions import ExhaustedSpaceWarning, NumericalWarning
from ..space import Space, to_space
from ..space._space import as_rows, is_member, point_keys
from ..utils._validation import check_int
from ..utils._random import check_random_state, rng_from_state, rng_to_state

__all__ = ["Strategy", "as_space", "clean_scores", "model_scores", "score_scale"]

#: Version of the ``state_dict`` layout; bumped on incompatible changes.
STATE_FORMAT = 1

# Scores a surrogate sees are brought below 2**500 (about 3e150) in magnitude.
# A GP predicts in the units of its targets, and its means, the fantasies of a
# batch, confidence bounds (mean + kappa std) and PBT's improvements (the
# difference of two scores) are sums and moderate multiples of targets: below
# 2**500 they stay a factor 2**500 below the float maximum (about 2**1024),
# and even their squares are finite.
_MODEL_EXPONENT = 500

# Spaces up to this many points are enumerated, so that fresh points can be
# found exactly (and exhaustion detected) instead of by rejection sampling.
_ENUMERATE_LIMIT = 50_000


def as_space(space):
    """Accept a Space, a dict of specifications or a list of dimensions."""
    if isinstance(space, (list, tuple)) and not isinstance(space, Space):
        return Space(list(space))
    return to_space(space)


def clean_scores(y):
    """Finite stand-ins for raw scores, for models that need them.

    Failures (NaN, -inf) become the worst finite score, the least a model may
    assume about them without inventing a scale; +inf becomes the best finite
    score, with a :class:`~hptune.exceptions.NumericalWarning`. With no finite
    score at all, everything is 0 (no information).

    Parameters
    ----------
    y : ndarray of shape (n_points,)

    Returns
    -------
    y_clean : ndarray of shape (n_points,)
    """
    y = np.asarray(y, dtype=float)
    finite = np.isfinite(y)
    if not finite.any():
        return np.zeros_like(y)
    if np.any(y == np.inf):
        warnings.warn(
            "A score of +inf was clipped to the best finite score for the surrogate.",
            NumericalWarning,
            stacklevel=3,
        )
    lo, hi = y[finite].min(), y[finite].max()
    return np.where(finite, y, np.where(y == np.inf, hi, lo))


def score_scale(y):
    """The power of two that brings every finite ``|y|`` below ``2**500``.

    1 when the scores are already that small, which covers every practical
    score, so that models see them unchanged. Dividing by a power of two is
    exact: ranks, ratios and differences of the scores are kept (only values
    below about 1e-308 times the scale round towards 0).

    Parameters
    ----------
    y : ndarray of shape (n_points,)
        Raw scores; non-finite values are ignored.

    Returns
    -------
    scale : float
        A power of two, at least 1.
    """
    y = np.asarray(y, dtype=float)
    finite = np.abs(y[np.isfinite(y)])
    if not finite.size:
        return 1.0
    # max|y| = m 2**exponent with 0.5 <= m < 1, so max|y| / scale < 2**500.
    _, exponent = math.frexp(float(finite.max()))
    return math.ldexp(1.0, max(0, exponent - _MODEL_EXPONENT))


def model_scores(y):
    """Finite scores for a surrogate, in units of :func:`score_scale`.

    Parameters
    ----------
    y : ndarray of shape (n_points,)
        Raw scores; NaN and -inf mark failures.

    Returns
    -------
    y_model : ndarray of shape (n_points,)
        ``clean_scores(y) / scale``: finite, below ``2**500`` in magnitude.
    scale : float
        The power of two the scores were divided by.
    """
    scale = score_scale(y)
    return clean_scores(y) / scale, scale


class Strategy(ABC):
    """Base class of ask/tell strategies.

    Parameters
    ----------
    space : Space, dict or list of Dimension
        The search space (anything :func:`hptune.space.to_space` accepts, or a
        list of dimensions).
    random_state : int, RandomState instance or None, default=None
        Seed of every random choice the strategy makes.

    Attributes
    ----------
    space : Space
        The converted space.
    Z_ : ndarray of shape (n_told, n_columns)
        Encodings of the told points, in order.
    y_ : ndarray of shape (n_told,)
        Their scores (NaN for failures).
    params_ : list of dict
        The told parameter dicts, in order.
    """

    def __init__(self, space, *, random_state=None):
        self.space = as_space(space)
        self.random_state = random_state
        self._rng = check_random_state(random_state)
        self.Z_ = np.empty((0, self.space.n_columns))
        self.y_ = np.empty(0)
        self.params_ = []
        self._pending = np.empty((0, self.space.n_columns))

    # -- public API ---------------------------------------------------------
    def ask(self, n=1):
        """Propose ``n`` new parameter dicts.

        Fewer are returned (possibly none, with an
        :class:`~hptune.exceptions.ExhaustedSpaceWarning`) when a finite space
        has no unevaluated point left.

        Parameters
        ----------
        n : int, default=1
            Number of points wanted.

        Returns
        -------
        params : list of dict
        """
        check_int(f"{type(self).__name__}.ask", "n", n, 1)
        Z = as_rows(self._propose(int(n)), self.space.n_columns)
        if len(Z) < n:
            warnings.warn(
                f"Only {len(Z)} of the {n} requested points are new: the search space "
                f"has {self.space.size} points and {self.n_told + len(self._pending)} "
                "were already proposed.",
                ExhaustedSpaceWarning,
                stacklevel=2,
            )
        self._pending = np.vstack([self._pending, Z])
        return self.space.decode(Z) if len(Z) else []

    def tell(self, params, scores):
        """Record the scores of evaluated parameter dicts.

        Parameters
        ----------
        params : list of dict
            Points, usually from :meth:`ask`; any point of the space is
            allowed. Each must have exactly the space's names: a missing or
            an unknown name raises a ValueError.
        scores : array-like of shape (n_points,)
            Their scores (greater is better); NaN or -inf mark failures.
        """
        params = list(params)
        y = np.asarray(scores, dtype=float).reshape(-1)
        if len(params) != len(y):
            raise ValueError(f"tell got {len(params)} points but {len(y)} scores.")
        self._check_names(params)
        Z = self.space.encode(params) if params else np.empty((0, self.space.n_columns))
        for z in Z:
            hit = np.flatnonzero(is_member(self._pending, z))
            if len(hit):
                self._pending = np.delete(self._pending, hit[0], axis=0)
        self.Z_ = np.vstack([self.Z_, Z])
        self.y_ = np.concatenate([self.y_, y])
        self.params_.extend(params)
        self._observe(Z, y)

    def _check_names(self, params):
        """Raise for a point that is not a dict or has a name outside the space.

        Missing names are left to ``space.encode``, which names the first one.
        """
        names = set(self.space.names)
        for point in params:
            if not isinstance(point, Mapping):
                raise TypeError(
                    "tell expects parameter dicts (names to values). "
                    f"Got a {type(point).__name__}: {reprlib.repr(point)}."
                )
            unknown = [key for key in point if key not in names]
            if unknown:
                raise ValueError(
                    f"tell got a point with the parameter(s) {', '.join(map(repr, unknown))}, "
                    f"which the search space does not have; its parameters are "
                    f"{list(self.space.names)}. Got {reprlib.repr(point)}."
                )

    @property
    def n_told(self):
        """Number of told points."""
        return len(self.y_)

    @property
    def best_index(self):
        """Index of the best told score (None while no score is finite)."""
        finite = np.isfinite(self.y_) | (self.y_ == np.inf)
        if not finite.any():
            return None
        return int(np.flatnonzero(finite)[np.argmax(self.y_[finite])])

    @property
    def best_params(self):
        """The best told parameter dict (None while no score is finite)."""
        i = self.best_index
        return None if i is None else self.params_[i]

    @property
    def best_score(self):
        """The best told score (NaN while no score is finite)."""
        i = self.best_index
        return math.nan if i is None else float(self.y_[i])

    # -- helpers for subclasses --------------------------------------------
    def _taken(self):
        """Encodings already told or pending, shape (n, n_columns)."""
        return np.vstack([self.Z_, self._pending])

    def _fresh(self, Z, taken=None):
        """Rows of ``Z`` not in ``taken`` nor repeated within ``Z``."""
        taken = self._taken() if taken is None else taken
        seen = set(point_keys(as_rows(taken, self.space.n_columns)))
        Z = as_rows(Z, self.space.n_columns)
        keep = []
        for i, key in enumerate(point_keys(Z)):
            if key not in seen:
                seen.add(key)
                keep.append(i)
        return Z[keep]

    def _random_fresh(self, n, taken=None):
        """Up to ``n`` fresh encodings drawn from the prior."""
        taken = self._taken() if taken is None else taken
        if self.space.size <= _ENUMERATE_LIMIT:
            candidates = self._fresh(self.space.all_encodings(), taken)
            order = self._rng.permutation(len(candidates))[:n]
            return candidates[order]
        out = np.empty((0, self.space.n_columns))
        for _ in range(20):  # rejection sampling; 20 rounds is plenty for huge spaces
            U = self._rng.uniform(size=(2 * n, self.space.n_dims))
            out = np.vstack([out, self._fresh(self.space.from_unit(U), np.vstack([taken, out]))])
            if len(out) >= n:
                break
        return out[:n]

    @abstractmethod
    def _propose(self, n):
        """Return up to ``n`` fresh encodings, shape (m, n_columns), m <= n."""

    def _observe(self, Z, y):
        """Hook called by ``tell`` after the history is updated."""

    # -- state ----------------------------------------------------------------
    def state_dict(self):
        """The strategy's state as plain data (JSON and numpy arrays).

        Returns
        -------
        state : dict
            Told encodings and scores, the random generator and whatever the
            strategy needs to continue exactly where it stopped.
        """
        return {
            "format": STATE_FORMAT,
            "strategy": type(self).__name__,
            "space": self.space.describe(),
            "Z": self.Z_.copy(),
            "y": self.y_.copy(),
            "rng": rng_to_state(self._rng),
            "extra": self._extra_state(),
        }

    def load_state_dict(self, state):
        """Restore a state produced by :meth:`state_dict` on an equal strategy.

        Parameters
        ----------
        state : dict
            Output of :meth:`state_dict`.
        """
        if state.get("format") != STATE_FORMAT:
            raise ValueError(
                f"Unsupported strategy state format {state.get('format')!r}; "
                f"this version of hptune reads format {STATE_FORMAT}."
            )
        if state.get("strategy") != type(self).__name__:
            raise ValueError(
                f"The state belongs to a {state.get('strategy')}, not a {type(self).__name__}."
            )
        if state.get("space") != self.space.describe():
            raise ValueError("The state was saved for a different search space.")
        Z = as_rows(state["Z"], self.space.n_columns)
        y = np.asarray(state["y"], dtype=float).reshape(-1)
        if len(Z) != len(y):
            raise ValueError(f"The state has {len(Z)} told points but {len(y)} scores.")
        self.Z_, self.y_ = Z, y
        self.params_ = self.space.decode(Z) if len(Z) else []
        self._pending = np.empty((0, self.space.n_columns))
        self._rng = rng_from_state(state["rng"])
        self._load_extra_state(state.get("extra", {}))
        return self

    def _extra_state(self):
        return {}

    def _load_extra_state(self, extra):
        pass

    def __repr__(self):
        return f"{type(self).__name__}(space={self.space!r}, n_told={self.n_told})"
