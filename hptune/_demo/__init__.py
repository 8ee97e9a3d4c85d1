"""The ``python -m hptune`` demo: hptune's searches next to random search.

The demo is split by concern: ``_tasks`` builds the tuning problems and the
searches, ``_progress`` draws the live status line, ``_report`` turns the
fitted searches into the summary table and the plot, and ``_cli`` parses the
command line and runs everything.
"""

from ._cli import main

__all__ = ["main"]
