"""Displays of searches over sub-spaces (a list of dicts)."""

import re

import matplotlib
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from hptune import BayesSearchCV
from hptune.plot import plot_evaluations, plot_objective
from hptune.plot._base import ParamAxis, _distinct

matplotlib.use("Agg")

X, y = make_classification(n_samples=40, n_features=4, random_state=0)
SPACES = [
    {"scale": [StandardScaler(), MinMaxScaler(), "passthrough"], "clf": [LogisticRegression()],
     "clf__C": (1e-2, 1e2, "log-uniform")},
    {"scale": [StandardScaler(), "passthrough"], "clf": [DecisionTreeClassifier(random_state=0)],
     "clf__max_depth": (1, 6)},
    {"clf": [GaussianNB()]},
]


@pytest.fixture(scope="module")
def search():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    return BayesSearchCV(pipe, SPACES, n_iter=8, n_initial_points=4, cv=2, random_state=0).fit(X, y)


def _ticks(ax):
    return [t.get_text() for t in ax.get_xticklabels()]


def test_the_same_choice_in_two_sub_spaces_is_one_category(search):
    axes = plot_evaluations(search, params=["scale", "clf"])
    assert _ticks(axes[-1, 0]) == ["StandardScaler", "MinMaxScaler", "passthrough"]
    assert _ticks(axes[-1, 1]) == ["LogisticRegress…", "DecisionTreeCla…", "GaussianNB"]


def test_long_tick_labels_are_slanted_inside_the_figure(search):
    axes = plot_evaluations(search, params=["scale", "clf"])
    figure = axes[0, 0].figure
    figure.canvas.draw()
    labels = axes[-1, 1].get_xticklabels()
    assert all(t.get_rotation() == 40 for t in labels)
    # Slanted text ends at its tick: each label's right end is left of the
    # next one's, and neither these nor the y labels leave the figure.
    ends = [t.get_window_extent().x1 for t in labels]
    assert ends == sorted(ends) and ends[1] - ends[0] > 20
    assert min(t.get_window_extent().y0 for t in labels) >= 0
    assert min(t.get_window_extent().x0 for t in axes[1, 0].get_yticklabels()) >= 0


def test_labels_that_would_read_the_same_are_numbered():
    assert _distinct([LogisticRegression(), LogisticRegression(C=2.0), "a"]) == [
        "LogisticRegre (1)", "LogisticRegre (2)", "a"]
    axis = ParamAxis("clf", [LogisticRegression(), LogisticRegression()])
    assert axis.n_categories == 1  # equal estimators are one choice


def test_a_display_of_one_sub_space_says_which_there_are(search):
    listed = ("pass subspace=0 ... 2 (0: scale, clf=LogisticRegression, clf__C; "
              "1: scale, clf=DecisionTreeClassifier, clf__max_depth; 2: clf=GaussianNB).")
    with pytest.raises(ValueError, match=re.escape(listed)):
        plot_objective(search)
    axes = plot_objective(search, subspace=0, n_points=5, n_samples=10)
    assert axes.shape == (2, 2)
