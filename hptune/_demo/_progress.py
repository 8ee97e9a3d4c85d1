"""The demo's live status line: one line on a terminal, nothing elsewhere."""

import sys


def label(run):
    """What the status line calls a run."""
    return f"{run.name} on {run.task}, seed {run.seed}"


class PlainProgress:
    """One status line on stderr, rewritten in place with ``\\r``."""

    def __init__(self, stream):
        self.stream, self.width = stream, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._write("")

    def _write(self, text):
        # Pad with spaces to wipe the end of a longer previous line.
        self.stream.write("\r" + text.ljust(self.width) + ("\r" if not text else ""))
        self.width = len(text)
        self.stream.flush()

    def start(self, run, total):
        self._write(f"{label(run)}: running ({run.budget}) ...")

    def update(self, run, done, total, best, elapsed):
        self._write(f"{label(run)}: {done}/{total} candidates, best {best:.4f}, {elapsed:.0f} s")

    def finish(self, run):
        self._write("")


class RichProgress:
    """rich's progress bar, when rich is installed (the ``progress`` extra)."""

    def __init__(self, stream):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description:<46}"),
            BarColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self.tasks = {}

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        self.progress.__exit__(*exc)

    def start(self, run, total):
        self.tasks[id(run)] = self.progress.add_task(label(run), total=total, status=run.budget)

    def update(self, run, done, total, best, elapsed):
        self.progress.update(self.tasks[id(run)], completed=done, status=f"best {best:.4f}")

    def finish(self, run):
        self.progress.remove_task(self.tasks.pop(id(run)))


class NoProgress:
    """Progress that shows nothing (no terminal, or ``--no-progress``)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def start(self, run, total):
        pass

    def update(self, run, done, total, best, elapsed):
        pass

    def finish(self, run):
        pass


def progress(disabled, stream=None):
    """The richest progress display the stream supports."""
    stream = sys.stderr if stream is None else stream
    if disabled or not stream.isatty():
        return NoProgress()
    try:
        return RichProgress(stream)
    except ImportError:
        return PlainProgress(stream)
