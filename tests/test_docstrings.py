"""Docstrings of the public API: numpydoc validation, runnable Examples, attributes.

The public objects are the names in ``__all__`` of the modules below, the
same list the API reference is generated from (``API_SECTIONS`` in
``doc/conf.py``; a test keeps the two in step). Every public class and
function must have a numpydoc docstring with an Examples section, and every
Examples section runs here as a doctest, as do the ``>>>`` examples of the
user guide.
"""

import ast
import doctest
import importlib
import inspect
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = [
    "hptune",
    "hptune.space",
    "hptune.plot",
    "hptune.callbacks",
    "hptune.checkpoint",
    "hptune.selection",
    "hptune.exceptions",
    "hptune.compat",
]

# numpydoc checks that hptune's style does not follow (as in scikit-learn):
# no extended summary or See Also required, summary on the line of the opening
# quotes, and named return values ("display : ConvergenceDisplay").
IGNORED_CHECKS = {"ES01", "SA01", "GL01", "GL02", "RT02"}
# Methods and properties need no Examples section of their own.
IGNORED_FOR_MEMBERS = IGNORED_CHECKS | {"EX01"}

# Public objects whose docstrings numpydoc still flags, mapped to the codes
# that fail: the test xfails while exactly these fail, and fails when one is
# fixed (remove it here) or another appears. Empty: every docstring passes.
KNOWN_GAPS = {}


def _module(name):
    try:
        return importlib.import_module(name)
    except ImportError:  # a public module not written yet
        return None


def public_objects():
    """``(import path, object)`` of every public class and function, each once."""
    seen, out = set(), []
    for module_name in PUBLIC_MODULES:
        module = _module(module_name)
        if module is None:
            continue
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            out.append((f"{module_name}.{name}", obj))
    return out


def public_members(path, cls):
    """``(import path, member)`` of the public methods and properties ``cls`` defines."""
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        func = member.fget if isinstance(member, property) else member
        if isinstance(func, (classmethod, staticmethod)):
            func = func.__func__
        if not inspect.isfunction(func) or not func.__module__.startswith("hptune"):
            continue
        yield f"{path}.{name}", member, func


def _inherits_doc(cls, name, member):
    """True for an override without a docstring whose parent has one.

    autodoc shows the parent's docstring, which the parent's own entry checks.
    """
    if member.__doc__ is not None and not isinstance(member, property):
        return False
    if isinstance(member, property) and member.fget.__doc__ is not None:
        return False
    return any(getattr(base, name, None).__doc__ for base in cls.__mro__[1:] if hasattr(base, name))


def _validation_cases():
    cases = []
    for path, obj in public_objects():
        cases.append((path, IGNORED_CHECKS))
        if inspect.isclass(obj):
            for member_path, member, _ in public_members(path, obj):
                if not _inherits_doc(obj, member_path.rsplit(".", 1)[1], member):
                    cases.append((member_path, IGNORED_FOR_MEMBERS))
    return [pytest.param(path, ignored, id=path) for path, ignored in cases]


@pytest.mark.parametrize("path, ignored", _validation_cases())
def test_numpydoc_validation(path, ignored):
    validate = pytest.importorskip("numpydoc.validate").validate
    errors = [(code, msg) for code, msg in validate(path)["errors"] if code not in ignored]
    report = "\n".join(f"{path}: {code} {msg}" for code, msg in errors)
    known = KNOWN_GAPS.get(path, set())
    if known and {code for code, _ in errors} == known:
        pytest.xfail(f"known docstring gap: {', '.join(sorted(known))}")
    fixed = known - {code for code, _ in errors}
    assert not fixed, f"{path}: {sorted(fixed)} fixed; remove them from KNOWN_GAPS"
    assert not errors, report


def test_every_public_class_and_function_has_examples():
    missing = []
    for path, obj in public_objects():
        if "Examples\n" not in (inspect.getdoc(obj) or "") and "EX01" not in KNOWN_GAPS.get(
            path, ()
        ):
            missing.append(path)
    assert not missing, f"No Examples section: {missing}"


# -- doctests -------------------------------------------------------------------
OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Examples whose output no longer matches, in modules owned by other work in
# progress; strict xfails, as KNOWN_GAPS.
KNOWN_DOCTEST_FAILURES = {}


def _needs_export(name):
    """Examples that import ``name`` from hptune before it is exported there."""
    import hptune

    return pytest.mark.xfail(
        name not in hptune.__all__, reason=f"hptune does not export {name} yet", strict=True
    )


