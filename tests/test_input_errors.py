"""Bad input, for every search: one row per message, each naming the parameter and the value.

Every error here is raised at the start of ``fit``, before any candidate is
fitted, and the same input gives the same message from every search.
PBTSearchCV has rows of its own too (resources, population, steps).
"""

import re

import numpy as np
import pytest
from scipy.stats import randint
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import BaggingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, ExtraTreeClassifier

from hptune import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from hptune.search._evolution_search import EvolutionSearchCV

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
# Classes of 30, 27 and 3 samples: too few of class 2 for 5 stratified folds.
y_rare = np.r_[np.zeros(30, int), np.ones(27, int), np.full(3, 2)]
y_single = np.r_[np.zeros(59, int), 1]

C = (1e-3, 1e2, "log-uniform")
PIPE = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])


class _OnlyRvs:
    def rvs(self, size=None, random_state=None):
        return 1.0

    def __repr__(self):
        return "_OnlyRvs()"


# What every message about an unusable specification lists as accepted.
ACCEPTED = ('a scipy.stats frozen distribution such as scipy.stats.loguni'
            'form(1e-3, 1e3), an hptune.space dimension (Real, Integer, O'
            'rdinal, Categorical, Distribution), a scikit-optimize Real, Integer or Categorical, or an Optuna FloatDistribution, IntDistribution or CategoricalDistribution.')


def _bayes(space, **params):
    estimator = params.pop("estimator", LogisticRegression())
    return BayesSearchCV(estimator, space, **{"n_iter": 2, "n_initial_points": 1, "cv": 2, **params})


def _evolution(space, **params):
    estimator = params.pop("estimator", LogisticRegression())
    return EvolutionSearchCV(estimator, space, **{"population_size": 3, "n_generations": 1, "cv": 2, **params})


def _pbt(space, **params):
    # LogisticRegression trains by warm start (max_iter grows at every step).
    estimator = params.pop("estimator", LogisticRegression())
    return PBTSearchCV(estimator, space, **{"population_size": 2, "n_steps": 1, "cv": 2, **params})


def _hyperband(space, **params):
    estimator = params.pop("estimator", LogisticRegression())
    return HyperbandSearchCV(estimator, space, **{"n_iter": 2, "factor": 100, "cv": 2, **params})


SEARCHES = {"BayesSearchCV": _bayes, "EvolutionSearchCV": _evolution, "PBTSearchCV": _pbt,
            "HyperbandSearchCV": _hyperband}

