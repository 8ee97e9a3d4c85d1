"""Evolutionary search as an ask/tell strategy.

Recipe of one generation (``population_size`` fresh points):

1. generation 0 is a Latin hypercube design;
2. ``algorithm="ga"``: the parents are the previous generation plus the
   ``elitism`` best points ever told (their scores are known, so they are
   never evaluated again); each child comes from two tournament winners by
   crossover (with ``crossover_probability``) and is then mutated with its own,
   self-adapted scale (see :mod:`~hptune.strategies._operators`);
3. ``algorithm="cma"``: a CMA-ES in the unit cube of the active dimensions is
   updated with the previous generation's ranks and sampled;
4. a child equal to a told, pending or sibling point is mutated again with a
   growing scale, and after a few tries replaced by a fresh random point;
   when a finite space runs out, the generation is smaller (never an endless
   loop);
5. with ``surrogate="gp"`` (after generation 0), steps 2-4 breed a pool ten
   times the generation and a Gaussian process picks the generation from it
   (about 30% of it unscreened), see :mod:`~hptune.strategies._screening`.

A generation is bred when its predecessor has been asked in full, so ``ask``
works for any ``n``: asking one point at a time walks through the queue of
the current generation. A generation asked in full but told only in part is
bred from the scores told so far.

Notation as in :mod:`~hptune.strategies._operators`; ``aux`` holds what a point
carries besides its encoding: its mutation scale (GA, one column) or its
unit-cube coordinates (CMA-ES, ``n_active`` columns).
"""

import math

import numpy as np

from ..space._design import DESIGNS
from ..space._space import is_member
from ..utils._random import child_seed
from ..utils._validation import check_choice, check_int, check_real
from ._base import Strategy, clean_scores
from ._screening import POOL_FACTOR, OffspringScreen, check_surrogate
from ._operators import (
    CMAES,
    DimensionKinds,
    crossover,
    from_active_unit,
    mutate,
    self_adapt,
    to_active_unit,
    tournament,
)

__all__ = ["EvolutionOptimizer"]

ALGORITHMS = ("auto", "ga", "cma")

# Initial mutation scale (encoded units) and CMA-ES step size: a tenth of the
# cube's side explores broadly without being a random restart.
_SIGMA0 = 0.1
_CMA_SIGMA0 = 0.25
# Contestants per tournament by default: the usual choice of genetic
# algorithms, selective enough without losing diversity in small populations.
_TOURNAMENT_SIZE = 3
# A duplicate child is mutated again this many times, its scale doubling each
# time, before a random fresh point replaces it.
_RETRIES = 6


def default_population_size(space):
    """CMA-ES's default population ``4 + floor(3 ln d)``, with d active dimensions."""
    d = max(1, DimensionKinds(space).n_active)
    return 4 + int(3 * math.log(d))


