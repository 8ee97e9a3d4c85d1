"""Search spaces: dimensions, their encoding, conversion and initial designs.

This layer depends on numpy and scipy only.
"""

from ._choices import Categorical, Ordinal
from ._convert import to_dimension, to_space, to_subspaces
from ._design import initial_design
from ._dimensions import Dimension, Integer, Real
from ._distribution import Distribution
from ._space import Space

__all__ = [
    "Categorical",
    "Dimension",
    "Distribution",
    "Integer",
    "Ordinal",
    "Real",
    "Space",
    "initial_design",
    "to_dimension",
    "to_space",
    "to_subspaces",
]
