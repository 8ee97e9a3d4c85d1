"""Population-based training: the exploit/explore scheduler.

Population-based training (Jaderberg et al., 2017, "Population Based Training
of Neural Networks", arXiv:1711.09846) trains ``P`` members at once. Every
``perturbation_interval`` steps, each member of the bottom quantile of the
scores copies the model and hyperparameters of a random member of the top
quantile (*exploit*, Section 4.1 "truncation selection") and perturbs the
copied hyperparameters (*explore*, "perturb" and "resample").

This module only decides who copies whom and which hyperparameters follow; it
knows nothing of estimators, folds or joblib. The caller trains the members and
copies the models as told.

Notation: ``P`` is the population size, ``scores`` an ndarray of shape (P,)
(greater is better; NaN marks a failed member, which ranks below every
finite score), ``z`` the encoding of one point in the space's unit-cube
representation and ``f`` a perturbation factor.

Explore works in the encoded (warped) representation, one dimension at a
time, and snaps the result so that every value stays valid and typed:

* with probability ``resample_probability`` the value is redrawn from the
  dimension's prior (the "resample" explore of the paper);
* otherwise a factor ``f`` is drawn from ``perturbation_factors`` and the
  value becomes ``x * f``, clipped to the bounds, on a log-warped dimension (a
  shift of ``log f`` in log space) and on a linear ``Real`` whose values are
  not negative (``low >= 0``). The step is then relative to the value, as
  in the paper: ``subsample=0.9`` moves to 0.72 or 1.0 (clipped) within
  (0.3, 1.0), and a value near 0 moves little (0 itself moves only when
  resampled). On any other ordered dimension (a linear ``Real`` that
  admits negative values, where a product has no meaning of scale, an
  ``Integer`` on a uniform prior, a scipy distribution) the encoded value
  moves by ``(f - 1) / 2`` of the range (+-10% for the default factors 0.8
  and 1.2);
* an ordered discrete dimension (``Integer``, ``Ordinal``, discrete
  distributions) moves at least to the neighbouring value in the direction of
  ``f``, so that small steps on a coarse grid are not lost to rounding;
* an unordered ``Categorical`` has no small step: it changes only when
  resampled.
"""

import math

import numpy as np

from ..space import Categorical, Real, Space, initial_design
from ..utils._random import check_random_state, child_seed, rng_from_state, rng_to_state
from ..utils._validation import check_choice, check_int, check_real
from ._base import as_space
from ._pbt_bandit import N_CANDIDATES, ImprovementModel

__all__ = ["PBTScheduler"]

EXPLORE_RULES = ("perturb", "bandit")
# Explores drawn again when one lands on hyperparameters that failed: enough
# to leave a failing value of a small discrete dimension with near certainty
# (a neighbour on either side: 2 ** -32 to come back), and explores are cheap.
_MAX_REDRAWS = 32


def _check_factors(factors):
    try:
        values = [float(f) for f in factors]
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"perturbation_factors must be a sequence of positive numbers. Got {factors!r}."
        ) from err
    if not values or not all(math.isfinite(f) and f > 0 for f in values):
        raise ValueError(
            f"perturbation_factors must be a non-empty sequence of positive numbers. "
            f"Got {factors!r}."
        )
    return values


def _as_subspaces(space):
    """A list of Spaces: one space, or conditional sub-spaces given as a list of dicts."""
    if isinstance(space, (list, tuple)) and space and all(
        isinstance(s, (dict, Space)) for s in space
    ):
        return [as_space(s) for s in space]
    return [as_space(space)]


def _log_slope(dim):
    """Encoded units per unit of ``log x`` of a log-warped dimension.

    The encoding is linear in ``log x`` (with half-step padding for
    integers), so the slope is measured between the bounds.
    """
    z_low, z_high = dim.encode([dim.low, dim.high])[:, 0]
    return (z_high - z_low) / (math.log(dim.high) - math.log(dim.low))


