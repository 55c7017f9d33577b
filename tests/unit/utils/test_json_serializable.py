"""The original's JSON mixin for user classes (JsonSerializableRegistry, @post_init), used as its
users wrote it: subclass, name the attributes, round-trip through dicts and files."""

from __future__ import annotations

import json

import pytest

from tinytroupe.errors import SpecificationError
from tinytroupe.utils import JsonSerializableRegistry, post_init
from tinytroupe.utils.json import JsonSerializableRegistry as FromJsonModule


class Shelf(JsonSerializableRegistry):
    serializable_attributes = ["label", "books"]

    def __init__(self, label, books=()):
        self.label, self.books, self.cache = label, list(books), {"not": "saved"}


class Book(JsonSerializableRegistry):
    serializable_attributes = ["title"]
    serializable_attributes_renaming = {"title": "book_title"}

    def __init__(self, title):
        self.title = title


class RareBook(Book):
    serializable_attributes = ["year"]
    suppress_attributes_from_serialization = ["secret"]
    custom_serialization_initializers = {"year": int}

    def __init__(self, title, year):
        super().__init__(title)
        self.year, self.secret, self.ready = year, "x", False

    def _post_init(self, **kwargs):
        self.ready = kwargs.get("ready", True)


def test_round_trip_with_nesting_renaming_and_subclass_attributes(tmp_path):
    assert FromJsonModule is JsonSerializableRegistry
    shelf = Shelf("old", [Book("Emma"), RareBook("Ulysses", 1922)])
    data = shelf.to_json()
    assert data["json_serializable_class_name"] == "Shelf" and "cache" not in data
    assert data["books"][0] == {"json_serializable_class_name": "Book", "book_title": "Emma"}
    rare = data["books"][1]
    assert rare["year"] == 1922 and rare["book_title"] == "Ulysses" and "secret" not in rare
    json.dumps(data)  # plain JSON

    back = JsonSerializableRegistry.from_json(data)
    assert isinstance(back, Shelf) and back.label == "old" and not hasattr(back, "cache")
    assert isinstance(back.books[1], RareBook) and back.books[1].title == "Ulysses"
    assert back.books[1].ready is True  # _post_init ran after loading

    path = tmp_path / "sub" / "shelf.json"
    shelf.to_json(file_path=str(path))
    again = Shelf.from_json(str(path))
    assert [b.title for b in again.books] == ["Emma", "Ulysses"]


def test_include_suppress_and_post_init_params():
    rare = RareBook("Dune", "1965")
    assert rare.to_json(include=["year"]) == {"json_serializable_class_name": "RareBook", "year": "1965"}
    assert "year" not in rare.to_json(suppress=["year"])
    loaded = RareBook.from_json(rare.to_json(), post_init_params={"ready": "later"})
    assert loaded.year == 1965 and loaded.ready == "later"  # custom initializer, then the hook


def test_a_class_without_attribute_list_saves_its_whole_dict():
    class Note(JsonSerializableRegistry):
        def __init__(self):
            self.text, self.tags = "hi", ["a"]

    data = Note().to_json()
    assert data == {"json_serializable_class_name": "Note", "text": "hi", "tags": ["a"]}
    assert Note.from_json(data).tags == ["a"]


def test_post_init_decorator_calls_the_hook_after_init():
    @post_init
    class Counter:
        def __init__(self, start):
            self.value = start

        def _post_init(self):
            self.value += 1

    assert Counter(4).value == 5


def test_bad_input_names_the_fix(tmp_path):
    with pytest.raises(SpecificationError, match="no file at"):
        Shelf.from_json(str(tmp_path / "missing.json"))
    with pytest.raises(SpecificationError, match="expected a dict"):
        Shelf.from_json(["not", "a", "dict"])
