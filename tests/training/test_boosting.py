"""LightGBM and XGBoost continue their booster: HyperbandSearchCV and PBTSearchCV use it.

Each test is skipped when its library is not installed (both are optional).
"""

import subprocess
import sys

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from hptune import HyperbandSearchCV, PBTSearchCV
from hptune.training import BoosterResource, TrainingPlan, continued_resource, resolve_resource

X, y = make_classification(n_samples=150, n_features=6, n_informative=4, random_state=0)
X3, y3 = make_classification(n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0)
Xr, yr = make_regression(n_samples=150, n_features=6, noise=1.0, random_state=0)

# Small, single-threaded and quiet; no subsampling, so that boosting is deterministic.
SETTINGS = {
    "lightgbm": {"num_leaves": 7, "min_child_samples": 5, "n_jobs": 1, "verbose": -1, "random_state": 0},
    "xgboost": {"max_depth": 3, "n_jobs": 1, "random_state": 0},
}
SPACE = {"learning_rate": (0.01, 1.0, "log-uniform")}


def _make(library, kind, **params):
    """An unfitted ``kind`` ("Classifier" or "Regressor") of ``library``, or skip."""
    module = pytest.importorskip(library)
    prefix = "LGBM" if library == "lightgbm" else "XGB"
    return getattr(module, prefix + kind)(**{**SETTINGS[library], **params})


def _outputs(model, X_):
    method = model.predict_proba if hasattr(model, "predict_proba") else model.predict
    return np.asarray(method(X_), dtype=float)


LIBRARIES = ["lightgbm", "xgboost"]


@pytest.mark.parametrize("library", LIBRARIES)
def test_booster_resource_is_chosen_for_n_estimators(library):
    estimator = _make(library, "Classifier", n_estimators=9)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", estimator)])
    assert isinstance(continued_resource(estimator, "n_estimators", y), BoosterResource)
    assert isinstance(continued_resource(pipe, "clf__n_estimators", y), BoosterResource)
    for resource in ("auto", "n_estimators"):
        found = resolve_resource(estimator, resource, 3, y)
        assert isinstance(found, BoosterResource) and found.step_size == 3 and found.name == "n_estimators"
    assert isinstance(resolve_resource(pipe, "auto", 3, y), BoosterResource)
    with pytest.raises(ValueError, match="not a count of trees or iterations"):
        continued_resource(estimator, "learning_rate", y)


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("kind, data", [("Classifier", (X, y)), ("Classifier", (X3, y3)), ("Regressor", (Xr, yr))],
                         ids=["binary", "multiclass", "regression"])
def test_continued_model_is_the_model_fitted_from_scratch(library, kind, data):
    X_, y_ = data
    estimator = _make(library, kind, n_estimators=10)
    resource = continued_resource(estimator, "n_estimators", y_)
    model = clone(estimator)
    for done, target in [(0, 3), (3, 7), (7, 10)]:
        resource.train_to(model, X_, y_, {}, done, target)
        assert model.get_params()["n_estimators"] == target
    scratch = clone(estimator).fit(X_, y_)
    np.testing.assert_allclose(_outputs(model, X_), _outputs(scratch, X_), rtol=0, atol=1e-10)
    assert model.get_params()["n_estimators"] == 10
    # All ten rounds are in the fitted model, and a clone of it fits ten rounds.
    rounds = model.booster_.current_iteration() if library == "lightgbm" else model.get_booster().num_boosted_rounds()
    assert rounds == 10
    np.testing.assert_allclose(_outputs(clone(model).fit(X_, y_), X_), _outputs(scratch, X_), rtol=0, atol=1e-10)


def test_continued_ranker_is_the_ranker_fitted_from_scratch():
    # The group sizes (a fit parameter that is not per sample) go to every continued fit.
    estimator = _make("lightgbm", "Ranker", n_estimators=10)
    rng = np.random.RandomState(0)
    X_, y_, group = rng.randn(120, 5), rng.randint(0, 4, 120), [10] * 12
    resource = continued_resource(estimator, "n_estimators", y_)
    model = clone(estimator)
    for done, target in [(0, 4), (4, 10)]:
        resource.train_to(model, X_, y_, {"group": group}, done, target)
    scratch = clone(estimator).fit(X_, y_, group=group)
    np.testing.assert_allclose(model.predict(X_), scratch.predict(X_), rtol=0, atol=1e-10)


def test_random_forests_cannot_continue():
    lightgbm = pytest.importorskip("lightgbm")
    forest = lightgbm.LGBMClassifier(boosting_type="rf", subsample=0.5, subsample_freq=1, n_estimators=9)
    with pytest.raises(ValueError, match="boosting_type='rf' is a random forest"):
        continued_resource(forest, "n_estimators", y)
    with pytest.raises(ValueError, match="boosting_type='rf' is a random forest"):
        resolve_resource(forest, "auto", 3, y)


