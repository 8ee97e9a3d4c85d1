"""Sphinx configuration of hptune's documentation.

Build (warnings are errors), from the repository root::

    python -m sphinx -W --keep-going -b html doc doc/_build/html

Environment variables:

``HPTUNE_DOCS_GALLERY``
    ``all`` (default) runs every gallery example; ``none`` renders the
    gallery without running it (the quickest build, for prose changes); any
    other value is a regular expression, and only the examples whose path
    matches it run (for example ``plot_pbt``).
``HPTUNE_DOCS_INTERSPHINX``
    ``1`` links to the Python, NumPy, SciPy, scikit-learn and matplotlib
    documentation through intersphinx, which downloads their inventories.
    Off by default so that the build works offline; a ``<name>-objects.inv``
    file in ``doc/_inventories/`` is used instead of downloading. Without
    intersphinx, scikit-learn's glossary terms (``:term:`n_jobs```) resolve
    to the short local :doc:`glossary`.
"""

import os
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOC = Path(__file__).resolve().parent
ROOT = DOC.parent
# Build from a clone without installing: the package next to doc/ wins.
sys.path.insert(0, str(ROOT))

import hptune  # noqa: E402

# -- project ----------------------------------------------------------------------
project = "hptune"
author = "the hptune developers"
copyright = "the hptune developers, BSD-3-Clause licence"
release = hptune.__version__
version = re.sub(r"(\.dev\d*|rc\d*)$", "", release)

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

html_static_path = ["_static"]
# gen_modules/include holds fragments that pages include, not pages.
exclude_patterns = ["_build", "gen_modules/include", "**/README.txt", "_inventories"]
root_doc = "index"
default_role = "literal"
nitpicky = False

# -- theme --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"hptune {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_sidebars = {"index": [], "install": []}
html_show_sourcelink = True

# -- API reference: generated from the packages' __all__ -------------------------
# Each entry: (module, section title, one-line introduction).
API_SECTIONS = [
    ("hptune", "Searches, optimisers and minimize", "The top-level public names."),
    ("hptune.space", "Search spaces", "Dimensions, spaces and conversions (:ref:`search_spaces`)."),
    (
        "hptune.plot",
        "Plotting",
        "Displays and plot functions (:ref:`plotting`); need the ``plots`` extra.",
    ),
    ("hptune.callbacks", "Callbacks", "Stopping rules and progress reporting (:ref:`budgets`)."),
    ("hptune.checkpoint", "Checkpoints", "Saving and resuming searches (:ref:`budgets`)."),
    (
        "hptune.selection",
        "Choosing the winner",
        "Refit rules, Pareto fronts and significance tests on ``cv_results_`` (:ref:`selection`).",
    ),
    ("hptune.exceptions", "Warnings", "hptune's warning classes, to filter one kind precisely."),
    (
        "hptune.compat",
        "Other libraries' signatures",
        "Drop-in replacements for migrating code with only the import changed (:ref:`migration`).",
    ),
]

INCLUDE = DOC / "gen_modules" / "include"


def _public_names(module_name):
    """Public names of a module, classes first; None if the module does not exist."""
    import importlib
    import inspect

    try:
        module = importlib.import_module(module_name)
    except ImportError:  # optional modules (callbacks, checkpoint) not written yet
        return None
    # Sub-packages listed in __all__ (hptune.plot) have sections of their own.
    names = [n for n in module.__all__ if not inspect.ismodule(getattr(module, n))]
    return sorted(names, key=lambda n: (not n[0].isupper(), n.lower()))


STUBS = DOC / "gen_modules" / "api"

_STUB = """{title}
{rule}

.. currentmodule:: {module}

.. auto{kind}:: {name}
{options}"""


def _write_stub(module, name):
    """Write the page of one public object; returns its path."""
    import inspect

    obj = getattr(sys.modules[module], name)
    if inspect.isclass(obj):
        kind, options = "class", "   :members:\n"
    elif callable(obj):
        kind, options = "function", ""
    else:
        kind, options = "data", "   :no-value:\n"
    text = _STUB.format(
        title=name, rule="=" * len(name), module=module, kind=kind, name=name, options=options
    )
    path = STUBS / f"{module}.{name}.rst"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _home(obj, modules):
    """The public module that documents ``obj``: the most specific one defining it."""
    owner = getattr(obj, "__module__", "") or ""
    homes = [m for m in modules if owner == m or owner.startswith(m + ".")]
    return max(homes, key=len) if homes else None


def _write_api_lists():
    """One autosummary list per public module (api.rst includes them), and a page per object.

    The pages are written here rather than by autosummary_generate, so that
    the lists can live in an included fragment.
    """
    INCLUDE.mkdir(parents=True, exist_ok=True)
    STUBS.mkdir(parents=True, exist_ok=True)
    blocks, pages = [], set()
    sections = [(m, t, i, _public_names(m)) for m, t, i in API_SECTIONS]
    sections = [(m, t, i, names) for m, t, i, names in sections if names]
    modules = [m for m, *_ in sections]
    for module, title, intro, names in sections:
        # A name re-exported from a more specific public module (hptune.Real
        # is hptune.space.Real) is documented there once, and linked here.
        aliases = [
            n
            for n in names
            if _home(getattr(sys.modules[module], n), modules) not in (None, module)
        ]
        names = [n for n in names if n not in aliases]
        pages.update(_write_stub(module, name) for name in names)
        lines = [title, "-" * len(title), "", intro, ""]
        if aliases:
            links = ", ".join(
                f":obj:`{module}.{n} <{_home(getattr(sys.modules[module], n), modules)}.{n}>`"
                for n in aliases
            )
            lines += [f"Also importable from ``{module}``: {links}.", ""]
        lines += [
            f".. currentmodule:: {module}",
            "",
            ".. autosummary::",
            "   :toctree: gen_modules/api",
            "   :nosignatures:",
            "",
            *(f"   {name}" for name in names),
            "",
        ]
        blocks.append("\n".join(lines))
    (INCLUDE / "api_lists.rst").write_text("\n".join(blocks), encoding="utf-8")
    for stale in set(STUBS.glob("*.rst")) - pages:  # objects no longer public
        stale.unlink()