class EvolutionOptimizer(Strategy):
    """Ask/tell evolutionary optimiser over mixed search spaces.

    Scores are maximised. Each generation is ``population_size`` points never
    evaluated before; variation works per dimension in the space's encoded
    representation (log dimensions on the log scale, integers kept integral,
    categories resampled or swapped whole).

    Parameters
    ----------
    space : Space, dict or list of Dimension
        The search space.
    population_size : int, default=None
        Points per generation; None means ``4 + floor(3 ln d)`` for ``d``
        non-constant dimensions (CMA-ES's default).
    algorithm : {"auto", "ga", "cma"}, default="auto"
        ``"ga"``: genetic algorithm with tournament selection, elitism,
        crossover and self-adaptive mutation scales. ``"cma"``: CMA-ES in the
        unit cube of the dimensions (categories by their prior intervals).
        ``"auto"`` chooses ``"ga"``, which did as well or better at budgets
        of 100-200 evaluations (``benchmarks/bench_evolution.py``).
    crossover_probability : float, default=0.8
        Probability that a child has two parents (GA).
    mutation_probability : float, default=None
        Probability that each dimension of a child mutates (GA; at least one
        always does). None means ``1 / sqrt(d)``.
    tournament_size : int, default=None
        Contestants per tournament (GA); at most ``population_size``. None
        means 3, or ``population_size`` when it is smaller. Larger
        tournaments select harder (faster progress, less diversity).
    elitism : int, default=None
        Number of best points ever told that stay parents next to the last
        generation (GA). They are not evaluated again. None means
        ``population_size``; 0 gives a purely generational GA.
    mutation_scale : float, default=0.1
        Initial mutation scale in encoded units (the unit interval of each
        dimension), then self-adapted per point.
    surrogate : {"gp"} or None, default="gp"
        ``"gp"``: from the second generation on, breed ten times as many
        children as a generation needs and evaluate those a Gaussian process
        of all told points expects to improve most (about 30% of each
        generation is taken unscreened). None: evaluate the children as
        bred, as a plain evolutionary algorithm; choose it when the model's
        cost matters (thousands of cheap evaluations) rather than the
        number of evaluations.
    random_state : int, RandomState instance or None, default=None
        Seed of the design, the selections, the variations and the
        surrogate's fits.

    Attributes
    ----------
    population_size_ : int
        The resolved population size.
    algorithm_ : {"ga", "cma"}
        The resolved algorithm.
    tournament_size_ : int
        The resolved tournament size.
    generation_ : int
        Number of generations bred so far.
    generations_ : ndarray of shape (n_told,)
        Generation of each told point (-1 for points not proposed by the
        optimiser, such as ``x0`` in :func:`~hptune.minimize`).

    See Also
    --------
    BayesOptimizer : Gaussian-process optimiser over the same spaces.

    Notes
    -----
    No point is proposed twice. Elites take part in selection through their
    known scores; failed evaluations (NaN) count as the worst score told.

    References
    ----------
    .. [1] N. Hansen, "The CMA Evolution Strategy: A Tutorial",
       arXiv:1604.00772, 2016.
    .. [2] H.-P. Schwefel, "Numerical Optimization of Computer Models", 1981
       (log-normal self-adaptation).

    Examples
    --------
    >>> from hptune import EvolutionOptimizer
    >>> opt = EvolutionOptimizer({"x": (-2.0, 2.0), "k": ["a", "b"]}, random_state=0)
    >>> for _ in range(10):
    ...     points = opt.ask(opt.population_size_)
    ...     opt.tell(points, [-(p["x"] - 0.5) ** 2 - (p["k"] == "a") for p in points])
    >>> opt.best_params["k"], abs(opt.best_params["x"] - 0.5) < 0.1
    ('b', True)
    """

    def __init__(
        self,
        space,
        *,
        population_size=None,
        algorithm="auto",
        crossover_probability=0.8,
        mutation_probability=None,
        tournament_size=None,
        elitism=None,
        mutation_scale=_SIGMA0,
        surrogate="gp",
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        self._kinds = DimensionKinds(self.space)
        owner = type(self).__name__
        if population_size is not None:
            check_int(owner, "population_size", population_size, 2)
        check_choice(owner, "algorithm", algorithm, list(ALGORITHMS))
        check_real(owner, "crossover_probability", crossover_probability, 0, 1)
        if mutation_probability is not None:
            check_real(owner, "mutation_probability", mutation_probability, 0, 1)
        if tournament_size is not None:
            check_int(owner, "tournament_size", tournament_size, 1)
        if elitism is not None:
            check_int(owner, "elitism", elitism, 0)
        check_real(owner, "mutation_scale", mutation_scale, 0, 1, closed="right")
        check_surrogate(owner, surrogate)
        self.population_size = population_size
        self.algorithm = algorithm
        self.crossover_probability = float(crossover_probability)
        self.mutation_probability = mutation_probability
        self.tournament_size = tournament_size
        self.elitism = elitism
        self.mutation_scale = float(mutation_scale)
        self.surrogate = surrogate
        self._screen = OffspringScreen() if surrogate == "gp" else None

        n = self.population_size_ = int(population_size or default_population_size(self.space))
        if tournament_size is not None and tournament_size > n:
            raise ValueError(
                f"tournament_size={tournament_size} exceeds population_size={n}; "
                "lower tournament_size or raise population_size."
            )
        self.tournament_size_ = min(_TOURNAMENT_SIZE, n) if tournament_size is None else int(tournament_size)
        self.algorithm_ = "ga" if algorithm == "auto" else algorithm
        d = max(1, self._kinds.n_active)
        self._p_mutation = 1 / math.sqrt(d) if mutation_probability is None else float(mutation_probability)
        self._elitism = n if elitism is None else int(elitism)
        self._tau = 1 / math.sqrt(2 * d)  # Schwefel's global learning rate tau_0
        self._cma = CMAES(self._kinds.n_active, _CMA_SIGMA0) if self.algorithm_ == "cma" else None
        self._aux_width = 1 if self.algorithm_ == "ga" else self._kinds.n_active
        self.generation_ = 0
        self._queue_Z = np.empty((0, self.space.n_columns))
        self._queue_aux = np.empty((0, self._aux_width))
        self._asked_Z, self._asked_aux, self._asked_gen = self._queue_Z.copy(), self._queue_aux.copy(), np.empty(0, int)
        self._told_aux, self.generations_ = self._queue_aux.copy(), np.empty(0, int)

    # -- ask --------------------------------------------------------------------
    def _propose(self, n):
        Z, aux, gen = [], [], []
        n_out = 0
        while n_out < n:
            if not len(self._queue_Z) and not self._breed(Z):
                break
            k = min(n - n_out, len(self._queue_Z))
            Z.append(self._queue_Z[:k])
            aux.append(self._queue_aux[:k])
            gen.append(np.full(k, self.generation_ - 1))
            self._queue_Z, self._queue_aux = self._queue_Z[k:], self._queue_aux[k:]
            n_out += k
        if not Z:
            return np.empty((0, self.space.n_columns))
        Z, aux = np.vstack(Z), np.vstack(aux)
        self._asked_Z = np.vstack([self._asked_Z, Z])
        self._asked_aux = np.vstack([self._asked_aux, aux])
        self._asked_gen = np.concatenate([self._asked_gen, *gen])
        return Z

    def _breed(self, proposed):
        """Fill the queue with the next generation; return its size.

        ``proposed`` lists the blocks of encodings this ``ask`` already took
        from the queue (not yet pending).
        """
        taken = np.vstack([self._taken(), self._queue_Z, *proposed])
        n = self.population_size_
        initial = self.algorithm_ == "ga" and (self.generation_ == 0 or not len(self._parent_pool()))
        screen = (self._screen is not None and self.generation_ > 0 and not initial
                  and self._screen.is_ready(self.n_told))
        n_bred = POOL_FACTOR * n if screen else n
        if self.algorithm_ == "cma":
            Z, aux = self._breed_cma(n_bred, taken)
        elif initial:
            Z, aux = self._initial(n, taken)
        else:
            Z, aux = self._breed_ga(n_bred, taken)
        if screen and len(Z):
            pending = np.vstack([self._pending, *proposed])
            chosen = self._screen.select(self.Z_, self._fitness(), Z, n, self._rng, pending)
            Z, aux = Z[chosen], aux[chosen]
        self._queue_Z, self._queue_aux = Z, aux
        self.generation_ += 1
        return len(Z)

    def _initial(self, n, taken):
        """A Latin hypercube generation, topped up with random fresh points."""
        U = DESIGNS["lhs"](n, self.space.n_dims, child_seed(self._rng))
        Z = self._fresh(self.space.from_unit(U), taken)
        if len(Z) < n:
            Z = np.vstack([Z, self._random_fresh(n - len(Z), np.vstack([taken, Z]))])
        return Z, self._default_aux(Z)

    def _default_aux(self, Z):
        if self.algorithm_ == "ga":
            return np.full((len(Z), 1), self.mutation_scale)
        return to_active_unit(self.space, self._kinds, Z)

    def _fitness(self):
        """Finite fitness of every told point, greater is better (a hook).

        The scores with failures as the worst; multi-objective versions rank
        the points by their objectives instead.
        """
        return clean_scores(self.y_)

    def _parent_pool(self):
        """Told indices of the last generation and of the ``elitism`` best points."""
        last = np.flatnonzero(self.generations_ == self.generation_ - 1)
        elites = np.argsort(-self._fitness(), kind="stable")[: self._elitism]
        return np.union1d(last, elites)

    def _breed_ga(self, n, taken):
        rng, pool = self._rng, self._parent_pool()
        y, Zp = self._fitness()[pool], self.Z_[pool]
        log_sigma = np.log(self._told_aux[pool, 0])
        a = tournament(y, n, self.tournament_size_, rng)
        b = tournament(y, n, self.tournament_size_, rng)
        mate = rng.uniform(size=n) < self.crossover_probability
        children = np.where(mate[:, None], crossover(Zp[a], Zp[b], self._kinds, rng), Zp[a])
        sigma = self_adapt(np.where(mate, 0.5 * (log_sigma[a] + log_sigma[b]), log_sigma[a]), self._tau, rng)
        Z = self.space.snap(mutate(children, sigma, self._kinds, self._p_mutation, rng))
        return self._dedupe(Z, sigma[:, None], taken, self._vary_ga)

    def _vary_ga(self, z, aux, attempt):
        sigma = np.minimum(aux[:, 0] * 2.0 ** (attempt + 1), 0.5)
        p = max(self._p_mutation, 0.5)  # a stuck child needs more genes moved
        return self.space.snap(mutate(z, sigma, self._kinds, p, self._rng)), aux

    def _breed_cma(self, n, taken):
        last = np.flatnonzero(self.generations_ == self.generation_ - 1)
        if len(last):
            self._cma.update(self._told_aux[last], self._fitness()[last])
        U = self._cma.sample(n, self._rng)
        Z = from_active_unit(self.space, self._kinds, U)
        return self._dedupe(Z, U, taken, self._vary_cma)

    def _vary_cma(self, z, aux, attempt):
        U = self._cma.sample(len(z), self._rng)
        return from_active_unit(self.space, self._kinds, U), U

    def _dedupe(self, Z, aux, taken, vary):
        """Replace rows of ``Z`` equal to a taken or earlier row by fresh variation."""
        keep_Z, keep_aux, n_missing = [], [], 0
        for z, a in zip(Z, aux):
            z, a = z[None, :], a[None, :]
            for attempt in range(_RETRIES):
                if not is_member(taken, z[0]).any():
                    break
                z, a = vary(z, a, attempt)
            if is_member(taken, z[0]).any():
                n_missing += 1
                continue
            keep_Z.append(z)
            keep_aux.append(a)
            taken = np.vstack([taken, z])
        Z = np.vstack(keep_Z) if keep_Z else np.empty((0, self.space.n_columns))
        aux = np.vstack(keep_aux) if keep_aux else np.empty((0, self._aux_width))
        if n_missing:
            extra = self._random_fresh(n_missing, taken)
            Z, aux = np.vstack([Z, extra]), np.vstack([aux, self._default_aux(extra)])
        return Z, aux

    # -- tell -------------------------------------------------------------------
    def _observe(self, Z, y):
        aux, gen = np.empty((len(Z), self._aux_width)), np.full(len(Z), -1)
        for i, z in enumerate(Z):
            hit = np.flatnonzero(is_member(self._asked_Z, z))
            if len(hit):
                j = hit[0]
                aux[i], gen[i] = self._asked_aux[j], self._asked_gen[j]
                self._asked_Z = np.delete(self._asked_Z, j, axis=0)
                self._asked_aux = np.delete(self._asked_aux, j, axis=0)
                self._asked_gen = np.delete(self._asked_gen, j)
            else:
                aux[i] = self._default_aux(z[None, :])[0]
        self._told_aux = np.vstack([self._told_aux, aux])
        self.generations_ = np.concatenate([self.generations_, gen])

    # -- state ------------------------------------------------------------------
    def _extra_state(self):
        return {
            "generation": self.generation_,
            "queue_Z": self._queue_Z.copy(),
            "queue_aux": self._queue_aux.copy(),
            "told_aux": self._told_aux.copy(),
            "told_generation": self.generations_.copy(),
            "cma": None if self._cma is None else self._cma.state_dict(),
            "screen": None if self._screen is None else self._screen.warm_state(),
        }

    def _load_extra_state(self, extra):
        w = self._aux_width
        self.generation_ = int(extra["generation"])
        self._queue_Z = np.asarray(extra["queue_Z"], dtype=float).reshape(-1, self.space.n_columns)
        self._queue_aux = np.asarray(extra["queue_aux"], dtype=float).reshape(-1, w)
        self._told_aux = np.asarray(extra["told_aux"], dtype=float).reshape(-1, w)
        self.generations_ = np.asarray(extra["told_generation"], dtype=int).reshape(-1)
        if len(self._told_aux) != self.n_told or len(self.generations_) != self.n_told:
            raise ValueError("The evolution state does not match the told points.")
        self._asked_Z = np.empty((0, self.space.n_columns))
        self._asked_aux, self._asked_gen = np.empty((0, w)), np.empty(0, int)
        if self._cma is not None:
            self._cma.load_state_dict(extra["cma"])
        if self._screen is not None:
            self._screen.set_warm_state(extra.get("screen") or {})
