"""The original's configuration habits: packaged config.ini, [Logging] targets, config_defaults."""

from __future__ import annotations

import asyncio
import configparser
import logging
import threading

import pytest

from tinytroupe import log_setup
from tinytroupe.config import PACKAGED_INI, SETTINGS, config_manager
from tinytroupe.errors import ConfigError


def test_the_packaged_config_ini_repeats_the_declared_defaults():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(PACKAGED_INI, encoding="utf-8")
    by_key = {(s.section, s.key): s for s in SETTINGS}
    seen = 0
    for section in parser.sections():
        for key, raw in parser.items(section):
            setting = by_key[(section, key)]
            expected = "" if setting.default is None else str(setting.default)
            assert raw == expected, (f"tinytroupe/config.ini says [{section}] {key}={raw} but the default is "
                                     f"{expected}: run `tinytroupe config template > tinytroupe/config.ini`")
            seen += 1
    assert seen >= 40


def test_the_packaged_file_is_read_first_then_the_working_directory_one(tmp_path):
    assert config_manager.source_of("model") == "default (packaged config.ini)"
    (tmp_path / "config.ini").write_text("[OpenAI]\nMODEL=from-cwd\n")
    config_manager.reset()
    assert config_manager.get("model") == "from-cwd"
    assert config_manager.get("temperature") == 1.0


def _own(target):
    return [h for h in logging.getLogger("tinytroupe").handlers if getattr(h, "_tinytroupe_target", None) == target]


@pytest.fixture
def clean_logger():
    logger = logging.getLogger("tinytroupe")
    level = logger.level
    yield logger
    for target in ("console", "file"):
        for handler in _own(target):
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(level)


def test_defaults_leave_logging_to_the_application(clean_logger):
    clean_logger.setLevel(logging.NOTSET)
    config_manager.get("model")
    assert not _own("console") and not _own("file") and clean_logger.level == logging.NOTSET


def test_console_and_file_levels_and_thread_ids_are_honoured(tmp_path, clean_logger, capsys):
    (tmp_path / "config.ini").write_text(
        "[Logging]\nLOGLEVEL=ERROR\nLOGLEVEL_CONSOLE=WARNING\nLOGLEVEL_FILE=DEBUG\nLOG_INCLUDE_THREAD_ID=True\n")
    config_manager.reset()
    config_manager.get("model")
    child = logging.getLogger("tinytroupe.test")
    child.debug("debug line")
    child.warning("warning line")
    threading.Thread(target=lambda: child.info("from a worker"), name="worker-7").start()
    for handler in _own("file"):
        handler.flush()
    path = log_setup.log_file_path()
    assert path is not None and path.parent == tmp_path and path.name.startswith("tinytroupe.")
    text = path.read_text(encoding="utf-8")
    assert "debug line" in text and "warning line" in text and "worker-7" in text
    err = capsys.readouterr().err
    assert "warning line" in err and "debug line" not in err and "MainThread" in err


def test_none_switches_a_target_off_and_update_reapplies(clean_logger):
    config_manager.update("loglevel_console", "INFO")
    assert _own("console")[0].level == logging.INFO
    config_manager.update("loglevel_console", "NONE")
    assert not _own("console")
    with pytest.raises(ConfigError, match="LOGLEVEL_FILE"):
        config_manager.update("loglevel_file", "LOUD")


def test_config_defaults_fills_none_from_the_current_setting():
    from tinytroupe.utils import config_defaults

    @config_defaults(limit="max_content_display_length")
    def clip(text, limit=None):
        return text[:limit]

    @config_manager.config_defaults(temperature="temperature")
    async def sample(temperature=None):
        return temperature

    config_manager.update("max_content_display_length", 3)
    assert clip("abcdef") == "abc" and clip("abcdef", limit=5) == "abcde"
    assert asyncio.run(sample()) == 1.0 and asyncio.run(sample(0.2)) == 0.2
    with pytest.raises(ConfigError, match="not a setting"):
        config_defaults(x="no_such_setting")(lambda x=None: x)
    with pytest.raises(ConfigError, match="no parameter"):
        config_defaults(y="model")(lambda x=None: x)


def test_the_originals_action_generator_names_reach_the_same_settings():
    config_manager.update("action_generator_enable_quality_checks", True)
    config_manager.update_multiple({"action_generator_quality_threshold": 7})
    assert config_manager.get("enable_quality_checks") is True
    assert config_manager["action_generator_quality_threshold"] == 7 == config_manager.quality_threshold
    assert config_manager.source_of("action_generator_quality_threshold") == "update()"
    with pytest.raises(ConfigError, match="unknown setting"):
        config_manager.update("action_generator_no_such_thing", 1)


def test_the_rai_settings_put_their_text_in_the_agents_system_prompt(scripted):
    from tinytroupe.agent import TinyPerson
    from tinytroupe.testing.agent_replies import act_reply

    scripted.responder = lambda request: act_reply(("THINK", "Fine."))
    ann = TinyPerson("Ann")
    ann.listen_and_act("Sing me a whole famous song.")
    system = scripted.requests[-1].messages[0].content
    assert "# Boundaries" in system and "copyrighted" in system and "hateful" in system
    config_manager.update("rai_copyright_infringement_prevention", False)
    ann.listen_and_act("Again.")
    system = scripted.requests[-1].messages[0].content
    assert "copyrighted" not in system and "hateful" in system
    config_manager.update("rai_harmful_content_prevention", False)
    ann.listen_and_act("Once more.")
    assert "# Boundaries" not in scripted.requests[-1].messages[0].content
