"""BLAS thread control for the numerical core.

The core's linear algebra is many small factorisations and solves (a few
hundred points), where BLAS threads only add synchronisation; with other busy
processes on the machine (parallel evaluations of a search), two OpenBLAS
threads made a GP fit or an acquisition optimisation 10 to 20 times slower in
measurements on 2 cores. threadpoolctl is installed with scikit-learn.
"""

import functools

from threadpoolctl import ThreadpoolController

__all__ = ["single_threaded_blas"]


@functools.cache
def _blas_controller():
    # Built once: inspecting the loaded BLAS libraries takes milliseconds, while
    # limiting them afterwards takes microseconds.
    return ThreadpoolController()


def single_threaded_blas():
    """Context manager limiting BLAS to one thread inside the block."""
    return _blas_controller().limit(limits=1, user_api="blas")
