"""Ready-made example agents, under the builder names users of TinyTroupe know.

``create_lisa_the_data_scientist()`` loads Lisa from her shipped file; the ``_2`` variants
build a shorter version of the same person with ``define`` calls, to show how that is done.
All personas are this project's own writing.
"""

from __future__ import annotations

from typing import Any

from tinytroupe.agent import TinyPerson
from tinytroupe.examples.loaders import example_agent_path

__all__ = [
    "load_example_agent",
    "create_lisa_the_data_scientist",
    "create_lisa_the_data_scientist_2",
    "create_oscar_the_architect",
    "create_oscar_the_architect_2",
    "create_marcos_the_physician",
    "create_marcos_the_physician_2",
    "create_lila_the_linguist",
    "create_lila_the_linguist_2",
]


def load_example_agent(name: str, new_agent_name: str | None = None, auto_rename: bool = False,
                       **kwargs: Any) -> TinyPerson:
    """A new agent from example ``name`` (see :func:`~tinytroupe.examples.list_example_agents`)."""
    return TinyPerson.load_specification(example_agent_path(name), new_agent_name=new_agent_name,
                                         auto_rename=auto_rename, **kwargs)


def create_lisa_the_data_scientist(new_agent_name: str | None = None, auto_rename: bool = False,
                                   **kwargs: Any) -> TinyPerson:
    """Lisa, a data scientist in Porto who builds forecasting models for delivery fleets."""
    return load_example_agent("lisa", new_agent_name, auto_rename, **kwargs)


def create_oscar_the_architect(new_agent_name: str | None = None, auto_rename: bool = False,
                               **kwargs: Any) -> TinyPerson:
    """Oscar, an architect in Gothenburg who designs timber housing."""
    return load_example_agent("oscar", new_agent_name, auto_rename, **kwargs)


def create_marcos_the_physician(new_agent_name: str | None = None, auto_rename: bool = False,
                                **kwargs: Any) -> TinyPerson:
    """Marcos, a family physician in Campinas who cares for many elderly patients."""
    return load_example_agent("marcos", new_agent_name, auto_rename, **kwargs)


def create_lila_the_linguist(new_agent_name: str | None = None, auto_rename: bool = False,
                             **kwargs: Any) -> TinyPerson:
    """Lila, a freelance linguist in Lyon who builds speech datasets and records dialects."""
    return load_example_agent("lila", new_agent_name, auto_rename, **kwargs)


def _person(name: str, **fields: Any) -> TinyPerson:
    """An agent built field by field with ``define``, as the ``_2`` builders show."""
    person = TinyPerson(name)
    for key, value in fields.items():
        person.define(key, value)
    return person


def create_lisa_the_data_scientist_2() -> TinyPerson:
    """Lisa built with ``define`` calls: fewer details than her file."""
    return _person(
        "Lisa", age=29, nationality="Portuguese", residence="Porto, Portugal",
        occupation={"title": "Data Scientist", "organization": "a logistics software company",
                    "description": "Builds forecasting models for delivery fleets and explains their errors to "
                                   "product managers."},
        personality={"traits": ["Curious and methodical.", "Patient with people, impatient with sloppy numbers."]},
        preferences={"interests": ["Time-series forecasting.", "Playing the cello.", "Cooking."]},
        skills=["Python and SQL every day.", "Bayesian modelling."],
        relationships=[{"name": "Teresa", "description": "Her manager, supportive but short of time."}],
    )


def create_oscar_the_architect_2() -> TinyPerson:
    """Oscar built with ``define`` calls: fewer details than his file."""
    return _person(
        "Oscar", age=34, nationality="Swedish", residence="Gothenburg, Sweden",
        occupation={"title": "Architect", "organization": "a mid-sized housing practice",
                    "description": "Designs timber apartment buildings and fights to keep quality when budgets shrink."},
        personality={"traits": ["Fast and witty.", "Detail-minded about materials.", "Calm, until pushed too far."]},
        preferences={"interests": ["Timber construction.", "Sustainable cities.", "Playing the guitar."]},
        skills=["CAD and hand sketching.", "Building regulations."],
        relationships=[{"name": "Lisa", "description": "A data scientist friend from university."}],
    )


def create_marcos_the_physician_2() -> TinyPerson:
    """Marcos built with ``define`` calls: fewer details than his file."""
    return _person(
        "Marcos", age=47, nationality="Brazilian", residence="Campinas, Brazil",
        occupation={"title": "Physician (family medicine)", "organization": "a public health clinic",
                    "description": "Looks after families and many elderly patients; spends his evenings on "
                                   "paperwork he thinks nobody reads."},
        personality={"traits": ["Kind and patient.", "Organised.", "Cheerful, with a dark sense of humour."]},
        preferences={"interests": ["Geriatrics.", "Birdwatching.", "Samba records."]},
        skills=["Diagnosis in primary care.", "Explaining treatments in plain words."],
        relationships=[{"name": "Júlia", "description": "His wife, a primary-school teacher."}],
    )


def create_lila_the_linguist_2() -> TinyPerson:
    """Lila built with ``define`` calls: fewer details than her file."""
    return _person(
        "Lila", age=31, nationality="French", residence="Lyon, France",
        occupation={"title": "Linguist", "organization": "her own one-person consultancy",
                    "description": "Designs and checks speech datasets for a voice-technology start-up and records "
                                   "elderly speakers for a dialect archive."},
        personality={"traits": ["Curious about how people talk.", "Warm with strangers.",
                                "Defensive when a dialect is called 'bad French'."]},
        preferences={"interests": ["Sociolinguistics.", "Crosswords in three languages.", "Old radio archives."]},
        skills=["Phonetic transcription.", "Writing annotation guidelines.", "French, English and Spanish."],
        relationships=[{"name": "Karim", "description": "Her younger brother, a nurse."}],
    )
