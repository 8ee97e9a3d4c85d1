"""Evolution over a conditional space: one population across the branches.

Every individual carries its branch (sub-space) and an encoding in that
branch. Recipe of one generation (``population_size`` fresh points):

1. generation 0 is one design spread over the branches: the population
   shared out as evenly as budgets and branch sizes allow (every branch at
   least one individual when the population is large enough), each share a
   Latin hypercube of its branch;
2. the parents are the previous generation plus the ``elitism`` best points
   ever told, whatever their branch (scores of all branches compare);
   parent ``a`` wins a tournament over all of them, and its mate a
   tournament among the parents *of the same branch*: crossover only mixes
   points whose parameters mean the same thing;
3. the child keeps ``a``'s branch and is mutated as in
   :class:`~hptune.EvolutionOptimizer` (self-adapted scale, per-dimension
   operators of the branch), except that with probability
   ``1 / population_size`` (about one child per generation) *switching
   branch* is its mutation: the child moves to another open branch, keeping
   the values of parameters of the same name that are valid there and
   drawing the others from the prior. A rate of ``1 / (1 + d)`` (the branch
   as one more of the ``d`` genes) spent up to 40% of the evaluations in a
   branch that was clearly worse, with no better best score;
4. a child equal to a told, pending or sibling point of its branch is
   mutated again, then replaced by a fresh random point of its branch or,
   when the branch is exhausted or its budget spent, of another open
   branch; budgets and exhausted branches behave as described in
   :mod:`~hptune.strategies._conditional`.

With ``surrogate="gp"`` (the default, as for one space) a generation after
the first is chosen from ``POOL_FACTOR`` times as many children by the
offspring screen of :mod:`~hptune.strategies._screening`: about 30% of it
unscreened, the rest by the expected improvement of one GP over the
branches, on the model input of
:class:`~hptune.space._conditional.ConditionalSpace` and the copula of the
scores, as :class:`~hptune.strategies._conditional_bayes.ConditionalBayesOptimizer`
fits it. Measured on ``benchmarks/bench_conditional.py``: see
``benchmarks/results/conditional.md``.

A generation is bred when its predecessor has been asked in full, so
``ask(population_size)`` returns exactly one generation until the budgets
or the whole space run out.
"""

import numpy as np

from ..space import initial_design
from ..utils._random import child_seed
from ._base import clean_scores
from ._conditional import ConditionalStrategy, stack_rows
from ._evolution import _RETRIES, EvolutionOptimizer, default_population_size
from ._operators import DimensionKinds, crossover, mutate, self_adapt, tournament
from ._screening import POOL_FACTOR, OffspringScreen, check_surrogate

__all__ = ["ConditionalEvolutionOptimizer"]

# Share of the screened pool's children that switch branch. Without the
# screen about one child per generation switches (1 / population_size: more
# spent evaluations in branches that were clearly worse); in a pool the GP
# filters the switched children, so the pool can try other branches more
# often. On benchmarks/bench_conditional.py with development seeds 5-9 (not
# the report's), 100 evaluations: k-NN 0.8239 -> 0.8271, SVR 0.8398 ->
# 0.8406, pipeline 0.9110 -> 0.9108 (mean best CV score).
_POOL_SWITCH_RATE = 0.2


