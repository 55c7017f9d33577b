"""Name bookkeeping: taken names, near duplicates, deterministic disambiguation."""

from __future__ import annotations

from tinytroupe.agent import TinyPerson
from tinytroupe.factory.naming import NameBook, signature_of


def _persona(name, age=30, title="Nurse", residence="Lisbon"):
    return {"name": name, "age": age, "occupation": {"title": title}, "residence": residence}


def test_names_compare_without_case_or_spacing():
    book = NameBook()
    book.add(_persona("Ana Ribeiro"))
    assert book.is_taken("ana  ribeiro") and not book.is_taken("Ana Silva")
    assert len(book) == 1


def test_live_agents_of_the_process_count_as_taken():
    book = NameBook()
    TinyPerson("Marta Gomes")
    assert book.is_taken("Marta Gomes")


def test_near_duplicates_share_age_title_and_residence():
    book = NameBook()
    book.add(_persona("Ana Ribeiro"))
    assert book.is_near_duplicate(_persona("Rui Costa", title="nurse ", residence="LISBON"))
    assert not book.is_near_duplicate(_persona("Rui Costa", age=31))
    assert signature_of({"name": "x", "age": 3}) is None


def test_disambiguation_is_deterministic_and_free():
    book = NameBook()
    book.add(_persona("Ana Ribeiro"))
    first = book.disambiguate("Ana Ribeiro", seed=5)
    assert first == NameBook(["Ana Ribeiro"]).disambiguate("Ana Ribeiro", seed=5)
    assert first.startswith("Ana ") and first.endswith(". Ribeiro") and len(first.split()) == 3
    assert book.disambiguate("Nobody Else", seed=5) == "Nobody Else"


def test_single_names_and_exhausted_initials_get_a_number():
    book = NameBook(["Zed", "Zed 2"])
    assert book.disambiguate("Zed", seed=1) == "Zed 3"
    initials = [f"Ana {c}. Ribeiro" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    book = NameBook(["Ana Ribeiro", *initials])
    assert book.disambiguate("Ana Ribeiro", seed=9) == "Ana Ribeiro 2"


def test_state_round_trip():
    book = NameBook()
    book.add(_persona("Ana Ribeiro"))
    again = NameBook.from_dict(book.to_dict())
    assert again.is_taken("Ana Ribeiro") and again.is_near_duplicate(_persona("X Y"))
