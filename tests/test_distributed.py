"""Every search gives the same cv_results_ on a cluster as on one machine.

The searches run under joblib's dask backend on a real ``dask.distributed``
cluster (two worker processes started here) and, where ray is installed, under
ray's joblib backend, and must reproduce the ``cv_results_`` (parameters and
per-split scores, not times) of the local loky backend with the same
``random_state``. Child seeds are drawn before any dispatch,
so where a fit runs cannot change what it computes.
"""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from hptune import BayesSearchCV, EvolutionSearchCV, PBTSearchCV

X, y = make_classification(n_samples=60, n_features=5, random_state=0)
SPACE = {"C": (1e-3, 1e2, "log-uniform")}
PBT_SPACE = {"C": (1e-3, 1e2, "log-uniform"), "tol": (1e-5, 1e-2, "log-uniform")}


def _searches():
    # n_points is fixed: "auto" would follow the number of workers (2 here, 1
    # candidate per batch with cv=2 either way, but the comparison must not
    # depend on that rule).
    return {
        "bayes": BayesSearchCV(LogisticRegression(), SPACE, n_iter=6, n_initial_points=3, n_points=2,
                               cv=2, n_jobs=2, random_state=0),
        "evolution": EvolutionSearchCV(LogisticRegression(), SPACE, population_size=4, n_generations=2,
                                       cv=2, n_jobs=2, random_state=0),
        # LogisticRegression learns by warm start (max_iter grows each step).
        "pbt": PBTSearchCV(LogisticRegression(), PBT_SPACE, population_size=4, n_steps=3,
                           cv=2, n_jobs=2, random_state=0),
    }


def _signature(search):
    r = search.cv_results_
    params = [sorted((k, repr(v)) for k, v in p.items()) for p in r["params"]]
    return params, r["split0_test_score"], r["split1_test_score"], r["rank_test_score"]


def _assert_same(a, b):
    (pa, *sa), (pb, *sb) = _signature(a), _signature(b)
    assert pa == pb
    for x, z in zip(sa, sb):
        np.testing.assert_array_equal(x, z)
    assert a.best_params_ == b.best_params_


@pytest.fixture(scope="module")
def local_results():
    with parallel_config(backend="loky"):
        return {name: search.fit(X, y) for name, search in _searches().items()}


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed", reason="the dask test needs the 'dask' extra")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        # No dashboard, but the scheduler still serves HTTP (health, metrics):
        # a random port, so that a busy 8787 (another cluster, pytest-xdist)
        # does not raise distributed's "Port 8787 is already in use" warning.
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=True,  # worker start/stop log lines, not warnings
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize("name", ["bayes", "evolution", "pbt"])
def test_dask_backend_gives_the_local_results(name, dask_client, local_results):
    search = _searches()[name]
    with parallel_config(backend="dask"):
        search.fit(X, y)
    _assert_same(search, local_results[name])


def test_dask_n_points_auto_fills_the_workers(dask_client):
    # 2 single-threaded workers and 2 folds: one candidate per batch; with
    # 4 workers it would be 2 (ceil(workers / folds)).
    search = BayesSearchCV(LogisticRegression(), SPACE, n_iter=3, n_initial_points=2, cv=2, random_state=0,
                           n_points="auto")
    with parallel_config(backend="dask"):
        search.fit(X, y)
    assert search.n_points_ == 1
    with parallel_config(backend="loky", n_jobs=4):
        assert search.fit(X, y).n_points_ == 2


def test_dask_scatters_the_data_once_per_fit(dask_client, monkeypatch):
    # X is sent to the cluster once, before the first batch, and reused by
    # every batch; joblib's own auto-scatter works per Parallel call, i.e.
    # would send it again with each of the 4 batches.
    big = np.repeat(X, 50, axis=0)  # 24 kB, above joblib's 1 kB scatter threshold
    labels = np.repeat(y, 50)
    sent = []
    scatter = dask_client.scatter

    def counting_scatter(data, *args, **kwargs):
        items = data if isinstance(data, (list, tuple)) else [data]
        sent.extend(a for a in items if a is big)
        return scatter(data, *args, **kwargs)

    monkeypatch.setattr(dask_client, "scatter", counting_scatter)
    search = BayesSearchCV(LogisticRegression(), SPACE, n_iter=4, n_initial_points=2, n_points=1,
                           cv=2, random_state=0)
    with parallel_config(backend="dask"):
        search.fit(big, labels)
    assert search.n_iter_ == 4
    assert len(sent) == 1


def test_ray_backend_gives_the_local_results(local_results):
    ray = pytest.importorskip("ray", reason="ray is optional; install it to run the ray joblib backend test")
    from ray.util.joblib import register_ray

    register_ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for name, search in _searches().items():
            with parallel_config(backend="ray"):
                search.fit(X, y)
            _assert_same(search, local_results[name])
    finally:
        ray.shutdown()