class ConditionalEvolutionOptimizer(ConditionalStrategy):
    """Ask/tell genetic algorithm over conditional sub-spaces, one population.

    Scores are maximised. The settings are those of
    :class:`~hptune.EvolutionOptimizer` with ``algorithm="ga"`` (CMA-ES
    needs one continuous space, which sub-spaces of different parameters
    are not).

    Parameters
    ----------
    spaces : list of Space or dict
        The branches (sub-spaces), in order.
    budgets : list of int or None, default=None
        Each branch's own budget (scikit-optimize's ``(dict, n_iter)``), or
        None for a branch sharing ``n_iter``.
    n_iter : int, default=None
        Budget shared by the branches without their own (None: no limit).
    population_size : int, default=None
        Points per generation; None means ``4 + floor(3 ln d)`` for the
        largest number ``d`` of active dimensions of a branch.
    algorithm : {"auto", "ga"}, default="auto"
        ``"auto"`` is ``"ga"``; ``"cma"`` is refused with a clear error.
    crossover_probability : float, default=0.8
        Probability that a child has two parents (of its branch).
    mutation_probability : float, default=None
        Per-dimension mutation probability; None means ``1 / sqrt(d)`` for
        the ``d`` active dimensions of the child's branch.
    tournament_size : int, default=None
        Contestants per tournament; None means 3, or ``population_size``
        when it is smaller.
    elitism : int, default=None
        Number of best points ever told that stay parents (None:
        ``population_size``).
    mutation_scale : float, default=0.1
        Initial mutation scale in encoded units, then self-adapted.
    surrogate : {"gp"} or None, default="gp"
        ``"gp"``: from the second generation on, evaluate the children a
        Gaussian process over all branches expects to improve most, out of
        ten times as many bred (about 30% of each generation unscreened).
        None: evaluate the children as bred.
    random_state : int, RandomState instance or None, default=None
        Seed of the design, the selections and the variations.

    Attributes
    ----------
    population_size_ : int
    generation_ : int
        Number of generations bred so far.
    generations_ : ndarray of shape (n_told,)
        Generation of each told point (-1 for points not proposed here).

    See Also
    --------
    hptune.EvolutionOptimizer : The same algorithm over one space.

    Examples
    --------
    >>> from hptune.strategies._conditional_evolution import ConditionalEvolutionOptimizer
    >>> opt = ConditionalEvolutionOptimizer(
    ...     [{"kind": ["a"], "x": (-2.0, 2.0)}, {"kind": ["b"], "x": (-2.0, 2.0)}],
    ...     population_size=6, random_state=0)
    >>> for _ in range(10):
    ...     points = opt.ask(opt.population_size_)
    ...     opt.tell(points, [-(p["x"] - 0.5) ** 2 - (p["kind"] == "a") for p in points])
    >>> opt.best_params["kind"], abs(opt.best_params["x"] - 0.5) < 0.1
    ('b', True)
    """

    def __init__(
        self,
        spaces,
        *,
        budgets=None,
        n_iter=None,
        population_size=None,
        algorithm="auto",
        crossover_probability=0.8,
        mutation_probability=None,
        tournament_size=None,
        elitism=None,
        mutation_scale=0.1,
        surrogate="gp",
        random_state=None,
    ):
        super().__init__(spaces, budgets=budgets, n_iter=n_iter, random_state=random_state)
        if algorithm == "cma":
            raise ValueError(
                "algorithm='cma' searches one continuous space, but the search space has "
                f"{self.space.n_branches} sub-spaces with different parameters; use "
                "algorithm='ga' (or 'auto') for conditional spaces."
            )
        self._kinds = [DimensionKinds(b.space) for b in self.branches]
        largest = max(self.branches, key=lambda b: DimensionKinds(b.space).n_active).space
        n = int(population_size or default_population_size(largest))
        # The single-space optimiser validates the shared settings, with its messages.
        settings = EvolutionOptimizer(
            largest, population_size=n, algorithm=algorithm,
            crossover_probability=crossover_probability, mutation_probability=mutation_probability,
            tournament_size=tournament_size, elitism=elitism, mutation_scale=mutation_scale,
        )
        self.population_size_, self.population_size = n, population_size
        self.algorithm = algorithm
        for name in ("crossover_probability", "mutation_probability", "tournament_size",
                     "tournament_size_", "elitism", "mutation_scale", "_elitism"):
            setattr(self, name, getattr(settings, name))
        self.surrogate = check_surrogate(type(self).__name__, surrogate)
        self._screen = OffspringScreen(output_warping="copula") if surrogate == "gp" else None
        self.generation_ = 0
        self.generations_ = np.empty(0, dtype=np.int64)
        self._told_sigma = np.empty(0)
        self._queue = []  # (branch, encoding, sigma) of the generation being asked
        self._asked = []  # (branch, encoding, sigma, generation) asked, not told

    def _n_active(self, k):
        return max(1, self._kinds[k].n_active)

    def _p_mutation(self, k):
        if self.mutation_probability is not None:
            return float(self.mutation_probability)
        return 1.0 / np.sqrt(self._n_active(k))

    # -- ask --------------------------------------------------------------------
    def _propose(self, n):
        picks = []
        while len(picks) < n:
            if not self._queue and not self._breed(picks):
                break
            take, self._queue = self._queue[: n - len(picks)], self._queue[n - len(picks) :]
            for k, z, sigma in take:
                self._asked.append((k, z, sigma, self.generation_ - 1))
                picks.append((k, z))
        return picks

    def _breed(self, picks):
        """Fill the queue with the next generation; return its size."""
        used = self._used() + np.bincount([k for k, _ in picks], minlength=len(self.branches))
        exhausted = self._exhausted(used)
        pool = self._parent_pool()
        if self.generation_ == 0 or not len(pool):
            children = self._initial(used, exhausted)
        elif self._screen is not None and self._screen.is_ready(self.n_told):
            children = self._screened(pool, used, exhausted, picks)
        else:
            children = self._children(pool, used, exhausted, picks, self.population_size_)
        self._queue = children
        self.generation_ += 1
        return len(children)

    def _initial(self, used, exhausted):
        counts = self._allot(self.population_size_, used, exhausted)
        blocks = []
        for k, count in enumerate(counts):
            seed = child_seed(self._rng)
            if not count:
                blocks.append([])
                continue
            branch = self.branches[k]
            Z = branch.fresh(initial_design(branch.space, int(count), seed, "lhs"), branch.taken())
            if len(Z) < count:
                Z = np.vstack([Z, branch.random_fresh(int(count) - len(Z), np.vstack([branch.taken(), Z]))])
            blocks.append([(k, z, self.mutation_scale) for z in Z])
        return [block[i] for i in range(int(counts.max(initial=0))) for block in blocks if i < len(block)]

    def _parent_pool(self):
        """Told indices of the last generation and of the ``elitism`` best points."""
        last = np.flatnonzero(self.generations_ == self.generation_ - 1)
        elites = np.argsort(-clean_scores(self.y_), kind="stable")[: self._elitism]
        return np.union1d(last, elites)

    def _screened(self, pool, used, exhausted, picks):
        """A generation picked by the offspring screen from ``POOL_FACTOR`` times as many children.

        With one shared budget (``n_iter``), the generation is cut to what
        is left of it and the pool is bred without it, so that any subset
        of the generation's size respects it. Capping the pool instead would
        shrink it with the budget: the last generation would be its pool,
        unscreened. With budgets of their own, the pool is bred against
        copies of the budgets: any subset respects them, since each branch's
        children in the pool are at most what its budget has left.
        """
        n, shared_only = self.population_size_, all(b is None for b in self.budgets)
        if shared_only:
            n = int(min(n, self._budget_left(used)))
        bred = self._children(pool, used.copy(), exhausted.copy(), picks, POOL_FACTOR * n, _POOL_SWITCH_RATE,
                              budgeted=not shared_only)
        if not bred:
            return bred
        embed = self.space.embed
        # Asked and not told, this ask's picks included.
        pending = [embed(k, z[None, :]) for k, z, _, _ in self._asked]
        chosen = self._screen.select(
            self._told_X(), clean_scores(self.y_), np.vstack([embed(k, z[None, :]) for k, z, _ in bred]), n,
            self._rng, pending=np.vstack(pending) if pending else None,
        )
        return [bred[i] for i in chosen]

    def _children(self, pool, used, exhausted, picks, count, switch_rate=None, budgeted=True):
        rng, told_Z = self._rng, self._told_Z()
        switch_rate = 1.0 / self.population_size_ if switch_rate is None else switch_rate
        y, ks = clean_scores(self.y_)[pool], self.branch_[pool]
        taken = [np.vstack([b.taken(), *[z[None, :] for j, z in picks if j == k]])
                 for k, b in enumerate(self.branches)]
        children = []
        for a in tournament(y, count, self.tournament_size_, rng):
            k = int(ks[a])
            mates = np.flatnonzero(ks == k)
            b = mates[tournament(y[mates], 1, self.tournament_size_, rng)[0]]
            mate = rng.uniform() < self.crossover_probability
            z = told_Z[pool[a]][None, :]
            log_sigma = np.log(self._told_sigma[pool[a]])
            if mate:
                z = crossover(z, told_Z[pool[b]][None, :], self._kinds[k], rng)
                log_sigma = 0.5 * (log_sigma + np.log(self._told_sigma[pool[b]]))
            sigma = float(self_adapt(np.array([log_sigma]), 1 / np.sqrt(2 * self._n_active(k)), rng)[0])
            is_open = self._open(used, exhausted, budgeted)
            # About one child per generation explores another branch.
            if rng.uniform() < switch_rate and is_open.sum() > (1 if is_open[k] else 0):
                k, z = self._switch(k, z, is_open)
            else:
                z = self._mutate(k, z, sigma)
            child = self._place(k, z, sigma, taken, used, exhausted, budgeted)
            if child is None:
                break
            children.append(child)
            used[child[0]] += 1
            taken[child[0]] = np.vstack([taken[child[0]], child[1][None, :]])
        return children

    def _mutate(self, k, z, sigma):
        space = self.branches[k].space
        return space.snap(mutate(z, np.array([sigma]), self._kinds[k], self._p_mutation(k), self._rng))

    def _switch(self, k, z, is_open):
        """Move an individual of branch ``k`` to another open branch (a mutation)."""
        others = [j for j in np.flatnonzero(is_open) if j != k]
        target = int(others[self._rng.randint(len(others))])
        [point] = self.branches[k].space.decode(z)
        space = self.branches[target].space
        [drawn] = space.sample(1, self._rng)
        moved = {name: point[name] if name in point and point[name] in dim else drawn[name] for name, dim in space}
        return target, space.encode([moved])

    def _place(self, k, z, sigma, taken, used, exhausted, budgeted=True):
        """A fresh ``(branch, encoding, sigma)`` for the child, or None when nothing is left."""
        branch = self.branches[k]
        for attempt in range(_RETRIES):
            if self._open(used, exhausted, budgeted)[k] and len(branch.fresh(z, taken[k])):
                return k, z[0], sigma
            # A stuck child needs larger steps and more genes moved.
            scale = np.minimum(sigma * 2.0 ** (attempt + 1), 0.5)
            z = branch.space.snap(mutate(z, np.array([scale]), self._kinds[k], max(self._p_mutation(k), 0.5), self._rng))
        is_open = self._open(used, exhausted, budgeted)
        for j in ([k] if is_open[k] else []) + [j for j in self._rng.permutation(len(self.branches)) if is_open[j] and j != k]:
            extra = self.branches[j].random_fresh(1, taken[j])
            if len(extra):
                return j, extra[0], self.mutation_scale
            exhausted[j] = True
        return None

    # -- tell -------------------------------------------------------------------
    def _observe(self, ks, Z, y):
        sigma, gen = np.full(len(Z), self.mutation_scale), np.full(len(Z), -1, dtype=np.int64)
        for i, (k, z) in enumerate(zip(ks, Z)):
            for j, (ka, za, sa, ga) in enumerate(self._asked):
                if ka == k and np.all(np.abs(za - z) <= 1e-9):
                    sigma[i], gen[i] = sa, ga
                    del self._asked[j]
                    break
        self._told_sigma = np.concatenate([self._told_sigma, sigma])
        self.generations_ = np.concatenate([self.generations_, gen])

    # -- state ------------------------------------------------------------------
    def _extra_state(self):
        return {
            "generation": self.generation_,
            "queue_branch": np.array([k for k, _, _ in self._queue], dtype=np.int64),
            "queue": [stack_rows([z for j, z, _ in self._queue if j == k], b.space.n_columns)
                      for k, b in enumerate(self.branches)],
            "queue_sigma": np.array([s for _, _, s in self._queue], dtype=float),
            "told_sigma": self._told_sigma.copy(),
            "told_generation": self.generations_.copy(),
            "screen": None if self._screen is None else self._screen.warm_state(),
        }

    def _load_extra_state(self, extra):
        self.generation_ = int(extra["generation"])
        rows = [iter(stack_rows(Z, b.space.n_columns))
                for Z, b in zip(extra["queue"], self.branches)]
        ks = np.asarray(extra["queue_branch"], dtype=np.int64).reshape(-1)
        sigmas = np.asarray(extra["queue_sigma"], dtype=float).reshape(-1)
        self._queue = [(int(k), next(rows[k]), float(s)) for k, s in zip(ks, sigmas)]
        self._told_sigma = np.asarray(extra["told_sigma"], dtype=float).reshape(-1)
        self.generations_ = np.asarray(extra["told_generation"], dtype=np.int64).reshape(-1)
        if len(self._told_sigma) != self.n_told or len(self.generations_) != self.n_told:
            raise ValueError("The evolution state does not match the told points.")
        self._asked = []
        if self._screen is not None:
            self._screen.set_warm_state(extra.get("screen") or {})