def test_xgboost_random_forests_cannot_continue():
    xgboost = pytest.importorskip("xgboost")
    with pytest.raises(ValueError, match="XGBRFClassifier grows all its n_estimators trees in one"):
        continued_resource(xgboost.XGBRFClassifier(n_estimators=9), "n_estimators", y)


def _search(estimator, resource="n_estimators", space=SPACE, **kw):
    kw = {"n_iter": 3, "cv": KFold(3), "random_state": 0, **kw}
    return HyperbandSearchCV(estimator, space, resource=resource, **kw)


@pytest.mark.parametrize("library", LIBRARIES)
def test_hyperband_continued_candidates_score_as_a_fit_from_scratch(library):
    estimator = _make(library, "Classifier", n_estimators=27)
    search = _search(estimator).fit(X, y)
    r = search.cv_results_
    assert search.continue_training_ and (r["rung"] > 0).sum() >= 5
    grid = GridSearchCV(estimator, [{k: [v] for k, v in p.items()} for p in r["params"]], cv=KFold(3)).fit(X, y)
    np.testing.assert_allclose(r["mean_test_score"], grid.cv_results_["mean_test_score"], rtol=0, atol=1e-12)
    assert search.best_estimator_.get_params()["n_estimators"] == 27


@pytest.mark.parametrize("routing", [False, True], ids=["fit_params", "metadata_routing"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_hyperband_pipeline_passes_fit_params_to_the_continued_booster(library, routing):
    booster = _make(library, "Classifier", n_estimators=27)
    weight = np.random.RandomState(0).uniform(0.1, 10, size=len(y))
    space = {"clf__learning_rate": SPACE["learning_rate"]}
    with sklearn.config_context(enable_metadata_routing=routing):
        scaler, scoring = StandardScaler(), "accuracy"
        if routing:  # the weights go to the booster's fit only
            booster.set_fit_request(sample_weight=True)
            scaler.set_fit_request(sample_weight=False)
            scoring = get_scorer("accuracy").set_score_request(sample_weight=False)
        estimator = Pipeline([("scale", scaler), ("clf", booster)])
        kw = {"sample_weight": weight} if routing else {"clf__sample_weight": weight}
        search = _search(estimator, "clf__n_estimators", space, n_iter=2, scoring=scoring).fit(X, y, **kw)
        r = search.cv_results_
        assert search.continue_training_ and (r["rung"] > 0).sum() >= 3
        candidates = [{k: [v] for k, v in p.items()} for p in r["params"]]
        weighted = GridSearchCV(estimator, candidates, cv=KFold(3), scoring=scoring).fit(X, y, **kw)
    plain = GridSearchCV(estimator, candidates, cv=KFold(3), scoring="accuracy").fit(X, y)
    np.testing.assert_allclose(r["mean_test_score"], weighted.cv_results_["mean_test_score"], rtol=0, atol=1e-12)
    assert not np.allclose(r["mean_test_score"], plain.cv_results_["mean_test_score"])  # the weights mattered


def _counting_lgbm():
    lightgbm = pytest.importorskip("lightgbm")

    class CountingLGBM(lightgbm.LGBMClassifier):
        """LGBMClassifier recording the boosting rounds of each fit (sequential backend only)."""

        rounds = []

        def fit(self, X, y, **kwargs):
            CountingLGBM.rounds.append(self.n_estimators)
            return super().fit(X, y, **kwargs)

    return CountingLGBM


def test_hyperband_budget_counts_only_the_extra_rounds_of_a_continued_candidate():
    CountingLGBM = _counting_lgbm()
    search = _search(CountingLGBM(n_estimators=27, **SETTINGS["lightgbm"]), n_iter=4).fit(X, y)
    r = search.cv_results_
    assert search.continue_training_ and search.strategy_.spent <= 4
    # Every round trained for the CV is paid for once; the 27 rounds of the refit come after.
    assert CountingLGBM.rounds[-1] == 27
    assert sum(CountingLGBM.rounds[:-1]) == pytest.approx(search.strategy_.spent * 27 * 3)
    assert sum(CountingLGBM.rounds[:-1]) < 3 * r["n_resources"].sum()
    refit = _search(CountingLGBM(n_estimators=27, **SETTINGS["lightgbm"]), n_iter=4, continue_training=False)
    assert len(r["params"]) > len(refit.fit(X, y).cv_results_["params"])


def test_hyperband_refits_every_rung_for_a_forest():
    lightgbm = pytest.importorskip("lightgbm")
    forest = lightgbm.LGBMClassifier(boosting_type="rf", subsample=0.5, subsample_freq=1, n_estimators=9,
                                     n_jobs=1, verbose=-1, random_state=0)
    assert not _search(forest, n_iter=2).fit(X, y).continue_training_
    with pytest.raises(ValueError, match="continue_training=True.*random forest.*continue_training='auto' or False"):
        _search(forest, n_iter=2, continue_training=True).fit(X, y)


@pytest.mark.parametrize("library, kind", [("lightgbm", ["gbdt", "rf"]), ("xgboost", ["gbtree", "dart"])])
def test_a_searched_kind_of_booster_is_refitted_by_hyperband_and_refused_by_pbt(library, kind):
    # A continued booster cannot change kind (a forest cannot be continued
    # at all): Hyperband refits every rung, PBT refuses before the first fit.
    # LightGBM's forest needs bagging.
    bagging = {"subsample": 0.5, "subsample_freq": 1} if library == "lightgbm" else {}
    estimator = _make(library, "Classifier", n_estimators=9, **bagging)
    param = "boosting_type" if library == "lightgbm" else "booster"
    space = {**SPACE, param: kind}
    search = HyperbandSearchCV(estimator, space, resource="n_estimators", n_iter=2, min_resources=1,
                               cv=KFold(3), random_state=0)
    assert not search.fit(X, y).continue_training_
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    with pytest.raises(ValueError, match=f"search_spaces names '{param}', the kind of booster"):
        PBTSearchCV(estimator, space, population_size=2, n_steps=2, cv=KFold(3)).fit(X, y)


def _pbt(estimator, **kw):
    kw = {"population_size": 4, "n_steps": 3, "step_size": 3, "cv": KFold(3), "random_state": 0, **kw}
    return PBTSearchCV(estimator, SPACE, **kw)


@pytest.mark.parametrize("library", LIBRARIES)
def test_pbt_grows_the_booster_step_by_step(library):
    estimator = _make(library, "Classifier", n_estimators=100)
    one = _pbt(estimator).fit(X, y)
    assert one.resource_ == "n_estimators"
    best = one.best_estimator_
    rounds = best.booster_.current_iteration() if library == "lightgbm" else best.get_booster().num_boosted_rounds()
    assert best.get_params()["n_estimators"] == rounds == 9
    assert one.best_score_ > 0.7
    two = _pbt(estimator, n_jobs=2).fit(X, y)
    assert one.cv_results_["params"] == two.cv_results_["params"]
    np.testing.assert_array_equal(one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"])


def test_pbt_refuses_to_search_the_rounds():
    estimator = _make("lightgbm", "Classifier")
    with pytest.raises(ValueError, match="n_estimators.*resource grown at every step"):
        PBTSearchCV(estimator, {"n_estimators": (5, 50)}, population_size=2, n_steps=2, cv=KFold(3)).fit(X, y)


def test_a_perturbed_learning_rate_acts_on_the_next_rounds():
    estimator = _make("lightgbm", "Classifier", n_estimators=9)
    found = resolve_resource(estimator, "auto", 3, y)
    plan = TrainingPlan(clone(estimator), found, None, np.nan, False)
    kept = found.train(plan.new_final({"learning_rate": 0.1}), X, y, {}, 0)
    perturbed = clone(estimator).set_params(learning_rate=0.1)
    found.train(perturbed, X, y, {}, 0)
    found.train(plan.update(kept, {"learning_rate": 0.1}), X, y, {}, 1)
    found.train(plan.update(perturbed, {"learning_rate": 0.9}), X, y, {}, 1)
    fresh = found.train(plan.new_final({"learning_rate": 0.9}), X, y, {}, 0)
    assert not np.allclose(_outputs(kept, X), _outputs(perturbed, X)), "change ignored"
    assert not np.allclose(_outputs(fresh, X), _outputs(perturbed, X)), "restarted"


def test_hyperband_resume_mid_bracket_and_n_jobs_give_the_same_results(tmp_path):
    estimator = _make("lightgbm", "Classifier", n_estimators=27)
    path = tmp_path / "search.ckpt"
    for _ in range(2):  # two rungs, paused in the middle of the first bracket
        paused = _search(estimator, checkpoint=path, max_time=1e-9).fit(X, y)
    assert paused.cv_results_["rung"].tolist()[-1] == 1
    resumed = _search(estimator, checkpoint=path).fit(X, y)
    full = _search(estimator).fit(X, y)
    two = _search(estimator, n_jobs=2).fit(X, y)
    for other in (resumed, two):
        assert other.cv_results_["params"] == full.cv_results_["params"]
        np.testing.assert_array_equal(other.cv_results_["mean_test_score"], full.cv_results_["mean_test_score"])


def test_hptune_works_without_the_boosting_libraries():
    # Both blocked: hptune must import, and choose and use its other resources.
    code = (
        "import sys\n"
        "sys.modules['lightgbm'] = sys.modules['xgboost'] = None\n"
        "import hptune\n"
        "from sklearn.ensemble import GradientBoostingClassifier\n"
        "from hptune.training import WarmStartResource, continued_resource\n"
        "assert isinstance(continued_resource(GradientBoostingClassifier(), 'n_estimators', None),"
        " WarmStartResource)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('lightgbm', 'xgboost')"
        " and sys.modules[m] is not None)\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
