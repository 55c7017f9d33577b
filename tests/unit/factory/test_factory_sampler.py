"""Seeded sampling: independent draws, quota blocks, concrete numbers inside bands."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from factory_support import population_file

from tinytroupe.factory.demography import read_demography
from tinytroupe.factory.fit import chi_square_gof
from tinytroupe.factory.population import Dimension
from tinytroupe.factory.sampler import CharacteristicSampler, category_of, quota_counts

AGE = Dimension("age", ("18-29", "30-49", "50+"), (0.2, 0.5, 0.3))
GENDER = Dimension("gender", ("Female", "Male"), (0.5, 0.5))


@pytest.mark.parametrize(("weights", "n", "expected"), [
    ((0.2, 0.5, 0.3), 10, [2, 5, 3]),
    ((1, 1, 1), 10, [4, 3, 3]),
    ((0.186, 0.131, 0.394, 0.129, 0.16), 7, [1, 1, 3, 1, 1]),
    ((0.5, 0.5), 0, [0, 0]),
])
def test_quota_counts_add_up_by_largest_remainder(weights, n, expected):
    counts = quota_counts(weights, n)
    assert counts == expected and sum(counts) == n


def test_draws_are_reproducible_and_ages_fall_inside_their_band():
    a = CharacteristicSampler([AGE, GENDER], random.Random(7)).draw_many(200)
    b = CharacteristicSampler([AGE, GENDER], random.Random(7)).draw_many(200)
    assert a == b
    assert a != CharacteristicSampler([AGE, GENDER], random.Random(8)).draw_many(200)
    for entry in a:
        low, high = AGE.ranges[AGE.values.index(entry["age_range"])]
        assert isinstance(entry["age"], int) and low <= entry["age"] <= high
        assert entry["gender"] in GENDER.values
        assert category_of(entry, AGE) == entry["age_range"]


def test_quota_block_has_exact_counts_in_a_shuffled_order():
    entries = CharacteristicSampler([AGE, GENDER], random.Random(1)).quota(50)
    assert Counter(e["age_range"] for e in entries) == {"18-29": 10, "30-49": 25, "50+": 15}
    assert Counter(e["gender"] for e in entries) == {"Female": 25, "Male": 25}
    assert [e["age_range"] for e in entries] != sorted(e["age_range"] for e in entries)


def test_500_independent_usa_draws_fit_the_plan():
    demo = read_demography(population_file("usa.json")).select(["age", "gender"])
    age, gender = demo.dimensions
    entries = CharacteristicSampler(demo.dimensions, random.Random(2024)).draw_many(500)
    assert chi_square_gof([e["age_range"] for e in entries], age.probabilities()).p_value > 0.01
    assert chi_square_gof([e["gender"] for e in entries], gender.probabilities()).p_value > 0.01
