"""Random search as an ask/tell strategy: the baseline every strategy must beat."""

from ._base import Strategy

__all__ = ["RandomOptimizer"]


class RandomOptimizer(Strategy):
    """Draw independent points from the priors, never repeating one.

    Parameters
    ----------
    space : Space, dict or list of Dimension
        The search space.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Examples
    --------
    >>> from hptune.strategies import RandomOptimizer
    >>> opt = RandomOptimizer({"k": [1, 2, 3]}, random_state=0)
    >>> sorted(p["k"] for p in opt.ask(3))
    [1, 2, 3]
    """

    def _propose(self, n):
        return self._random_fresh(n)