def _shift(dim, f, slopes, z):
    """Encoded shift of the encoded values ``z`` of a one-column ordered dimension.

    On a log-warped dimension the value is multiplied by ``f``: the shift is
    ``log f`` times the slope, the same for every value, cached in ``slopes``
    (by dimension) because the bandit explores many candidates per round.
    On a linear ``Real`` with ``low >= 0`` the value is multiplied by ``f``
    too: ``x = low + z (high - low)`` moves by ``x (f - 1)``, that is
    ``(z + low / (high - low)) (f - 1)`` encoded units. Any other dimension
    moves by ``(f - 1) / 2`` of its encoded range.
    """
    if getattr(dim, "prior", None) == "log-uniform":
        if id(dim) not in slopes:
            slopes[id(dim)] = _log_slope(dim)
        return math.log(f) * slopes[id(dim)]
    if isinstance(dim, Real) and dim.low >= 0:
        return (z + dim.low / (dim.high - dim.low)) * (f - 1.0)
    return (f - 1.0) / 2.0


class PBTScheduler:
    """Exploit/explore decisions of population-based training.

    The scheduler holds the current hyperparameters of every member. After
    each training step, :meth:`tell` receives the members' scores; every
    ``perturbation_interval`` steps it replaces each member of the bottom
    ``quantile_fraction`` by a perturbed copy of a random member of the top
    ``quantile_fraction`` that scores strictly better, and returns which
    member's model each member must continue from.

    Read more in the :ref:`User Guide <pbt_search>`.

    Parameters
    ----------
    space : Space, dict, list of Dimension or list of dict
        The search space. A list of dicts gives conditional sub-spaces; the
        initial members are shared out among them in turn, and a member that
        exploits another moves to the other's sub-space.
    population_size : int, default=8
        Number of members ``P``.
    perturbation_interval : int, default=1
        Number of steps between two exploit/explore rounds.
    quantile_fraction : float, default=0.25
        Fraction of the population in the bottom and in the top quantile, in
        (0, 0.5]. The quantiles hold ``ceil(P * quantile_fraction)`` members,
        at most ``P // 2``.
    resample_probability : float, default=0.25
        Probability that explore redraws a dimension from its prior instead
        of perturbing it.
    perturbation_factors : sequence of float, default=(0.8, 1.2)
        Factors drawn (uniformly, per dimension) to perturb a value; see the
        module docstring for how they act on each kind of dimension.
    explore : {"perturb", "bandit"}, default="perturb"
        How a replaced member's hyperparameters are chosen. ``"perturb"``:
        the copied ones, perturbed or resampled once (the paper's rule), and
        drawn again if they land on hyperparameters that failed before.
        ``"bandit"``: after PB2 (see :mod:`hptune.strategies._pbt_bandit`), 32
        such explores are drawn and a Gaussian process of each step's score
        improvement (given the step and the hyperparameters) picks the one with
        the highest upper confidence bound, spreading a batch by GP-BUCB
        fantasies; it explores at random while fewer than 4 finite scores are
        known.
    selection_window : int, default=1
        Number of last steps whose scores exploit averages along each
        member's lineage to rank the members (see
        :meth:`selection_scores`); 1 ranks by the last step's score alone.
        A longer window is less sensitive to noisy scores (small folds).
    random_state : int, RandomState instance or None, default=None
        Seed of the initial population, of the quantile tie-breaks, of the
        choice of the member to copy and of explore. Pass an int for
        reproducible output across multiple function calls.

    Attributes
    ----------
    spaces : list of Space
        The (sub-)spaces.
    population_ : list of dict
        Current hyperparameters of each member (None before the first
        :meth:`ask`).
    subspace_ : ndarray of shape (P,)
        Index of each member's sub-space.
    parents_ : ndarray of shape (P,)
        For each member, the member whose model it continues from in the next
        step (itself when it was not replaced).
    step_ : int
        Number of steps told.
    history_ : list of dict
        One row per told (step, member): ``step``, ``member``, ``parent``
        (whose model the member continued from during that step), ``params``
        and ``score``.

    Examples
    --------
    >>> from hptune import PBTScheduler
    >>> scheduler = PBTScheduler({"lr": (1e-4, 1e-1, "log-uniform")},
    ...                          population_size=4, random_state=0)
    >>> params = scheduler.ask()
    >>> scheduler.tell([0.1, 0.9, 0.5, 0.7]).tolist()
    [1, 1, 2, 3]
    """

    def __init__(
        self,
        space,
        *,
        population_size=8,
        perturbation_interval=1,
        quantile_fraction=0.25,
        resample_probability=0.25,
        perturbation_factors=(0.8, 1.2),
        explore="perturb",
        selection_window=1,
        random_state=None,
    ):
        owner = type(self).__name__
        check_int(owner, "population_size", population_size, 2)
        check_int(owner, "perturbation_interval", perturbation_interval, 1)
        check_real(owner, "quantile_fraction", quantile_fraction, 0, 0.5, closed="right")
        check_real(owner, "resample_probability", resample_probability, 0, 1)
        check_choice(owner, "explore", explore, EXPLORE_RULES)
        check_int(owner, "selection_window", selection_window, 1)
        self.spaces = _as_subspaces(space)
        self.population_size = int(population_size)
        self.perturbation_interval = int(perturbation_interval)
        self.quantile_fraction = float(quantile_fraction)
        self.resample_probability = float(resample_probability)
        self.perturbation_factors = _check_factors(perturbation_factors)
        self.explore_rule = explore
        self.selection_window = int(selection_window)
        self.random_state = random_state
        self._rng = check_random_state(random_state)
        self._slopes = {}  # _shift's cache: a pure function of the (fixed) dimensions
        # Per sub-space: the bandit model's GP warm state of the last round.
        self._bandit_warm = [None] * len(self.spaces)
        self.population_ = None
        self.subspace_ = np.arange(self.population_size) % len(self.spaces)
        self.parents_ = np.arange(self.population_size)
        self.step_ = 0
        self.history_ = []

    # -- ask / tell -----------------------------------------------------------
    def ask(self):
        """Return the hyperparameters of every member for the next step.

        The first call draws the initial population: a scrambled Sobol design
        over each sub-space, so that a small population covers the space.

        Returns
        -------
        params : list of dict
            One dict per member, in member order.
        """
        if self.population_ is None:
            self.population_ = self._initial_population()
        return [dict(p) for p in self.population_]

    def tell(self, scores, *, perturb=True):
        """Record the members' scores after one step and exploit/explore.

        Parameters
        ----------
        scores : array-like of shape (P,)
            Score of each member after this step; NaN marks a failure.
        perturb : bool, default=True
            Whether an exploit/explore round may happen after this step (it
            happens when the step count is a multiple of
            ``perturbation_interval``). Pass False after the last step, whose
            hyperparameters are the result.

        Returns
        -------
        parents : ndarray of shape (P,)
            For each member, the member whose model it must continue from:
            ``parents[i] == i`` keeps its own model, ``parents[i] == j``
            replaces it by a copy of member ``j``'s.
        """
        if self.population_ is None:
            raise RuntimeError("Call ask() before tell(): there is no population yet.")
        y = np.asarray(scores, dtype=float).reshape(-1)
        if len(y) != self.population_size:
            raise ValueError(
                f"tell expects one score per member ({self.population_size}). Got {len(y)}."
            )
        for member, (params, score) in enumerate(zip(self.population_, y)):
            self.history_.append(
                {
                    "step": self.step_,
                    "member": member,
                    "parent": int(self.parents_[member]),
                    "params": dict(params),
                    "score": float(score),
                }
            )
        self.step_ += 1
        parents = np.arange(self.population_size)
        population, subspace = list(self.population_), self.subspace_.copy()
        if perturb and self.step_ % self.perturbation_interval == 0:
            pairs = self.exploit(self.selection_scores(y))
            for loser, winner in pairs:
                parents[loser], subspace[loser] = winner, self.subspace_[winner]
            for (loser, _), params in zip(pairs, self._new_configurations(pairs, subspace)):
                population[loser] = params
        self.population_, self.subspace_, self.parents_ = population, subspace, parents
        return parents.copy()

    @property
    def n_told(self):
        """Number of (step, member) scores told."""
        return len(self.history_)

    # -- the two operators -------------------------------------------------
    def selection_scores(self, scores):
        """The scores that exploit ranks: each lineage's mean over the last steps.

        One step's mean CV score is noisy: on small folds, a member can lead
        or trail by a few validation samples by chance, and truncation
        selection would then copy luck. Averaging each member's last
        ``selection_window`` told scores along its lineage (through the
        members it copied) smooths that noise; all members have trained for
        the same steps, so the average favours none. A member whose last
        score is NaN (a failure) keeps NaN and ranks last.

        Parameters
        ----------
        scores : array-like of shape (P,)
            The members' scores after the last told step.

        Returns
        -------
        scores : ndarray of shape (P,)
            The averaged scores, NaN where the last score is NaN.
        """
        y = np.asarray(scores, dtype=float).reshape(-1)
        window = min(self.selection_window, self.step_)
        if window <= 1:
            return y
        rows = {(r["step"], r["member"]): r for r in self.history_[-window * self.population_size :]}
        smoothed = y.copy()
        for member in np.flatnonzero(np.isfinite(y)):
            values, lineage = [], member
            for step in range(self.step_ - 1, self.step_ - 1 - window, -1):
                row = rows[(step, lineage)]
                values.append(row["score"])
                lineage = row["parent"]
            values = np.asarray(values)
            smoothed[member] = values[np.isfinite(values)].mean()
        return smoothed

    def exploit(self, scores):
        """Decide which members copy which (truncation selection).

        The bottom and top quantiles hold ``n = min(ceil(P * quantile_fraction),
        P // 2)`` members each, ranked by score with failures (NaN) last and
        ties broken at random. Each bottom member picks a top member uniformly
        at random and copies it only if that member scores strictly better.

        Parameters
        ----------
        scores : array-like of shape (P,)
            The members' scores after the last step (NaN for failures).

        Returns
        -------
        pairs : list of (int, int)
            ``(loser, winner)`` pairs, in increasing order of the loser's rank.
        """
        y = np.asarray(scores, dtype=float).reshape(-1)
        n_members = len(y)
        n = min(math.ceil(n_members * self.quantile_fraction), n_members // 2)
        key = np.where(np.isnan(y), -np.inf, y)
        # lexsort sorts by the last key first: the score, then a random tie-break.
        order = np.lexsort((self._rng.uniform(size=n_members), key))
        bottom, top = order[:n], order[n_members - n :]
        picks = self._rng.randint(max(n, 1), size=n)
        pairs = []
        for loser, pick in zip(bottom, picks):
            winner = top[pick]
            if key[winner] > key[loser]:
                pairs.append((int(loser), int(winner)))
        return pairs

    def explore(self, params, subspace=0):
        """Return a perturbed copy of ``params``, inside the (sub-)space.

        Parameters
        ----------
        params : dict
            A point of ``spaces[subspace]``.
        subspace : int, default=0
            Index of the sub-space ``params`` belongs to.

        Returns
        -------
        params : dict
            The perturbed point, with the user's types.
        """
        return self._explores(params, subspace, 1)[0]

    def _explores(self, params, subspace, n):
        """``n`` independent explores of ``params``, decoded in one batch.

        Distributed as ``n`` calls of :meth:`explore`, but each dimension is
        perturbed for all ``n`` points at once and the space encodes, snaps
        and decodes once, which keeps the bandit's candidates cheap. A single
        explore (``n == 1``) draws its random numbers one by one (two
        uniforms and a factor per dimension); a batch draws them all in one
        block, the factor from a third uniform.
        """
        space = self.spaces[subspace]
        z0 = space.encode([params])[0]
        n_dims, factors = len(space.dimensions), np.asarray(self.perturbation_factors)
        if n == 1:
            # The same numbers for every dimension, constant or not, so that
            # the stream of random numbers does not depend on the values.
            draws = np.empty((1, n_dims, 3))
            for j in range(n_dims):
                draws[0, j, :2] = self._rng.uniform(size=2)
                draws[0, j, 2] = factors[self._rng.randint(len(factors))]
        else:
            draws = self._rng.uniform(size=(n, n_dims, 3))
            index = np.minimum(draws[:, :, 2] * len(factors), len(factors) - 1).astype(int)
            draws[:, :, 2] = factors[index]
        Z = np.repeat(z0[None, :], n, axis=0)
        for j, (dim, sl) in enumerate(zip(space.dimensions, space._slices)):
            Z[:, sl] = self._perturb(dim, Z[:, sl], draws[:, j])
        return space.decode(space.snap(Z))

    def _new_configurations(self, pairs, subspace):
        """Hyperparameters of the replaced members, in the order of ``pairs``.

        ``"perturb"``: one explore of the winner's. ``"bandit"``: the best of
        ``N_CANDIDATES`` explores by the improvement model of the winner's
        sub-space (see :mod:`~hptune.strategies._pbt_bandit`), or one explore
        while that model has too little data. A random explore that lands on
        hyperparameters whose training failed before (a NaN or -inf score) is
        drawn again, up to ``_MAX_REDRAWS`` times: on a discrete space the
        same failing combination would otherwise come back and waste a member
        for a whole interval (the bandit's model learns failures itself).
        """
        losers = {loser for loser, _ in pairs}
        failed = [r["params"] for r in self.history_ if not r["score"] > -math.inf]
        models = {}
        new = []
        for _, winner in pairs:
            s = self.subspace_[winner]
            if self.explore_rule == "bandit" and s not in models:
                models[s] = ImprovementModel.fit(
                    self.history_, self.spaces[s], self.step_, self._rng,
                    warm_state=self._bandit_warm[s], every_row_in_space=len(self.spaces) == 1,
                )
                if models[s] is not None:  # members that keep training are pending
                    self._bandit_warm[s] = models[s].warm_state
                    models[s].assign([
                        self.population_[m] for m in range(self.population_size)
                        if m not in losers and subspace[m] == s
                    ])
            model = models.get(s)
            if model is None:
                params = self.explore(self.population_[winner], s)
                for _ in range(_MAX_REDRAWS if failed else 0):
                    if params not in failed:
                        break
                    params = self.explore(self.population_[winner], s)
                new.append(params)
            else:
                candidates = self._explores(self.population_[winner], s, N_CANDIDATES)
                new.append(model.choose(candidates))
        return new

    def _perturb(self, dim, Z, draws):
        """Perturb the encoded blocks ``Z`` of one dimension (see module docstring).

        ``Z`` holds one row per point and ``draws`` its random numbers
        ``(u_resample, u_prior, factor)``, one row per point.
        """
        if Z.shape[1] == 0:  # a constant has nothing to perturb
            return Z
        out = np.array(Z, dtype=float)
        resample = draws[:, 0] < self.resample_probability
        if resample.any():
            out[resample] = dim.from_unit(draws[resample, 1])
        if isinstance(dim, Categorical):
            return out
        for f in np.unique(draws[~resample, 2]):
            rows = np.flatnonzero(~resample & (draws[:, 2] == f))
            moved = dim.snap(Z[rows] + _shift(dim, f, self._slopes, Z[rows]))
            if not dim.is_continuous and f != 1.0:
                # A step too small for the grid moves to the neighbour ahead
                # (looked up once per distinct value: explores of one point share it).
                ahead = {}
                for k in np.flatnonzero(np.isclose(moved, Z[rows]).all(axis=1)):
                    z = Z[rows[k]]
                    if z.tobytes() not in ahead:
                        neighbours = dim.neighbours(z)
                        ahead[z.tobytes()] = neighbours[(neighbours[:, 0] > z[0]) == (f > 1.0)]
                    if len(ahead[z.tobytes()]):
                        moved[k] = ahead[z.tobytes()][0]
            out[rows] = moved
        return out

    # -- results ------------------------------------------------------------
    def schedule(self, member):
        """Hyperparameter schedule behind ``member``'s last told score.

        Follows the lineage of the model that earned that score back through
        the copies made by exploit.

        Parameters
        ----------
        member : int
            A member index.

        Returns
        -------
        schedule : list of dict
            One entry per told step, in order: ``step``, ``member`` (the member
            that trained this lineage during the step) and ``params``.
        """
        if not 0 <= member < self.population_size:
            raise ValueError(f"member must be in [0, {self.population_size}). Got {member!r}.")
        rows = {(r["step"], r["member"]): r for r in self.history_}
        schedule = []
        for step in range(self.step_ - 1, -1, -1):
            row = rows[(step, member)]
            schedule.append({"step": step, "member": member, "params": dict(row["params"])})
            member = row["parent"]
        return schedule[::-1]

    # -- state ----------------------------------------------------------------
    def state_dict(self):
        """Everything needed to continue exactly, as plain data.

        Hyperparameters are stored per dimension as their value (continuous
        and integer dimensions) or as the index of the category, so the state
        holds no Python objects and a ``Categorical`` gives back the very
        objects of the current space on :meth:`load_state_dict`.

        Returns
        -------
        state : dict
            ``rng``, ``step``, ``subspace``, ``parents``, ``population``
            (None before the first :meth:`ask`), ``history`` and ``bandit``
            (per sub-space, the warm start of the bandit's model, or None).
        """
        history = self.history_

        def points(rows):
            # Rows of sub-spaces may differ in length: one flat array, split on load.
            owners = [self._owner(p) for p in rows]
            flat = [v for i, p in zip(owners, rows) for v in self.spaces[i].to_rows([p])[0]]
            return {
                "subspace": np.asarray(owners, dtype=np.int64),
                "values": np.asarray(flat, dtype=float),
            }

        return {
            "population_size": self.population_size,
            "n_dims": [space.n_dims for space in self.spaces],
            "rng": rng_to_state(self._rng),
            "step": self.step_,
            "subspace": np.asarray(self.subspace_, dtype=np.int64),
            "parents": np.asarray(self.parents_, dtype=np.int64),
            "population": None if self.population_ is None else points(self.population_),
            "history": {
                "step": np.asarray([r["step"] for r in history], dtype=np.int64),
                "member": np.asarray([r["member"] for r in history], dtype=np.int64),
                "parent": np.asarray([r["parent"] for r in history], dtype=np.int64),
                "score": np.asarray([r["score"] for r in history], dtype=float),
                "params": points([r["params"] for r in history]),
            },
            "bandit": [None if w is None else dict(w) for w in self._bandit_warm],
        }

    def load_state_dict(self, state):
        """Restore :meth:`state_dict` output (over the same spaces and size).

        Parameters
        ----------
        state : dict
            Output of :meth:`state_dict` of a scheduler over the same spaces.

        Returns
        -------
        self : PBTScheduler
            The scheduler, ready to continue.

        Raises
        ------
        ValueError
            When the state belongs to another population size or space.
        """
        n_dims = [space.n_dims for space in self.spaces]
        if int(state["population_size"]) != self.population_size or list(state["n_dims"]) != n_dims:
            raise ValueError(
                f"the scheduler state is for population_size={state['population_size']} and "
                f"dimensions {list(state['n_dims'])}, not {self.population_size} and {n_dims}"
            )
        history = state["history"]
        params = self._points(history["params"])
        self.history_ = [
            {"step": int(s), "member": int(m), "parent": int(a), "params": p, "score": float(y)}
            for s, m, a, y, p in zip(
                history["step"], history["member"], history["parent"], history["score"], params
            )
        ]
        population = state["population"]
        self.population_ = None if population is None else self._points(population)
        if self.population_ is not None and len(self.population_) != self.population_size:
            raise ValueError("the stored population has the wrong size")
        self.subspace_ = np.asarray(state["subspace"], dtype=np.int64).reshape(-1)
        self.parents_ = np.asarray(state["parents"], dtype=np.int64).reshape(-1)
        self.step_ = int(state["step"])
        self._rng = rng_from_state(state["rng"])
        bandit = state.get("bandit") or [None] * len(self.spaces)
        if len(bandit) != len(self.spaces):
            raise ValueError("the stored bandit state has the wrong number of sub-spaces")
        self._bandit_warm = [None if w is None else dict(w) for w in bandit]
        return self

    def _owner(self, params):
        return next(i for i, s in enumerate(self.spaces) if s.contains(params))

    def _points(self, plain):
        owners = np.asarray(plain["subspace"], dtype=np.int64).reshape(-1)
        values = np.asarray(plain["values"], dtype=float).reshape(-1)
        ends = np.cumsum([self.spaces[i].n_dims for i in owners], dtype=np.int64)
        if len(values) != (ends[-1] if len(ends) else 0):
            raise ValueError("the stored hyperparameters do not match the space")
        rows = np.split(values, ends[:-1]) if len(ends) else []
        return [self.spaces[i].from_rows(row)[0] for i, row in zip(owners, rows)]

    def _initial_population(self):
        members = [np.flatnonzero(self.subspace_ == s) for s in range(len(self.spaces))]
        population = [None] * self.population_size
        for space, idx in zip(self.spaces, members):
            if len(idx) == 0:
                continue
            points = space.decode(initial_design(space, len(idx), child_seed(self._rng)))
            for i, p in zip(idx, points):
                population[i] = p
        return population

    def __repr__(self):
        return (
            f"PBTScheduler(population_size={self.population_size}, step_={self.step_}, "
            f"spaces={self.spaces!r})"
        )
