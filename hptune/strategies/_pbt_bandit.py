"""Model-based explore of population-based training, after PB2.

Classic explore perturbs the copied hyperparameters at random. PB2 (Parker-
Holder, Nguyen and Roberts, 2020) treats the choice as a batch GP-bandit
problem in time: a Gaussian process models how much a member's score
*improves* during one step as a function of the step ``t`` and of the
hyperparameters used, and a replaced member receives the hyperparameters with
the highest upper confidence bound (UCB) of the improvement over the next step.

hptune keeps PBT's local moves and lets the model pick among them: for each
replaced member, ``n_candidates`` classic explores of the copied
hyperparameters (perturbations, and resamples with ``resample_probability``)
are ranked by the UCB, and the best one is taken. Compared with maximising
over the whole space, as PB2 does, schedules change by small steps, which keeps
the replay of the winner's schedule in ``refit`` close to what was validated;
on hptune's PBT benchmark the local rule also reached higher scores.

Data: the improvement of step ``s >= 1`` is ``score(s, member) - score(s - 1,
parent)``, where ``parent`` is the member whose model was trained during step
``s`` (see :class:`~hptune.strategies.PBTScheduler`'s history). Before any
improvement is known (the first exploit round) the step-0 scores are used:
every member improves from the same untrained state. ``t`` is the step divided
by the number of steps told, so the data lie in [0, 1) (failures apart, see
below) and the next step sits at ``t = 1``. Only the most recent rows are
kept, up to ``_MAX_ROWS`` (96: six steps of 16 members): old improvements say
little about the next step (PB2's time-varying kernel forgets them too) and
the GP's cost grows with the cube of the rows.

Cost: one round must stay cheap next to a training step. The GP of a
sub-space is warm-started from the previous round's kernel hyperparameters
(kept in the scheduler's state, so a resumed run continues exactly), with the
refit schedule of :class:`~hptune.surrogate.GaussianProcess`: a full fit
(from the previous hyperparameters, without random restarts) when the rows
have doubled, a short polish when they have grown by 10%, else the previous
hyperparameters. Once the window is full, the
hyperparameters therefore stay those of the first rounds and a round costs a
Cholesky factorisation, the batch conditioning and the candidates' explores
(a few milliseconds for 16 members and 4 hyperparameters; the first rounds,
which fit the hyperparameters, cost a few times more).

Failures: a step whose score is NaN or -inf failed with the hyperparameters it
was trained with. That is a bad outcome, and the model must learn it, as the
other strategies' surrogates do: left out, the failing region would look
unexplored, its uncertainty would be the largest, and the upper confidence
bound would send members there. So a failed step is an improvement of NaN in
:func:`improvement_data` and enters the GP as the worst finite improvement
(see :func:`~hptune.strategies._base.clean_scores`). A failure is taken as a
property of the hyperparameters (an invalid combination, a diverging fit),
not of the step: its row sits at ``t = 1``, next to the step being planned,
and failures of every step are kept, step 0 included. At its own, earlier
``t``, the GP would forget it over the fitted time lengthscale, and in the
first rounds, whose data all share one ``t``, that lengthscale is unknown.
On a synthetic learner that fails on 40% of the prior (20 seeds, 360
explore moves), 54% of the moves went into the failing region with failures
left out, 8% with failures at their own step, and none at ``t = 1``
(random perturbation: 12%). A step that succeeded from a failed starting
point (its parent's previous score is NaN or infinite) has no defined
improvement and is left out: the failure itself is a row of the previous
step. A score of +inf is clipped to the best finite improvement. Scores are
divided by :func:`~hptune.strategies._base.score_scale` first, so that the
difference of two scores near the float maximum cannot overflow.

Batch: the members that keep their hyperparameters are *pending* at ``t = 1``:
the GP is conditioned on its own predictions there (kriging believer), so its
variance collapses around configurations already being trained; then each
replaced member's choice is conditioned on the same way before the next
member chooses, the batch rule of GP-BUCB (Desautels, Krause and Burdick,
2014) that PB2 uses. The time-varying kernel of the paper is replaced by ``t``
as one more input of the ARD Matern kernel, whose fitted lengthscale decides
how fast old observations lose relevance.

References
----------
.. [1] J. Parker-Holder, V. Nguyen and S. Roberts (2020). "Provably efficient
   online hyperparameter optimization with population-based bandits".
   NeurIPS 33, arXiv:2002.02518.
.. [2] T. Desautels, A. Krause and J. Burdick (2014). "Parallelizing
   exploration-exploitation tradeoffs in Gaussian process bandit
   optimization". JMLR 15, pp. 3873-3923.
"""

import math

import numpy as np

from ..acquisition._functions import ucb
from ..surrogate import GaussianProcess
from ..utils._random import child_seed
from ._base import clean_scores, score_scale

__all__ = ["ImprovementModel", "MIN_OBSERVATIONS", "N_CANDIDATES"]

# Exploration weight of the UCB. The batch fantasies already spread the
# members; 1.0 keeps the rule close to the expected improvement (on the PBT
# benchmark, 2.0 scored no better).
_KAPPA = 1.0
# Fewer finite improvements than this: the GP would be fitted to noise, and
# the scheduler keeps the random choice (failures add to the data, but they
# alone say nothing about the scale of the improvements).
MIN_OBSERVATIONS = 4
# Classic explores ranked per replaced member.
N_CANDIDATES = 32
# Most recent rows the GP is fitted to.
_MAX_ROWS = 96
# Random restarts of the GP's hyperparameter fit, besides its warm or default
# start: none, as in scikit-learn's GaussianProcessRegressor by default. Each
# restart costs up to 40 likelihood gradients, the bulk of a round's CPU.
_N_RESTARTS = 0


