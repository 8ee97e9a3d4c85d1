"""The tests that the reliability page names as its evidence exist.

Each guarantee of ``doc/user_guide/reliability.rst`` names the test that
checks it; a renamed or deleted test would leave a promise without evidence.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "doc" / "user_guide" / "reliability.rst"


def _references():
    """(file, test or None) pairs, ``::name`` continuing the last file named."""
    text = PAGE.read_text()
    section = text.split("What is guaranteed", 1)[1].split("\n.. _checkpoints:", 1)[0]
    current, refs = None, []
    for file, name in re.findall(r"``(?:([\w/]+\.py))?(?:::(\w+))?``", section):
        if file:
            current = file
        if current and (file or name):
            refs.append((current, name or None))
    return refs


def test_every_guarantee_names_existing_tests():
    refs = _references()
    assert len(refs) >= 10
    for file, name in refs:
        path = ROOT / "tests" / file
        assert path.exists(), f"{file} is named on the reliability page but does not exist"
        if name is not None:
            assert f"def {name}(" in path.read_text(), f"{file}::{name} does not exist"
