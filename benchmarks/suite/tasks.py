"""Tuning tasks: bundled or seeded data, an estimator and a mixed search space.

Every task uses data shipped with scikit-learn or generated with a fixed
seed (nothing is downloaded), and one fixed ``KFold``/``StratifiedKFold``
(3 splits, shuffled with ``random_state=0``) that every method receives.
Fits are kept cheap (subsets, few iterations) so that the whole suite runs
on 2 cores.

A hyperparameter is specified library-neutrally as one of

* ``("real", low, high, log)``: a float, log-uniform when ``log``;
* ``("int", low, high)``: an integer in ``[low, high]``;
* ``("cat", [values])``: one of the values;

and converted to each library's own space type by the ``*_space``
functions below (imported lazily, so a worker loads only its library).
"""

import numpy as np

# -- data -------------------------------------------------------------------------


def _digits(n=None):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:n] / 16.0, y[:n]


def _cancer():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


def _diabetes():
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True)


def _classification(n_samples, n_features, n_informative, seed):
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=n_informative,
        n_redundant=2, flip_y=0.03, class_sep=0.8, random_state=seed,
    )


def _friedman():
    # Friedman's function has a mean of about 14: kernel ridge has no
    # intercept, so an over-regularised candidate predicts about 0 and its
    # squared error is a hundred times the good candidates' (heavy-tailed scores).
    from sklearn.datasets import make_friedman1

    return make_friedman1(n_samples=500, n_features=8, noise=1.0, random_state=4)


def _regression():
    from sklearn.datasets import make_regression

    return make_regression(
        n_samples=400, n_features=120, n_informative=15, effective_rank=25,
        noise=5.0, random_state=3,
    )


# -- estimators ----------------------------------------------------------------------


def _svc():
    from sklearn.svm import SVC

    return SVC()


def _knn():
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("scale", StandardScaler()), ("knn", KNeighborsClassifier())])


def _rf():
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=20, random_state=0)


def _hgb():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=20, early_stopping=False, random_state=0)


def _mlp():
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    mlp = MLPClassifier(max_iter=25, random_state=0)
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def _sgd():
    # tol=None: exactly max_iter epochs, so full fits and PBT's partial_fit
    # steps spend the same training compute.
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    sgd = SGDClassifier(
        loss="log_loss", penalty="elasticnet", learning_rate="constant",
        max_iter=SGD_EPOCHS, tol=None, random_state=0,
    )
    return Pipeline([("scale", StandardScaler()), ("sgd", sgd)])


def _svr():
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVR

    return Pipeline([("scale", StandardScaler()), ("svr", SVR())])


def _elasticnet():
    from sklearn.linear_model import ElasticNet

    return ElasticNet(max_iter=3000)


def _kernel_ridge():
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline([("scale", StandardScaler()), ("kr", KernelRidge(kernel="rbf"))])


def _sgd_regressor():
    # Large step sizes diverge: scores down to -1e20 and failures, next to
    # good candidates near 0.9 (the heaviest tail of the suite).
    from sklearn.linear_model import SGDRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    sgd = SGDRegressor(max_iter=20, tol=None, random_state=0)
    return Pipeline([("scale", StandardScaler()), ("sgd", sgd)])


def _extra_trees():
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(random_state=0)


def _gbr():
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(random_state=0)


SGD_EPOCHS = 10

