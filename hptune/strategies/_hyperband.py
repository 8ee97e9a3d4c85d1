"""Hyperband: brackets of successive halving over a resource, as an ask/tell scheduler.

Successive halving evaluates many candidates with a small resource (few
samples, trees or iterations) and promotes the best ``1 / factor`` of them to
``factor`` times the resource, rung after rung, up to the full resource.
Hyperband (Li et al., 2018, "Hyperband: A Novel Bandit-Based Approach to
Hyperparameter Optimization", JMLR 18(185), Algorithm 1) runs several
*brackets* of it, each starting at another resource, so that a small
resource that ranks candidates wrongly cannot decide everything: the last
bracket evaluates its candidates with the full resource only.

Notation: ``R`` is ``max_resources``, ``r_min`` ``min_resources``, ``eta``
the ``factor`` and ``s_max = floor(log_eta(R / r_min))``. Bracket ``s``
(``s = s_max, ..., 0``) starts ``n_s = ceil((s_max + 1) / (s + 1) * eta^s)``
candidates; its rung ``i`` (``i = 0..s``) keeps ``floor(n_s / eta^i)`` of
them at the resource ``r_{s,i} = R / eta^(s - i)``, rounded to an int and
at least ``r_min`` (Algorithm 1, lines 3-9). Every bracket ends at ``R``.

Budget. The unit is one *full evaluation*: a candidate evaluated with ``R``
(on every fold alike). An evaluation with the resource ``r`` costs ``r / R``;
with ``continued=True`` (the caller continues training a promoted candidate
from its previous rung) it costs only the increment ``(r - r_prev) / R``.
:func:`plan_brackets` lays out the brackets in the order ``s_max, ..., 0``,
over and over, while the next one fits into what is left of ``budget``; the
first that does not fit starts fewer candidates (its rungs shrink alike, and
a rung that would hold one candidate jumps straight to ``R``), or, if even
one candidate does not fit, gives way to the next, cheaper bracket. The
total cost of the plan is therefore at most ``budget``: the search spends
about what a search of ``budget`` full evaluations spends, and it is
comparable with one. The plan is fixed before the first evaluation, so
which rung comes next never depends on scores (only which candidates fill
it does).

Promotions. The best ``n_{i+1}`` of a rung, by score, move on; failed
evaluations (NaN) are never promoted, and a rung shortened by a finite
space that ran out promotes proportionally fewer.

Proposals. ``proposal="random"`` draws new candidates from the priors,
never repeating one. ``proposal="bayes"`` proposes like BOHB (Falkner et al.,
2018, "BOHB: Robust and Efficient Hyperparameter Optimization at Scale",
ICML, Section 4.1), a fraction ``random_fraction`` of the new candidates
(BOHB's rho, 1/3) still drawn at random so that the search keeps exploring
where a misleading model looks away, but with one model *across*
fidelities: where BOHB fits a model to the scores of the largest resource
with enough of them and ignores the others, a Gaussian process here learns
every evaluation, its resource as one more input (on a log scale, 0 at the
first rung and 1 at the full resource,
:class:`~hptune.surrogate.FidelityGaussianProcess`), and the acquisition is
maximised for the full resource. Its lengthscale along the resource says
how far the small rungs predict the full one, so the model uses the many
cheap scores where they agree with the expensive ones and discounts them
where they do not (a learning rate that ranks first after 9 iterations and
overfits after 243). On ``benchmarks/bench_hyperband.py``'s five tasks, with
development seeds 5-9 (not the report's), the mean best score was higher
than with BOHB's model on all five (from +0.0001 to +0.0025). The model is
hptune's :class:`~hptune.strategies.BayesOptimizer` (log expected
improvement, batches by kriging believer) on that Gaussian process, rebuilt
from the data at every proposal. Conditional sub-spaces (a list of dicts)
share one model,
:class:`~hptune.strategies._conditional_bayes.ConditionalBayesOptimizer`
over every sub-space's evaluations: it chooses the sub-space of each of its
candidates, so new candidates go to the branches that score well, and the
random ones go to the sub-spaces with the fewest candidates so far, so that
no branch is starved.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..surrogate import FidelityGaussianProcess
from ..utils._random import check_random_state, child_seed, rng_from_state, rng_to_state
from ..utils._validation import check_choice, check_int, check_real
from ._bayes import BayesOptimizer
from ._conditional_bayes import _DESIGN_PER_BRANCH, ConditionalBayesOptimizer
from ._pbt import _as_subspaces
from ._random import RandomOptimizer

__all__ = ["HyperbandScheduler", "Job", "plan_brackets"]

#: Version of the ``state_dict`` layout; bumped on incompatible changes.
STATE_FORMAT = 1

PROPOSALS = ("bayes", "random")

# s_max is floor(log(R / r_min) / log(eta)); without this slack, R / r_min =
# eta**k computed in floating point can land just below k.
_LOG_SLACK = 1e-9


def bracket_rungs(s, n, max_resources, min_resources, factor):
    """The rungs ``[(n_i, r_i), ...]`` of bracket ``s`` started with ``n`` candidates.

    Rung ``i`` keeps ``floor(n / factor^i)`` candidates at
    ``R / factor^(s - i)`` (at least ``min_resources``). Once a rung would
    keep a single candidate, it goes straight to ``R``: intermediate rungs of
    one candidate select nothing.
    """
    rungs = []
    for i in range(s + 1):
        n_i = n // factor**i
        r_i = max(min_resources, int(round(max_resources / factor ** (s - i))))
        if n_i <= 1 or i == s:
            rungs.append((max(n_i, 1), max_resources))
            break
        rungs.append((n_i, r_i))
    return rungs


def rung_cost(rungs, max_resources, continued):
    """Cost of a bracket's rungs in full evaluations (see the module docstring)."""
    cost, previous = 0.0, 0
    for n_i, r_i in rungs:
        cost += n_i * (r_i - (previous if continued else 0)) / max_resources
        previous = r_i
    return cost


