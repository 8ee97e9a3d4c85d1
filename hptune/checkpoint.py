"""Checkpoints of hptune searches: read one, or catch its errors.

A search given ``checkpoint=path`` writes its progress there after every
batch and resumes from it on the next ``fit`` (see the user guide section on
checkpoints). The file is plain data: an ``.npz`` archive of numeric arrays
and a JSON header, read with ``allow_pickle=False``.
"""

from .search._checkpoint import CHECKPOINT_FORMAT, CheckpointError, load_checkpoint

__all__ = ["CHECKPOINT_FORMAT", "CheckpointError", "load_checkpoint"]
