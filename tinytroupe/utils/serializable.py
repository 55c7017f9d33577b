"""The original's JSON mixin for user classes: ``JsonSerializableRegistry`` and ``@post_init``.

A class that subclasses :class:`JsonSerializableRegistry` is registered under its name;
``obj.to_json()`` writes its ``serializable_attributes`` (all of ``__dict__`` when it names
none) plus the class name, and ``Base.from_json(data)`` rebuilds an instance of the class the
data names, without calling ``__init__``, then calls ``_post_deserialization_init`` (which calls
``_post_init`` when the class has one). Nested registered objects, and lists and dicts of them,
round-trip too. The library's own objects keep their own state formats (``encode_complete_state``,
``agent.save``); this is for classes of the user's own making.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from tinytroupe import extensions
from tinytroupe.errors import SpecificationError

__all__ = ["JsonSerializableRegistry", "post_init", "TYPE_FIELD"]

TYPE_FIELD = "json_serializable_class_name"
T = TypeVar("T")


def _gathered(cls: type, name: str, kind: type) -> Any:
    """The union of a list (or dict) class attribute over ``cls``'s hierarchy, nearest class last."""
    merged: Any = kind()
    for klass in reversed(cls.__mro__):
        value = klass.__dict__.get(name)
        if isinstance(value, list) and kind is list:
            merged.extend(v for v in value if v not in merged)
        elif isinstance(value, dict) and kind is dict:
            merged.update(value)
    return merged


class JsonSerializableRegistry:
    """A mixin that saves an object's chosen attributes as JSON and rebuilds it by class name.

    Class attributes a subclass may set (each merged with its bases'): ``serializable_attributes``
    (what to save; everything in ``__dict__`` when empty), ``suppress_attributes_from_serialization``,
    ``custom_serialization_initializers`` (``{attribute: function(json value) -> value}``) and
    ``serializable_attributes_renaming`` (``{attribute: name in the JSON}``)."""

    class_mapping: ClassVar[dict[str, type]] = extensions.table("json_serializable")
    """Subclasses by class name (a live view of the extension registry's ``json_serializable`` kind)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        extensions.register("json_serializable", cls.__name__, cls)

    # -- names in the JSON --------------------------------------------------------------------
    @classmethod
    def _programmatic_name_to_json_name(cls, name: str) -> str:
        return _gathered(cls, "serializable_attributes_renaming", dict).get(name, name)

    @classmethod
    def _json_name_to_programmatic_name(cls, name: str) -> str:
        renaming = _gathered(cls, "serializable_attributes_renaming", dict)
        reverse: dict[str, str] = {}
        for attr, json_name in renaming.items():
            if json_name in reverse:
                raise ValueError(f"{cls.__name__}.serializable_attributes_renaming maps two attributes to "
                                 f"{json_name!r}; give each its own JSON name")
            reverse[json_name] = attr
        return reverse.get(name, name)

    # -- writing --------------------------------------------------------------------------------
    def to_json(self, include: list[str] | None = None, suppress: list[str] | None = None,
                file_path: str | None = None, serialization_type_field_name: str = TYPE_FIELD) -> dict[str, Any]:
        """This object as a JSON-ready dict (also written to ``file_path`` when given): its class
        name under ``serialization_type_field_name`` and its attributes (``include`` replaces the
        class's choice, ``suppress`` leaves more out)."""
        cls = type(self)
        chosen = list(include) if include else _gathered(cls, "serializable_attributes", list) or list(vars(self))
        hidden = set(_gathered(cls, "suppress_attributes_from_serialization", list)) | set(suppress or ())
        data: dict[str, Any] = {serialization_type_field_name: cls.__name__}
        for attr in chosen:
            if attr not in hidden:
                data[cls._programmatic_name_to_json_name(attr)] = _encoded(getattr(self, attr, None),
                                                                           serialization_type_field_name)
        if file_path:
            folder = os.path.dirname(file_path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            with open(file_path, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=4, ensure_ascii=False)
        return data

    # -- reading --------------------------------------------------------------------------------
    @classmethod
    def from_json(cls: type[T], json_dict_or_path: dict[str, Any] | str, suppress: list[str] | None = None,
                  serialization_type_field_name: str = TYPE_FIELD,
                  post_init_params: dict[str, Any] | None = None) -> T:
        """An instance rebuilt from :meth:`to_json`'s dict (or a JSON file's path), of the
        registered class the data names (``cls`` when it names none); ``__init__`` is not called,
        ``_post_deserialization_init(**post_init_params)`` is."""
        data = _loaded(json_dict_or_path)
        name = data.get(serialization_type_field_name)
        target = JsonSerializableRegistry.class_mapping.get(name, cls) if name else cls
        instance = target.__new__(target)
        attrs = _gathered(target, "serializable_attributes", list)
        initializers = _gathered(target, "custom_serialization_initializers", dict)
        hidden = set(_gathered(target, "suppress_attributes_from_serialization", list)) | set(suppress or ())
        keys = attrs or [target._json_name_to_programmatic_name(k) for k in data if k != serialization_type_field_name]
        for attr in keys:
            json_name = target._programmatic_name_to_json_name(attr)
            if json_name not in data or attr in hidden:
                continue
            value = data[json_name]
            if attr in initializers:
                setattr(instance, attr, initializers[attr](value))
            else:
                setattr(instance, attr, _decoded(value, serialization_type_field_name))
        hook = getattr(instance, "_post_deserialization_init", None)
        if callable(hook):
            hook(**(post_init_params or {}))
        return instance

    def _post_deserialization_init(self, **kwargs: Any) -> None:
        """Called after :meth:`from_json` set the attributes: runs ``_post_init(**kwargs)`` if any."""
        after = getattr(self, "_post_init", None)
        if callable(after):
            after(**kwargs)


def _encoded(value: Any, field: str) -> Any:
    if isinstance(value, JsonSerializableRegistry):
        return value.to_json(serialization_type_field_name=field)
    if isinstance(value, list):
        return [_encoded(v, field) for v in value]
    if isinstance(value, dict):
        return {k: _encoded(v, field) for k, v in value.items()}
    return copy.deepcopy(value)


def _decoded(value: Any, field: str) -> Any:
    if isinstance(value, dict) and field in value:
        return JsonSerializableRegistry.from_json(value, serialization_type_field_name=field)
    if isinstance(value, list):
        return [_decoded(v, field) for v in value]
    if isinstance(value, dict):
        return {k: _decoded(v, field) for k, v in value.items()}
    return copy.deepcopy(value)


def _loaded(source: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, encoding="utf-8") as f:
                source = json.load(f)
        except FileNotFoundError:
            raise SpecificationError(f"from_json: no file at {str(source)!r}; give a dict or an existing "
                                     "JSON file's path") from None
    if not isinstance(source, dict):
        raise SpecificationError(f"from_json: expected a dict (or a JSON file holding one), got "
                                 f"{type(source).__name__}")
    return source


def post_init(cls: type[T]) -> type[T]:
    """Class decorator: after ``__init__`` finishes, call the class's ``_post_init()`` (if it has one)."""
    init: Callable[..., None] = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        after = getattr(cls, "_post_init", None)
        if callable(after):
            after(self)

    __init__.__doc__ = init.__doc__
    __init__.__wrapped__ = init  # type: ignore[attr-defined]
    cls.__init__ = __init__  # type: ignore[misc]
    return cls
