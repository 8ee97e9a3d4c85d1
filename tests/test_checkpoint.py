"""Checkpoint and resume of every search: the same guarantees from each.

The subprocess test imports this module (``from test_checkpoint import ...``),
so module-level code stays light: tiny data and a cheap estimator.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import ShuffleSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import hptune
from hptune import BayesSearchCV, HyperbandSearchCV, PBTSearchCV
from hptune.checkpoint import CHECKPOINT_FORMAT, CheckpointError, load_checkpoint
from hptune.search._checkpoint import save_checkpoint
from hptune.search._evolution_search import EvolutionSearchCV

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
SPACE = {"shrink": (0.0, 1.0), "power": [1, 2, 3], "metric": ["l1", "l2"]}

# Set by a test to raise KeyboardInterrupt in the n-th fit (Ctrl-C mid-batch).
_INTERRUPT = {"after": None, "count": 0}


class LoggedCentroid(ClassifierMixin, BaseEstimator):
    """Nearest shrunken centroid that appends one line per fit to ``log_path``."""

    def __init__(self, shrink=0.0, power=1, metric="l2", log_path=None, sleep=0.0, fail_above=None):
        self.shrink = shrink
        self.power = power
        self.metric = metric
        self.log_path = log_path
        self.sleep = sleep
        self.fail_above = fail_above

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        # PBT trains by steps; a step recomputes the centroids, so the model
        # (and the score) depends only on the hyperparameters of the last step.
        return self.fit(X, y)

    def fit(self, X, y, sample_weight=None):
        if self.log_path is not None:
            with open(self.log_path, "a") as f:
                f.write(f"{self.shrink!r}\n")
        _INTERRUPT["count"] += 1
        if _INTERRUPT["after"] is not None and _INTERRUPT["count"] > _INTERRUPT["after"]:
            raise KeyboardInterrupt
        if self.fail_above is not None and self.shrink > self.fail_above:
            raise ValueError("shrink too high")
        time.sleep(self.sleep)
        self.classes_ = np.unique(y)
        centre = X.mean(axis=0)
        means = np.array([X[y == c].mean(axis=0) for c in self.classes_])
        self.centroids_ = centre + (1 - self.shrink) ** self.power * (means - centre)
        return self

    def predict(self, X):
        diff = np.abs(X[:, None, :] - self.centroids_[None])
        dist = diff.sum(-1) if self.metric == "l1" else (diff**2).sum(-1)
        return self.classes_[np.argmin(dist, axis=1)]


KINDS = ["bayes", "evolution", "pbt", "hyperband"]
ALL_KINDS = pytest.mark.parametrize("kind", KINDS)
# Evaluations per iteration (batch, generation, step; the largest rung for
# Hyperband) and fits of the refit (PBT replays its 4 steps); every search
# evaluates 12 candidates in total.
BATCH = {"bayes": 2, "evolution": 3, "pbt": 3, "hyperband": 3}
REFIT_FITS = {"bayes": 1, "evolution": 1, "pbt": 4, "hyperband": 1}
CLASSES = {"bayes": BayesSearchCV, "evolution": EvolutionSearchCV, "pbt": PBTSearchCV,
           "hyperband": HyperbandSearchCV}
# (parameter that sets the budget, its value here)
BUDGET = {"bayes": ("n_iter", 12), "evolution": ("n_generations", 4), "pbt": ("n_steps", 4),
          "hyperband": ("n_iter", 8)}
# Hyperband's rungs: twice a bracket of 3 candidates on a third of the samples
# (1 promoted to all of them) and a bracket of 2 with all of them.
HYPERBAND_RUNGS = [3, 1, 2, 3, 1, 2]


def _evaluated_after(kind, iterations):
    """Evaluations done after the first ``iterations`` iterations."""
    if kind == "hyperband":
        return sum(HYPERBAND_RUNGS[:iterations])
    return iterations * BATCH[kind]


def make_search(kind="bayes", checkpoint=None, log_path=None, sleep=0.0, **params):
    estimator = LoggedCentroid(log_path=log_path, sleep=sleep, fail_above=params.pop("fail_above", None))
    space = params.pop("space", SPACE)
    defaults = {
        "bayes": dict(n_iter=12, n_points=2, n_initial_points=4),
        "evolution": dict(population_size=3, n_generations=4),
        "pbt": dict(population_size=3, n_steps=4, resource="partial_fit"),
        "hyperband": dict(n_iter=8, min_resources=20),
    }[kind]
    return CLASSES[kind](
        estimator, space, checkpoint=checkpoint, **{"cv": 2, "random_state": 0, **defaults, **params}
    )


def _iterations(search):
    return search.n_steps_ if isinstance(search, PBTSearchCV) else search.n_iter_


def _n_evaluated(path):
    return int(load_checkpoint(path)["progress"]["n_evaluated"])


def assert_same_results(a, b):
    """cv_results_ equal except for times (which are whatever they were)."""
    ra, rb = a.cv_results_, b.cv_results_
    assert ra.keys() == rb.keys()
    for key in ra:
        if key.endswith("_time"):
            continue
        if key == "params":
            assert ra[key] == rb[key]
        elif isinstance(ra[key], np.ma.MaskedArray):  # param_* columns; masked data is garbage
            assert ra[key].tolist() == rb[key].tolist(), key
        else:
            np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)
    assert a.best_params_ == b.best_params_ and _iterations(a) == _iterations(b)


def _n_lines(path):
    return len(Path(path).read_text().splitlines()) if Path(path).exists() else 0


@pytest.fixture(autouse=True)
def _no_interrupt():
    _INTERRUPT.update(after=None, count=0)
    yield
    _INTERRUPT.update(after=None, count=0)


# -- kill -9 in the middle of a search, in a real subprocess -------------------------
@ALL_KINDS
def test_sigkill_mid_search_resumes_and_matches_uninterrupted_run(tmp_path, kind):
    batch, budget = BATCH[kind], 12
    path, log = tmp_path / "search.ckpt", tmp_path / "fits.log"
    repo = Path(hptune.__file__).resolve().parents[1]
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_checkpoint import X, y, make_search\n"
        f"make_search({kind!r}, checkpoint={str(path)!r}, log_path={str(log)!r}, sleep=0.02).fit(X, y)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (path.exists() and _n_evaluated(path) >= 2 * batch):
            assert proc.poll() is None, f"the search ended before it was killed:\n{proc.stderr.read()}"
            assert time.monotonic() < deadline, "no checkpoint after 60 s"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    n_saved = _n_evaluated(path)
    fits_before = _n_lines(log)
    assert n_saved < budget, "killed too late to test anything"
    # Fits done after the last checkpoint: at most the batch in flight.
    assert 0 <= fits_before - 2 * n_saved <= 2 * batch

    resumed = make_search(kind, checkpoint=path, log_path=str(log), sleep=0.02).fit(X, y)
    # Nothing evaluated twice: the rest of the budget on 2 splits, plus the refit.
    assert _n_lines(log) - fits_before == 2 * (budget - n_saved) + REFIT_FITS[kind]
    assert_same_results(make_search(kind).fit(X, y), resumed)


# -- resume in-process -----------------------------------------------------------------
@ALL_KINDS
def test_ctrl_c_mid_batch_leaves_a_resumable_checkpoint(tmp_path, kind):
    path = tmp_path / "search.ckpt"
    _INTERRUPT["after"] = 9  # the 10th fit is interrupted: in the second or third iteration
    with pytest.raises(KeyboardInterrupt):
        make_search(kind, checkpoint=path).fit(X, y)
    n_saved = _n_evaluated(path)
    assert 0 < n_saved < 12 and not list(tmp_path.glob("*.tmp-*"))
    _INTERRUPT["after"] = None
    assert_same_results(make_search(kind).fit(X, y), make_search(kind, checkpoint=path).fit(X, y))


@ALL_KINDS
def test_max_time_pauses_and_the_next_fit_continues(tmp_path, kind):
    path = tmp_path / "search.ckpt"
    done = []
    for _ in range(3):
        paused = make_search(kind, checkpoint=path, max_time=1e-9).fit(X, y)
        done.append((_iterations(paused), _n_evaluated(path)))
    assert done == [(i, _evaluated_after(kind, i)) for i in (1, 2, 3)]
    assert load_checkpoint(path)["progress"]["stopped"] == "max_time"
    resumed = make_search(kind, checkpoint=path).fit(X, y)
    full = make_search(kind).fit(X, y)
    assert_same_results(full, resumed)
    if kind == "evolution":
        for key in full.history_:
            np.testing.assert_array_equal(full.history_[key], resumed.history_[key])


def test_auto_batch_size_is_kept_when_resuming_with_other_workers(tmp_path):
    path = tmp_path / "search.ckpt"
    # cv=2: "auto" means 2 candidates per batch with 4 workers, 1 with one.
    with parallel_config(backend="threading", n_jobs=4):
        paused = make_search(checkpoint=path, n_points="auto", max_time=1e-9).fit(X, y)
        full = make_search(n_points="auto").fit(X, y)
    assert paused.n_points_ == full.n_points_ == 2
    assert make_search(n_points="auto").fit(X, y).n_points_ == 1
    resumed = make_search(checkpoint=path, n_points="auto").fit(X, y)
    assert resumed.n_points_ == 2
    assert_same_results(full, resumed)


@ALL_KINDS
def test_finished_search_is_restored_without_evaluating_it_again(tmp_path, kind):
    path, log = tmp_path / "search.ckpt", tmp_path / "fits.log"
    first = make_search(kind, checkpoint=path, log_path=str(log)).fit(X, y)
    assert _n_lines(log) == 24 + REFIT_FITS[kind]  # 12 evaluations on 2 splits, and the refit
    again = make_search(kind, checkpoint=path, log_path=str(log)).fit(X, y)
    # BaseSearchCV needs one evaluation per fit: the last candidate is evaluated
    # again by the ask/tell searches; PBT only replays the winner's schedule.
    again_fits = 0 if kind == "pbt" else 2
    assert _n_lines(log) == 24 + again_fits + 2 * REFIT_FITS[kind]
    assert_same_results(first, again)
    np.testing.assert_array_equal(first.cv_results_["mean_fit_time"][:-1], again.cv_results_["mean_fit_time"][:-1])


@ALL_KINDS
def test_search_stopped_by_a_callback_stays_finished(tmp_path, kind):
    path = tmp_path / "search.ckpt"
    stop = lambda result: result.n_evaluations >= 4  # noqa: E731
    first = make_search(kind, checkpoint=path).fit(X, y, callback=stop)
    assert load_checkpoint(path)["progress"]["stopped"] == "callback"
    assert _iterations(first) == 2
    again = make_search(kind, checkpoint=path).fit(X, y)
    assert_same_results(first, again)


@ALL_KINDS
def test_subspaces_multimetric_and_train_scores_resume(tmp_path, kind):
    path = tmp_path / "search.ckpt"
    space = [{"shrink": (0.0, 0.5), "metric": ["l1"]}, {"shrink": (0.5, 1.0), "power": [1, 2]}]
    params = dict(space=space, scoring={"acc": "accuracy", "bal": "balanced_accuracy"},
                  refit="bal", return_train_score=True)
    for _ in range(2):
        make_search(kind, checkpoint=path, max_time=1e-9, **params).fit(X, y)
    resumed = make_search(kind, checkpoint=path, **params).fit(X, y)
    assert_same_results(make_search(kind, **params).fit(X, y), resumed)
    assert "split1_train_acc" in resumed.cv_results_


def test_estimator_categories_are_stored_as_indices_and_come_back_as_the_same_objects(tmp_path):
    path = tmp_path / "search.ckpt"
    tree, logistic = DecisionTreeClassifier(random_state=0), LogisticRegression()
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    space = {"scale": [StandardScaler(), "passthrough"], "clf": [logistic, tree]}

    def make(**kw):
        return BayesSearchCV(pipe, space, n_iter=4, n_initial_points=2, cv=2, random_state=0, **kw)

    make(checkpoint=path, max_time=1e-9).fit(X, y)
    with np.load(path, allow_pickle=False) as data:  # plain data: no pickle needed
        meta = json.loads(data["__meta__"].tobytes())
    assert meta["format"] == CHECKPOINT_FORMAT and "categories" in json.dumps(meta["fingerprint"]["spaces"])
    resumed = make(checkpoint=path).fit(X, y)
    assert all(p["clf"] is logistic or p["clf"] is tree for p in resumed.cv_results_["params"])
    full = make().fit(X, y)
    types = [[type(p["clf"]) for p in s.cv_results_["params"]] for s in (full, resumed)]
    assert types[0] == types[1]
    np.testing.assert_array_equal(full.cv_results_["split0_test_score"], resumed.cv_results_["split0_test_score"])


def test_fit_failures_before_the_interruption_are_reported_over_the_whole_search(tmp_path):
    path = tmp_path / "search.ckpt"
    params = dict(fail_above=0.7, n_iter=8)
    with pytest.warns(FitFailedWarning, match=r"fits failed out of a total of 16"):
        with pytest.warns(UserWarning, match="non-finite"):
            full = make_search(**params).fit(X, y)
    n_failed = int(np.isnan(full.cv_results_["mean_test_score"]).sum())
    assert n_failed > 0
    # Interrupt in the middle, then resume: the report covers all 16 fits.
    _INTERRUPT["after"] = 8
    with pytest.raises(KeyboardInterrupt):
        make_search(checkpoint=path, **params).fit(X, y)
    _INTERRUPT["after"] = None
    with pytest.warns(FitFailedWarning, match=f"{2 * n_failed} fits failed out of a total of 16"):
        with pytest.warns(UserWarning, match="non-finite"):
            resumed = make_search(checkpoint=path, **params).fit(X, y)
    assert_same_results(full, resumed)


@ALL_KINDS
def test_unseeded_shuffle_splits_cannot_be_resumed(tmp_path, kind):
    path = tmp_path / "search.ckpt"
    make_search(kind, checkpoint=path, max_time=1e-9, cv=ShuffleSplit(2, random_state=None)).fit(X, y)
    with pytest.raises(CheckpointError, match=re.escape("the CV splits (a shuffling splitter without")):
        make_search(kind, checkpoint=path, cv=ShuffleSplit(2, random_state=None)).fit(X, y)
    path.unlink()
    make_search(kind, checkpoint=path, max_time=1e-9, cv=ShuffleSplit(2, random_state=3)).fit(X, y)
    make_search(kind, checkpoint=path, cv=ShuffleSplit(2, random_state=3)).fit(X, y)


# -- corrupt or mismatched checkpoints -----------------------------------------------------
@pytest.fixture(scope="module")
def saved_checkpoints(tmp_path_factory):
    """A checkpoint paused after one iteration, per kind of search."""
    paths = {}
    for kind in KINDS:
        paths[kind] = tmp_path_factory.mktemp(kind) / "search.ckpt"
        make_search(kind, checkpoint=paths[kind], max_time=1e-9).fit(X, y)
    return paths


def _copy(saved, tmp_path):
    path = tmp_path / "search.ckpt"
    path.write_bytes(saved.read_bytes())
    for model in saved.parent.glob("search.ckpt.models-*"):  # PBT's model file
        (tmp_path / model.name).write_bytes(model.read_bytes())
    return path


def _edited(data, row, column):
    data = data.copy()
    data[row, column] += 1e-9
    return data


def _other_estimator(kind, **kw):
    search = make_search(kind, **kw)
    # An estimator every search can train (PBT needs partial_fit).
    return search.set_params(estimator=SGDClassifier(), search_spaces={"alpha": (1e-4, 1e-1, "log-uniform")})


def _other_class(kind, **kw):
    other = "evolution" if kind == "bayes" else "bayes"
    return make_search(other, **kw)


def _other_budget(kind, **kw):
    name, value = BUDGET[kind]
    return make_search(kind, **{name: value + 2}, **kw)


@ALL_KINDS
@pytest.mark.parametrize(
    "make, data, match",
    [
        (_other_class, None, "the search class differs (checkpoint: {cls}; now: "),
        (_other_estimator, None,
         "the estimator class differs (checkpoint: LoggedCentroid; now: SGDClassifier)"),
        (lambda kind, **kw: make_search(kind, sleep=0.5, **kw), None,
         "the estimator parameter 'sleep' differs (checkpoint: 0.0; now: 0.5)"),
        (lambda kind, **kw: make_search(kind, space={**SPACE, "shrink": (0.0, 0.5)}, **kw), None,
         "the search space differs (checkpoint: {{shrink: type=Real, low=0.0, high=1.0"),
        (lambda kind, **kw: make_search(kind, space={"shrink": (0.0, 1.0)}, **kw), None,
         "the search space differs"),
        (_other_budget, None, "the search parameter '{budget}' differs (checkpoint: {value}; now: "),
        (lambda kind, **kw: make_search(kind, random_state=1, **kw), None,
         "the search parameter 'random_state'"),
        (lambda kind, **kw: make_search(kind, scoring="balanced_accuracy", **kw), None,
         "the search parameter 'scoring'"),
        (make_search, (X[:50], y[:50]), "the shape of X differs (checkpoint: [60, 5]; now: [50, 5])"),
        (make_search, (X.astype(np.float32), y), "the dtype of X differs (checkpoint: float64; now: float32)"),
        (make_search, (X + 1.0, y), "the content (a hash of every value) of X differs"),
        (make_search, (X, 1 - y), "the content (a hash of every value) of y differs"),
        # One value of one row, as a user who fixes a data error and reruns.
        (make_search, (_edited(X, 37, 2), y), "the content (a hash of every value) of X differs"),
        (make_search, (X, y, {"sample_weight": np.ones(len(y))}),
         "the fit parameter 'sample_weight' differs (checkpoint: not given; now: hash "),
        (lambda kind, **kw: make_search(kind, cv=3, **kw), None,
         "the number of CV splits differs (checkpoint: 2; now: 3)"),
    ],
)
def test_mismatched_checkpoint_is_refused_before_any_fit(tmp_path, saved_checkpoints, kind, make, data, match):
    saved = saved_checkpoints[kind]
    path = _copy(saved, tmp_path)
    Xd, yd, fit_params = (*data, {})[:3] if data is not None else (X, y, {})
    name, value = BUDGET[kind]
    match = match.format(cls=CLASSES[kind].__name__, budget=name, value=value)
    with pytest.raises(CheckpointError, match=re.escape(match)):
        make(kind, checkpoint=path).fit(Xd, yd, **fit_params)
    assert path.read_bytes() == saved.read_bytes()
    assert _INTERRUPT["count"] == 0  # no LoggedCentroid was fitted


@ALL_KINDS
def test_mismatch_message_says_how_to_fix(tmp_path, saved_checkpoints, kind):
    path = _copy(saved_checkpoints[kind], tmp_path)
    fix = "pass another checkpoint path (or delete the file) to start a new search"
    with pytest.raises(CheckpointError, match=re.escape(fix)):
        make_search(kind, checkpoint=path, random_state=5).fit(X, y)
    assert issubclass(CheckpointError, ValueError)


def _rewrite(path, edit):
    tree = load_checkpoint(path)
    edit(tree)
    save_checkpoint(path, tree)


@ALL_KINDS
@pytest.mark.parametrize(
    "damage, match",
    [
        (lambda p: p.write_bytes(b"not a checkpoint"), "is corrupt or not an hptune checkpoint"),
        (lambda p: p.write_bytes(b""), "is corrupt or not an hptune checkpoint"),
        (lambda p: p.write_bytes(p.read_bytes()[:200]), "is corrupt or not an hptune checkpoint"),
        (lambda p: p.write_bytes(p.read_bytes()[:-10]), "is corrupt or not an hptune checkpoint"),
        (lambda p: _rewrite(p, lambda t: t.update(format=99)), f"has format 99; this version of hptune reads format {CHECKPOINT_FORMAT}"),
        (lambda p: _rewrite(p, lambda t: t.pop("fingerprint")), "has no valid fingerprint"),
        (lambda p: _rewrite(p, lambda t: t.pop("strategy")), "is corrupt or incomplete (KeyError: 'strategy')"),
        (lambda p: _rewrite(p, lambda t: t["progress"].update(n_evaluated=5)), "is corrupt or incomplete"),
        (lambda p: _rewrite(p, lambda t: t["results"]["outs"]["fit_error"].pop()), "is corrupt or incomplete"),
    ],
)
def test_corrupt_checkpoint_gives_a_clear_error(tmp_path, saved_checkpoints, kind, damage, match):
    path = _copy(saved_checkpoints[kind], tmp_path)
    damage(path)
    with pytest.raises(CheckpointError, match=re.escape(match)):
        make_search(kind, checkpoint=path).fit(X, y)


def test_strategy_state_that_disagrees_with_the_results_is_refused(tmp_path, saved_checkpoints):
    path = _copy(saved_checkpoints["bayes"], tmp_path)
    _rewrite(path, lambda t: t["strategy"].update(y=t["strategy"]["y"][:1]))
    with pytest.raises(CheckpointError, match="is corrupt or incomplete"):
        make_search(checkpoint=path).fit(X, y)


def test_pickled_arrays_are_never_loaded(tmp_path):
    path = tmp_path / "evil.ckpt"
    with path.open("wb") as f:
        np.savez(f, __meta__=np.frombuffer(b'{"format": 1}', dtype=np.uint8), a0=np.array([object()], dtype=object))
    with pytest.raises(CheckpointError, match="allow_pickle=False"):
        load_checkpoint(path)


def test_file_is_one_npz_with_a_json_header(tmp_path):
    path = tmp_path / "search.ckpt"
    search = make_search(checkpoint=path, max_time=1e-9).fit(X, y)
    assert zipfile.is_zipfile(path) and sorted(os.listdir(tmp_path)) == ["search.ckpt"]
    tree = load_checkpoint(path)
    assert tree["hptune_version"] == hptune.__version__
    assert tree["progress"]["n_evaluated"] == 2 and tree["progress"]["stopped"] == "max_time"
    assert tree["fingerprint"]["estimator"]["class"] == "LoggedCentroid"
    np.testing.assert_array_equal(tree["strategy"]["y"], search.cv_results_["mean_test_score"])
    split0 = tree["results"]["outs"]["test_scores"][::2, 0]  # fits are ordered candidate by candidate
    np.testing.assert_array_equal(split0, search.cv_results_["split0_test_score"])


@ALL_KINDS
def test_a_second_search_on_the_same_path_is_refused_before_the_first_saved_progress(tmp_path, kind):
    path = tmp_path / "search.ckpt"
    _INTERRUPT["after"] = 0  # the first search is interrupted in its first fit
    with pytest.raises(KeyboardInterrupt):
        make_search(kind, checkpoint=path).fit(X, y)
    assert _n_evaluated(path) == 0  # only the owner record
    _INTERRUPT.update(after=None, count=0)
    with pytest.raises(CheckpointError, match=re.escape("the search parameter 'random_state' differs")):
        make_search(kind, checkpoint=path, random_state=1).fit(X, y)
    assert _INTERRUPT["count"] == 0
    # The owner goes on as if nothing happened.
    assert_same_results(make_search(kind).fit(X, y), make_search(kind, checkpoint=path).fit(X, y))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, unwritable even by root, is Linux's")
def test_unwritable_checkpoint_path_fails_before_any_fit():
    with pytest.raises(ValueError, match=re.escape("checkpoint='/proc/search.ckpt' cannot be written")):
        make_search(checkpoint="/proc/search.ckpt").fit(X, y)
    assert _INTERRUPT["count"] == 0


@ALL_KINDS
def test_checkpoint_in_a_missing_directory_fails_before_any_fit(tmp_path, kind):
    with pytest.raises(ValueError, match=re.escape("is in a directory that does not exist")):
        make_search(kind, checkpoint=tmp_path / "nope" / "search.ckpt").fit(X, y)
    assert _INTERRUPT["count"] == 0
