"""``python -m hptune``: a short demo of hptune's searches next to random search.

Runs model selection over five classifiers on scikit-learn's bundled digits
data with hptune's Bayesian (and, on request, evolutionary) search and with
scikit-learn's ``RandomizedSearchCV``, at the same budget, on the same folds,
over several seeds, and prints the mean, spread and paired wins of each.
``--strategy pbt`` adds population-based training of an SGD classifier next
to random search at equal epochs; ``--plot`` saves the mean convergence curves.
"""

import sys

from ._demo import main

if __name__ == "__main__":
    sys.exit(main())
