"""The LLM toolkit, under the original's import paths.

``LLMChat`` (a typed multi-turn conversation), the ``llm`` decorator (a function computed by
an LLM) and, in :mod:`tinytroupe.utils.semantics`, helpers such as ``combine_texts`` and
``compute_semantic_proximity``. All go through the one structured-output seam
(:mod:`tinytroupe.llm`).
"""

from __future__ import annotations

from tinytroupe.config_defaults import config_defaults
from tinytroupe.llm.json_extract import extract_json
from tinytroupe.not_provided import module_getattr
from tinytroupe.prompts.rai import add_rai_template_variables_if_enabled
from tinytroupe.utils.llm_chat import LLMChat, first_non_none
from tinytroupe.utils.llm_function import llm
from tinytroupe.utils.misc import (
    break_text_at_length,
    custom_hash,
    dedent,
    fresh_id,
    merge_dicts,
    name_or_empty,
    pretty_datetime,
    read_config_file,
    repeat_on_error,
    reset_fresh_id,
    start_logger,
)
from tinytroupe.utils.templates import compose_initial_LLM_messages_with_templates

__all__ = ["LLMChat", "llm", "extract_json", "config_defaults", "first_non_none", "compose_initial_LLM_messages_with_templates",
           "dedent", "fresh_id", "reset_fresh_id", "name_or_empty", "pretty_datetime", "break_text_at_length",
           "merge_dicts", "custom_hash", "repeat_on_error", "add_rai_template_variables_if_enabled",
           "read_config_file", "start_logger"]

__getattr__ = module_getattr(__name__)  # the original's names left out, with what to use instead
