"""The original LLMChat's helpers: value coercers, per-type answer requests, and the client seam.

:class:`OriginalChatHelpers` is mixed into :class:`~tinytroupe.utils.llm_chat.LLMChat`. Its
``_coerce_to_*`` methods turn a model's answer (text or an already-typed value) into the asked
type, raising ``ValueError`` ("Cannot convert ...", "Cannot find any of ...") when they cannot;
``_request_*_llm_message()`` give the user message that asks for an answer of a type. When
``tinytroupe.clients.client`` has been replaced (a custom or mocked client, as users of the
original do), ``call()`` sends through ``client().send_message(messages)`` and reads the reply
from its ``"content"``.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from tinytroupe.llm.json_extract import JSONExtractionError
from tinytroupe.llm.json_extract import extract_json as _strict_extract_json
from tinytroupe.utils.output_types import OutputSpec

__all__ = ["OriginalChatHelpers", "replaced_client"]

logger = logging.getLogger(__name__)

_TRUE = ("true", "yes", "positive")
_FALSE = ("false", "no", "negative")
_INTEGER = re.compile(r"(?<![\d.])-?\d+(?![\d.])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def replaced_client() -> Any:
    """``tinytroupe.clients.client`` when someone replaced it, else None (the built-in function)."""
    import tinytroupe.clients as clients

    fn = clients.client
    builtin = getattr(fn, "__module__", None) == "tinytroupe.clients" and getattr(fn, "__qualname__", "") == "client"
    return None if builtin else fn


def _first_word(text: str, words: tuple[str, ...]) -> int | None:
    found = [m.start() for w in words if (m := re.search(rf"\b{w}\b", text))]
    return min(found) if found else None


def _parse_json(value: Any, wanted: tuple[type, ...], what: str) -> Any:
    if isinstance(value, wanted):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            try:
                parsed = _strict_extract_json(value)
            except JSONExtractionError:
                parsed = None
        if isinstance(parsed, wanted):
            return parsed
    raise ValueError(f"Cannot convert {value!r} to {what}: it is not JSON of that shape.")


class OriginalChatHelpers:
    """The original LLMChat's coercers, answer requests and client path (see the module docstring)."""

    # -- coercers --------------------------------------------------------------------------
    def _coerce_to_bool(self, value: Any) -> bool:
        """True/False from a bool or a text saying true/yes/positive or false/no/negative (first one wins)."""
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        yes, no = _first_word(text, _TRUE), _first_word(text, _FALSE)
        if yes is None and no is None:
            raise ValueError(f"Cannot convert {value!r} to a bool: it says neither true/yes nor false/no.")
        return no is None or (yes is not None and yes < no)

    def _coerce_to_integer(self, value: Any) -> int:
        """An int from a number without a fraction or the first whole number in a text."""
        if isinstance(value, bool):
            raise ValueError(f"Cannot convert {value!r} to an integer.")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        match = _INTEGER.search(str(value)) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"Cannot convert {value!r} to an integer: no whole number found.")
        return int(match.group())

    def _coerce_to_float(self, value: Any) -> float:
        """A float from a number or the first number in a text."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        match = _NUMBER.search(str(value)) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"Cannot convert {value!r} to a number: none found.")
        return float(match.group())

    def _coerce_to_enumerable(self, value: Any, options: list[str] | tuple[str, ...]) -> str:
        """The option ``value`` names (any case), or the first one it mentions."""
        text = str(value).strip().lower()
        for option in options:
            if text == option.lower():
                return option
        found = [(m.start(), o) for o in options if text and (m := re.search(rf"\b{re.escape(o.lower())}\b", text))]
        if not found:
            raise ValueError(f"Cannot find any of {list(options)} in {value!r}.")
        return min(found)[1]

    def _coerce_to_dict_or_list(self, value: Any) -> dict | list:
        """A dict or list, as given or read from JSON text."""
        return _parse_json(value, (dict, list), "a dict or list")

    def _coerce_to_list(self, value: Any) -> list:
        """A list, as given or read from JSON text."""
        return _parse_json(value, (list,), "a list")

    def _coerce_spec(self, spec: OutputSpec | None, value: Any) -> Any:
        """``value`` read as ``spec`` asks (free text when ``spec`` is None)."""
        if spec is None or spec.kind == "str":
            return value if spec is None or isinstance(value, str) else str(value)
        readers = {"bool": self._coerce_to_bool, "int": self._coerce_to_integer, "float": self._coerce_to_float,
                   "json": self._coerce_to_dict_or_list, "list": self._coerce_to_list}
        if spec.kind in readers:
            return readers[spec.kind](value)
        if spec.kind == "options":
            return self._coerce_to_enumerable(value, spec.options)
        if spec.kind == "model":
            return spec.type.model_validate(self._coerce_to_dict_or_list(value))
        return value

    # -- answer requests -------------------------------------------------------------------
    def _request_bool_llm_message(self) -> dict[str, str]:
        return {"role": "user", "content": "Answer only with True or False (nothing else)."}

    def _request_integer_llm_message(self) -> dict[str, str]:
        return {"role": "user", "content": "Answer only with a whole number, an integer such as 7 or -3."}

    def _request_float_llm_message(self) -> dict[str, str]:
        return {"role": "user", "content": "Answer only with a number (a float such as 2.5 or 10)."}

    def _request_str_llm_message(self) -> dict[str, str]:
        return {"role": "user", "content": "Answer with plain text only."}

    def _request_dict_llm_message(self) -> dict[str, str]:
        return {"role": "user", "content": "Answer only with a JSON object ({...}), nothing around it."}

    def _request_list_llm_message(self) -> dict[str, str]:
        return {"role": "user", "content": "Answer only with a JSON list (an array [...]), nothing around it."}

    def _request_list_of_dict_llm_message(self) -> dict[str, str]:
        return {"role": "user", "content": "Answer only with a JSON list whose items are JSON objects: [{...}, ...]."}

    def _request_enumerable_llm_message(self, options: list[str] | tuple[str, ...]) -> dict[str, str]:
        listed = ", ".join(f'"{o}"' for o in options)
        return {"role": "user", "content": f"Answer only with one of these options, written as given: {listed}."}
