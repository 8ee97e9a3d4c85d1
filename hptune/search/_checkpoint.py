"""Checkpoints of sequential searches: plain data on disk, validated on load.

A checkpoint is one ``.npz`` file (read with ``allow_pickle=False``): the
arrays of a nested plain-data tree, plus a JSON document (``__meta__``, stored
as UTF-8 bytes) holding everything else and naming the arrays. One file means
one atomic ``os.replace``: a reader sees either the previous checkpoint or the
new one, never a mix, whenever the writer is killed.

The tree of a search holds

* ``fingerprint``: what must be equal to resume (search class, estimator
  parameters, search parameters, spaces, data, CV splits; see
  :mod:`hptune.search._fingerprint`);
* ``progress``: batches and candidates done, the best score after each
  batch, and why the search stopped (None while it may continue);
* ``strategy``: the strategy's ``state_dict()``;
* ``results``: every evaluated candidate (values of continuous and integer
  dimensions, indices of categories) and scikit-learn's raw per-fit results
  (per-split scores, sample counts, times, fit errors), from which
  ``cv_results_`` is rebuilt exactly;
* ``search_state``: search-level state such as a per-generation history.
"""

import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from ..space import Integer
from ._fingerprint import mismatches

__all__ = ["CheckpointError", "Progress", "SearchCheckpoint", "load_checkpoint", "save_checkpoint"]

#: Version of the checkpoint layout; bumped on incompatible changes.
CHECKPOINT_FORMAT = 1

#: Reasons a search stopped for good; a search stopped by ``max_time`` (or
#: killed) continues when ``fit`` is called again with its checkpoint.
FINISHED = ("budget", "exhausted", "callback", "rule")

_META = "__meta__"
_ARRAY = "__ndarray__"


class CheckpointError(ValueError):
    """A checkpoint file is corrupt or belongs to a different search.

    Raised at the start of ``fit``, before any candidate is fitted; the
    message names the first difference (or the damage) and the file.

    Examples
    --------
    >>> from hptune.checkpoint import CheckpointError
    >>> issubclass(CheckpointError, ValueError)
    True
    """


# -- plain-data trees on disk ------------------------------------------------------
def _to_plain(tree, arrays):
    """Copy ``tree`` with ndarrays moved to ``arrays`` and replaced by references."""
    if isinstance(tree, np.ndarray):
        if tree.dtype.hasobject:
            raise TypeError("A checkpoint stores numeric arrays only, not object arrays.")
        key = f"a{len(arrays)}"
        arrays[key] = tree
        return {_ARRAY: key}
    if isinstance(tree, dict):
        if not all(isinstance(k, str) for k in tree):
            raise TypeError(f"Checkpoint dict keys must be strings. Got {list(tree)!r}.")
        return {k: _to_plain(v, arrays) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_to_plain(v, arrays) for v in tree]
    if isinstance(tree, np.generic):
        return tree.item()
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    raise TypeError(f"A checkpoint holds plain data only. Got {type(tree).__name__}.")


def _from_plain(tree, arrays):
    if isinstance(tree, dict):
        if set(tree) == {_ARRAY}:
            return arrays[tree[_ARRAY]]
        return {k: _from_plain(v, arrays) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_from_plain(v, arrays) for v in tree]
    return tree


