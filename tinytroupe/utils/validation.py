"""Input sanitising helpers under the original's names (``tinytroupe.utils.sanitize_dict``...)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = ["check_valid_fields", "sanitize_raw_string", "sanitize_dict", "to_pydantic_or_sanitized_dict"]


def check_valid_fields(obj: dict, valid_fields: Iterable[str]) -> None:
    """Raise ``ValueError`` naming the first key of ``obj`` that is not in ``valid_fields``."""
    allowed = list(valid_fields)
    for key in obj:
        if key not in allowed:
            raise ValueError(f"Invalid key {key!r} in dictionary. Valid keys are: {allowed}")


def sanitize_raw_string(value: str) -> str:
    """``value`` as valid, NFC-normalised UTF-8 text (undecodable characters dropped)."""
    return unicodedata.normalize("NFC", value.encode("utf-8", "ignore").decode("utf-8"))


def sanitize_dict(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` with each of its string values sanitised in place (see :func:`sanitize_raw_string`)."""
    for key, item in value.items():
        if isinstance(item, str):
            value[key] = sanitize_raw_string(item)
    return value


def to_pydantic_or_sanitized_dict(value: Any, model: Any = None) -> Any:
    """``value`` (a dict, or a JSON text) as an instance of the pydantic class ``model`` when one is
    given, else as a sanitised dict."""
    from pydantic import BaseModel

    from tinytroupe.llm.json_extract import extract_json

    data = value
    if isinstance(value, dict) and isinstance(value.get("content"), str) and model is not None:
        data = extract_json(value["content"])
    elif isinstance(value, str):
        data = extract_json(value)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_validate(data)
    return sanitize_dict(data) if isinstance(data, dict) else data
