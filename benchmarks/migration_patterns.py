"""Real scikit-optimize and OptunaSearchCV code, run before and after migrating to hptune.

Each pattern is written once as a function of the classes it imports, and run
twice: with scikit-optimize's (or Optuna's) classes, then with hptune's. The
diff of each migration is in the comment above the call: only import lines
change (for OptunaSearchCV, to ``hptune.compat.OptunaSearchCV``, which keeps
Optuna's signature and runs ``BayesSearchCV``).

Run from the repository root, in an environment with scikit-optimize, Optuna
and optuna-integration (the benchmarks' peers environment)::

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/migration_patterns.py \
        > benchmarks/results/migration_patterns.txt

The documentation shows this file and its saved output
(doc/migration/same_code.rst).
"""

import time
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

X, y = load_digits(n_class=10, return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=0.75, random_state=0)


def skopt_advanced(BayesSearchCV, Real, Categorical, Integer):
    """scikit-optimize's "advanced" example: a Pipeline and a list of (dict, n_iter)."""
    pipe = Pipeline([("scale", StandardScaler()), ("model", SVC())])
    linsvc_search = {
        "model": [LinearSVC(max_iter=2000)],
        "model__C": (1e-6, 1e2, "log-uniform"),
    }
    dtc_search = {
        "model": Categorical([DecisionTreeClassifier(random_state=0)]),
        "model__max_depth": Integer(1, 32),
        "model__min_samples_split": Real(1e-3, 1.0, prior="log-uniform"),
    }
    svc_search = {
        "model": Categorical([SVC()]),
        "model__C": Real(1e-6, 1e6, prior="log-uniform"),
        "model__gamma": Real(1e-6, 1e1, prior="log-uniform"),
        "model__degree": Integer(1, 8),
        "model__kernel": Categorical(["linear", "poly", "rbf"]),
    }
    opt = BayesSearchCV(
        pipe, [(svc_search, 12), (dtc_search, 8), (linsvc_search, 4)], cv=3, random_state=0
    )
    opt.fit(X_train, y_train)
    return {
        "val. score": opt.best_score_,
        "test score": opt.score(X_test, y_test),
        "candidates": len(opt.cv_results_["params"]),
        "best model": type(opt.best_params_["model"]).__name__,
    }


def skopt_callbacks(BayesSearchCV, Real, DeltaYStopper, DeadlineStopper):
    """Stoppers passed to ``fit(callback=...)``: a plateau and a deadline."""
    opt = BayesSearchCV(
        SVC(),
        {"C": Real(1e-3, 1e3, prior="log-uniform"), "gamma": Real(1e-5, 1e-1, prior="log-uniform")},
        n_iter=30, cv=3, random_state=0,
    )
    opt.fit(X_train, y_train, callback=[DeltaYStopper(delta=0.01, n_best=5), DeadlineStopper(60)])
    return {
        "val. score": opt.best_score_,
        "candidates before a stopper": len(opt.cv_results_["params"]),
    }


def skopt_results(BayesSearchCV, Real, Categorical, plot_objective):
    """``total_iterations``, ``optimizer_results_`` indexed by position, skopt's plot."""
    opt = BayesSearchCV(
        SVC(),
        {"C": Real(1e-3, 1e3, prior="log-uniform"), "gamma": Real(1e-5, 1e-1, prior="log-uniform"),
         "kernel": Categorical(["rbf", "sigmoid"])},
        n_iter=12, cv=3, random_state=0,
    )
    opt.fit(X_train, y_train)
    res = opt.optimizer_results_[0]
    C, gamma, kernel = res.x  # skopt sorts the names: C, gamma, kernel
    ax = plot_objective(res, n_points=10, n_samples=50)
    return {
        "total_iterations": opt.total_iterations,
        "fun == -best_score_": bool(np.isclose(res.fun, -opt.best_score_)),
        "x (C, gamma, kernel)": f"({C:.3g}, {gamma:.3g}, {kernel!r})",
        "len(x_iters)": len(res.x_iters),
        "plot_objective axes": len(ax.figure.axes),
    }


def optuna_distributions(search_cls, distributions):
    """OptunaSearchCV with a dict of Optuna distributions, a trial budget and a timeout."""
    param_distributions = {
        "C": distributions.FloatDistribution(1e-3, 1e3, log=True),
        "gamma": distributions.FloatDistribution(1e-5, 1e-1, log=True),
        "kernel": distributions.CategoricalDistribution(["rbf", "sigmoid"]),
    }
    search = search_cls(SVC(), param_distributions, n_trials=20, timeout=120, cv=3, random_state=0)
    search.fit(X_train, y_train)
    return {"val. score": search.best_score_, "test score": search.score(X_test, y_test)}


