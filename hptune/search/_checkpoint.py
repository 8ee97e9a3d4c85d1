"""Checkpoints of every search: plain data on disk, validated on load.

A checkpoint is one plain-data file (:mod:`._checkpoint_file`). The tree of a
search holds

* ``fingerprint``: what must be equal to resume (search class, estimator
  parameters, search parameters, spaces, data, CV splits; see
  :mod:`hptune.search._fingerprint`);
* ``progress``: iterations (batches, generations, steps) and evaluations
  done, the best score after each iteration, and why the search stopped
  (None while it may continue);
* ``strategy``: the strategy's (or PBT scheduler's) ``state_dict()``;
* ``results``: the evaluated candidates (values of continuous and integer
  dimensions, indices of categories; PBT's are in its scheduler state) and
  scikit-learn's raw per-fit results (per-split scores, sample counts, times,
  fit errors), from which ``cv_results_`` is rebuilt exactly;
* ``search_state``: search-level state such as the resolved batch size;
* ``models``: for a search that keeps fitted models between iterations
  (PBT), the name and SHA-256 of a joblib file written next to the
  checkpoint. That file is as trusted as a pickle; its hash is checked
  before it is unpickled, and it is loaded only to continue training.
"""

import glob
import hashlib
import os
from dataclasses import dataclass, field

import joblib
import numpy as np

from ._checkpoint_file import (
    CHECKPOINT_FORMAT,
    CheckpointError,
    atomic_write,
    checkpoint_bytes,
    load_checkpoint,
    save_checkpoint,
)
from ._fingerprint import mismatches

__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpoint",
    "CheckpointError",
    "PreviousFit",
    "Progress",
    "load_checkpoint",
    "save_checkpoint",
]

#: Reasons a search stopped for good; a search stopped by ``max_time`` (or
#: killed) continues when ``fit`` is called again with its checkpoint.
FINISHED = ("budget", "exhausted", "callback", "rule")

# -- raw per-fit results as arrays -------------------------------------------------
def outs_to_plain(outs):
    """scikit-learn's per-fit result dicts as arrays (one row per fit)."""
    first = outs[0]["test_scores"] if outs else None
    metrics = list(first) if isinstance(first, dict) else None

    def scores(key):
        if not outs or key not in outs[0]:
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
    """Inverse of :func:`outs_to_plain`."""
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
    """Where a search stands; restored from a checkpoint when resuming.

    ``outs`` holds every fit's raw result in evaluation order
    (``n_evaluated * n_splits`` of them); ``params`` and ``more_results``
    the evaluated candidates and their extra ``cv_results_`` columns, for
    searches whose ``cv_results_`` has one row per evaluation. ``models`` is
    the payload of a search that keeps models between iterations.
    """

    iteration: int = 0
    n_evaluated: int = 0
    best_scores: list = field(default_factory=list)
    stopped: str = None
    params: list = field(default_factory=list)
    outs: list = field(default_factory=list)
    more_results: dict = field(default_factory=dict)
    models: object = None

    @property
    def finished(self):
        """Whether the search has stopped for good (not paused by ``max_time``)."""
        return self.stopped in FINISHED


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _corrupt(path, err):
    return CheckpointError(
        f"The checkpoint {path!r} is corrupt or incomplete ({type(err).__name__}: {err}). "
        "Delete it, or pass another checkpoint path, to start a new search."
    )


