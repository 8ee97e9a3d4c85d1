"""Checkpoint files: a plain-data tree in one ``.npz``, written atomically, read safely.

The file holds the arrays of a nested plain-data tree, plus a JSON document
(``__meta__``, stored as UTF-8 bytes) holding everything else and naming the
arrays; it is read with ``allow_pickle=False``. One file means one atomic
``os.replace``: a reader sees either the previous checkpoint or the new one,
never a mix, whenever the writer is killed. What the tree of a search holds
is described in :mod:`hptune.search._checkpoint`.
"""

import io
import json
import os
import zipfile

import numpy as np

__all__ = [
    "CHECKPOINT_FORMAT", "CheckpointError", "atomic_write", "checkpoint_bytes",
    "load_checkpoint", "save_checkpoint",
]

#: Version of the checkpoint layout; bumped on incompatible changes.
CHECKPOINT_FORMAT = 2

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


def atomic_write(path, write):
    """Write a file through ``write(file)`` so that ``path`` is never half-written.

    The data go to a temporary file next to ``path``, flushed to disk, which
    is then renamed over ``path`` (``os.replace``): a reader, or a search
    resumed after a kill, sees the previous file or the new one, never a mix.
    """
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_checkpoint(path, tree):
    """Write a plain-data tree atomically to ``path`` (see :func:`atomic_write`).

    Parameters
    ----------
    path : str or os.PathLike
        Destination file.
    tree : dict
        Nested dicts and lists of str, int, float, bool, None and numeric
        ndarrays.
    """
    atomic_write(path, lambda f: _write(f, tree))


def _write(f, tree):
    arrays = {}
    meta = json.dumps(_to_plain(tree, arrays))
    arrays[_META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    np.savez(f, **arrays)


def checkpoint_bytes(tree):
    """The bytes :func:`save_checkpoint` would write; :func:`load_checkpoint` reads them back.

    A search keeps its last fit's state this way for ``warm_start``: the
    same plain data as a checkpoint file, sharing no array with the search.
    """
    buffer = io.BytesIO()
    _write(buffer, tree)
    return buffer.getvalue()


def load_checkpoint(path):
    """Read a checkpoint written by an hptune search, without unpickling anything.

    Parameters
    ----------
    path : str, os.PathLike or bytes
        The checkpoint file, or its content (:func:`checkpoint_bytes`).

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
    content = path if isinstance(path, bytes) else None
    path = "<in memory>" if content is not None else os.fspath(path)
    try:
        # Opened here, not by np.load, which leaks its own handle when the zip
        # directory is unreadable (a truncated file).
        with (
            io.BytesIO(content) if content is not None else open(path, "rb") as f,
            np.load(f, allow_pickle=False) as data,
        ):
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
