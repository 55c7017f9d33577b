"""Generating populations of personas: TinyPersonFactory and the sampling plan it draws from."""

from tinytroupe.factory.demography import Demography, read_demography
from tinytroupe.factory.fit import FitResult, chi_square_gof
from tinytroupe.factory.naming import NameBook
from tinytroupe.factory.persona_schema import GeneratedPersona, persona_schema
from tinytroupe.factory.population import Dimension, dimensions_from_mapping
from tinytroupe.factory.sampler import CharacteristicSampler, quota_counts
from tinytroupe.factory.tiny_person_factory import TinyPersonFactory

__all__ = [
    "TinyPersonFactory",
    "Dimension",
    "dimensions_from_mapping",
    "Demography",
    "read_demography",
    "CharacteristicSampler",
    "quota_counts",
    "GeneratedPersona",
    "persona_schema",
    "NameBook",
    "FitResult",
    "chi_square_gof",
]
