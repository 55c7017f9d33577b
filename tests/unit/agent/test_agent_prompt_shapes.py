"""What a turn's prompt reuses between turns (the language, the system prompt's rules) follows
the persona and the settings when they change."""

from __future__ import annotations

from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager


def test_the_language_follows_a_persona_changed_between_turns():
    person = TinyPerson("Ana")
    person.define("nationality", "American")
    assert person.turn_prompt().language == "English"
    person.define("nationality", "Brazilian")
    assert person.turn_prompt().language == "Portuguese"
    assert "Portuguese" in person.turn_prompt().system()


def test_the_boundaries_follow_the_settings():
    person = TinyPerson("Ben")
    with_rai = person.turn_prompt().system()
    config_manager.update("rai_harmful_content_prevention", False)
    config_manager.update("rai_copyright_infringement_prevention", False)
    without = person.turn_prompt().system()
    assert "# Boundaries" in with_rai and "# Boundaries" not in without