class Checkpoint:
    """The checkpoint file of one ``fit``: validate and restore, then write.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file (created on the first write).
    fingerprint : dict
        Output of :func:`~hptune.search._fingerprint.search_fingerprint` for this fit.
    spaces : list of Space
        The sub-spaces, in order.
    candidates : bool, default=True
        Whether the evaluated candidates are stored (``Progress.params``);
        PBT keeps its candidates in its scheduler state instead.
    free : tuple of str, default=()
        Search parameters that may differ from the saved fingerprint (a warm
        start passes the budget parameters).
    budget : tuple of str, default=()
        The search's budget parameters: when one of them differs, the error
        says that ``warm_start=True`` continues with a new budget.
    """

    def __init__(self, path, fingerprint, spaces, *, candidates=True, free=(), budget=()):
        self.path, self.fingerprint, self.spaces = os.fspath(path), fingerprint, spaces
        self.candidates, self.free, self.budget = candidates, tuple(free), tuple(budget)
        # (sub-space, row) of each candidate saved so far: candidates only
        # ever get appended, so each is encoded once per fit, not per write.
        self._rows = []
        _check_path(self.path)

    def claim(self):
        """Write an owner record if there is no checkpoint yet, before the first fit.

        The record holds this search's fingerprint and no progress. Writing it
        proves the path writable before any work is done, and a different
        search started later on the same path is refused at its start by the
        fingerprint check, instead of overwriting this one's progress.
        """
        if os.path.exists(self.path):
            return
        from .. import __version__

        record = {
            "format": CHECKPOINT_FORMAT,
            "hptune_version": __version__,
            "fingerprint": self.fingerprint,
            "progress": {"iteration": 0, "n_evaluated": 0, "best_scores": [], "stopped": None},
        }
        try:
            save_checkpoint(self.path, record)
        except OSError as err:
            raise ValueError(
                f"checkpoint={self.path!r} cannot be written ({type(err).__name__}: {err}); "
                "choose a path in a directory this process can write to."
            ) from err

    def model_path(self, iteration):
        """The model file written after ``iteration`` iterations."""
        return f"{self.path}.models-{iteration}.joblib"

    def restore(self, strategy, *, load_models=False):
        """Load the file, if any, into ``strategy``.

        Parameters
        ----------
        strategy : Strategy, SubspaceStrategy or PBTScheduler
        load_models : bool, default=False
            Whether to load the model file (only to continue training).

        Returns
        -------
        progress : Progress
            Empty when there is no file yet.
        search_state : dict
            The search-level state saved with it (empty without a file).
        """
        tree = self._read()
        if tree is None:
            return Progress(), {}
        self._check_fingerprint(tree.get("fingerprint"))
        if "strategy" not in tree and tree.get("progress", {}).get("n_evaluated") == 0:
            return Progress(), {}  # only the owner record of :meth:`claim`
        try:
            progress = self._progress(tree)
            _load_strategy(strategy, tree["strategy"], [s.describe() for s in self.spaces])
            if load_models and not progress.finished:
                progress.models = self._load_models(tree["models"], progress.iteration)
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, StopIteration) as err:
            raise _corrupt(self.path, err) from err
        if strategy.n_told != progress.n_evaluated:
            raise CheckpointError(
                f"The checkpoint {self.path!r} is corrupt or incomplete: the strategy was "
                f"told {strategy.n_told} candidates but {progress.n_evaluated} were evaluated."
            )
        return progress, tree.get("search_state", {})

    def _read(self):
        """The saved tree, or None when there is none yet."""
        return load_checkpoint(self.path) if os.path.exists(self.path) else None

    def _check_fingerprint(self, saved):
        try:
            mismatch = next(mismatches(saved, self.fingerprint, self.free), None)
        except (KeyError, TypeError) as err:
            raise CheckpointError(
                f"The checkpoint {self.path!r} has no valid fingerprint ({type(err).__name__}: {err})."
            ) from err
        if mismatch is not None:
            raise self._mismatch_error(*mismatch)

    def _mismatch_error(self, what, then, now):
        return CheckpointError(
            f"The checkpoint {self.path!r} was written by a different search: {what} "
            f"differs (checkpoint: {then}; now: {now}). Resume with the same estimator, "
            "search space, data and settings, or pass another checkpoint path (or "
            "delete the file) to start a new search."
            + "".join(
                f" To continue it with another {p}, set warm_start=True."
                for p in self.budget if what == f"the search parameter {p!r}"
            )
        )

    def _progress(self, tree):
        p, results = tree["progress"], tree["results"]
        n, n_splits = int(p["n_evaluated"]), self.fingerprint["n_splits"]
        outs = outs_from_plain(results["outs"])
        params, more = [], {}
        if self.candidates:
            params, self._rows = _candidates_from_plain(self.spaces, results["candidates"])
            more = {
                k: [int(v) for v in np.asarray(values).reshape(-1)]
                for k, values in results["more_results"].items()
            }
        if (
            len(outs) != n * n_splits
            or (self.candidates and len(params) != n)
            or any(len(v) != n for v in more.values())
        ):
            raise ValueError(
                f"{len(params)} candidates and {len(outs)} fits stored for {n} evaluations "
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

    def _load_models(self, info, iteration):
        path = os.path.join(os.path.dirname(os.path.abspath(self.path)), info["file"])
        if int(info["iteration"]) != iteration or path != os.path.abspath(self.model_path(iteration)):
            raise CheckpointError(
                f"The checkpoint {self.path!r} names the model file {info['file']!r} of "
                f"iteration {info['iteration']}, but records {iteration} iterations; it is corrupt."
            )
        if not os.path.exists(path):
            raise CheckpointError(
                f"The model file {path!r} of the checkpoint {self.path!r} is missing. Restore "
                "it, or delete the checkpoint to start a new search."
            )
        if _sha256(path) != info["sha256"]:
            raise CheckpointError(
                f"The model file {path!r} does not match the checkpoint {self.path!r} (its "
                "SHA-256 differs); it was modified or belongs to another search. Delete both "
                "files to start a new search."
            )
        # Trusted like a pickle (see the user guide): written by this search,
        # and its hash matches the plain-data checkpoint just validated.
        return joblib.load(path)

    def save(self, strategy, progress, search_state, models=None):
        """Write the whole state of the search after an iteration.

        ``progress.params`` must extend the candidates of the previous call.
        ``models``, when given, goes to a joblib file next to the checkpoint,
        written first, so that the checkpoint never names a missing file.
        """
        from .. import __version__

        results = {"outs": outs_to_plain(progress.outs)}
        if self.candidates:
            results["candidates"] = self._candidates(progress.params)
            results["more_results"] = {
                k: np.asarray(v, dtype=np.int64) for k, v in progress.more_results.items()
            }
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
            "results": results,
            "search_state": search_state,
        }
        if models is not None:
            tree["models"] = self._save_models(models, progress.iteration)
        self._write(tree)
        self._remove_stale_models(progress.iteration if models is not None else None)

    def _write(self, tree):
        save_checkpoint(self.path, tree)

    def _save_models(self, models, iteration):
        path = self.model_path(iteration)
        atomic_write(path, lambda f: joblib.dump(models, f))
        return {"file": os.path.basename(path), "iteration": iteration, "sha256": _sha256(path)}

    def _remove_stale_models(self, current):
        keep = None if current is None else os.path.abspath(self.model_path(current))
        for stale in glob.glob(glob.escape(self.path) + ".models-*.joblib"):
            if os.path.abspath(stale) != keep:
                os.remove(stale)

    def _candidates(self, params):
        for p in params[len(self._rows) :]:
            i = next(i for i, s in enumerate(self.spaces) if s.contains(p))
            self._rows.append((i, self.spaces[i].to_rows([p])[0]))
        owner = np.array([i for i, _ in self._rows], dtype=np.int64)
        values = [
            np.array([row for i, row in self._rows if i == k], dtype=float).reshape(-1, space.n_dims)
            for k, space in enumerate(self.spaces)
        ]
        return {"subspace": owner, "values": values}


