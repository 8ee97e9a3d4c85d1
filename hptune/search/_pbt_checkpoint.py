"""Checkpoints of ``PBTSearchCV``: a plain-data file plus a joblib model file.

PBT keeps fitted models alive between steps, so resuming needs them too. After
every step the search writes two files, each atomically (temporary file,
``fsync``, ``os.replace``):

1. ``<checkpoint>.models-<step>.joblib``: the final estimator of every
   (member, fold) pair and which pairs have failed, written first;
2. ``<checkpoint>``: the plain-data checkpoint of :mod:`._checkpoint` (npz with
   a JSON header, read with ``allow_pickle=False``) holding the fingerprint,
   the progress, the scheduler's ``state_dict()``, every raw per-fit result
   and the name, step and SHA-256 of the model file.

The previous model file is deleted only after the plain checkpoint naming the
new one is in place, so a kill at any moment leaves a plain checkpoint whose
model file exists. On resume the model file's digest is checked against the
plain checkpoint *before* it is unpickled.
"""

import glob
import hashlib
import os

import joblib
import numpy as np

from ..space import to_subspaces
from ._checkpoint import (
    CHECKPOINT_FORMAT,
    FINISHED,
    CheckpointError,
    SearchCheckpoint,
    load_checkpoint,
    outs_from_plain,
    outs_to_plain,
    save_checkpoint,
)
from ._fingerprint import search_fingerprint

__all__ = ["PBTCheckpoint", "PBTProgress", "open_checkpoint"]

# Bytes hashed at a time when checking a model file.
_CHUNK = 1 << 20


class PBTProgress:
    """What a PBT checkpoint restores: steps done, scores and models.

    Attributes
    ----------
    records : list of list of dict
        Raw results of every (member, fold) pair, one list per step done.
    best_scores : list of float
        Best member score after each step.
    stopped : str or None
        Why the search stopped (None while it may continue).
    models : list of list or None
        Final estimator of each (member, fold) pair (None when not restored).
    failed : ndarray of shape (n_members, n_folds) or None
    """

    def __init__(self, records=(), best_scores=(), stopped=None, models=None, failed=None):
        self.records = list(records)
        self.best_scores = list(best_scores)
        self.stopped = stopped
        self.models = models
        self.failed = failed


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _dump_atomic(value, path):
    """``joblib.dump`` to a temporary file, flushed, then renamed over ``path``."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            joblib.dump(value, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class PBTCheckpoint(SearchCheckpoint):
    """The two checkpoint files of one ``PBTSearchCV.fit``.

    Parameters
    ----------
    path : str or os.PathLike
        The plain-data checkpoint; model files are written next to it.
    fingerprint : dict
        Output of :func:`~hptune.search._fingerprint.search_fingerprint`.
    spaces : list of Space
    """

    def model_path(self, step):
        """The model file written after ``step`` steps."""
        return f"{self.path}.models-{step}.joblib"

    def restore(self, scheduler, n_folds, n_steps):
        """Load the checkpoint, if any, into ``scheduler``.

        Parameters
        ----------
        scheduler : PBTScheduler
        n_folds : int
        n_steps : int
            Steps planned; a search that has done them all (or has stopped
            for good) needs no models.

        Returns
        -------
        progress : PBTProgress
        """
        if not os.path.exists(self.path):
            return PBTProgress()
        tree = load_checkpoint(self.path)
        self._check_fingerprint(tree.get("fingerprint"))
        try:
            progress = self._progress(tree, scheduler, n_folds)
            if progress.stopped not in FINISHED and len(progress.records) < n_steps:
                self._load_models(tree["models"], progress, scheduler.population_size, n_folds)
        except CheckpointError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, StopIteration) as err:
            raise CheckpointError(
                f"The checkpoint {self.path!r} is corrupt or incomplete "
                f"({type(err).__name__}: {err}). Delete it, or pass another checkpoint "
                "path, to start a new search."
            ) from err
        return progress

    def _progress(self, tree, scheduler, n_folds):
        p = tree["progress"]
        n_steps = int(p["step"])
        scheduler.load_state_dict(tree["scheduler"])
        outs = outs_from_plain(tree["results"]["outs"]) if n_steps else []
        n_pairs = scheduler.population_size * n_folds
        if scheduler.step_ != n_steps or len(outs) != n_steps * n_pairs:
            raise ValueError(
                f"{len(outs)} fits and {scheduler.step_} scheduler steps stored for "
                f"{n_steps} steps of {n_pairs} (member, fold) pairs"
            )
        records = [outs[i * n_pairs : (i + 1) * n_pairs] for i in range(n_steps)]
        best = np.asarray(p["best_scores"], dtype=float).reshape(-1)
        return PBTProgress(records, [float(b) for b in best], p["stopped"])

    def _load_models(self, info, progress, n_members, n_folds):
        step = len(progress.records)
        path = os.path.join(os.path.dirname(os.path.abspath(self.path)), info["file"])
        if int(info["step"]) != step or path != os.path.abspath(self.model_path(step)):
            raise CheckpointError(
                f"The checkpoint {self.path!r} names the model file {info['file']!r} of step "
                f"{info['step']}, but records {step} steps; it is corrupt."
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
        # Trusted like a pickle (see the user guide): written by this search.
        payload = joblib.load(path)
        failed = np.asarray(payload["failed"], dtype=bool)
        models = payload["models"]
        if payload.get("step") != step or failed.shape != (n_members, n_folds) or len(models) != n_members:
            raise CheckpointError(
                f"The model file {path!r} holds another population than the checkpoint "
                f"{self.path!r}; delete both files to start a new search."
            )
        progress.models, progress.failed = [list(row) for row in models], failed

    def save(self, scheduler, progress, models, failed):
        """Write the model file, then the plain checkpoint, then drop stale model files."""
        from .. import __version__

        step = len(progress.records)
        model_path = self.model_path(step)
        _dump_atomic({"step": step, "models": models, "failed": np.asarray(failed)}, model_path)
        tree = {
            "format": CHECKPOINT_FORMAT,
            "hptune_version": __version__,
            "fingerprint": self.fingerprint,
            "progress": {
                "step": step,
                "best_scores": np.asarray(progress.best_scores, dtype=float),
                "stopped": progress.stopped,
            },
            "scheduler": scheduler.state_dict(),
            "results": {"outs": outs_to_plain([r for out in progress.records for r in out])},
            "models": {
                "file": os.path.basename(model_path),
                "step": step,
                "sha256": _sha256(model_path),
            },
        }
        save_checkpoint(self.path, tree)
        for stale in glob.glob(glob.escape(self.path) + ".models-*.joblib"):
            if os.path.abspath(stale) != os.path.abspath(model_path):
                os.remove(stale)


def open_checkpoint(search, X, y, splits):
    """The checkpoint of this ``fit`` of ``search`` (None without ``checkpoint``)."""
    if search.checkpoint is None:
        return None
    subspaces = to_subspaces(search.search_spaces)
    fingerprint = search_fingerprint(search, subspaces, X, y, splits)
    checkpoint = PBTCheckpoint(search.checkpoint, fingerprint, [s for s, _ in subspaces])
    if search.verbose > 0 and os.path.exists(checkpoint.path):
        print(f"[PBTSearchCV] Resuming from the checkpoint {checkpoint.path!r}")
    return checkpoint