def save_checkpoint(path, tree):
    """Write a plain-data tree atomically to ``path``.

    The file is written next to ``path`` under a temporary name, flushed to
    disk and then renamed over ``path`` (``os.replace``), so ``path`` always
    holds a complete checkpoint.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file.
    tree : dict
        Nested dicts and lists of str, int, float, bool, None and numeric
        ndarrays.
    """
    arrays = {}
    meta = json.dumps(_to_plain(tree, arrays))
    arrays[_META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_checkpoint(path):
    """Read a checkpoint written by an hptune search, without unpickling anything.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file.

    Returns
    -------
    checkpoint : dict
        The plain-data tree: ``"format"``, ``"hptune_version"``,
        ``"fingerprint"``, ``"progress"``, ``"strategy"``, ``"results"`` and
        ``"search_state"``, with numeric ndarrays as leaves.

    Raises
    ------
    CheckpointError
        When the file is not a readable hptune checkpoint.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from hptune import BayesSearchCV
    >>> from hptune.checkpoint import load_checkpoint
    >>> X, y = load_iris(return_X_y=True)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "search.ckpt")
    ...     search = BayesSearchCV(
    ...         LogisticRegression(max_iter=1000), {"C": (1e-2, 1e2, "log-uniform")},
    ...         n_iter=3, n_initial_points=2, cv=3, random_state=0, checkpoint=path,
    ...     ).fit(X, y)
    ...     progress = load_checkpoint(path)["progress"]
    >>> progress["n_evaluated"], progress["stopped"]
    (3, 'budget')
    """
    path = os.fspath(path)
    try:
        # Opened here, not by np.load, which leaks its own handle when the zip
        # directory is unreadable (a truncated file).
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
        tree = _from_plain(meta, arrays)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as err:
        raise CheckpointError(
            f"The checkpoint {path!r} is corrupt or not an hptune checkpoint "
            f"({type(err).__name__}: {err}). Delete it, or pass another checkpoint "
            "path, to start a new search."
        ) from err
    if not isinstance(tree, dict) or tree.get("format") != CHECKPOINT_FORMAT:
        found = tree.get("format") if isinstance(tree, dict) else None
        raise CheckpointError(
            f"The checkpoint {path!r} has format {found!r}; this version of hptune "
            f"reads format {CHECKPOINT_FORMAT}."
        )
    return tree


# -- candidates and raw results as arrays -----------------------------------------
def _candidate_row(space, params):
    """Values of continuous and integer dimensions, category indices of the others."""
    row = []
    for name, dim in space:
        value = params[name]
        row.append(float(dim.indices([value])[0]) if hasattr(dim, "categories") else float(value))
    return row


def _candidate_from_row(space, row):
    params = {}
    for (name, dim), v in zip(space, row):
        if hasattr(dim, "categories"):
            params[name] = dim.categories[int(v)]
        elif isinstance(dim, Integer) or getattr(dim, "is_discrete", False):
            params[name] = int(v)
        else:
            params[name] = float(v)
    return params


def _owner(spaces, params):
    """Index of the first sub-space that contains ``params``."""
    return next(i for i, s in enumerate(spaces) if s.contains(params))


def candidates_from_plain(spaces, plain):
    """Candidate dicts and their (sub-space, row) pairs from stored arrays."""
    owner = np.asarray(plain["subspace"], dtype=np.int64).reshape(-1)
    values = [iter(np.asarray(v, dtype=float).reshape(-1, s.n_dims)) for v, s in zip(plain["values"], spaces)]
    rows = [(int(i), [float(v) for v in next(values[i])]) for i in owner]
    return [_candidate_from_row(spaces[i], row) for i, row in rows], rows


def outs_to_plain(outs):
    """scikit-learn's per-fit result dicts as arrays (one row per fit)."""
    first = outs[0]["test_scores"]
    metrics = list(first) if isinstance(first, dict) else None

    def scores(key):
        if key not in outs[0]:
            return None
        rows = [[o[key][m] for m in metrics] if metrics else [o[key]] for o in outs]
        return np.array(rows, dtype=float)

    return {
        "metrics": metrics,
        "test_scores": scores("test_scores"),
        "train_scores": scores("train_scores"),
        "n_test_samples": np.array([o["n_test_samples"] for o in outs], dtype=np.int64),
        "fit_time": np.array([o["fit_time"] for o in outs], dtype=float),
        "score_time": np.array([o["score_time"] for o in outs], dtype=float),
        "fit_error": [o["fit_error"] for o in outs],
    }


def outs_from_plain(plain):
    metrics = plain["metrics"]

    def scores(row):
        return {m: float(v) for m, v in zip(metrics, row)} if metrics else float(row[0])

    outs = []
    for i, error in enumerate(plain["fit_error"]):
        out = {"fit_error": error, "test_scores": scores(plain["test_scores"][i])}
        if plain["train_scores"] is not None:
            out["train_scores"] = scores(plain["train_scores"][i])
        out["n_test_samples"] = int(plain["n_test_samples"][i])
        out["fit_time"] = float(plain["fit_time"][i])
        out["score_time"] = float(plain["score_time"][i])
        outs.append(out)
    return outs


# -- one search's checkpoint -------------------------------------------------------
@dataclass
class Progress:
    """Where a search stands; restored from a checkpoint when resuming."""

    iteration: int = 0
    n_evaluated: int = 0
    best_scores: list = field(default_factory=list)
    stopped: str = None
    # Replayed from the checkpoint: candidates, raw fit results, extra columns.
    params: list = field(default_factory=list)
    outs: list = field(default_factory=list)
    more_results: dict = field(default_factory=dict)

    @property
    def finished(self):
        return self.stopped in FINISHED


class SearchCheckpoint:
    """The checkpoint file of one ``fit``: validate and restore, then write.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file (created on the first write).
    fingerprint : dict
        Output of :func:`~hptune.search._fingerprint.search_fingerprint` for this fit.
    spaces : list of Space
        The sub-spaces, in order.
    """

    def __init__(self, path, fingerprint, spaces):
        self.path, self.fingerprint, self.spaces = os.fspath(path), fingerprint, spaces
        # (sub-space, row) of each candidate saved so far: candidates only
        # ever get appended, so each is encoded once per fit, not per write.
        self._rows = []
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise ValueError(
                f"checkpoint={self.path!r} is in a directory that does not exist "
                f"({directory!r}); create it or choose another path."
            )

    def restore(self, strategy):
        """Load the file, if any, into ``strategy``.

        Returns
        -------
        progress : Progress
            Empty when there is no file yet.
        search_state : dict or None
            The search-level state saved with it (None without a file).
        """
        if not os.path.exists(self.path):
            return Progress(), None
        tree = load_checkpoint(self.path)
        self._check_fingerprint(tree.get("fingerprint"))
        try:
            progress = self._progress(tree)
            _load_strategy(strategy, tree["strategy"], [s.describe() for s in self.spaces])
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, StopIteration) as err:
            raise CheckpointError(
                f"The checkpoint {self.path!r} is corrupt or incomplete "
                f"({type(err).__name__}: {err}). Delete it, or pass another checkpoint "
                "path, to start a new search."
            ) from err
        if strategy.n_told != progress.n_evaluated:
            raise CheckpointError(
                f"The checkpoint {self.path!r} is corrupt or incomplete: the strategy was "
                f"told {strategy.n_told} candidates but {progress.n_evaluated} were evaluated."
            )
        return progress, tree.get("search_state", {})

    def _check_fingerprint(self, saved):
        try:
            mismatch = next(mismatches(saved, self.fingerprint), None)
        except (KeyError, TypeError) as err:
            raise CheckpointError(
                f"The checkpoint {self.path!r} has no valid fingerprint ({type(err).__name__}: {err})."
            ) from err
        if mismatch is not None:
            what, then, now = mismatch
            raise CheckpointError(
                f"The checkpoint {self.path!r} was written by a different search: {what} "
                f"differs (checkpoint: {then}; now: {now}). Resume with the same estimator, "
                "search space, data and settings, or pass another checkpoint path (or "
                "delete the file) to start a new search."
            )

    def _progress(self, tree):
        p, results = tree["progress"], tree["results"]
        params, self._rows = candidates_from_plain(self.spaces, results["candidates"])
        outs = outs_from_plain(results["outs"])
        more = {k: [int(v) for v in np.asarray(values).reshape(-1)] for k, values in results["more_results"].items()}
        n = int(p["n_evaluated"])
        n_splits = self.fingerprint["n_splits"]
        if len(params) != n or len(outs) != n * n_splits or any(len(v) != n for v in more.values()):
            raise ValueError(
                f"{len(params)} candidates and {len(outs)} fits stored for {n} candidates "
                f"and {n_splits} splits"
            )
        return Progress(
            iteration=int(p["iteration"]),
            n_evaluated=n,
            best_scores=[float(b) for b in np.asarray(p["best_scores"], dtype=float).reshape(-1)],
            stopped=p["stopped"],
            params=params,
            outs=outs,
            more_results=more,
        )

    def _candidates(self, params):
        for p in params[len(self._rows) :]:
            i = _owner(self.spaces, p)
            self._rows.append((i, _candidate_row(self.spaces[i], p)))
        owner = np.array([i for i, _ in self._rows], dtype=np.int64)
        values = [
            np.array([row for i, row in self._rows if i == k], dtype=float).reshape(-1, space.n_dims)
            for k, space in enumerate(self.spaces)
        ]
        return {"subspace": owner, "values": values}

    def save(self, strategy, progress, params, outs, more_results, search_state):
        """Write the whole state of the search after a batch.

        ``params`` must extend the candidates of the previous call (it holds
        all candidates of the search, in order).
        """
        from .. import __version__

        tree = {
            "format": CHECKPOINT_FORMAT,
            "hptune_version": __version__,
            "fingerprint": self.fingerprint,
            "progress": {
                "iteration": progress.iteration,
                "n_evaluated": progress.n_evaluated,
                "best_scores": np.asarray(progress.best_scores, dtype=float),
                "stopped": progress.stopped,
            },
            "strategy": strategy.state_dict(),
            "results": {
                "candidates": self._candidates(params),
                "outs": outs_to_plain(outs),
                "more_results": {k: np.asarray(v, dtype=np.int64) for k, v in more_results.items()},
            },
            "search_state": search_state,
        }
        save_checkpoint(self.path, tree)


def _load_strategy(strategy, state, descriptions):
    """``load_state_dict`` after the space check done with the fingerprint.

    The fingerprint compares category reprs without memory addresses, so
    categories such as functions match across processes; the strategy's own
    (exact) check is then given the current description.
    """
    subs = state["subspaces"] if "subspaces" in state else [state]
    if len(subs) != len(descriptions):
        raise ValueError("different number of sub-spaces")
    for sub, described in zip(subs, descriptions):
        sub["space"] = described
    strategy.load_state_dict(state)
