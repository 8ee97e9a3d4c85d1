"""``python -m hptune``: the demo runs, prints its table and saves its plot."""

import io
import re
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.datasets import load_digits

from hptune._demo import _cli, _progress, _report, _tasks
from hptune._demo import main as demo_main


@pytest.fixture
def small_digits(monkeypatch):
    # A slice of the digits keeps every search well under a second per fit.
    X, y = load_digits(return_X_y=True)
    monkeypatch.setattr(_cli, "load_digits", lambda return_X_y: (X[:240], y[:240]))


def test_defaults_stay_short():
    args = _cli.parse([])
    assert (args.strategy, args.n_iter, args.seeds, args.plot) == ("bayes", 20, 8, None)


def _rows(out):
    table = out[out.index("task ") :].splitlines()
    header = table[0].split()
    rows = []
    for line in table[2:]:
        if not line.strip():
            break
        rows.append(dict(zip(header, re.split(r"\s{2,}", line))))
    return rows


def test_all_strategies_table_and_plot(small_digits, tmp_path, capsys):
    plt = pytest.importorskip("matplotlib.pyplot")
    path = tmp_path / "convergence.png"
    argv = ["--strategy", "all", "--n-iter", "6", "--seeds", "2", "--no-progress"]
    status = demo_main([*argv, "--plot", str(path)])
    out = capsys.readouterr().out
    assert status == 0
    rows = _rows(out)
    assert [(r["task"], r["search"]) for r in rows] == [
        ("model selection", "BayesSearchCV"),
        ("model selection", "EvolutionSearchCV"),
        ("model selection", "RandomizedSearchCV"),
        ("SGD schedule", "PBTSearchCV"),
        ("SGD schedule", "RandomizedSearchCV"),
    ]
    assert [r["budget"] for r in rows] == ["6 candidates"] * 3 + ["8 x 10 epochs"] * 2
    for row in rows:
        assert 0.3 < float(row["worst"]) <= float(row["mean"]) <= float(row["best"]) <= 1.0
        expected = "-" if row["search"] == "RandomizedSearchCV" else r"\d of 2( \(\d tied\))?"
        assert re.fullmatch(expected, row["better"])
    assert re.search(r"Candidates spent on \w+, the best estimator found: BayesSearchCV", out)
    assert f"Convergence plot saved to {path}" in out
    image = plt.imread(path)
    assert image.shape[1] > 2 * image.shape[0]  # two panels side by side


def _summary(name, scores):
    runs = [
        SimpleNamespace(name=name, task="t", budget="b", seconds=1.0, search=SimpleNamespace(best_score_=s))
        for s in scores
    ]
    return _report.Summary(runs)


def test_paired_counts_and_table_cells():
    ours = _summary("BayesSearchCV", [0.9, 0.8, 0.7, 0.6])
    random = _summary("RandomizedSearchCV", [0.8, 0.8, 0.75, 0.5])
    assert ours.paired_with(random) == (2, 1, 1)
    text = _report.table([ours, random])
    row = _rows(text)[0]
    assert row["better"] == "2 of 4 (1 tied)"
    assert (row["mean"], row["worst"], row["best"]) == ("0.7500", "0.6000", "0.9000")
    assert row["sd"] == f"{np.std([0.9, 0.8, 0.7, 0.6]):.4f}"
    assert _report.budget_shares([ours, random]) is None  # no model-selection task


def test_every_seed_gets_its_own_folds_and_searches():
    args = _cli.parse(["--strategy", "evolution", "--seeds", "3", "--random-state", "5"])
    runs = _tasks.all_runs(("evolution",), args)
    assert [(r.name, r.seed) for r in runs[:2]] == [
        ("EvolutionSearchCV", 5),
        ("RandomizedSearchCV", 5),
    ]
    assert [r.seed for r in runs] == [5, 5, 6, 6, 7, 7]
    for run in runs:
        assert run.search.random_state == run.search.cv.random_state == run.seed


def test_plot_without_matplotlib_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert demo_main(["--plot", "x.png", "--no-progress"]) == 2
    assert 'pip install "hptune[plots]"' in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--n-iter", "--seeds"])
def test_invalid_counts(option):
    with pytest.raises(SystemExit) as info:
        _cli.parse([option, "0"])
    assert info.value.code == 2


class _FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_plain_progress_rewrites_one_line():
    stream = _FakeTTY()
    run = _tasks.Run("BayesSearchCV", _tasks.MODEL_TASK, 3, None, "4 candidates")
    with _progress.PlainProgress(stream) as progress:
        progress.start(run, 4)
        progress.update(run, 2, 4, 0.9123, 1.5)
        progress.finish(run)
    text = stream.getvalue()
    assert "\n" not in text
    assert "BayesSearchCV on model selection, seed 3: 2/4 candidates, best 0.9123" in text
    assert text.endswith("\r")  # the line is wiped at the end


def test_progress_is_off_without_a_terminal():
    assert isinstance(_progress.progress(False, io.StringIO()), _progress.NoProgress)
    assert isinstance(_progress.progress(True, _FakeTTY()), _progress.NoProgress)


def test_help_text_reads_as_plain_text(capsys):
    with pytest.raises(SystemExit):
        demo_main(["--help"])
    out = capsys.readouterr().out
    assert "A short demo of hptune's searches next to random search." in out and "``" not in out