# (search classes, search_spaces, other parameters, y, exception, message)
ALL = tuple(SEARCHES)
ASK_TELL = ("BayesSearchCV", "EvolutionSearchCV")
CASES = {
    # -- invalid space forms --------------------------------------------------------------
    "reversed bounds": (ALL, {"C": (1.0, 0.1)}, {}, y, ValueError,
                        "Invalid search space for parameter 'C': Real needs low < high. Got low=1.0 and high=0.1"),
    "equal int bounds": (ALL, {"max_iter": (5, 5)}, {}, y, ValueError,
                         "Invalid search space for parameter 'max_iter': Integer needs low < high. "
                         "Got low=5 and high=5"),
    "log prior at 0": (ALL, {"C": (0.0, 1.0, "log-uniform")}, {}, y, ValueError,
                       "parameter 'C': Real with prior='log-uniform' needs low > 0. Got low=0.0."),
    "unknown prior": (ALL, {"C": (0.1, 1.0, "loguniform")}, {}, y, ValueError,
                      "parameter 'C': Real prior must be one of ('uniform', 'log-uniform'). Got 'loguniform' instead."),
    "infinite bound": (ALL, {"C": (1e-3, np.inf)}, {}, y, TypeError,
                       "parameter 'C': Real high must be a real number. Got inf instead."),
    "empty list": (ALL, {"C": []}, {}, y, ValueError, "Invalid search space for parameter 'C': the list of values is empty."),
    "string": (ALL, {"C": "abc"}, {}, y, TypeError,
               "Parameter 'C' must be a list of values, a (low, high[, prior]) tuple, " + ACCEPTED + " Got 'abc' of type str."),
    "scalar": (ALL, {"C": 1.0}, {}, y, TypeError,
               "Parameter 'C' must be a list of values, a (low, high[, prior]) tuple, " + ACCEPTED + " Got 1.0 of type float."),
    "only rvs": (ALL, {"C": _OnlyRvs()}, {}, y, TypeError,
                 "Parameter 'C': _OnlyRvs has an rvs method but neither bounds nor a quantile function, and a "
                 "model-based search needs the shape of the distribution, not only its samples. Give a list of values, "
                 "a (low, high[, prior]) tuple, " + ACCEPTED + " Got _OnlyRvs()."),
    "empty dict": (ALL, {}, {}, y, ValueError, "The search space is empty: give at least one parameter."),
    "empty dict in a sub-space": (ALL, [{"C": C}, {}], {}, y, ValueError,
                                  "Sub-space 1: The search space is empty: give at least one parameter."),
    "empty list of spaces": (ALL, [], {}, y, ValueError,
                             "search_spaces must be a dict, a non-empty list of dicts or a list of (dict, n_iter) "
                             "tuples. Got []."),
    "not a dict": (ALL, "C", {}, y, ValueError,
                   "The 'search_spaces' parameter of {cls} must be an instance of 'dict' or an instance of "
                   "'list'. Got 'C' instead."),
    "sub-space budget": (ALL, [({"C": C}, 0)], {}, y, ValueError, "Sub-space 0 has n_iter=0; it must be an int >= 1."),
    "sub-space type": (ALL, [{"C": C}, "x"], {}, y, TypeError,
                       "Sub-space 1: A search space must be a dict of parameter names. Got 'x'."),
    "name type": (ALL, {1: C}, {}, y, TypeError, "Parameter names must be strings. Got 1."),
    # -- names the estimator does not have ----------------------------------------------------
    "misspelt name": (ALL, {"C_": C}, {}, y, ValueError,
                      "Invalid parameter 'C_' in search_spaces: LogisticRegression has no parameter of that "
                      "name. Did you mean 'C'? Valid names are the keys of estimator.get_params(deep=True)."),
    "misspelt name 2": (ALL, {"max_iters": [50, 100]}, {}, y, ValueError,
                        "Invalid parameter 'max_iters' in search_spaces: LogisticRegression has no parameter "
                        "of that name. Did you mean 'max_iter'?"),
    "unknown name": (ALL, {"zzzz": [1, 2]}, {}, y, ValueError,
                     "Invalid parameter 'zzzz' in search_spaces: LogisticRegression has no parameter of that "
                     "name. Valid names include ['C', 'class_weight', 'dual',"),
    "nested misspelt": (ALL, {"clf__Cc": C}, {"estimator": PIPE}, y, ValueError,
                        "Invalid parameter 'clf__Cc' in search_spaces: Pipeline has no parameter of that name. "
                        "Did you mean 'clf__C'?"),
    "misspelt step": (ALL, {"clff__C": C}, {"estimator": PIPE}, y, ValueError,
                      "Invalid parameter 'clff__C' in search_spaces: Pipeline has no parameter of that name. "
                      "Did you mean 'clf__C'?"),
    "misspelt in choice": (ALL, {"clf": [LogisticRegression(), DecisionTreeClassifier()], "clf__max_dept": (1, 5)},
                           {"estimator": PIPE}, y, ValueError,
                           "Invalid parameter 'clf__max_dept' in search_spaces: Pipeline has no parameter of that "
                           "name. Did you mean 'clf__max_depth'?"),
    "name of some choices only": (ALL, {"clf": [DecisionTreeClassifier(), LogisticRegression()],
                                         "clf__max_depth": (1, 5)}, {"estimator": PIPE}, y, ValueError,
                                  "Invalid parameter 'clf__max_depth' in search_spaces: LogisticRegression(), one of "
                                  "the values searched for 'clf', has no parameter 'max_depth'. Put estimators with "
                                  "different parameters in separate sub-spaces (a list of dicts, one per estimator)."),
    "name of a passthrough step": (ALL, {"scale": [StandardScaler(), "passthrough"],
                                          "scale__with_mean": [True, False]},
                                   {"estimator": PIPE}, y, ValueError,
                                   "Invalid parameter 'scale__with_mean' in search_spaces: 'passthrough', one of the "
                                   "values searched for 'scale', has no parameter 'with_mean'."),
    "misspelt in sub-space": (ALL, [{"C": C}, {"penalty": ["l2"], "tol_": [1e-4, 1e-3]}], {}, y, ValueError,
                              "Invalid parameter 'tol_' in sub-space 1 of search_spaces: LogisticRegression has no "
                              "parameter of that name. Did you mean 'tol'?"),
    # -- budgets and batch sizes ------------------------------------------------------------------
    "NaN in a value list": (ALL, {"C": [0.1, float("nan"), 1.0]}, {}, y, ValueError,
                            "Invalid search space for parameter 'C': the value at position 1 of the list "
                            "[0.1, nan, 1.0] is NaN"),
    "a callback that is not one": (ALL, {"C": C}, {"callbacks": ["x"]}, y, TypeError,
                                   "callbacks[0]='x' is not a callback: pass a callable taking the search state"),
    "n_iter a bool": (("BayesSearchCV",), {"C": C}, {"n_iter": True}, y, ValueError,
                      "The 'n_iter' parameter of BayesSearchCV must be an int in the range [1, inf). Got True "
                      "instead."),
    "population_size a bool": (("EvolutionSearchCV", "PBTSearchCV"), {"C": C}, {"population_size": True}, y,
                               ValueError, "The 'population_size' parameter of {cls} must be an int in the range "
                               "[2, inf). Got True instead."),
    "n_jobs a bool": (ALL, {"C": C}, {"n_jobs": True}, y, ValueError,
                      "The 'n_jobs' parameter of {cls} must be an int. Got True instead."),
    "empty X": (ALL, {"C": C}, {"fit_X": X[:0]}, y[:0], ValueError, "X has 0 samples"),
    "n_iter < 1": (ASK_TELL, {"C": C}, {"n_iter": 0}, y, ValueError,
                   "The 'n_iter' parameter of {cls} must be an int in the range [1, inf)"),
    "n_points < 1": (("BayesSearchCV",), {"C": C}, {"n_points": 0}, y, ValueError,
                     "The 'n_points' parameter of BayesSearchCV must be an int in the range [1, inf) or a str among {{'auto'}}. Got 0 instead."),
    "n_initial_points < 1": (("BayesSearchCV",), {"C": C}, {"n_initial_points": 0}, y, ValueError,
                             "The 'n_initial_points' parameter of BayesSearchCV must be an int in the range [1, inf). "
                             "Got 0 instead."),
    "population of 1": (("EvolutionSearchCV",), {"C": C}, {"population_size": 1}, y, ValueError,
                        "The 'population_size' parameter of EvolutionSearchCV must be an int in the range [2, inf). "
                        "Got 1 instead."),
    "population too small to select": (("EvolutionSearchCV",), {"C": C}, {"population_size": 3, "tournament_size": 4},
                                       y, ValueError,
                                       "tournament_size=4 exceeds population_size=3; lower tournament_size or raise "
                                       "population_size."),
    "n_generations < 1": (("EvolutionSearchCV",), {"C": C}, {"n_generations": 0}, y, ValueError,
                          "The 'n_generations' parameter of EvolutionSearchCV must be an int in the range [1, inf). "
                          "Got 0 instead."),
    "max_time <= 0": (ALL, {"C": C}, {"max_time": 0}, y, ValueError,
                      "The 'max_time' parameter of {cls} must be a float in the range (0.0, inf) or None. "
                      "Got 0 instead."),
    # -- cv, refit, checkpoint -----------------------------------------------------------------
    "cv above smallest class": (ALL, {"C": C}, {"cv": 5}, y_rare, ValueError,
                                "cv=5 asks for 5 stratified folds, but the smallest class in y (2) has 3 samples, "
                                "fewer than one per fold; lower cv to at most 3, or collect more samples of that "
                                "class."),
    "splitter above smallest class": (ALL, {"C": C}, {"cv": StratifiedKFold(4)}, y_rare, ValueError,
                                      "cv=StratifiedKFold(n_splits=4, random_state=None, shuffle=False) asks for 4 "
                                      "stratified folds, but the smallest class in y (2) has 3 samples"),
    "class of one": (ALL, {"C": C}, {"cv": 2}, y_single, ValueError,
                     "the smallest class in y (1) has 1 sample, fewer than one per fold; use a splitter that does "
                     "not stratify, such as KFold, or collect more samples of that class."),
    "refit names a missing metric": (ALL, {"C": C}, {"scoring": {"acc": "accuracy"}, "refit": "bal"}, y, ValueError,
                                     "For multi-metric scoring, the parameter refit must be set to a scorer key"),
    "checkpoint type": (ALL, {"C": C}, {"checkpoint": 3}, y, ValueError,
                        "The 'checkpoint' parameter of {cls} must be an instance of 'str', an instance of "
                        "'os.PathLike' or None. Got 3 instead."),
    "checkpoint directory": (ALL, {"C": C}, {"checkpoint": "/nonexistent-dir/search.ckpt"}, y, ValueError,
                             "checkpoint='/nonexistent-dir/search.ckpt' is in a directory that does not exist "
                             "('/nonexistent-dir'); create it or choose another path."),
    "checkpoint empty": (ALL, {"C": C}, {"checkpoint": ""}, y, ValueError,
                         "checkpoint='' is an empty path; give a file name such as 'search.ckpt', or None for "
                         "no checkpoint."),
    "checkpoint is a directory": (ALL, {"C": C}, {"checkpoint": "/"}, y, ValueError,
                                  "checkpoint='/' is a directory; give a file path in it, such as '/search.ckpt'."),
    "callbacks type": (ALL, {"C": C}, {"callbacks": "stop"}, y, ValueError,
                       "The 'callbacks' parameter of {cls} must be"),
}


