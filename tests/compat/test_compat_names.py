"""The original's documented public names import, or are listed with the reason they do not."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from original_api import NOT_PROVIDED, ORIGINAL_API, check  # noqa: E402


def test_every_name_imports_or_has_a_recorded_reason():
    importable, missing = check()
    unexplained = [name for name in missing if name not in NOT_PROVIDED]
    assert not unexplained, ("these names of TinyTroupe's API do not import and have no reason recorded in "
                             f"tests/compat/original_api.py NOT_PROVIDED: {unexplained}")
    assert len(importable) >= 100
    assert sum(len(v) for v in ORIGINAL_API.values()) == len(importable) + len(missing)


def test_the_small_helpers_behave_like_the_originals():
    from datetime import datetime

    import pytest

    from tinytroupe import utils
    from tinytroupe.errors import SpecificationError

    assert utils.dedent("\n    a\n      b\n") == "a\n  b"
    utils.reset_fresh_id()
    assert [utils.fresh_id(), utils.fresh_id(), utils.fresh_id("other")] == [1, 2, 1]
    assert utils.name_or_empty(None) == "" and utils.pretty_datetime(datetime(2024, 1, 2, 3, 4)) == "2024-01-02 03:04"
    assert utils.break_text_at_length("abcdef", 3) == "abc (...)" and utils.break_text_at_length("ab", 3) == "ab"
    merged = utils.merge_dicts({"a": [1], "b": {"c": 1}}, {"a": [1, 2], "b": {"d": 2}})
    assert merged == {"a": [1, 2], "b": {"c": 1, "d": 2}}
    assert utils.merge_dicts({"x": 1}, {"x": 2}, overwrite=True) == {"x": 2}
    assert utils.merge_dicts({"x": 1}, {"x": 2}, error_on_conflict=False) == {"x": 1}
    with pytest.raises(SpecificationError, match="overwrite=True"):
        utils.merge_dicts({"x": 1}, {"x": 2})
    assert utils.custom_hash({"a": 1}) == utils.custom_hash({"a": 1}) != utils.custom_hash({"a": 2})

    calls = []

    @utils.repeat_on_error(retries=3, exceptions=[KeyError])
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise KeyError("x")
        return "done"

    assert flaky() == "done" and len(calls) == 3


def test_rai_template_variables_follow_the_settings():
    from tinytroupe.config import config_manager
    from tinytroupe.utils import add_rai_template_variables_if_enabled

    on = add_rai_template_variables_if_enabled({})
    assert "copyrighted" in on["rai_copyright_infringement_prevention"]
    assert "harmful" not in on["rai_harmful_content_prevention"] or on["rai_harmful_content_prevention"]
    config_manager.update("rai_harmful_content_prevention", False)
    off = add_rai_template_variables_if_enabled({"other": 1})
    assert off["rai_harmful_content_prevention"] is None and off["other"] == 1


def test_names_left_out_on_purpose_fail_with_the_replacement_in_the_message():
    import importlib

    import pytest

    from tinytroupe.not_provided import NOT_PROVIDED

    for module_name, names in NOT_PROVIDED.items():
        module = importlib.import_module(module_name)
        for name, advice in names.items():
            with pytest.raises(ImportError, match="is not part of tinytroupe") as caught:
                exec(f"from {module_name} import {name}", {})
            assert advice.split(";")[0][:30] in str(caught.value)
        assert not hasattr(module, "surely_no_such_name")


def test_read_config_file_and_start_logger(tmp_path):
    from tinytroupe import utils

    (tmp_path / "config.ini").write_text("[OpenAI]\nMODEL=from-file\n")
    parser = utils.read_config_file(use_cache=False)  # the cached parser may predate this folder
    assert parser["OpenAI"]["MODEL"] == "from-file" and parser["OpenAI"]["TEMPERATURE"] == "1.0"
    utils.start_logger()


def test_subpackages_are_reachable_as_attributes_of_the_package():
    import tinytroupe

    for name in ("control", "utils", "extraction", "validation", "experimentation", "enrichment", "tools",
                 "steering", "profiling", "clients", "examples", "factory", "environment", "agent"):
        assert getattr(tinytroupe, name).__name__ == f"tinytroupe.{name}"
