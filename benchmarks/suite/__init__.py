"""The hptune benchmark suite: tasks, methods, synthetic functions and the report.

Run it through ``benchmarks/run.py``; these modules import scikit-learn and
each peer library lazily, so that a worker process loads only what its run
needs (and a peer can run under another interpreter).
"""
