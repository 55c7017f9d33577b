"""The ``@llm`` decorator: a Python function whose body is computed by an LLM.

The docstring is the specification, the arguments are the input and the return annotation
is the output type (``str`` when absent)::

    @llm()
    def slogan_rating(slogan: str, audience: str) -> int:
        \"\"\"Rate how well the slogan speaks to the audience, from 1 (not at all) to 5.\"\"\"

    slogan_rating("Fresh every day", audience="commuters")   # 4

A body that returns a string sends that string as the instruction instead of the
arguments; a body that returns a one-argument function has it applied to the reply
(post-processing). ``async def`` functions become coroutines. Keyword arguments of the
decorator go to :class:`~tinytroupe.utils.llm_chat.LLMChat` (``model``, ``temperature``,
``tags``...). Errors are raised as :class:`~tinytroupe.errors.TinyTroupeError`.
"""

from __future__ import annotations

import functools
import inspect
import json
import typing
from collections.abc import Callable
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.prompts import render
from tinytroupe.utils.llm_chat import LLMChat

__all__ = ["llm"]


def _return_type(func: Callable[..., Any]) -> Any:
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception:  # unresolvable forward references: fall back to the raw annotation
        hints = {"return": inspect.signature(func).return_annotation}
    annotation = hints.get("return", inspect.Signature.empty)
    if annotation in (inspect.Signature.empty, None, type(None)):
        return str
    if isinstance(annotation, str):
        raise SpecificationError(
            f"@llm function {func.__qualname__}: its return annotation {annotation!r} cannot be resolved; "
            "define that type at module level (or import it) so it can be looked up.")
    return annotation


def _inputs(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """Positional extras and named values of one call, ``self``/``cls`` left out."""
    sig = inspect.signature(func)
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return list(args), dict(kwargs)
    bound.apply_defaults()
    positional: list[Any] = []
    named: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        kind = sig.parameters[name].kind
        if name in ("self", "cls"):
            continue
        if kind is inspect.Parameter.VAR_POSITIONAL:
            positional.extend(value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            named.update(value)
        else:
            named[name] = value
    return positional, named


def _as_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _prepare(func: Callable[..., Any], result: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
             settings: dict[str, Any]) -> tuple[LLMChat, Callable[[Any], Any]]:
    specification = inspect.getdoc(func) or f"Compute {func.__name__}."
    system = render("llm_function_system.md", specification=specification)
    if isinstance(result, str):
        user = render("llm_function_instruction.md", instruction=result)
    else:
        positional, named = _inputs(func, args, kwargs)
        user = render("llm_function_user.md", args=_as_json(positional), kwargs=_as_json(named))
    post = result if callable(result) and not isinstance(result, str) else (lambda value: value)
    options = dict(settings)
    options["tags"] = {"function": func.__qualname__, **(options.get("tags") or {})}  # LLMChat adds a purpose
    chat = LLMChat(system_prompt=system, user_prompt=user, output_type=_return_type(func), **options)
    return chat, post


def llm(enable_json_output_format: bool = True, enable_justification_step: bool = True,
        enable_reasoning_step: bool = False, **model_overrides: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn the decorated function into an LLM-computed one (see the module docstring)."""
    settings = {"enable_json_output_format": enable_json_output_format,
                "enable_justification_step": enable_justification_step,
                "enable_reasoning_step": enable_reasoning_step, **model_overrides}

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                chat, post = _prepare(func, await func(*args, **kwargs), args, kwargs, settings)
                async_wrapper.last_chat = chat  # type: ignore[attr-defined]
                return post(await chat.acall())

            return async_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            chat, post = _prepare(func, func(*args, **kwargs), args, kwargs, settings)
            wrapper.last_chat = chat  # type: ignore[attr-defined]
            return post(chat.call())

        return wrapper

    return decorator
