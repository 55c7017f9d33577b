"""The LLM toolkit, under the original's import paths.

``LLMChat`` (a typed multi-turn conversation), the ``llm`` decorator (a function computed by
an LLM) under the original's module paths (``tinytroupe.utils.llm``, ``tinytroupe.utils.config``,
``tinytroupe.utils.concurrency``), the small helpers of its utils namespace, and, in :mod:`tinytroupe.utils.semantics`, helpers such as ``combine_texts`` and
``compute_semantic_proximity``. All go through the one structured-output seam
(:mod:`tinytroupe.llm`).
"""

from __future__ import annotations

from tinytroupe.config import config_defaults
from tinytroupe.not_provided import module_getattr
from tinytroupe.prompts.rai import add_rai_template_variables_if_enabled
from tinytroupe.utils.concurrency import monitor_threads
from tinytroupe.utils.config import (
    ThreadSafeFileHandler,
    pretty_print_config,
    read_config_file,
    set_loglevel,
    start_logger,
)
from tinytroupe.utils.json import extract_json, remove_duplicates
from tinytroupe.utils.llm import (
    LLMChat,
    LLMScalarWithJustificationAndReasoningResponse,
    LLMScalarWithJustificationResponse,
    first_non_none,
    llm,  # binds the decorator over the submodule attribute, as the original does
)
from tinytroupe.utils.misc import (
    break_text_at_length,
    custom_hash,
    dedent,
    fresh_id,
    merge_dicts,
    name_or_empty,
    pretty_datetime,
    repeat_on_error,
    reset_fresh_id,
    try_function,
)
from tinytroupe.utils.rendering import RichTextStyle, inject_html_css_style_prefix, wrap_text
from tinytroupe.utils.serializable import JsonSerializableRegistry, post_init
from tinytroupe.utils.templates import compose_initial_LLM_messages_with_templates
from tinytroupe.utils.validation import (
    check_valid_fields,
    sanitize_dict,
    sanitize_raw_string,
    to_pydantic_or_sanitized_dict,
)

__all__ = ["LLMChat", "llm", "extract_json", "config_defaults", "first_non_none", "compose_initial_LLM_messages_with_templates",
           "dedent", "fresh_id", "reset_fresh_id", "name_or_empty", "pretty_datetime", "break_text_at_length",
           "merge_dicts", "custom_hash", "repeat_on_error", "add_rai_template_variables_if_enabled",
           "read_config_file", "start_logger", "pretty_print_config", "set_loglevel", "ThreadSafeFileHandler",
           "monitor_threads", "LLMScalarWithJustificationResponse", "LLMScalarWithJustificationAndReasoningResponse",
           "wrap_text", "inject_html_css_style_prefix", "RichTextStyle", "check_valid_fields", "sanitize_raw_string",
           "sanitize_dict", "to_pydantic_or_sanitized_dict", "remove_duplicates", "try_function",
           "JsonSerializableRegistry", "post_init"]

__getattr__ = module_getattr(__name__)  # the original's names left out, with what to use instead