SGD = {"estimator": SGDClassifier(random_state=0)}
FOREST = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=2))
ALPHA = {"alpha": (1e-4, 1e-1, "log-uniform")}
CASES.update({
    "no way to continue training": (("PBTSearchCV",), {"max_depth": (1, 5)},
                                    {"estimator": DecisionTreeClassifier()}, y, ValueError,
                                    "PBTSearchCV needs an estimator that continues training: DecisionTreeClassifier "
                                    "has neither partial_fit nor a warm_start parameter with n_estimators or max_iter, "
                                    "and is not a LightGBM or XGBoost estimator."),
    "resource not a parameter": (("PBTSearchCV",), ALPHA, {**SGD, "resource": "n_estimators"}, y, ValueError,
                                 "resource='n_estimators' is neither 'partial_fit' nor a parameter of SGDClassifier."),
    "resource searched": (("PBTSearchCV",), {**ALPHA, "max_iter": [5, 10]}, {**SGD, "resource": "max_iter"}, y,
                          ValueError,
                          "search_spaces names 'max_iter', which is the resource grown at every step; remove it "
                          "from search_spaces."),
    "population too small to exploit": (("PBTSearchCV",), ALPHA, {**SGD, "population_size": 1}, y, ValueError,
                                        "The 'population_size' parameter of PBTSearchCV must be an int in the range "
                                        "[2, inf). Got 1 instead."),
    "partial_fit resource without partial_fit": (("PBTSearchCV",), {"max_depth": (1, 3)},
                                                 {"estimator": RandomForestClassifier(), "resource": "partial_fit"},
                                                 y, ValueError,
                                                 "resource='partial_fit' needs a final estimator with partial_fit, "
                                                 "but RandomForestClassifier has none"),
    "resource without warm_start": (("PBTSearchCV",), {"C": (0.1, 1.0)}, {"estimator": SVC(), "resource": "max_iter"},
                                    y, ValueError,
                                    "resource='max_iter' grows a parameter between warm-started fits, but SVC has no "
                                    "warm_start parameter."),
    "resource without the step prefix": (("PBTSearchCV",), {"randomforestclassifier__max_depth": (1, 3)},
                                         {"estimator": FOREST, "resource": "n_estimators"}, y, ValueError,
                                         "resource='n_estimators' is neither 'partial_fit' nor a parameter of the "
                                         "final step 'randomforestclassifier' (RandomForestClassifier). Did you mean "
                                         "'randomforestclassifier__n_estimators'?"),
    "parameter of a leading step": (("PBTSearchCV",), {"standardscaler__with_mean": [True, False]},
                                    {"estimator": FOREST, "resource": "randomforestclassifier__n_estimators"}, y,
                                    ValueError,
                                    "search_spaces names 'standardscaler__with_mean', which is not a parameter of "
                                    "the final step 'randomforestclassifier'."),
    "warm_start searched": (("PBTSearchCV",), {"warm_start": [True, False]}, SGD, y, ValueError,
                            "search_spaces names 'warm_start'; PBTSearchCV sets warm_start itself"),
    "n_steps and max_resources": (("PBTSearchCV",), ALPHA, {**SGD, "n_steps": 3, "max_resources": 3}, y, ValueError,
                                  "n_steps=3 and max_resources=3 both set the length of training; give only one"),
    "max_resources below step_size": (("PBTSearchCV",), ALPHA,
                                      {**SGD, "n_steps": None, "max_resources": 1, "step_size": 2}, y, ValueError,
                                      "max_resources=1 is smaller than step_size=2; raise max_resources or lower "
                                      "step_size."),
    "sub-space budgets in PBT": (("PBTSearchCV",), [(ALPHA, 3)], SGD, y, ValueError,
                                 "search_spaces holds (dict, n_iter) tuples, but PBTSearchCV trains one population"),
    "negative perturbation factor": (("PBTSearchCV",), ALPHA, {**SGD, "perturbation_factors": (0.8, -1.0)}, y,
                                     ValueError,
                                     "perturbation_factors must be a non-empty sequence of positive numbers"),
    # -- Hyperband's resources and budget ----------------------------------------------------------
    "hyperband resource not a parameter": (("HyperbandSearchCV",), ALPHA, {**SGD, "resource": "n_estimators"}, y,
                                           ValueError,
                                           "resource='n_estimators' is neither 'n_samples' nor a parameter of "
                                           "SGDClassifier. Pass 'n_samples' or the name of an integer parameter"),
    "hyperband resource without the step prefix": (("HyperbandSearchCV",), {"randomforestclassifier__max_depth": (1, 3)},
                                                   {"estimator": FOREST, "resource": "n_estimators"}, y, ValueError,
                                                   "resource='n_estimators' is neither 'n_samples' nor a parameter "
                                                   "of Pipeline. Did you mean 'randomforestclassifier__n_estimators'?"),
    "hyperband resource searched": (("HyperbandSearchCV",), {**ALPHA, "max_iter": [5, 10]},
                                    {**SGD, "resource": "max_iter"}, y, ValueError,
                                    "search_spaces names 'max_iter', which is the resource that HyperbandSearchCV "
                                    "sets at every rung; remove it from search_spaces."),
    "hyperband auto max_resources of None": (("HyperbandSearchCV",), {"min_samples_leaf": (1, 5)},
                                             {"estimator": DecisionTreeClassifier(), "resource": "max_depth"}, y,
                                             ValueError,
                                             "max_resources='auto' takes the estimator's max_depth, but it is None, "
                                             "not an int >= 1; pass max_resources=<int>."),
    "hyperband min above max": (("HyperbandSearchCV",), ALPHA, {**SGD, "min_resources": 100}, y, ValueError,
                                "min_resources=100 exceeds max_resources=60; lower min_resources or raise "
                                "max_resources."),
    "hyperband first rung without every class": (("HyperbandSearchCV",), ALPHA,
                                                  {**SGD, "min_resources": 3, "factor": 3}, y_rare, ValueError,
                                                  "min_resources=3 leaves 2 training samples of fold 0 in the first "
                                                  "rung (resource='n_samples' keeps min_resources / max_resources = "
                                                  "3/60 of each fold's 30), fewer than the 3 it needs (one per "
                                                  "class); raise min_resources to at least 6."),
    "hyperband budget below one full evaluation": (("HyperbandSearchCV",), ALPHA, {**SGD, "n_iter": 0.5}, y,
                                                   ValueError,
                                                   "n_iter=0.5 is less than one full evaluation (a candidate "
                                                   "evaluated with max_resources); raise n_iter to at least 1."),
    "hyperband n_iter of 0": (("HyperbandSearchCV",), ALPHA, {**SGD, "n_iter": 0}, y, ValueError,
                              "The 'n_iter' parameter of HyperbandSearchCV must be a float in the range (0.0, inf). "
                              "Got 0 instead."),
    "hyperband factor of 1": (("HyperbandSearchCV",), ALPHA, {**SGD, "factor": 1}, y, ValueError,
                              "The 'factor' parameter of HyperbandSearchCV must be an int in the range [2, inf). "
                              "Got 1 instead."),
    "hyperband sub-space budgets": (("HyperbandSearchCV",), [(ALPHA, 3)], SGD, y, ValueError,
                                    "search_spaces holds (dict, n_iter) tuples, but HyperbandSearchCV shares one "
                                    "budget among its brackets; pass a dict or a list of dicts."),
    "n_steps < 1": (("PBTSearchCV",), ALPHA, {**SGD, "n_steps": 0}, y, ValueError,
                    "The 'n_steps' parameter of PBTSearchCV must be an int in the range [1, inf) or None. "
                    "Got 0 instead."),
})