def plan_brackets(max_resources, min_resources, factor, budget, continued=False):
    """Lay out the brackets of a search of ``budget`` full evaluations.

    Parameters
    ----------
    max_resources, min_resources : int
        ``R`` and ``r_min``, with ``1 <= r_min <= R``.
    factor : int
        ``eta`` >= 2.
    budget : float or None
        Full evaluations to spend, at least 1; None gives one of each
        bracket (Hyperband's outer loop, once).
    continued : bool, default=False
        Whether a promoted candidate continues from its previous rung (it
        then pays only the increment of resource).

    Returns
    -------
    plan : list of (int, list of (int, int))
        ``(s, rungs)`` per bracket, in order; ``rungs`` lists each rung's
        number of candidates and resource. Its total cost is at most ``budget``.

    Examples
    --------
    >>> from hptune.strategies._hyperband import plan_brackets
    >>> plan_brackets(9, 1, 3, budget=6)
    [(2, [(9, 1), (3, 3), (1, 9)]), (1, [(5, 3), (1, 9)])]
    """
    s_max = int(math.floor(math.log(max_resources / min_resources) / math.log(factor) + _LOG_SLACK))
    if budget is None:
        return [
            (s, bracket_rungs(s, math.ceil((s_max + 1) / (s + 1) * factor**s),
                              max_resources, min_resources, factor))
            for s in range(s_max, -1, -1)
        ]
    plan, left, s = [], float(budget), s_max
    n_unaffordable = 0  # brackets in a row that did not fit at all
    while n_unaffordable <= s_max:
        n = math.ceil((s_max + 1) / (s + 1) * factor**s)
        # The largest start that fits; costs grow with n, so stop at the first.
        while n >= 1 and rung_cost(bracket_rungs(s, n, max_resources, min_resources, factor),
                                   max_resources, continued) > left + 1e-9:
            n -= 1
        if n >= 1:
            rungs = bracket_rungs(s, n, max_resources, min_resources, factor)
            left -= rung_cost(rungs, max_resources, continued)
            plan.append((s, rungs))
            n_unaffordable = 0
        else:
            n_unaffordable += 1
        s = s - 1 if s > 0 else s_max
    return plan


@dataclass(frozen=True)
class Job:
    """One evaluation the scheduler asks for: a candidate at a resource.

    Attributes
    ----------
    candidate : int
        Index of the candidate (in order of creation).
    params : dict
        Its hyperparameters (without the resource).
    resource : int
        The resource to evaluate it with.
    previous_resource : int
        The resource of its previous evaluation in this bracket (0 for a new
        candidate): a caller that continues training trains the difference.
    bracket : int
        Index of the bracket in the plan.
    rung : int
        Index of the rung in the bracket.
    """

    candidate: int
    params: dict
    resource: int
    previous_resource: int
    bracket: int
    rung: int