def _marks(test):
    marks = []
    if test.name in KNOWN_DOCTEST_FAILURES:
        marks.append(pytest.mark.xfail(reason=KNOWN_DOCTEST_FAILURES[test.name], strict=True))
    for example in test.examples:
        if example.source.startswith("from hptune import "):
            names = example.source[len("from hptune import ") :].strip().split(", ")
            marks += [_needs_export(n) for n in names]
    return marks


def _docstring_tests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = {}
    for path, obj in public_objects():
        for test in finder.find(obj, path, module=inspect.getmodule(obj), globs={}):
            if test.examples:
                tests.setdefault(test.name, test)
    return [pytest.param(t, id=name, marks=_marks(t)) for name, t in sorted(tests.items())]


def _doc_page_tests():
    parser = doctest.DocTestParser()
    skip = {"_build", "auto_examples", "gen_modules", "examples"}
    params = []
    for page in sorted((ROOT / "doc").rglob("*.rst")):
        if skip & set(page.relative_to(ROOT / "doc").parts):
            continue
        name = page.relative_to(ROOT).as_posix()
        test = parser.get_doctest(page.read_text(encoding="utf-8"), {}, name, str(page), 0)
        if test.examples:
            params.append(pytest.param(test, id=name, marks=_marks(test)))
    return params


@pytest.fixture
def headless_matplotlib():
    """Examples draw with the Agg backend, and their figures are closed after."""
    try:
        import matplotlib
    except ImportError:
        yield
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _run(test):
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


@pytest.mark.parametrize("test", _docstring_tests())
def test_docstring_examples(test, headless_matplotlib):
    _run(test)


@pytest.mark.parametrize("test", _doc_page_tests())
def test_user_guide_examples(test, headless_matplotlib):
    _run(test)


def test_examples_are_collected():
    # Guard against a finder that silently finds nothing.
    names = {p.id for p in _docstring_tests()}
    assert "hptune.BayesSearchCV" in names
    assert "hptune.plot.plot_convergence" in names


# -- the API reference lists the same modules ---------------------------------------
def test_api_reference_modules_match():
    tree = ast.parse((ROOT / "doc" / "conf.py").read_text(encoding="utf-8"))
    sections = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "API_SECTIONS"
    )
    listed = [ast.literal_eval(elt)[0] for elt in sections.elts]
    assert listed == PUBLIC_MODULES


# -- documented attributes are the fitted ones --------------------------------------
def _documented_attributes(cls):
    from numpydoc.docscrape import ClassDoc

    return {p.name for p in ClassDoc(cls)["Attributes"]}


def _search_classes():
    hptune = importlib.import_module("hptune")
    return [
        pytest.param(getattr(hptune, n), id=n) for n in hptune.__all__ if n.endswith("SearchCV")
    ]


def _tiny_search(cls):
    from sklearn.linear_model import SGDClassifier

    space = {"alpha": (1e-4, 1e-1, "log-uniform")}
    estimator = SGDClassifier(random_state=0)
    # With objectives, so that pareto_front_ is fitted and checked too.
    objectives = ["score", "fit_time"]
    if cls.__name__ == "BayesSearchCV":
        return cls(
            estimator, space, n_iter=3, n_initial_points=2, cv=2, random_state=0,
            objectives=objectives,
        )
    if cls.__name__ == "EvolutionSearchCV":
        return cls(
            estimator,
            space,
            population_size=2,
            n_generations=2,
            tournament_size=2,
            cv=2,
            random_state=0,
            objectives=objectives,
        )
    if cls.__name__ == "HyperbandSearchCV":
        return cls(estimator, space, n_iter=3, cv=2, random_state=0, objectives=objectives)
    if cls.__name__ == "PBTSearchCV":
        return cls(estimator, space, population_size=2, n_steps=2, cv=2, random_state=0)
    pytest.fail(f"No tiny configuration for {cls.__name__}; add one here.")


@pytest.mark.parametrize("cls", _search_classes())
def test_fitted_attributes_are_documented(cls):
    pytest.importorskip("numpydoc")
    pd = pytest.importorskip("pandas")
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(4)])  # gives feature_names_in_
    search = _tiny_search(cls).fit(X, y)
    fitted = {k for k in vars(search) if k.endswith("_") and not k.startswith("_")} | {
        k for k in ("classes_", "n_features_in_") if hasattr(search, k)
    }
    documented = _documented_attributes(cls)
    assert not fitted - documented, f"fitted but not documented: {sorted(fitted - documented)}"
    assert not documented - fitted, f"documented but not fitted: {sorted(documented - fitted)}"
    assert np.isfinite(search.best_score_)