def _rows():
    for name, (classes, space, params, target, err, match) in CASES.items():
        for cls in classes:
            yield pytest.param(cls, space, params, target, err, match.format(cls=cls), id=f"{cls}-{name}")
    for cls in ALL:
        yield pytest.param(
            cls, {"max_iter": randint(3, 3)}, {}, y, ValueError,
            "Invalid search space for parameter 'max_iter': the distribution randint(3, 3) has an empty support.",
            id=f"{cls}-empty randint",
        )


@pytest.mark.parametrize("cls, space, params, target, err, match", _rows())
def test_input_errors(cls, space, params, target, err, match):
    params = dict(params)
    data = params.pop("fit_X", X)
    with pytest.raises(err, match=re.escape(match)):
        SEARCHES[cls](space, **params).fit(data, target)


class _CountingClassifier(ClassifierMixin, BaseEstimator):
    n_fits = 0

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        type(self).n_fits += 1
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("space, target", [({"alphaa": (0.1, 1.0)}, y), ({"alpha": (0.1, 1.0)}, y_rare)])
def test_errors_come_before_any_fit(cls, space, target):
    _CountingClassifier.n_fits = 0
    with pytest.raises(ValueError):
        SEARCHES[cls](space, estimator=_CountingClassifier(), cv=5).fit(X, target)
    assert _CountingClassifier.n_fits == 0


