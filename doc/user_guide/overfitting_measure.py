"""The numbers of the overfitting page: inner best score against the nested estimate.

Run from the repository root; it prints the table saved in
``doc/user_guide/overfitting_output.txt`` (about a minute on one core).
"""

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.tree import DecisionTreeClassifier

from hptune import BayesSearchCV
from hptune.selection import one_standard_error

X, y = load_breast_cancer(return_X_y=True)
space = {
    "max_depth": (1, 12),
    "min_samples_leaf": (1, 40),
    "ccp_alpha": (1e-4, 1e-1, "log-uniform"),
}
inner = StratifiedKFold(3, shuffle=True, random_state=0)
outer = StratifiedKFold(5, shuffle=True, random_state=1)


def search(refit=True):
    return BayesSearchCV(
        DecisionTreeClassifier(random_state=0), space, n_iter=30, cv=inner,
        refit=refit, random_state=0,
    )


rows = []
for name, refit in [("best score", True), ("one standard error", one_standard_error("max_depth"))]:
    nested = cross_validate(search(refit), X, y, cv=outer, return_estimator=True)
    for fold, (fitted, test) in enumerate(zip(nested["estimator"], nested["test_score"])):
        results = fitted.cv_results_
        best = int(np.nanargmax(results["mean_test_score"]))
        ties = int(np.sum(results["pvalue_best_score"] > 0.05)) - 1  # the best is not a tie
        inner_best = results["mean_test_score"][best]
        refitted = results["mean_test_score"][fitted.best_index_]  # no best_score_ with a callable
        rows.append((name, fold, inner_best, refitted, test,
                     fitted.best_params_["max_depth"], ties))

print(f"{'refit':<20}{'fold':>5}{'inner best':>12}{'refitted':>10}{'outer test':>12}"
      f"{'depth':>7}{'ties':>6}")
for name, fold, inner_best, refitted, test, depth, ties in rows:
    print(f"{name:<20}{fold:>5}{inner_best:>12.3f}{refitted:>10.3f}{test:>12.3f}{depth:>7}{ties:>6}")
for name in ("best score", "one standard error"):
    mine = [r for r in rows if r[0] == name]
    inner_best = np.mean([r[2] for r in mine])
    test = np.array([r[4] for r in mine])
    print(f"{name}: mean inner best {inner_best:.3f}, nested estimate {test.mean():.3f} "
          f"+- {test.std():.3f}, gap {inner_best - test.mean():+.3f}")