#: name -> task. ``pbt``: settings of PBTSearchCV where the estimator learns
#: incrementally (None: PBT does not apply to this task).
TASKS = {
    "svc_synth": dict(
        data=lambda: _classification(600, 20, 8, 2), estimator=_svc, classification=True, pbt=None,
        params={"C": ("real", 1e-2, 1e3, True), "gamma": ("real", 1e-5, 1e0, True)},
    ),
    "knn_synth": dict(
        data=lambda: _classification(1000, 20, 6, 0), estimator=_knn, classification=True, pbt=None,
        params={
            "knn__n_neighbors": ("int", 1, 60),
            "knn__weights": ("cat", ["uniform", "distance"]),
            "knn__p": ("int", 1, 2),
        },
    ),
    "rf_cancer": dict(
        data=_cancer, estimator=_rf, classification=True, pbt=None,
        params={
            "max_depth": ("int", 1, 20),
            "max_features": ("real", 0.05, 1.0, False),
            "min_samples_leaf": ("int", 1, 30),
            "criterion": ("cat", ["gini", "entropy", "log_loss"]),
            "bootstrap": ("cat", [True, False]),
        },
    ),
    "hgb_synth": dict(
        data=lambda: _classification(800, 20, 10, 1), estimator=_hgb, classification=True, pbt=None,
        params={
            "learning_rate": ("real", 1e-3, 1.0, True),
            "max_leaf_nodes": ("int", 2, 64),
            "max_depth": ("int", 2, 12),
            "min_samples_leaf": ("int", 1, 100),
            "l2_regularization": ("real", 1e-6, 10.0, True),
            "max_features": ("real", 0.1, 1.0, False),
            "max_bins": ("int", 16, 255),
            "early_stopping": ("cat", [False, True]),
        },
    ),
    "mlp_digits": dict(
        data=lambda: _digits(600), estimator=_mlp, classification=True, pbt=None,
        params={
            "mlp__alpha": ("real", 1e-6, 10.0, True),
            "mlp__learning_rate_init": ("real", 1e-4, 0.3, True),
            "mlp__hidden_layer_sizes": ("int", 4, 128),
            "mlp__activation": ("cat", ["relu", "tanh", "logistic"]),
        },
    ),
    "sgd_digits": dict(
        data=lambda: _digits(1000), estimator=_sgd, classification=True,
        pbt=dict(resource="partial_fit", n_steps=5, step_size=SGD_EPOCHS // 5),
        params={
            "sgd__alpha": ("real", 1e-7, 1e-1, True),
            "sgd__eta0": ("real", 1e-5, 1.0, True),
            "sgd__l1_ratio": ("real", 0.0, 1.0, False),
        },
    ),
    "svr_diabetes": dict(
        data=_diabetes, estimator=_svr, classification=False, pbt=None,
        params={
            "svr__C": ("real", 1e-1, 1e4, True),
            "svr__epsilon": ("real", 1e-1, 1e2, True),
            "svr__gamma": ("real", 1e-4, 1e0, True),
        },
    ),
    "elasticnet_synth": dict(
        data=_regression, estimator=_elasticnet, classification=False, pbt=None,
        params={"alpha": ("real", 1e-5, 10.0, True), "l1_ratio": ("real", 0.0, 1.0, False)},
    ),
    "kr_friedman": dict(
        data=_friedman, estimator=_kernel_ridge, classification=False, pbt=None,
        params={
            "kr__alpha": ("real", 1e-6, 1e3, True),
            "kr__gamma": ("real", 1e-4, 1e1, True),
        },
    ),
    "sgdreg_synth": dict(
        data=_regression, estimator=_sgd_regressor, classification=False, pbt=None,
        params={
            "sgd__alpha": ("real", 1e-7, 1e1, True),
            "sgd__eta0": ("real", 1e-5, 1.0, True),
            "sgd__power_t": ("real", 0.05, 0.9, False),
            "sgd__learning_rate": ("cat", ["constant", "invscaling", "adaptive"]),
            "sgd__penalty": ("cat", ["l2", "l1", "elasticnet"]),
        },
    ),
    "et_synth": dict(
        data=lambda: _classification(1000, 20, 8, 5), estimator=_extra_trees,
        classification=True, pbt=None,
        params={
            "n_estimators": ("int", 5, 80),
            "max_depth": ("int", 1, 30),
            "min_samples_split": ("int", 2, 40),
            "min_samples_leaf": ("int", 1, 40),
            "max_features": ("int", 1, 20),
            "criterion": ("cat", ["gini", "entropy"]),
        },
    ),
    "gbr_diabetes": dict(
        data=_diabetes, estimator=_gbr, classification=False, pbt=None,
        params={
            "n_estimators": ("int", 10, 200),
            "max_depth": ("int", 1, 8),
            "min_samples_leaf": ("int", 1, 60),
            "learning_rate": ("real", 1e-3, 1.0, True),
            "subsample": ("real", 0.3, 1.0, False),
        },
    ),
    "hgb_logloss": dict(
        data=lambda: _classification(800, 20, 10, 6), estimator=_hgb, classification=True,
        pbt=None, scoring="neg_log_loss",
        params={
            "learning_rate": ("real", 1e-3, 1.0, True),
            "max_iter": ("int", 5, 100),
            "max_leaf_nodes": ("int", 2, 64),
            "min_samples_leaf": ("int", 1, 100),
            "l2_regularization": ("real", 1e-6, 10.0, True),
        },
    ),
}

#: the tasks of ``--quick``
QUICK_TASKS = ["svc_synth", "hgb_synth", "sgd_digits"]


def make_estimator(task):
    """A fresh, unfitted estimator of ``task``."""
    return task["estimator"]()


def scoring(task):
    """The task's scorer name (None: the estimator's ``score``)."""
    return task.get("scoring")


def make_cv(task):
    """The fixed splitter that every method gets for ``task``."""
    from sklearn.model_selection import KFold, StratifiedKFold

    splitter = StratifiedKFold if task["classification"] else KFold
    return splitter(n_splits=3, shuffle=True, random_state=0)


# -- space conversions ----------------------------------------------------------------


def hptune_space(params):
    from hptune.space import Categorical, Integer, Real

    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = Real(float(spec[1]), float(spec[2]), "log-uniform" if spec[3] else "uniform")
        elif spec[0] == "int":
            out[name] = Integer(int(spec[1]), int(spec[2]))
        else:
            out[name] = Categorical(list(spec[1]))
    return out


def scipy_space(params):
    from scipy.stats import loguniform, randint, uniform

    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = loguniform(spec[1], spec[2]) if spec[3] else uniform(spec[1], spec[2] - spec[1])
        elif spec[0] == "int":
            out[name] = randint(spec[1], spec[2] + 1)
        else:
            out[name] = list(spec[1])
    return out


def skopt_space(params):
    from skopt.space import Categorical, Integer, Real

    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = Real(spec[1], spec[2], prior="log-uniform" if spec[3] else "uniform")
        elif spec[0] == "int":
            out[name] = Integer(spec[1], spec[2])
        else:
            out[name] = Categorical(list(spec[1]))
    return out


def optuna_space(params):
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = FloatDistribution(spec[1], spec[2], log=bool(spec[3]))
        elif spec[0] == "int":
            out[name] = IntDistribution(spec[1], spec[2])
        else:
            out[name] = CategoricalDistribution(list(spec[1]))
    return out


def ga_space(params):
    from sklearn_genetic.space import Categorical, Continuous, Integer

    out = {}
    for name, spec in params.items():
        if spec[0] == "real":
            out[name] = Continuous(spec[1], spec[2], distribution="log-uniform" if spec[3] else "uniform")
        elif spec[0] == "int":
            out[name] = Integer(spec[1], spec[2])
        else:
            out[name] = Categorical(list(spec[1]))
    return out


def grid_levels(params, budget):
    """Number of grid values per parameter, the product at most ``budget``.

    Levels are added one at a time to the parameter with the fewest (ties:
    the first), without exceeding a categorical's or a small integer
    range's number of values.
    """
    names = list(params)
    caps = {}
    for name, spec in params.items():
        if spec[0] == "cat":
            caps[name] = len(spec[1])
        elif spec[0] == "int":
            caps[name] = spec[2] - spec[1] + 1
        else:
            caps[name] = budget
    levels = dict.fromkeys(names, 1)
    while True:
        open_ = [n for n in names if levels[n] < caps[n]]
        if not open_:
            return levels
        name = min(open_, key=lambda n: levels[n])
        product = int(np.prod([levels[n] for n in names])) // levels[name] * (levels[name] + 1)
        if product > budget:
            return levels
        levels[name] += 1


def grid_space(params, budget):
    """A ``param_grid`` with at most ``budget`` points: cell midpoints per axis."""
    levels = grid_levels(params, budget)
    grid = {}
    for name, spec in params.items():
        k = levels[name]
        q = (np.arange(k) + 0.5) / k
        if spec[0] == "cat":
            values = list(spec[1])
            grid[name] = [values[int(i)] for i in np.floor(q * len(values))]
        elif spec[0] == "int":
            values = np.floor(spec[1] + q * (spec[2] - spec[1] + 1)).astype(int)
            grid[name] = sorted({int(v) for v in values})
        elif spec[3]:
            grid[name] = list(np.exp(np.log(spec[1]) + q * (np.log(spec[2]) - np.log(spec[1]))))
        else:
            grid[name] = list(spec[1] + q * (spec[2] - spec[1]))
    return grid


def _choice_token(index, value):
    # SMAC3's and HEBO's categoricals are safest with strings (booleans and
    # None do not survive ConfigSpace's or pandas' conversions): the token
    # carries the index, so decoding is exact whatever the value's repr.
    return f"{index}:{value!r}"


def decode_params(params, values):
    """Undo the ``smac_space``/``hebo_space`` encodings of ``values`` (name -> value).

    Categorical tokens go back to the task's own choices and integers to
    Python ``int`` (HEBO hands back floats or numpy scalars).
    """
    out = {}
    for name, spec in params.items():
        value = values[name]
        if spec[0] == "cat":
            out[name] = list(spec[1])[int(str(value).split(":", 1)[0])]
        elif spec[0] == "int":
            out[name] = int(round(float(value)))
        else:
            out[name] = float(value)
    return out


def smac_space(params, seed):
    """A ConfigSpace ``ConfigurationSpace`` for SMAC3 (decode with ``decode_params``)."""
    from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer

    space = ConfigurationSpace(seed=seed)
    for name, spec in params.items():
        if spec[0] == "real":
            space.add(Float(name, (float(spec[1]), float(spec[2])), log=bool(spec[3])))
        elif spec[0] == "int":
            space.add(Integer(name, (int(spec[1]), int(spec[2]))))
        else:
            space.add(Categorical(name, [_choice_token(i, v) for i, v in enumerate(spec[1])]))
    return space


def hebo_space(params):
    """A HEBO ``DesignSpace`` (decode with ``decode_params``).

    Log-uniform reals are HEBO's ``pow`` type (optimised on the log scale).
    """
    from hebo.design_space.design_space import DesignSpace

    rows = []
    for name, spec in params.items():
        if spec[0] == "real":
            kind = "pow" if spec[3] else "num"
            rows.append(dict(name=name, type=kind, lb=float(spec[1]), ub=float(spec[2])))
        elif spec[0] == "int":
            rows.append(dict(name=name, type="int", lb=int(spec[1]), ub=int(spec[2])))
        else:
            rows.append(dict(name=name, type="cat", categories=[_choice_token(i, v) for i, v in enumerate(spec[1])]))
    return DesignSpace().parse(rows)
