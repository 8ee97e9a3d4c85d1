"""PBTSearchCV: checkpoint and resume, budgets and stopping, scikit-learn callbacks.

The subprocess test imports this module (``from test_pbt_reliability import
...``), so module-level code stays light: tiny data and a cheap estimator.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

import hptune
from hptune import PBTSearchCV
from hptune.callbacks import NoImprovementStopper, TargetScoreStopper
from hptune.checkpoint import CheckpointError, load_checkpoint
from hptune.search._checkpoint import save_checkpoint

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
SPACE = {"lr": (0.05, 1.0, "log-uniform"), "metric": ["l1", "l2"]}
N_STEPS, POPULATION, N_FOLDS = 6, 4, 2
FITS_PER_STEP = POPULATION * N_FOLDS

# Set by a test to raise KeyboardInterrupt in the n-th partial_fit (Ctrl-C mid-step).
_INTERRUPT = {"after": None, "count": 0}


class StepCentroid(ClassifierMixin, BaseEstimator):
    """Nearest centroid learnt by steps: each partial_fit moves it by ``lr``."""

    def __init__(self, lr=0.5, metric="l2", log_path=None, sleep=0.0):
        self.lr = lr
        self.metric = metric
        self.log_path = log_path
        self.sleep = sleep

    def fit(self, X, y):
        self.__dict__.pop("centroids_", None)
        return self.partial_fit(X, y)

    def partial_fit(self, X, y, classes=None):
        if self.log_path is not None:
            with open(self.log_path, "a") as f:
                f.write(f"{self.lr!r}\n")
        _INTERRUPT["count"] += 1
        if _INTERRUPT["after"] is not None and _INTERRUPT["count"] > _INTERRUPT["after"]:
            raise KeyboardInterrupt
        time.sleep(self.sleep)
        if not hasattr(self, "centroids_"):
            self.classes_ = np.unique(y) if classes is None else np.asarray(classes)
            self.centroids_ = np.zeros((len(self.classes_), X.shape[1]))
        means = np.array([X[y == c].mean(axis=0) for c in self.classes_])
        self.centroids_ += self.lr * (means - self.centroids_)
        return self

    def predict(self, X):
        diff = np.abs(X[:, None, :] - self.centroids_[None])
        dist = diff.sum(-1) if self.metric == "l1" else (diff**2).sum(-1)
        return self.classes_[np.argmin(dist, axis=1)]


def make_search(checkpoint=None, log_path=None, sleep=0.0, **params):
    defaults = {"population_size": POPULATION, "n_steps": N_STEPS, "cv": N_FOLDS, "random_state": 0,
                "quantile_fraction": 0.5}
    return PBTSearchCV(StepCentroid(log_path=log_path, sleep=sleep), SPACE, checkpoint=checkpoint,
                       **{**defaults, **params})


def assert_same_results(a, b):
    """cv_results_, history and schedule equal except for times."""
    ra, rb = a.cv_results_, b.cv_results_
    assert ra.keys() == rb.keys()
    for key in ra:
        if key.endswith("_time"):
            continue
        if key == "params":
            assert ra[key] == rb[key]
        elif isinstance(ra[key], np.ma.MaskedArray):
            assert ra[key].tolist() == rb[key].tolist(), key
        else:
            np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)
    for key in a.pbt_history_:
        if key == "params":
            assert a.pbt_history_[key] == b.pbt_history_[key]
        else:
            np.testing.assert_array_equal(a.pbt_history_[key], b.pbt_history_[key], err_msg=key)
    assert a.best_schedule_ == b.best_schedule_ and a.n_steps_ == b.n_steps_
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def _n_lines(path):
    return len(Path(path).read_text().splitlines()) if Path(path).exists() else 0


def _steps(path):
    return int(load_checkpoint(path)["progress"]["iteration"])


def _model_files(path):
    return sorted(p.name for p in Path(path).parent.glob(Path(path).name + ".models-*"))


@pytest.fixture(autouse=True)
def _no_interrupt():
    _INTERRUPT.update(after=None, count=0)
    yield
    _INTERRUPT.update(after=None, count=0)


@pytest.fixture(scope="module")
def full():
    return make_search().fit(X, y)


# -- checkpoint and resume -----------------------------------------------------------
def test_sigkill_mid_search_resumes_and_matches_uninterrupted_run(tmp_path, full):
    path, log = tmp_path / "pbt.ckpt", tmp_path / "fits.log"
    repo = Path(hptune.__file__).resolve().parents[1]
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_pbt_reliability import X, y, make_search\n"
        f"make_search({str(path)!r}, log_path={str(log)!r}, sleep=0.02).fit(X, y)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (path.exists() and _steps(path) >= 2):
            assert proc.poll() is None, f"the search ended before it was killed:\n{proc.stderr.read()}"
            assert time.monotonic() < deadline, "no checkpoint after 60 s"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    n_saved = _steps(path)
    assert n_saved < N_STEPS, "killed too late to test anything"
    # A kill between the two writes may leave the next step's model file too.
    assert f"pbt.ckpt.models-{n_saved}.joblib" in _model_files(path)
    fits_before = _n_lines(log)
    # Fits done after the last checkpoint: at most the step in flight.
    assert 0 <= fits_before - FITS_PER_STEP * n_saved <= FITS_PER_STEP

    resumed = make_search(path, log_path=str(log), sleep=0.02).fit(X, y)
    # Nothing trained twice: the remaining steps, plus the refit's replay of N_STEPS steps.
    assert _n_lines(log) - fits_before == FITS_PER_STEP * (N_STEPS - n_saved) + N_STEPS
    assert_same_results(full, resumed)
    assert _model_files(path) == [f"pbt.ckpt.models-{N_STEPS}.joblib"]


def test_ctrl_c_mid_step_leaves_a_resumable_checkpoint(tmp_path, full):
    path = tmp_path / "pbt.ckpt"
    _INTERRUPT["after"] = 2 * FITS_PER_STEP + 3  # in the third step
    with pytest.raises(KeyboardInterrupt):
        make_search(path).fit(X, y)
    assert _steps(path) == 2 and not list(tmp_path.glob("*.tmp-*"))
    _INTERRUPT["after"] = None
    assert_same_results(full, make_search(path).fit(X, y))


def test_max_time_pauses_and_the_next_fit_continues(tmp_path, full):
    path = tmp_path / "pbt.ckpt"
    steps = [make_search(path, max_time=1e-9).fit(X, y).n_steps_ for _ in range(3)]
    assert steps == [1, 2, 3]
    assert load_checkpoint(path)["progress"]["stopped"] == "max_time"
    assert_same_results(full, make_search(path).fit(X, y))


def test_finished_search_is_restored_without_training(tmp_path, full):
    path, log = tmp_path / "pbt.ckpt", tmp_path / "fits.log"
    make_search(path, log_path=str(log)).fit(X, y)
    n = _n_lines(log)
    again = make_search(path, log_path=str(log)).fit(X, y)
    assert _n_lines(log) - n == N_STEPS  # only the refit's replay
    assert_same_results(full, again)


def test_checkpoint_is_plain_data_with_the_scheduler_state(tmp_path):
    path = tmp_path / "pbt.ckpt"
    make_search(path, n_steps=2).fit(X, y)
    tree = load_checkpoint(path)  # allow_pickle=False
    assert tree["progress"]["iteration"] == 2 and tree["progress"]["stopped"] == "budget"
    assert tree["models"]["file"] == "pbt.ckpt.models-2.joblib" and len(tree["models"]["sha256"]) == 64
    assert tree["strategy"]["step"] == 2 and len(tree["strategy"]["history"]["score"]) == 2 * POPULATION
    assert tree["results"]["outs"]["test_scores"].shape == (2 * FITS_PER_STEP, 1)


def test_subspaces_multimetric_and_train_scores_resume(tmp_path):
    path = tmp_path / "pbt.ckpt"
    space = [{"lr": (0.05, 0.5, "log-uniform"), "metric": ["l1"]}, {"lr": (0.5, 1.0)}]
    params = {"scoring": {"acc": "accuracy", "bal": "balanced_accuracy"}, "refit": "bal",
              "return_train_score": True, "n_steps": 4}

    def search(**more):
        return make_search(**params, **more).set_params(search_spaces=space)

    for _ in range(2):
        search(checkpoint=path, max_time=1e-9).fit(X, y)
    assert_same_results(search().fit(X, y), search(checkpoint=path).fit(X, y))


# -- mismatched and damaged checkpoints ------------------------------------------------
@pytest.fixture
def paused(tmp_path):
    path = tmp_path / "pbt.ckpt"
    make_search(path, max_time=1e-9).fit(X, y)
    return path


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda: make_search(population_size=6), "the search parameter 'population_size' differs"),
        (lambda: PBTSearchCV(StepCentroid(metric="l1"), {"lr": (0.05, 1.0, "log-uniform")},
                             population_size=POPULATION, n_steps=N_STEPS, cv=N_FOLDS, random_state=0,
                             quantile_fraction=0.5),
         "the estimator parameter 'metric' differs"),
        (lambda: PBTSearchCV(StepCentroid(), {"lr": (0.01, 1.0, "log-uniform"), "metric": ["l1", "l2"]},
                             population_size=POPULATION, n_steps=N_STEPS, cv=N_FOLDS, random_state=0,
                             quantile_fraction=0.5),
         "the search space differs"),
    ],
)
def test_mismatched_search_is_refused(paused, change, match):
    search = change().set_params(checkpoint=paused)
    with pytest.raises(CheckpointError, match=match):
        search.fit(X, y)


def test_other_data_shape_and_other_search_class_are_refused(paused):
    with pytest.raises(CheckpointError, match=r"the shape of X differs \(checkpoint: \[60, 5\]; now: \[60, 4\]\)"):
        make_search(paused).fit(X[:, :4], y)
    # The same file claimed by another search class (as a BayesSearchCV checkpoint is).
    tree = load_checkpoint(paused)
    tree["fingerprint"]["search"] = "BayesSearchCV"
    save_checkpoint(paused, tree)
    with pytest.raises(CheckpointError, match="the search class differs .checkpoint: BayesSearchCV; now: PBTSearchCV"):
        make_search(paused).fit(X, y)


def test_corrupt_checkpoint_and_model_file_are_refused(paused):
    model = paused.parent / "pbt.ckpt.models-1.joblib"
    data = model.read_bytes()
    model.write_bytes(data[:-10] + b"0123456789")
    with pytest.raises(CheckpointError, match="does not match the checkpoint .* SHA-256 differs"):
        make_search(paused).fit(X, y)
    model.unlink()
    with pytest.raises(CheckpointError, match="pbt.ckpt.models-1.joblib' of the checkpoint .* is missing"):
        make_search(paused).fit(X, y)
    paused.write_bytes(paused.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="is corrupt or not an hptune checkpoint"):
        make_search(paused).fit(X, y)


# -- budgets and stopping ------------------------------------------------------------------
def test_stoppers_get_the_state_and_stop_with_a_valid_search(full):
    states = []

    def record(state):
        states.append(dict(state))
        return state.iteration >= 3

    search = make_search(callbacks=[NoImprovementStopper(patience=10)]).fit(X, y, callback=record)
    assert search.n_steps_ == 3 and len(search.best_schedule_) == 3
    assert [s["iteration"] for s in states] == [1, 2, 3]
    assert [s["n_evaluations"] for s in states] == [4, 8, 12]
    last = states[-1]
    assert last["best_score"] == last["best_scores"][-1] == np.max(last["cv_results"]["mean_test_score"])
    assert last["best_score"] == search.best_score_ and last["elapsed"] >= 0
    np.testing.assert_array_equal(search.cv_results_["budget"], [3] * POPULATION)
    np.testing.assert_array_equal(search.pbt_history_["step"], np.repeat([0, 1, 2], POPULATION))
    search.predict(X)
    # Stopping changes nothing before the stop: the first steps match the full run's.
    np.testing.assert_array_equal(full.pbt_history_["mean_test_score"][:12], search.pbt_history_["mean_test_score"])

    target = make_search(callbacks=TargetScoreStopper(0.0)).fit(X, y)
    assert target.n_steps_ == 1


def test_callback_stopped_search_stays_finished(tmp_path):
    path = tmp_path / "pbt.ckpt"
    first = make_search(path).fit(X, y, callback=lambda state: state.iteration >= 2)
    assert load_checkpoint(path)["progress"]["stopped"] == "callback"
    assert_same_results(first, make_search(path).fit(X, y))


def test_max_time_without_checkpoint_keeps_the_steps_done():
    search = make_search(max_time=1e-9).fit(X, y)
    assert search.n_steps_ == 1 and len(search.cv_results_["params"]) == POPULATION


# -- scikit-learn's callback API (scikit-learn >= 1.9) ---------------------------------------
class TaskRecorder:
    """Records every task begun and ended (a FitCallback)."""

    def __init__(self):
        self.begun, self.ended = [], []

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        self.begun.append(context.task_name)

    def on_fit_task_end(self, estimator, context):
        self.ended.append(context.task_name)

    def teardown(self, estimator, context):
        pass


def test_sklearn_callbacks_see_every_task():
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callback API")
    recorder = TaskRecorder()
    make_search(n_steps=3).set_callbacks(recorder).fit(X, y)
    assert recorder.begun[:3] == ["fit", "search", "iteration"]
    assert recorder.begun.count("iteration") == 3
    assert recorder.begun.count("member-fold-step") == 3 * FITS_PER_STEP
    assert recorder.begun[-1] == "refit-with-best-schedule" and recorder.ended[-1] == "fit"
    assert sorted(recorder.begun) == sorted(recorder.ended)


def test_progress_bar_shows_the_steps(capsys):
    callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callback API")
    pytest.importorskip("rich")
    search = make_search(n_steps=2).set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    out = capsys.readouterr()
    assert "PBTSearchCV" in out.out + out.err
