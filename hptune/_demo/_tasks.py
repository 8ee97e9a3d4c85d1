"""The demo's tuning problems and the searches run on them.

Model selection is where the choice of search matters most in everyday
scikit-learn use: a list of dicts, one per estimator, where random search
spends the same share of its budget on every estimator, good or bad, while a
model-based search moves its budget to the estimators that score well. The
SGD task shows population-based training against random search at equal
training compute.
"""

from scipy.stats import loguniform, randint
from sklearn.linear_model import RidgeClassifier, SGDClassifier
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

STRATEGIES = ("bayes", "evolution", "pbt")
MODEL_TASK = "model selection"
SGD_TASK = "SGD schedule"

# PBT trains this many members for this many epochs (one partial_fit pass per
# step); random search gets as many candidates, each fitted for as many epochs.
PBT_MEMBERS = 8
PBT_EPOCHS = 10


class Run:
    """One search on one task with one seed, and what it took."""

    def __init__(self, name, task, seed, search, budget, *, hptune=False):
        self.name, self.task, self.seed = name, task, seed
        self.search, self.budget, self.hptune = search, budget, hptune
        self.seconds = None


def model_selection_space():
    """Five classifiers, each with its own parameters: one dict per estimator.

    The ranges are as wide as a user who does not know the data would write
    them; only a narrow band of SVC's ``gamma`` gives the best scores.
    """
    return [
        {"clf": [GaussianNB()], "clf__var_smoothing": loguniform(1e-12, 1e0)},
        {"clf": [RidgeClassifier()], "clf__alpha": loguniform(1e-4, 1e4)},
        {
            "clf": [DecisionTreeClassifier(random_state=0)],
            "clf__max_depth": randint(1, 30),
            "clf__min_samples_leaf": randint(1, 20),
        },
        {
            "clf": [KNeighborsClassifier()],
            "clf__n_neighbors": randint(1, 40),
            "clf__weights": ["uniform", "distance"],
        },
        {"clf": [SVC()], "clf__C": loguniform(1e-3, 1e5), "clf__gamma": loguniform(1e-7, 1e2)},
    ]


def model_selection_runs(strategies, args, seed):
    """The model-selection searches of one seed, random search last."""
    from .. import BayesSearchCV, EvolutionSearchCV

    estimator = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    space = model_selection_space()
    common = dict(
        cv=StratifiedKFold(3, shuffle=True, random_state=seed),
        random_state=seed,
        n_jobs=args.n_jobs,
    )
    budget = f"{args.n_iter} candidates"
    runs = []
    if "bayes" in strategies:
        search = BayesSearchCV(estimator, space, n_iter=args.n_iter, **common)
        runs.append(Run("BayesSearchCV", MODEL_TASK, seed, search, budget, hptune=True))
    if "evolution" in strategies:
        search = EvolutionSearchCV(estimator, space, n_iter=args.n_iter, **common)
        runs.append(Run("EvolutionSearchCV", MODEL_TASK, seed, search, budget, hptune=True))
    search = RandomizedSearchCV(estimator, space, n_iter=args.n_iter, **common)
    runs.append(Run("RandomizedSearchCV", MODEL_TASK, seed, search, budget))
    return runs


def sgd_runs(args, seed):
    """PBT and random search on an SGD classifier's schedule, equal epochs."""
    from .. import PBTSearchCV

    space = {
        "sgdclassifier__alpha": loguniform(1e-6, 1e-1),
        "sgdclassifier__eta0": loguniform(1e-4, 1e-1),
    }
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    sgd = SGDClassifier(learning_rate="invscaling", random_state=seed)
    pbt = PBTSearchCV(
        make_pipeline(StandardScaler(), sgd),
        space,
        population_size=PBT_MEMBERS,
        n_steps=PBT_EPOCHS,
        resource="partial_fit",
        cv=cv,
        random_state=seed,
        n_jobs=args.n_jobs,
    )
    # Equal compute: each candidate trains for as many epochs as a PBT member.
    # tol=None runs exactly max_iter epochs (no early stop, no convergence check).
    fixed = SGDClassifier(learning_rate="invscaling", max_iter=PBT_EPOCHS, tol=None, random_state=seed)
    random = RandomizedSearchCV(
        make_pipeline(StandardScaler(), fixed),
        space,
        n_iter=PBT_MEMBERS,
        cv=cv,
        random_state=seed,
        n_jobs=args.n_jobs,
    )
    budget = f"{PBT_MEMBERS} x {PBT_EPOCHS} epochs"
    return [
        Run("PBTSearchCV", SGD_TASK, seed, pbt, budget, hptune=True),
        Run("RandomizedSearchCV", SGD_TASK, seed, random, budget),
    ]


def all_runs(strategies, args):
    """Every run of the demo, grouped by task, seeds in order."""
    seeds = range(args.random_state, args.random_state + args.seeds)
    runs = []
    if {"bayes", "evolution"} & set(strategies):
        runs += [r for seed in seeds for r in model_selection_runs(strategies, args, seed)]
    if "pbt" in strategies:
        runs += [r for seed in seeds for r in sgd_runs(args, seed)]
    return runs
