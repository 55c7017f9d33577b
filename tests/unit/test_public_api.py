"""The public names are pinned: removing or renaming one is a deliberate, visible change."""

from __future__ import annotations

import subprocess
import sys

import tinytroupe

EXPECTED = {
    "__version__", "config_manager", "TinyTroupeError", "TinyPerson", "TinyWorld",
    "TinySocialNetwork", "Intervention", "TinyPersonFactory", "ScriptedModel", "default_model",
    "set_default_model", "usage_stats",
}


def test_public_names_are_pinned():
    assert set(tinytroupe.__all__) == EXPECTED
    for name in tinytroupe.__all__:
        assert getattr(tinytroupe, name) is not None


def test_original_module_paths_work():
    from tinytroupe import control, openai_utils
    from tinytroupe.agent import TinyPerson
    from tinytroupe.environment import TinySocialNetwork, TinyWorld
    from tinytroupe.factory import TinyPersonFactory

    assert callable(control.begin) and callable(openai_utils.force_api_cache)
    assert tinytroupe.TinyPerson is TinyPerson and tinytroupe.TinyWorld is TinyWorld
    assert TinySocialNetwork and TinyPersonFactory


def test_import_is_silent_and_cheap(tmp_path):
    code = (
        "import os, sys, tinytroupe; "
        "assert 'openai' not in sys.modules, 'importing tinytroupe must not import providers'; "
        "print(sorted(os.listdir('.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""
