"""What only PBTSearchCV has around the shared search run: its model file, step state and tasks.

Checkpoint and resume, callbacks, ``max_time`` and input errors are tested
for every search in the cross-cutting tests (``tests/test_checkpoint.py``,
``tests/test_callbacks.py``, ``tests/test_input_errors.py``).
"""


import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from hptune import PBTSearchCV
from hptune.callbacks import NoImprovementStopper, TargetScoreStopper
from hptune.checkpoint import CheckpointError, load_checkpoint

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
SPACE = {"lr": (0.05, 1.0, "log-uniform"), "metric": ["l1", "l2"]}
N_STEPS, POPULATION, N_FOLDS = 6, 4, 2
FITS_PER_STEP = POPULATION * N_FOLDS


class StepCentroid(ClassifierMixin, BaseEstimator):
    """Nearest centroid learnt by steps: each partial_fit moves it by ``lr``."""

    def __init__(self, lr=0.5, metric="l2"):
        self.lr = lr
        self.metric = metric

    def fit(self, X, y):
        self.__dict__.pop("centroids_", None)
        return self.partial_fit(X, y)

    def partial_fit(self, X, y, classes=None):
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


def make_search(checkpoint=None, **params):
    defaults = {"population_size": POPULATION, "n_steps": N_STEPS, "cv": N_FOLDS, "random_state": 0,
                "quantile_fraction": 0.5}
    return PBTSearchCV(StepCentroid(), SPACE, checkpoint=checkpoint,
                       **{**defaults, **params})


@pytest.fixture(scope="module")
def full():
    return make_search().fit(X, y)


def test_checkpoint_is_plain_data_with_the_scheduler_state(tmp_path):
    path = tmp_path / "pbt.ckpt"
    make_search(path, n_steps=2).fit(X, y)
    tree = load_checkpoint(path)  # allow_pickle=False
    assert tree["progress"]["iteration"] == 2 and tree["progress"]["stopped"] == "budget"
    assert tree["models"]["file"] == "pbt.ckpt.models-2.joblib" and len(tree["models"]["sha256"]) == 64
    assert tree["strategy"]["step"] == 2 and len(tree["strategy"]["history"]["score"]) == 2 * POPULATION
    assert tree["results"]["outs"]["test_scores"].shape == (2 * FITS_PER_STEP, 1)


def test_only_the_model_file_of_the_last_step_is_kept(tmp_path):
    path = tmp_path / "pbt.ckpt"
    for _ in range(2):
        make_search(path, max_time=1e-9).fit(X, y)
    assert sorted(p.name for p in tmp_path.glob("pbt.ckpt.models-*")) == ["pbt.ckpt.models-2.joblib"]
    make_search(path).fit(X, y)
    assert sorted(p.name for p in tmp_path.glob("pbt.ckpt.*")) == [f"pbt.ckpt.models-{N_STEPS}.joblib"]


# -- damaged model files ---------------------------------------------------------------
@pytest.fixture
def paused(tmp_path):
    path = tmp_path / "pbt.ckpt"
    make_search(path, max_time=1e-9).fit(X, y)
    return path


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