@pytest.mark.parametrize("cls", ASK_TELL)
@pytest.mark.parametrize(
    "estimator, space",
    [
        # a nested name of the base estimator
        (PIPE, {"clf__C": C, "scale__with_mean": [True, False]}),
        # a step searched over estimators that all have the sub-parameter
        (PIPE, {"clf": [LogisticRegression(), LogisticRegression(fit_intercept=False)], "clf__C": C}),
        # a step that is passthrough in the base pipeline: the parameter exists on the candidates only
        (Pipeline([("scale", "passthrough"), ("clf", LogisticRegression())]),
         {"scale": [StandardScaler(), StandardScaler(with_mean=False)], "scale__with_std": [True, False], "clf__C": C}),
        # a choice nested inside an estimator
        (Pipeline([("clf", BaggingClassifier(n_estimators=2))]),
         {"clf__estimator": [DecisionTreeClassifier(), ExtraTreeClassifier()], "clf__estimator__max_depth": (1, 4)}),
        # estimators with different parameters in separate sub-spaces
        (PIPE, [{"clf": [LogisticRegression()], "clf__C": C},
                {"clf": [DecisionTreeClassifier()], "clf__max_depth": (1, 4)}]),
    ],
)
def test_valid_nested_names_raise_no_false_alarm(cls, estimator, space):
    search = SEARCHES[cls](space, estimator=estimator, error_score="raise", random_state=0).fit(X, y)
    assert len(search.cv_results_["params"]) >= 2