class PreviousFit(Checkpoint):
    """The state of a search's last ``fit``, kept in memory for ``warm_start``.

    The same plain data as a checkpoint file (:func:`checkpoint_bytes`),
    restored through the same code, so a warm start continues exactly as a
    resumed checkpoint does. Only the budget parameters may differ.

    Parameters
    ----------
    data : bytes or None
        The state of the previous fit (None: there is none).
    fingerprint, spaces, candidates, free :
        As for :class:`Checkpoint`.
    """

    def __init__(self, data, fingerprint, spaces, *, candidates=True, free=()):
        self.path, self.fingerprint, self.spaces = "<previous fit>", fingerprint, spaces
        self.candidates, self.free, self.budget, self.data = candidates, tuple(free), tuple(free), data
        self._rows = []

    def _read(self):
        return None if self.data is None else load_checkpoint(self.data)

    def _write(self, tree):
        self.data = checkpoint_bytes(tree)

    def _mismatch_error(self, what, then, now):
        budget = " or ".join(sorted(self.free))
        return CheckpointError(
            f"warm_start=True continues the previous fit, but {what} differs (previous "
            f"fit: {then}; now: {now}). Fit on the same data with the same estimator, "
            "search space and settings" + (f" (only {budget} may change)" if budget else "")
            + ", or set warm_start=False to start a new search."
        )

    def _remove_stale_models(self, current):
        pass  # nothing on disk


def _check_path(path):
    """Refuse a checkpoint path that cannot be a file, before the first fit."""
    if not path:
        raise ValueError(
            "checkpoint='' is an empty path; give a file name such as 'search.ckpt', or "
            "None for no checkpoint."
        )
    if os.path.isdir(path):
        raise ValueError(
            f"checkpoint={path!r} is a directory; give a file path in it, such as "
            f"{os.path.join(path, 'search.ckpt')!r}."
        )
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ValueError(
            f"checkpoint={path!r} is in a directory that does not exist "
            f"({directory!r}); create it or choose another path."
        )


def _candidates_from_plain(spaces, plain):
    """Candidate dicts and their (sub-space, row) pairs from stored arrays."""
    owner = np.asarray(plain["subspace"], dtype=np.int64).reshape(-1)
    values = [iter(np.asarray(v, dtype=float).reshape(-1, s.n_dims)) for v, s in zip(plain["values"], spaces)]
    rows = [(int(i), next(values[i])) for i in owner]
    return [spaces[i].from_rows(row)[0] for i, row in rows], rows


def _load_strategy(strategy, state, descriptions):
    """``load_state_dict`` after the space check done with the fingerprint.

    The fingerprint compares category reprs without memory addresses, so
    categories such as functions match across processes; the strategy's own
    (exact) check is then given the current description.
    """
    subs = state["subspaces"] if "subspaces" in state else [state]
    if all("space" in sub for sub in subs):  # a PBT scheduler checks its own way
        if len(subs) != len(descriptions):
            raise ValueError("different number of sub-spaces")
        for sub, described in zip(subs, descriptions):
            sub["space"] = described
    strategy.load_state_dict(state)