class HyperbandScheduler:
    """Hyperband (or BOHB) over a resource: which candidates to evaluate, with how much.

    Read more in the :ref:`User Guide <hyperband_search>`.

    Parameters
    ----------
    space : Space, dict, list of Dimension or list of dict
        The search space; a list of dicts gives conditional sub-spaces.
    max_resources : int
        The full resource ``R`` (samples, trees, iterations, ...).
    min_resources : int, default=1
        The smallest resource of a rung, in [1, max_resources].
    factor : int, default=3
        ``eta``: each rung keeps ``1 / factor`` of the candidates with
        ``factor`` times the resource.
    budget : float, default=None
        Full evaluations to spend (see :func:`plan_brackets`); None runs
        one of each bracket (``s_max + 1`` brackets).
    proposal : {"bayes", "random"}, default="bayes"
        How new candidates are proposed: by a Gaussian process of every
        score so far, with the resource as an input, for the full resource
        (see the module docstring), or at random.
    random_fraction : float, default=1/3
        With ``proposal="bayes"``, the fraction of new candidates still
        drawn at random.
    min_points : int, default=None
        Finite scores needed before the model proposes; None means the
        number of dimensions of the largest sub-space plus 2 (and at least
        three per sub-space with several).
    continued : bool, default=False
        Whether the caller continues training promoted candidates from
        their previous rung (an evaluation then costs only the increment).
    initial_points : list of dict, default=None
        Points of the space that are the first candidates created, before
        any proposal: they start in the first bracket's first rung (and the
        next brackets', if it has fewer candidates) and are promoted by their
        scores like any other.
    random_state : int, RandomState instance or None, default=None
        Seed of the proposals. Pass an int for reproducible output across
        multiple function calls.

    Attributes
    ----------
    spaces : list of Space
        The (sub-)spaces.
    plan_ : list of (int, list of (int, int))
        The brackets: ``s`` and the ``(n_candidates, resource)`` of each rung.
    candidates_ : list of dict
        Every candidate created so far, in order.
    evaluations_ : dict of ndarray
        One entry per told evaluation: ``candidate``, ``resource``,
        ``score``, ``bracket`` and ``rung``.

    Examples
    --------
    >>> from hptune.strategies import HyperbandScheduler
    >>> scheduler = HyperbandScheduler({"x": (0.0, 1.0)}, max_resources=9, factor=3,
    ...                                proposal="random", random_state=0)
    >>> while jobs := scheduler.ask():
    ...     scheduler.tell(jobs, [-(j.params["x"] - 0.3) ** 2 * 9 / j.resource for j in jobs])
    >>> scheduler.n_told, round(scheduler.spent, 6)
    (22, 8.666667)
    >>> abs(scheduler.best_params["x"] - 0.3) < 0.2
    True
    """

    def __init__(
        self,
        space,
        *,
        max_resources,
        min_resources=1,
        factor=3,
        budget=None,
        proposal="bayes",
        random_fraction=1 / 3,
        min_points=None,
        continued=False,
        initial_points=None,
        random_state=None,
    ):
        owner = type(self).__name__
        check_int(owner, "max_resources", max_resources, 1)
        check_int(owner, "min_resources", min_resources, 1)
        check_int(owner, "factor", factor, 2)
        if min_resources > max_resources:
            raise ValueError(
                f"min_resources={min_resources} exceeds max_resources={max_resources}; lower "
                "min_resources or raise max_resources."
            )
        if budget is not None:
            check_real(owner, "budget", budget, 1)
        check_choice(owner, "proposal", proposal, PROPOSALS)
        check_real(owner, "random_fraction", random_fraction, 0, 1)
        if min_points is not None:
            check_int(owner, "min_points", min_points, 1)
        self.spaces = _as_subspaces(space)
        self.max_resources, self.min_resources = int(max_resources), int(min_resources)
        self.factor, self.budget = int(factor), budget
        self.proposal, self.random_fraction = proposal, float(random_fraction)
        self.min_points, self.continued = min_points, bool(continued)
        self._rng = check_random_state(random_state)
        self.plan_ = plan_brackets(
            self.max_resources, self.min_resources, self.factor, budget, continued
        )
        self.initial_points = self._check_initial_points(initial_points)
        self.candidates_, self._subspace = [], []
        self._evals = {k: [] for k in ("candidate", "resource", "score", "bracket", "rung")}
        self._bracket, self._rung, self._members = 0, 0, None
        self._pending = None

    # -- the schedule -----------------------------------------------------------------
    @property
    def n_planned(self):
        """Evaluations in the plan (an upper bound when promotions fall short)."""
        return sum(n for _, rungs in self.plan_ for n, _ in rungs)

    @property
    def done(self):
        """Whether every bracket of the plan has run."""
        return self._bracket >= len(self.plan_)

    @property
    def n_told(self):
        """Number of evaluations told."""
        return len(self._evals["score"])

    @property
    def spent(self):
        """Full evaluations spent so far (see the module docstring)."""
        return self._cost(self._evals["candidate"], self._evals["resource"], self._evals["rung"])

    def ask(self):
        """The evaluations of the next rung.

        Returns
        -------
        jobs : list of Job
            Empty when the plan is done. Asking again before :meth:`tell`
            returns the same jobs.
        """
        if self._pending is not None:
            return list(self._pending)
        while not self.done:
            _, rungs = self.plan_[self._bracket]
            if self._rung == 0:
                self._members = self._new_candidates(rungs[0][0])
            if self._members:
                break
            self._next_bracket()  # a finite space ran out: nothing new to start
        if self.done:
            return []
        resource = rungs[self._rung][1]
        previous = rungs[self._rung - 1][1] if self._rung else 0
        self._pending = [
            Job(int(c), self.candidates_[c], resource, previous, self._bracket, self._rung)
            for c in self._members
        ]
        return list(self._pending)

    def tell(self, jobs, scores):
        """Record the scores of the jobs of the last :meth:`ask` and promote the best.

        Parameters
        ----------
        jobs : list of Job
            The jobs of the last :meth:`ask`, in order.
        scores : array-like of shape (n_jobs,)
            Their scores (greater is better); NaN marks a failure.
        """
        y = np.asarray(scores, dtype=float).reshape(-1)
        if self._pending is None or list(jobs) != self._pending:
            raise ValueError("tell expects the jobs of the last ask, in the same order.")
        if len(y) != len(jobs):
            raise ValueError(f"tell got {len(jobs)} jobs but {len(y)} scores.")
        for job, score in zip(jobs, y):
            for key, value in (("candidate", job.candidate), ("resource", job.resource), ("score", score),
                               ("bracket", job.bracket), ("rung", job.rung)):
                self._evals[key].append(value)
        self._pending = None
        self._promote(y)

    def _promote(self, y):
        """Keep the best of the rung just told, or close the bracket."""
        _, rungs = self.plan_[self._bracket]
        if self._rung + 1 >= len(rungs):
            self._next_bracket()
            return
        planned, planned_next = rungs[self._rung][0], rungs[self._rung + 1][0]
        # A rung cut short (a finite space ran out) promotes its share only.
        k = min(planned_next, math.ceil(len(y) * planned_next / planned), int(np.isfinite(y).sum()))
        if k == 0:
            self._next_bracket()
            return
        order = self._promotion_order(y)
        self._members = [self._members[i] for i in order[:k]]
        self._rung += 1

    def _promotion_order(self, y):
        """The rung's members from the best to the worst (a hook), failures last."""
        return np.argsort(-np.where(np.isfinite(y), y, -np.inf), kind="stable")

    def _next_bracket(self):
        self._bracket, self._rung, self._members = self._bracket + 1, 0, None

    # -- results ------------------------------------------------------------------------
    @property
    def evaluations_(self):
        """The told evaluations as arrays (see the class docstring)."""
        return {
            k: np.asarray(v, dtype=float if k == "score" else np.int64) for k, v in self._evals.items()
        }

    def _full(self):
        """Indices of the told evaluations with the full resource."""
        return np.flatnonzero(np.asarray(self._evals["resource"], dtype=np.int64) == self.max_resources)

    @property
    def best_index(self):
        """Index (in :attr:`evaluations_`) of the best full-resource evaluation, or None."""
        full = self._full()
        scores = np.asarray(self._evals["score"], dtype=float)[full]
        if not np.isfinite(scores).any():
            return None
        return int(full[np.nanargmax(np.where(np.isfinite(scores), scores, np.nan))])

    @property
    def best_score(self):
        """The best full-resource score (NaN while there is none)."""
        i = self.best_index
        return math.nan if i is None else float(self._evals["score"][i])

    @property
    def best_params(self):
        """The candidate with the best full-resource score (None while there is none)."""
        i = self.best_index
        return None if i is None else self.candidates_[self._evals["candidate"][i]]

    def _cost(self, candidates, resources, rungs):
        cost = 0.0
        previous = {}
        for c, r, i in zip(candidates, resources, rungs):
            start = previous.get(c, 0) if self.continued and i > 0 else 0
            cost += (r - start) / self.max_resources
            previous[c] = r
        return cost

    # -- proposals -----------------------------------------------------------------------
    def _check_initial_points(self, points):
        points = [dict(p) for p in (points or [])]
        n_candidates = sum(rungs[0][0] for _, rungs in self.plan_)
        if len(points) > n_candidates:
            raise ValueError(
                f"initial_points has {len(points)} points but the plan of brackets creates "
                f"{n_candidates} candidates; pass at most {n_candidates} initial points or "
                "raise the budget."
            )
        for i, point in enumerate(points):
            if not any(space.contains(point) for space in self.spaces):
                raise ValueError(f"initial_points[{i}]={point!r} is not a point of the search space.")
        return points

    def _seeded_candidates(self, n):
        """The initial points not yet made candidates (they are the first ones), up to ``n``."""
        created = []
        for params in self.initial_points[len(self.candidates_) :][:n]:
            self._subspace.append(self._subspace_of(params))
            self.candidates_.append(params)
            created.append(len(self.candidates_) - 1)
        return created

    def _new_candidates(self, n):
        """Create up to ``n`` new candidates: the model's, then random ones.

        With sub-spaces, one model over all of them chooses the branch of
        each of its candidates (so new candidates go where the scores are
        good), and the random ones go to the sub-spaces with the fewest
        candidates so far.
        """
        created = self._seeded_candidates(n)
        m = n - len(created)
        if m <= 0:
            return created
        n_random = int(self._rng.binomial(m, self.random_fraction)) if self.proposal == "bayes" else m
        chosen = self._model_points(m - n_random)
        # The random share is split evenly (ties: to the sub-space with the
        # fewest candidates so far) whatever the model chose, so that it
        # neither follows the model nor undoes its choice.
        counts = np.bincount(np.asarray(self._subspace, dtype=np.int64), minlength=len(self.spaces))
        wanted = np.zeros(len(self.spaces), dtype=np.int64)
        for _ in range(m - len(chosen)):  # the model may fall short: random fills in
            wanted[int(np.lexsort((counts, wanted))[0])] += 1
        for k, space in enumerate(self.spaces):
            mine = [p for j, p in chosen if j == k]
            if not (mine or wanted[k]):
                continue
            registry = RandomOptimizer(space, random_state=child_seed(self._rng))
            known = [p for p, sub in zip(self.candidates_, self._subspace) if sub == k] + mine
            if known:
                registry.tell(known, np.full(len(known), np.nan))
            for params in mine + (registry.ask(int(wanted[k])) if wanted[k] else []):
                self._subspace.append(k)
                self.candidates_.append(params)
                created.append(len(self.candidates_) - 1)
        return created

    def _model_points(self, n):
        """Up to ``n`` ``(sub-space, params)`` from a GP across fidelities, for the full resource."""
        fidelity = self._fidelities()
        if n == 0 or fidelity is None:
            return []
        seed = child_seed(self._rng)
        if len(self.spaces) == 1:
            model = BayesOptimizer(self.spaces[0], n_initial_points=1, random_state=seed)
        else:
            model = ConditionalBayesOptimizer(self.spaces, n_initial_points=1, random_state=seed)
        # The optimiser's own acquisition and batches, on a GP that knows each
        # evaluation's fidelity and answers for the full resource.
        model._surrogate = FidelityGaussianProcess(fidelity, noise_floor=model._surrogate.noise_floor)
        model.tell([self.candidates_[c] for c in self._evals["candidate"]],
                   self._model_targets(np.arange(self.n_told)))
        seen = {self._key(k, p) for p, k in zip(self.candidates_, self._subspace)}
        points = [(self._subspace_of(p), p) for p in model.ask(n)]
        return [(k, p) for k, p in points if self._key(k, p) not in seen]

    def _subspace_of(self, params):
        return next(k for k, space in enumerate(self.spaces) if space.contains(params))

    def _fidelities(self):
        """The fidelity of every told evaluation, once there are enough (else None).

        Enough: ``min_points`` finite scores, by default two more than the
        dimensions of the largest sub-space and, with several, at least the
        conditional model's initial design (three per sub-space), below
        which it would only return its design. The fidelity of a resource
        ``r`` is ``log(r / r_min) / log(R / r_min)``: 0 at the first rung,
        1 at the full resource, evenly spaced rungs in between.
        """
        min_points = self.min_points
        if min_points is None:
            min_points = max(s.n_dims for s in self.spaces) + 2
            if len(self.spaces) > 1:
                min_points = max(min_points, _DESIGN_PER_BRANCH * len(self.spaces))
        ev = self.evaluations_
        if np.isfinite(ev["score"]).sum() < min_points:
            return None
        span = math.log(self.max_resources / self.min_resources)
        return np.log(ev["resource"] / self.min_resources) / span if span > 0 else np.ones(self.n_told)

    def _model_targets(self, index):
        """The scores the proposal model learns, of the evaluations ``index`` (a hook)."""
        return self.evaluations_["score"][index]

    def _key(self, k, params):
        return tuple(self.spaces[k].to_rows([params])[0])

    # -- state -----------------------------------------------------------------------------
    def state_dict(self):
        """The scheduler's state as plain data (JSON and numpy arrays).

        Returns
        -------
        state : dict
            Candidates (values, or indices of categories), told evaluations,
            the position in the plan and the random generator.
        """
        subspace = np.asarray(self._subspace, dtype=np.int64)
        return {
            "format": STATE_FORMAT,
            "strategy": type(self).__name__,
            "plan": [[s, [list(rung) for rung in rungs]] for s, rungs in self.plan_],
            "subspace": subspace,
            "rows": [
                space.to_rows([p for p, sub in zip(self.candidates_, subspace) if sub == k]).reshape(
                    -1, space.n_dims
                )
                for k, space in enumerate(self.spaces)
            ],
            "evaluations": self.evaluations_,
            "position": [self._bracket, self._rung],
            "members": np.asarray(self._members or [], dtype=np.int64),
            "rng": rng_to_state(self._rng),
        }

    def load_state_dict(self, state):
        """Restore a state produced by :meth:`state_dict` on an equal scheduler.

        Parameters
        ----------
        state : dict
            Output of :meth:`state_dict`.

        Returns
        -------
        self : HyperbandScheduler
            The scheduler, continuing where the state was saved.
        """
        if state.get("format") != STATE_FORMAT or state.get("strategy") != type(self).__name__:
            raise ValueError(
                f"The state is not a {type(self).__name__} state of format {STATE_FORMAT}."
            )
        plan = [(int(s), [(int(n), int(r)) for n, r in rungs]) for s, rungs in state["plan"]]
        if plan != self.plan_:
            raise ValueError("The state was saved for another plan of brackets.")
        subspace = [int(k) for k in np.asarray(state["subspace"]).reshape(-1)]
        rows = [iter(space.from_rows(r)) for space, r in zip(self.spaces, state["rows"])]
        self.candidates_ = [next(rows[k]) for k in subspace]
        self._subspace = subspace
        evals = state["evaluations"]
        self._evals = {
            k: [float(v) if k == "score" else int(v) for v in np.asarray(evals[k]).reshape(-1)]
            for k in self._evals
        }
        self._bracket, self._rung = (int(v) for v in state["position"])
        members = [int(c) for c in np.asarray(state["members"]).reshape(-1)]
        self._members = members if self._rung > 0 else None
        self._pending = None
        self._rng = rng_from_state(state["rng"])
        return self

    def __repr__(self):
        return (
            f"{type(self).__name__}(max_resources={self.max_resources}, "
            f"min_resources={self.min_resources}, factor={self.factor}, n_told={self.n_told})"
        )
