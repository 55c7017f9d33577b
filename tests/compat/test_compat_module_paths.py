"""The original's module paths and utils helpers import and behave as its users expect."""

from __future__ import annotations

import importlib
import logging
import sys
import threading

import pytest


@pytest.mark.parametrize("path, names", [
    ("tinytroupe.utils.llm", ["LLMChat", "llm", "LLMScalarWithJustificationResponse",
                              "LLMScalarWithJustificationAndReasoningResponse"]),
    ("tinytroupe.utils.config", ["read_config_file", "pretty_print_config", "start_logger", "set_loglevel",
                                 "ThreadSafeFileHandler"]),
    ("tinytroupe.utils.concurrency", ["monitor_threads"]),
    ("tinytroupe.clients.openai_client", ["OpenAIClient"]),
    ("tinytroupe.agent.memory", ["MemoryProcessor"]),
    ("tinytroupe.utils", ["wrap_text", "dedent", "break_text_at_length", "pretty_datetime", "sanitize_raw_string",
                          "sanitize_dict", "extract_json", "repeat_on_error", "name_or_empty", "fresh_id",
                          "check_valid_fields", "inject_html_css_style_prefix", "RichTextStyle", "custom_hash"]),
])
def test_the_module_path_imports_with_its_names(path, names):
    module = importlib.import_module(path)
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing


def test_utils_llm_is_the_decorator_and_the_module_both():
    from tinytroupe import utils
    from tinytroupe.utils import config
    from tinytroupe.utils.llm import llm

    assert utils.llm is llm and callable(llm)  # the name is the decorator, as in the original
    assert sys.modules["tinytroupe.utils.llm"].LLMChat is utils.LLMChat
    assert config.ThreadSafeFileHandler is utils.ThreadSafeFileHandler


def test_the_scalar_reply_shapes_validate():
    from tinytroupe.utils.llm import (
        LLMScalarWithJustificationAndReasoningResponse,
        LLMScalarWithJustificationResponse,
    )

    plain = LLMScalarWithJustificationResponse(justification="because", value=3, confidence=0.8)
    assert plain.value == 3
    fields = list(LLMScalarWithJustificationAndReasoningResponse.model_fields)
    assert fields[0] == "reasoning" and set(fields) == {"reasoning", "justification", "value", "confidence"}
    with pytest.raises(ValueError):
        LLMScalarWithJustificationResponse(justification="x", value=1)  # confidence is required


def test_extract_json_returns_an_empty_dict_when_there_is_none():
    from tinytroupe.utils import extract_json

    assert extract_json("Some text with no JSON") == {}
    assert extract_json("") == {} and extract_json(None) == {}
    assert extract_json('before {"key": "value"} after') == {"key": "value"}
    assert extract_json("```json\n[1, 2]\n```") == [1, 2]


def test_text_helpers():
    from tinytroupe import utils

    assert utils.wrap_text("word " * 30, width=20).count("\n") >= 5
    assert utils.inject_html_css_style_prefix('<p style="color: red">', "margin: 0") == \
        '<p style="margin: 0;color: red">'
    assert utils.RichTextStyle.get_style_for("action", "TALK") == utils.RichTextStyle.ACTION_TALK_STYLE
    assert utils.RichTextStyle.get_style_for("stimuli", "whatever") == utils.RichTextStyle.STIMULUS_DEFAULT_STYLE
    assert utils.sanitize_raw_string("cafe\u0301") == "caf\u00e9"
    assert utils.sanitize_dict({"a": "cafe\u0301", "b": 1}) == {"a": "caf\u00e9", "b": 1}
    utils.check_valid_fields({"a": 1}, ["a", "b"])
    with pytest.raises(ValueError, match="'c'"):
        utils.check_valid_fields({"c": 1}, ["a", "b"])
    assert utils.remove_duplicates([{"a": 1}, {"a": 1}, 2, 2]) == [{"a": 1}, 2]


def test_pretty_print_config_prints_the_sections(capsys):
    from tinytroupe.utils import config

    config.pretty_print_config()
    out = capsys.readouterr().out
    assert "[OpenAI]" in out and "=" in out


def test_set_loglevel_and_the_thread_safe_handler(tmp_path):
    from tinytroupe.utils.config import ThreadSafeFileHandler, set_loglevel

    logger = logging.getLogger("tinytroupe")
    before = logger.level
    handler = ThreadSafeFileHandler(str(tmp_path / "run.log"))
    logger.addHandler(handler)
    try:
        set_loglevel("warning")
        assert logger.level == logging.WARNING and handler.level == logging.WARNING
        threads = [threading.Thread(target=lambda i=i: [logger.warning("line %d-%d", i, k) for k in range(50)])
                   for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        handler.flush()
        lines = (tmp_path / "run.log").read_text().splitlines()
        assert len(lines) == 200 and all(line.startswith("line ") for line in lines)
        with pytest.raises(ValueError, match="unknown log level"):
            set_loglevel("loud")
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(before)


def test_monitor_threads_reports_until_stopped(caplog):
    from tinytroupe.utils.concurrency import monitor_threads

    stop = threading.Event()
    caplog.set_level(logging.WARNING, logger="tinytroupe.utils.concurrency")
    watcher = threading.Thread(target=monitor_threads, args=(0.05, stop), daemon=True)
    watcher.start()
    threading.Event().wait(0.2)
    stop.set()
    watcher.join(timeout=2)
    assert not watcher.is_alive()
    assert any("threads alive" in r.getMessage() for r in caplog.records)


def test_memory_processor_is_abstract():
    from tinytroupe.agent.memory import MemoryProcessor

    with pytest.raises(NotImplementedError):
        MemoryProcessor().process([{"content": "x"}])


def test_the_chat_widget_imports_and_names_its_install_when_built(monkeypatch):
    from tinytroupe.errors import MissingExtraError
    from tinytroupe.ui import AgentChatJupyterWidget

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as if it were not installed

    class Agent:
        name = "Ana"

    with pytest.raises(MissingExtraError, match=r"pip install \"tinytroupe\[jupyter\]\""):
        AgentChatJupyterWidget([Agent()])


def test_try_function_retries_until_the_condition_holds():
    from tinytroupe.utils import try_function

    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 2:
            raise RuntimeError("not yet")
        return len(calls)

    assert try_function(flaky, postcond_func=lambda r: r >= 3, retries=5) == 3
    with pytest.raises(ValueError, match="postcondition"):
        try_function(lambda: 0, postcond_func=lambda r: r > 0, retries=2)
    with pytest.raises(KeyError):
        try_function(lambda: {}["x"], retries=2, exceptions=[KeyError])