def test_regressors_and_plain_kfold_are_not_checked_for_classes():
    BayesSearchCV(Ridge(), {"alpha": C}, n_iter=2, n_initial_points=1, cv=5).fit(X, y_rare.astype(float))
    _bayes({"C": C}, cv=KFold(5)).fit(X, y_rare)


class _FailsAbove(ClassifierMixin, BaseEstimator):
    def __init__(self, threshold=0.0):
        self.threshold = threshold

    def fit(self, X, y):
        if self.threshold > 0.5:
            raise RuntimeError(f"threshold {self.threshold:.2f} is too high")
        self.classes_ = np.unique(y)
        return self

    def partial_fit(self, X, y, classes=None):
        return self.fit(X, y)

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.mark.parametrize("cls", ALL)
def test_all_candidates_failing_names_the_first_exception(cls):
    search = SEARCHES[cls]({"threshold": (0.6, 1.0)}, estimator=_FailsAbove(), random_state=0)
    with pytest.raises(ValueError) as info:
        search.fit(X, y)
    message = str(info.value)
    n_fits = 6 if cls == "EvolutionSearchCV" else 4
    first = re.search(r"The first failure \((?:candidate|member 0 with) \{'threshold': ([0-9.]+)\}, split 0\) "
                      r"raised RuntimeError: threshold ([0-9.]+) is too high\n", message)
    assert f"All the {n_fits} fits failed.\n" in message and first is not None
    assert f"{float(first.group(1)):.2f}" == first.group(2)
    assert "error_score='raise'" in message  # scikit-learn's advice and tracebacks follow
