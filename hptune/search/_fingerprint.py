"""What a checkpoint must match to be resumed: the fingerprint of a fit.

The fingerprint is plain data: the search class, the estimator's deep
parameters, the search parameters that change which candidates are evaluated
or how they are scored, the sub-spaces, digests of X and y (shape,
dtype and a hash of every value: 0.3 s for 200 MB, little next to one fit,
and no edit of the data goes unnoticed), of the parameters given to ``fit``
(sample weights, groups) and a digest of the CV splits.
Reprs have memory addresses removed, so that a fingerprint is the same in
every process.
"""

import hashlib
import re

import joblib
import numpy as np

from ..utils._sklearn_compat import _num_samples

__all__ = ["mismatches", "search_fingerprint"]

# Fingerprint entries longer than this are stored as a digest.
_MAX_REPR = 200
# Search parameters that do not change which candidates are evaluated or how
# they are scored, so they may differ when resuming. ``estimator`` and
# ``search_spaces`` are compared separately, ``cv`` through its splits.
_FREE_PARAMS = {
    "estimator", "search_spaces", "cv", "n_jobs", "pre_dispatch", "verbose",
    "callbacks", "max_time", "checkpoint", "refit", "warm_start",
}


def _plain_repr(value):
    """A repr that is the same in every process (memory addresses removed)."""
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))
    if len(text) <= _MAX_REPR:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _estimator_fingerprint(estimator):
    params = estimator.get_params(deep=True)
    described = {
        # Nested estimators are described by their own (deep) parameters.
        k: type(v).__name__ if hasattr(v, "get_params") else _plain_repr(v)
        for k, v in params.items()
    }
    return {"class": type(estimator).__name__, "params": described}


def _digest(value):
    """A hash of every value in ``value`` (arrays, DataFrames, sparse matrices, dicts)."""
    try:
        return joblib.hash(value)
    except Exception:  # an object joblib cannot pickle: its plain repr is what we have
        return "repr:" + _plain_repr(value)


def _data_fingerprint(data):
    if data is None:
        return None
    dtype = getattr(data, "dtype", None)
    if dtype is None and hasattr(data, "dtypes"):
        dtype = sorted({str(d) for d in data.dtypes})
    return {
        "shape": [int(s) for s in getattr(data, "shape", (_num_samples(data),))],
        "dtype": str(dtype) if dtype is not None else type(data).__name__,
        "digest": _digest(data),
    }


def _splits_digest(splits):
    digest = hashlib.sha256()
    for train, test in splits:
        for part in (train, test):
            digest.update(np.asarray(part, dtype=np.int64).tobytes())
            digest.update(b"|")
    return digest.hexdigest()


def _search_params(search):
    params = {k: v for k, v in search.get_params(deep=False).items() if k not in _FREE_PARAMS}
    # refit only matters when it names the metric that the search maximises.
    params["refit"] = search.refit if isinstance(search.refit, str) else None
    return {k: _plain_repr(v) for k, v in sorted(params.items())}


def search_fingerprint(search, subspaces, X, y, splits, fit_params=None):
    """Everything that must be equal for a checkpoint to be resumed.

    Parameters
    ----------
    search : BaseHptuneSearchCV
    subspaces : list of (Space, int or None)
    X, y : data given to ``fit`` (y may be None)
    splits : list of (train, test) index arrays
    fit_params : dict, default=None
        The parameters given to ``fit`` (sample weights, groups...).

    Returns
    -------
    fingerprint : dict of plain data
    """
    return {
        "search": type(search).__name__,
        "estimator": _estimator_fingerprint(search.estimator),
        "params": _search_params(search),
        "spaces": [_space_fingerprint(space, budget) for space, budget in subspaces],
        "X": _data_fingerprint(X),
        "y": _data_fingerprint(y),
        "fit_params": {k: _digest(v) for k, v in sorted((fit_params or {}).items())},
        "n_splits": len(splits),
        "splits": _splits_digest(splits),
    }


def _space_fingerprint(space, budget):
    dims = [{k: _plain_repr(v) if k == "categories" else v for k, v in d.items()} for d in space.describe()]
    return {"dimensions": dims, "n_iter": budget}


_DATA_ITEMS = {"shape": "shape", "dtype": "dtype", "digest": "content (a hash of every value)"}


def _without_budget(fingerprint, free):
    """``fingerprint`` with the parameters in ``free`` (and sub-space budgets) left out."""
    if not free:
        return fingerprint
    out = dict(fingerprint)
    out["params"] = {k: v for k, v in fingerprint["params"].items() if k not in free}
    out["spaces"] = [{**sp, "n_iter": None} for sp in fingerprint["spaces"]]
    return out


def mismatches(saved, now, free=()):
    """Yield (what, saved value, current value) for each difference, most telling first.

    Search parameters named in ``free`` (and then the budgets of sub-spaces)
    may differ: a warm start passes the search's budget parameters.
    """
    saved, now = _without_budget(saved, free), _without_budget(now, free)
    if saved["search"] != now["search"]:
        yield "the search class", saved["search"], now["search"]
    se, ne = saved["estimator"], now["estimator"]
    if se["class"] != ne["class"]:
        yield "the estimator class", se["class"], ne["class"]
    for key in sorted(set(se["params"]) | set(ne["params"])):
        if se["params"].get(key) != ne["params"].get(key):
            yield f"the estimator parameter {key!r}", se["params"].get(key), ne["params"].get(key)
    for key in sorted(set(saved["params"]) | set(now["params"])):
        if saved["params"].get(key) != now["params"].get(key):
            yield f"the search parameter {key!r}", saved["params"].get(key), now["params"].get(key)
    ss, ns = saved["spaces"], now["spaces"]
    if len(ss) != len(ns):
        yield "the number of sub-spaces", len(ss), len(ns)
    for i, (a, b) in enumerate(zip(ss, ns)):
        where = f"sub-space {i}" if len(ns) > 1 else "the search space"
        if a != b:
            yield where, _describe_space(a), _describe_space(b)
    for name in ("X", "y"):
        a, b = saved[name], now[name]
        if (a is None) != (b is None):
            yield name, "None" if a is None else "given", "None" if b is None else "given"
        elif a is not None:
            for key, label in _DATA_ITEMS.items():
                if a[key] != b[key]:
                    yield f"the {label} of {name}", a[key], b[key]
    sp, np_ = saved["fit_params"], now["fit_params"]
    for key in sorted(set(sp) | set(np_)):
        if sp.get(key) != np_.get(key):
            yield f"the fit parameter {key!r}", _given(sp, key), _given(np_, key)
    if saved["n_splits"] != now["n_splits"]:
        yield "the number of CV splits", saved["n_splits"], now["n_splits"]
    elif saved["splits"] != now["splits"]:
        yield (
            "the CV splits (a shuffling splitter without an int random_state gives "
            "new splits on every fit; fix its random_state to resume)",
            saved["splits"][:12], now["splits"][:12],
        )


def _given(fit_params, key):
    return f"hash {fit_params[key][:12]}" if key in fit_params else "not given"


def _describe_space(fingerprint):
    dims = ", ".join(
        f"{d['name']}: " + ", ".join(f"{k}={v}" for k, v in d.items() if k != "name")
        for d in fingerprint["dimensions"]
    )
    return f"{{{dims}}}" + ("" if fingerprint["n_iter"] is None else f" with n_iter={fingerprint['n_iter']}")
