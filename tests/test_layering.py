"""The numerical core must not import scikit-learn: it serves any function, not only estimators."""

import subprocess
import sys

import pytest

CORE = ["hptune.space", "hptune.surrogate", "hptune.acquisition", "hptune.strategies"]


@pytest.mark.parametrize("module", CORE)
def test_core_layer_does_not_import_sklearn(module):
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn')\n"
        "assert not loaded, loaded[:5]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_public_names_resolve():
    import hptune

    for name in hptune.__all__:
        assert getattr(hptune, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        hptune.Nope  # noqa: B018 (the attribute access is what is tested)
