"""``python -m hptune``: the demo runs, prints its table and saves its plot."""

import io
import re
import sys

import pytest
from sklearn.datasets import load_digits

import hptune.__main__ as demo


@pytest.fixture
def small_digits(monkeypatch):
    # A slice of the digits keeps every search well under a second per fit.
    X, y = load_digits(return_X_y=True)
    monkeypatch.setattr(demo, "load_digits", lambda return_X_y: (X[:240], y[:240]))


def test_defaults_stay_short():
    args = demo._parse([])
    assert (args.strategy, args.n_iter, args.plot) == ("bayes", 20, None)


def test_all_strategies_table_and_plot(small_digits, tmp_path, capsys):
    plt = pytest.importorskip("matplotlib.pyplot")
    path = tmp_path / "convergence.png"
    status = demo.main(["--strategy", "all", "--n-iter", "4", "--no-progress", "--plot", str(path)])
    out = capsys.readouterr().out
    assert status == 0
    table = out[out.index("task ") :].splitlines()
    assert table[0].split()[:4] == ["task", "search", "best", "CV"]
    rows = [re.split(r"\s{2,}", line) for line in table[2:7]]
    assert [r[1] for r in rows] == [
        "BayesSearchCV",
        "EvolutionSearchCV",
        "RandomizedSearchCV",
        "PBTSearchCV",
        "RandomizedSearchCV",
    ]
    assert [r[3] for r in rows] == ["4 candidates"] * 3 + ["8 x 10 epochs"] * 2
    assert all(0.5 < float(r[2]) <= 1.0 for r in rows)
    assert f"Convergence plot saved to {path}" in out
    image = plt.imread(path)
    assert image.shape[1] > 2 * image.shape[0]  # two panels side by side


def test_plot_without_matplotlib_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert demo.main(["--plot", "x.png", "--no-progress"]) == 2
    assert 'pip install "hptune[plots]"' in capsys.readouterr().err


def test_invalid_n_iter():
    with pytest.raises(SystemExit) as info:
        demo._parse(["--n-iter", "0"])
    assert info.value.code == 2


class _FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_plain_progress_rewrites_one_line():
    stream = _FakeTTY()
    run = demo._Run("BayesSearchCV", demo.SVC_TASK, None, "4 candidates", None)
    with demo._PlainProgress(stream) as progress:
        progress.start(run, 4)
        progress.update(run, 2, 4, 0.9123, 1.5)
        progress.finish(run)
    text = stream.getvalue()
    assert "\n" not in text
    assert "2/4 candidates, best 0.9123" in text
    assert text.endswith("\r")  # the line is wiped at the end


def test_progress_is_off_without_a_terminal():
    assert isinstance(demo._progress(False, io.StringIO()), demo._NoProgress)
    assert isinstance(demo._progress(True, _FakeTTY()), demo._NoProgress)


def test_help_text_reads_as_plain_text(capsys):
    with pytest.raises(SystemExit):
        demo.main(["--help"])
    out = capsys.readouterr().out
    assert "A short demo of hptune's searches next to random search." in out and "``" not in out