# The benchmark reports shown on the benchmarks page, newest question first:
# sample efficiency at 30 evaluations on the 13-task suite, EvolutionSearchCV
# at 100, then the broad run with every peer library.
BENCHMARK_REPORTS = ("suite30", "evolution100", ".")


def _write_benchmark_report():
    """Include the benchmark reports that exist (reST first, else Markdown as text)."""
    INCLUDE.mkdir(parents=True, exist_ok=True)
    blocks = []
    for folder in BENCHMARK_REPORTS:
        results = (ROOT / "benchmarks" / "results" / folder).resolve()
        rst, md = results / "report.rst", results / "report.md"
        # Sphinx reads an absolute include path as relative to doc/, so the paths
        # are written relative to doc/ (where the including page lives).
        if rst.exists():
            blocks.append(f".. include:: {Path(os.path.relpath(rst, DOC)).as_posix()}\n")
        elif md.exists():
            blocks.append(
                "The report is written in Markdown by ``benchmarks/``; it is shown as text.\n\n"
                f".. literalinclude:: {Path(os.path.relpath(md, DOC)).as_posix()}\n   :language: markdown\n"
            )
    if not blocks:
        blocks.append(
            ".. note::\n\n   No benchmark report has been generated yet. Run the scripts in "
            "``benchmarks/`` (see its README) to write ``benchmarks/results/report.md``.\n"
        )
    (INCLUDE / "benchmark_report.rst").write_text("\n".join(blocks), encoding="utf-8")


def _write_optional_toctree():
    """The user-guide pages written separately, listed only once they exist."""
    INCLUDE.mkdir(parents=True, exist_ok=True)
    optional = ("distributed", "reliability")
    pages = [p for p in optional if (DOC / "user_guide" / f"{p}.rst").exists()]
    body = "".join(f"   {p}\n" for p in pages)
    text = f".. toctree::\n   :maxdepth: 2\n\n{body}" if pages else ""
    (INCLUDE / "user_guide_optional.rst").write_text(text, encoding="utf-8")


_write_api_lists()
_write_benchmark_report()
_write_optional_toctree()

autosummary_generate = False  # the pages are written by _write_api_lists
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
add_module_names = False

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# A bare name ending in "_" (``n_features_in_`` in "ndarray of shape
# (n_features_in_,)") is a link reference in reST. Docstrings write such names
# bare in type lines and prose, as plain Python text; they are wrapped in
# literal markup before numpydoc sees them. Parameter names (before " : "),
# text already in backquotes and the Examples section are left alone.
_BARE_UNDERSCORED = re.compile(r"(?<![`\w*])([A-Za-z]\w*_)(?![`\w])")
_QUOTED = re.compile(r"(``.*?``|`[^`]*`)")
_HEADER = re.compile(r"^(\S[^:]*? : )(.*)$")


def _escape_text(text):
    parts = _QUOTED.split(text)
    return "".join(p if i % 2 else _BARE_UNDERSCORED.sub(r"``\1``", p) for i, p in enumerate(parts))


def _escape_underscored(app, what, name, obj, options, lines):
    for k, line in enumerate(lines):
        if line.strip() in ("Examples", "References"):
            break
        header = _HEADER.match(line)
        if header:
            lines[k] = header.group(1) + _escape_text(header.group(2))
        elif line.startswith(" ") or (line and not line.strip().endswith("-" * 3)):
            lines[k] = _escape_text(line)


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods for metadata routing; their
    # docstrings refer to scikit-learn's own user guide.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    # Before numpydoc (priority 500) parses the sections.
    app.connect("autodoc-process-docstring", _escape_underscored, priority=100)


# -- intersphinx (opt-in: it downloads inventories) --------------------------------
INVENTORIES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "scipy": "https://docs.scipy.org/doc/scipy",
    "sklearn": "https://scikit-learn.org/stable",
    "matplotlib": "https://matplotlib.org/stable",
    "joblib": "https://joblib.readthedocs.io/en/stable",
}
if os.environ.get("HPTUNE_DOCS_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    local = DOC / "_inventories"
    intersphinx_mapping = {
        name: (
            url,
            str(local / f"{name}-objects.inv")
            if (local / f"{name}-objects.inv").exists()
            else None,
        )
        for name, url in INVENTORIES.items()
    }
    # scikit-learn's glossary takes over the :term: references.
    exclude_patterns.append("glossary.rst")

# -- gallery ------------------------------------------------------------------
_gallery = os.environ.get("HPTUNE_DOCS_GALLERY", "all")
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_" if _gallery in ("all", "none") else _gallery,
    "plot_gallery": "False" if _gallery == "none" else "True",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "backreferences_dir": None,
    "show_memory": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
}