def optuna_attributes(search_cls, distributions):
    """The attributes code reads after an OptunaSearchCV fit, without ``study``."""
    search = search_cls(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": distributions.IntDistribution(2, 32, log=True),
         "criterion": distributions.CategoricalDistribution(["gini", "entropy"])},
        n_trials=12, cv=3, random_state=0, return_train_score=True,
    )
    search.fit(X_train, y_train)
    return {
        "best_params_": search.best_params_,
        "best_score_": search.best_score_,
        "best_index_": search.best_index_,
        "n_splits_": search.n_splits_,
        "cv_results_ rows": len(search.cv_results_["mean_test_score"]),
        "has mean_train_score": "mean_train_score" in search.cv_results_,
    }


def report(title, before, after):
    print(f"\n== {title}")
    for label, run in (("before", before), ("after ", after)):
        start = time.perf_counter()
        out = run()
        summary = ", ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}" for k, v in out.items())
        print(f"  {label}  {summary}  ({time.perf_counter() - start:.1f} s wall)")


def main():
    import optuna
    import skopt
    import skopt.callbacks
    import skopt.plots
    import skopt.space
    from optuna_integration import OptunaSearchCV

    import hptune
    import hptune.callbacks
    import hptune.space
    from hptune.compat import OptunaSearchCV as CompatOptunaSearchCV

    print(f"hptune {hptune.__version__} from {hptune.__file__}")
    print(f"scikit-optimize {skopt.__version__}, optuna {optuna.__version__}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    # - from skopt import BayesSearchCV
    # - from skopt.space import Real, Categorical, Integer
    # + from hptune import BayesSearchCV
    # + from hptune.space import Real, Categorical, Integer
    report(
        "skopt: Pipeline with a list of (dict, n_iter)",
        lambda: skopt_advanced(skopt.BayesSearchCV, skopt.space.Real, skopt.space.Categorical,
                               skopt.space.Integer),
        lambda: skopt_advanced(hptune.BayesSearchCV, hptune.space.Real, hptune.space.Categorical,
                               hptune.space.Integer),
    )
    # - from skopt import BayesSearchCV
    # - from skopt.callbacks import DeltaYStopper, DeadlineStopper
    # + from hptune import BayesSearchCV
    # + from hptune.callbacks import DeltaYStopper, DeadlineStopper
    report(
        "skopt: DeltaYStopper and DeadlineStopper",
        lambda: skopt_callbacks(skopt.BayesSearchCV, skopt.space.Real,
                                skopt.callbacks.DeltaYStopper, skopt.callbacks.DeadlineStopper),
        lambda: skopt_callbacks(hptune.BayesSearchCV, skopt.space.Real,
                                hptune.callbacks.DeltaYStopper, hptune.callbacks.DeadlineStopper),
    )
    # - from skopt import BayesSearchCV
    # + from hptune import BayesSearchCV
    #   (skopt.space and skopt.plots stay: hptune reads skopt's dimensions and
    #   its optimizer_results_ are what skopt's plots expect)
    report(
        "skopt: total_iterations, optimizer_results_, plot_objective",
        lambda: skopt_results(skopt.BayesSearchCV, skopt.space.Real, skopt.space.Categorical,
                              skopt.plots.plot_objective),
        lambda: skopt_results(hptune.BayesSearchCV, skopt.space.Real, skopt.space.Categorical,
                              skopt.plots.plot_objective),
    )

    # - from optuna_integration import OptunaSearchCV
    # + from hptune.compat import OptunaSearchCV
    #   (the rest, Optuna's distributions, n_trials and timeout included, is unchanged)
    with warnings.catch_warnings():
        # OptunaSearchCV warns that it is experimental, on every construction,
        # and Optuna 5 that its terminator module (used inside it) is deprecated.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.simplefilter("ignore", FutureWarning)
        report(
            "OptunaSearchCV: Optuna distributions, n_trials and timeout",
            lambda: optuna_distributions(OptunaSearchCV, optuna.distributions),
            lambda: optuna_distributions(CompatOptunaSearchCV, optuna.distributions),
        )
        report(
            "OptunaSearchCV: best_*, n_splits_, cv_results_ (no study)",
            lambda: optuna_attributes(OptunaSearchCV, optuna.distributions),
            lambda: optuna_attributes(CompatOptunaSearchCV, optuna.distributions),
        )


if __name__ == "__main__":
    main()