def improvement_data(history, space, n_told, *, every_row_in_space=False):
    """Inputs ``[t, encoding]`` and improvements of the recent rows of ``space``.

    Parameters
    ----------
    history : list of dict
        The scheduler's history rows (``step``, ``member``, ``parent``,
        ``params``, ``score``).
    space : Space
        The sub-space whose rows are used.
    n_told : int
        Number of steps told so far.
    every_row_in_space : bool, default=False
        Whether all rows are known to belong to ``space`` (a scheduler with
        one space), which skips the membership test.

    Returns
    -------
    X : ndarray of shape (n_rows, 1 + n_columns)
    y : ndarray of shape (n_rows,)
        Improvements divided by the power of two of
        :func:`~hptune.strategies._base.score_scale`; NaN marks a failed
        step and +inf a step scored +inf (see the module docstring).
    """
    score = {(r["step"], r["member"]): r["score"] for r in history}
    scale = score_scale(list(score.values()))
    first = 0 if n_told == 1 else 1
    rows = []
    # The most recent rows (history is in step order): walking back stops at
    # _MAX_ROWS, so the membership test, the costly part, runs on those only.
    for r in reversed(history):
        if len(rows) == _MAX_ROWS:
            break
        if (r["step"] >= first or _failed(r["score"])) and (
            every_row_in_space or space.contains(r["params"])
        ):
            rows.append(r)
    rows.reverse()
    improvements = [(r, _improvement(r, score, scale)) for r in rows]
    rows = [r for r, value in improvements if value is not None]
    if not rows:
        return np.empty((0, 1 + space.n_columns)), np.empty(0)
    y = np.array([value for _, value in improvements if value is not None])
    t = np.array([1.0 if _failed(r["score"]) else r["step"] / n_told for r in rows])
    X = np.hstack([t[:, None], space.encode([r["params"] for r in rows])])
    return X, y


def _failed(value):
    """Whether a score marks a failure (NaN or -inf)."""
    return math.isnan(value) or value == -math.inf


def _improvement(row, score, scale):
    """The row's improvement in units of ``scale``: NaN if it failed, None if undefined."""
    if _failed(row["score"]):
        return math.nan
    before = score[(row["step"] - 1, row["parent"])] if row["step"] else 0.0
    if not math.isfinite(before):
        return None
    return row["score"] / scale - before / scale


class ImprovementModel:
    """GP of the next step's improvement, conditioned as members are assigned.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted to :func:`improvement_data`.
    space : Space
        The sub-space the configurations belong to.
    """

    def __init__(self, gp, space):
        self.gp, self.space = gp, space
        self._warm_state = gp.warm_state()  # before any conditioning

    @classmethod
    def fit(cls, history, space, n_told, rng, *, warm_state=None, every_row_in_space=False):
        """The model of ``space``'s rows, or None with too few observations.

        Parameters
        ----------
        history : list of dict
            The scheduler's history rows.
        space : Space
            The sub-space.
        n_told : int
            Number of steps told so far.
        rng : RandomState
            Seeds the restarts of the GP's hyperparameter fit.
        warm_state : dict or None, default=None
            :attr:`warm_state` of the previous round's model of this space:
            its kernel hyperparameters are polished instead of fitted anew
            (see the module docstring).
        every_row_in_space : bool, default=False
            Passed to :func:`improvement_data`.

        Returns
        -------
        model : ImprovementModel or None
        """
        X, y = improvement_data(history, space, n_told, every_row_in_space=every_row_in_space)
        if np.sum(np.isfinite(y)) < MIN_OBSERVATIONS:
            return None
        gp = GaussianProcess(n_restarts=_N_RESTARTS)
        if warm_state is not None:
            gp.set_warm_state(warm_state)
        gp.fit(X, clean_scores(y), random_state=child_seed(rng))
        return cls(gp, space)

    @property
    def warm_state(self):
        """The fitted GP's warm-start state (plain data), for the next round's :meth:`fit`."""
        return self._warm_state

    def _inputs(self, params):
        Z = self.space.encode(params)
        return np.hstack([np.ones((len(Z), 1)), Z])  # the next step: t = 1

    def assign(self, params):
        """Condition on configurations that will train during the next step.

        Parameters
        ----------
        params : list of dict
            Points of the space; the GP believes its own prediction there.

        Returns
        -------
        self : ImprovementModel
        """
        if params:
            X = self._inputs(params)
            self.gp = self.gp.condition_on(X, self.gp.predict(X, return_std=False))
        return self

    def choose(self, candidates):
        """The candidate with the highest UCB of the improvement; it is assigned.

        Parameters
        ----------
        candidates : list of dict
            Points of the space.

        Returns
        -------
        params : dict
            The chosen candidate.
        """
        mean, std = self.gp.predict(self._inputs(candidates), return_std=True)
        best = candidates[int(np.argmax(ucb(mean, std, kappa=_KAPPA)))]
        self.assign([best])
        return best
