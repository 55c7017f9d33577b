"""LLMChat: a multi-turn conversation with an LLM whose replies come back typed.

On the one structured-output seam (:func:`tinytroupe.llm.agenerate`), so a typed call
degrades on weak endpoints (json_schema, then json_object, then prompt with repair) exactly
like an agent turn. A call that cannot produce its type raises a
:class:`~tinytroupe.errors.TinyTroupeError` (``raise_on_error=False`` returns ``None``
instead, logged, with the error in :attr:`LLMChat.last_error`)::

    chat = LLMChat(system_prompt="You rate slogans.", user_prompt="Rate 'Fresh every day' 1-5.",
                   output_type=int)
    chat.call()                 # 4
    chat.response_justification, chat.response_confidence
    chat.continue_conversation("And 'Bread, but better'?")
"""

from __future__ import annotations

import copy
import logging
import textwrap
from typing import Any

from tinytroupe.errors import SpecificationError, StructuredOutputError, TinyTroupeError
from tinytroupe.llm import purposes
from tinytroupe.llm.base import ChatRequest, LLMModel, Message, ModelWrapper
from tinytroupe.utils import output_types
from tinytroupe.utils.llm_chat_compat import OriginalChatHelpers, replaced_client
from tinytroupe.utils.output_types import CoercionError, OutputSpec
from tinytroupe.utils.templates import (
    compose_initial_LLM_messages_with_templates,
    render_user_template,
    section,
)

__all__ = ["LLMChat", "first_non_none"]

logger = logging.getLogger(__name__)

_OUTPUT = "llm_chat_output.md"
_DIRECT = ("temperature", "max_tokens", "seed")
_PATCHED = ("frequency_penalty", "presence_penalty")
_DEFAULT = "default"


def first_non_none(*values: Any) -> Any:
    """The first of ``values`` that is not None (None if all are)."""
    return next((v for v in values if v is not None), None)


def _option_values(spec: OutputSpec) -> dict[str, str]:
    """The ``options`` value of an instruction section for an options spec (quoted, comma-separated)."""
    return {"options": ", ".join(f'"{o}"' for o in spec.options)} if spec.kind == "options" else {}


class _RequestDefaults(ModelWrapper):
    """Sets the model name and sampling penalties the caller chose on every request."""

    def __init__(self, inner: LLMModel, changes: dict[str, Any]):
        super().__init__(inner)
        self.changes = changes

    async def complete(self, request: ChatRequest):
        return await self.inner.complete(request.with_changes(**self.changes))


class LLMChat(OriginalChatHelpers):
    """A conversation with an LLM, with typed replies (see the module docstring).

    ``output_type``: ``bool``, ``int``, ``float``, ``str``, a list of option strings, ``dict``
    or ``"json"``, ``list``, another typing annotation, a pydantic model, or ``None`` for free
    text. ``enable_justification_step`` adds ``justification`` and ``confidence`` to the
    reply; ``enable_reasoning_step`` a ``reasoning`` field before them.
    ``model_params``: ``model`` (an :class:`~tinytroupe.llm.base.LLMModel` or a model name),
    ``temperature``, ``max_tokens`` (or ``max_completion_tokens``), ``seed``,
    ``frequency_penalty``, ``presence_penalty``, ``tags`` (for cost accounting; a ``purpose``
    tag there replaces the default :attr:`PURPOSE`).
    """

    PURPOSE = purposes.EXTRACTION  # a typed answer computed from a prompt, unless the tags say otherwise

    def __init__(self, system_template_name: str | None = None, system_prompt: str | None = None,
                 user_template_name: str | None = None, user_prompt: str | None = None,
                 base_module_folder: str | None = None, output_type: Any = None,
                 enable_json_output_format: bool = True, enable_justification_step: bool = True,
                 enable_reasoning_step: bool = False, *, raise_on_error: bool = True, **model_params: Any):
        if system_template_name is not None and system_prompt is not None:
            raise SpecificationError("LLMChat: Either the template or the prompt must be specified, not both: "
                                     "give system_template_name or system_prompt.")
        if user_template_name is not None and user_prompt is not None:
            raise SpecificationError("LLMChat: Either the template or the prompt must be specified, not both: "
                                     "give user_template_name or user_prompt.")
        if all(v is None for v in (system_template_name, system_prompt, user_template_name, user_prompt)):
            raise SpecificationError("LLMChat: Either the template or the prompt must be specified: give "
                                     "system_prompt/user_prompt or system_template_name/user_template_name.")
        self.system_template_name = system_template_name
        self.user_template_name = user_template_name
        self.base_module_folder = base_module_folder
        self.system_prompt = textwrap.dedent(system_prompt) if system_prompt is not None else None
        self.user_prompt = textwrap.dedent(user_prompt) if user_prompt is not None else None
        self.output_type = output_type
        self.enable_json_output_format = enable_json_output_format
        self.enable_justification_step = enable_justification_step
        self.enable_reasoning_step = enable_reasoning_step
        self.raise_on_error = raise_on_error
        self.model_params: dict[str, Any] = {}
        self.set_model_params(**model_params)
        self.messages: list[dict[str, str]] = []
        self.conversation_history: list[dict[str, Any]] = []
        self._typed_before = False
        self._clear_response()

    def _clear_response(self) -> None:
        self.response_raw: str | None = None
        self.response_json: Any = None
        self.response_reasoning: str | None = None
        self.response_value: Any = None
        self.response_justification: str | None = None
        self.response_confidence: float | None = None
        self.last_error: TinyTroupeError | None = None

    # -- building the conversation ---------------------------------------------------------
    def set_model_params(self, **model_params: Any) -> LLMChat:
        """Set or update the model parameters (see the class docstring)."""
        if "max_completion_tokens" in model_params:
            model_params.setdefault("max_tokens", model_params.pop("max_completion_tokens"))
        for key in list(model_params):
            if key not in (*_DIRECT, *_PATCHED, "model", "tags"):
                logger.warning("LLMChat: model parameter %r is not supported here and is ignored", key)
                model_params.pop(key)
        self.model_params.update(model_params)
        return self

    def _add(self, role: str, message: str | None, template_name: str | None, base_module_folder: str | None,
             rendering_configs: dict[str, Any] | None) -> LLMChat:
        if (message is None) == (template_name is None):
            raise SpecificationError(f"LLMChat.add_{role}_message: Either message or template_name must be "
                                     "specified, not both and not neither.")
        content = (render_user_template(template_name, base_module_folder or self.base_module_folder,
                                        rendering_configs) if template_name is not None
                   else textwrap.dedent(str(message)))
        self.messages.append({"role": role, "content": content})
        return self

    def add_user_message(self, message: str | None = None, template_name: str | None = None,
                         base_module_folder: str | None = None,
                         rendering_configs: dict[str, Any] | None = None) -> LLMChat:
        """Append a user message (text, or a template filled with ``rendering_configs``)."""
        return self._add("user", message, template_name, base_module_folder, rendering_configs)

    def add_system_message(self, message: str | None = None, template_name: str | None = None,
                           base_module_folder: str | None = None,
                           rendering_configs: dict[str, Any] | None = None) -> LLMChat:
        """Append a system message."""
        return self._add("system", message, template_name, base_module_folder, rendering_configs)

    def add_assistant_message(self, message: str | None = None, template_name: str | None = None,
                              base_module_folder: str | None = None,
                              rendering_configs: dict[str, Any] | None = None) -> LLMChat:
        """Append an assistant message (e.g. an example answer)."""
        return self._add("assistant", message, template_name, base_module_folder, rendering_configs)

    def reset_conversation(self) -> LLMChat:
        """Forget the messages and the last response; keep the prompts and settings."""
        self.messages = []
        self._typed_before = False
        self._clear_response()
        return self

    def get_conversation_history(self) -> list[dict[str, str]]:
        """The messages so far, the model's replies included."""
        return self.messages

    def _start(self, rendering_configs: dict[str, Any]) -> None:
        if self.messages:
            return
        if self.system_template_name is not None:
            self.messages = compose_initial_LLM_messages_with_templates(
                self.system_template_name, None, self.base_module_folder, rendering_configs)
        elif self.system_prompt:
            self.messages.append({"role": "system", "content": self.system_prompt})
        if self.user_template_name is not None:
            self.messages.append({"role": "user", "content": render_user_template(
                self.user_template_name, self.base_module_folder, rendering_configs)})
        elif self.user_prompt:
            self.messages.append({"role": "user", "content": self.user_prompt})
        if not self.messages:
            raise SpecificationError("LLMChat: nothing to send; give a system or user prompt (or template) "
                                     "or add a message first.")

    # -- calling ---------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def call(self, output_type: Any = _DEFAULT, enable_json_output_format: bool | None = None,
             enable_justification_step: bool | None = None, enable_reasoning_step: bool | None = None,
             **rendering_configs: Any) -> Any:
        """Send the conversation and return the reply's value (typed); blocking twin of :meth:`acall`.

        ``output_type`` overrides the chat's for this call (``None``: free text);
        ``rendering_configs`` fill the templates on the first call.
        """
        from tinytroupe._sync import run_sync

        return run_sync(self.acall(output_type, enable_json_output_format, enable_justification_step,
                                   enable_reasoning_step, **rendering_configs))

    async def acall(self, output_type: Any = _DEFAULT, enable_json_output_format: bool | None = None,
                    enable_justification_step: bool | None = None, enable_reasoning_step: bool | None = None,
                    **rendering_configs: Any) -> Any:
        """Async twin of :meth:`call`."""
        self._clear_response()
        current = self.output_type if output_type == _DEFAULT else output_type
        spec = None if current is None else output_types.describe(current)  # unsupported types raise here
        use_json = first_non_none(enable_json_output_format, self.enable_json_output_format)
        reasoning = bool(first_non_none(enable_reasoning_step, self.enable_reasoning_step))
        justification = reasoning or bool(first_non_none(enable_justification_step, self.enable_justification_step))
        client = replaced_client()
        try:
            self._start(rendering_configs)
            if client is not None:
                return self._call_client(client, spec, use_json, justification, reasoning)
            if current is None:
                await self._free_call(None, self._typed_before)
            elif not use_json:
                await self._free_call(output_types.describe(current), False)
            else:
                await self._typed_call(output_types.describe(current), justification, reasoning)
                self._typed_before = True
        except TinyTroupeError as exc:
            self.last_error = exc
            logger.warning("LLMChat call failed: %s", exc)
            if self.raise_on_error:
                raise
            return None
        return self.response_value

    def continue_conversation(self, user_message: str | None = None, **call_kwargs: Any) -> Any:
        """Add ``user_message`` (if any) and call again; returns the new reply's value."""
        if user_message:
            self.add_user_message(user_message)
        return self.call(**call_kwargs)

    async def acontinue_conversation(self, user_message: str | None = None, **call_kwargs: Any) -> Any:
        """Async twin of :meth:`continue_conversation`."""
        if user_message:
            self.add_user_message(user_message)
        return await self.acall(**call_kwargs)

    # -- internals -------------------------------------------------------------------------
    def _model(self) -> LLMModel:
        chosen = self.model_params.get("model")
        if isinstance(chosen, LLMModel):
            model = chosen
        else:
            from tinytroupe import llm

            model = llm.default_model()
        changes = {k: self.model_params[k] for k in _PATCHED if self.model_params.get(k) is not None}
        if isinstance(chosen, str) and chosen:
            changes["model"] = chosen
        return _RequestDefaults(model, changes) if changes else model

    def _tags(self) -> dict[str, str]:
        given = {str(k): str(v) for k, v in (self.model_params.get("tags") or {}).items()}
        return {**purposes.tag(self.PURPOSE), **given}

    def _outgoing(self, instruction: str | None) -> list[Message]:
        messages = [Message(role=m["role"], content=m["content"]) for m in self.messages]  # type: ignore[arg-type]
        if instruction:
            if messages and messages[0].role == "system":
                messages[0] = Message(role="system", content=messages[0].content.rstrip() + "\n\n" + instruction)
            else:
                messages.insert(0, Message(role="system", content=instruction))
        return messages

    def _record(self, raw: str) -> None:
        self.response_raw = raw
        self.messages.append({"role": "assistant", "content": raw})
        self.conversation_history.append({"messages": copy.deepcopy(self.messages)})

    def _instruction(self, spec: OutputSpec, justification: bool, reasoning: bool) -> str:
        if spec.is_model:
            return section(_OUTPUT, "json")
        head = section(_OUTPUT, "reasoning" if reasoning else "justification" if justification else "value")
        rule = {"json": "json_value"}.get(spec.kind, spec.kind)
        return head + " " + section(_OUTPUT, rule, **_option_values(spec))

    async def _typed_call(self, spec: OutputSpec, justification: bool, reasoning: bool) -> None:
        from tinytroupe.llm import agenerate

        reply_type = output_types.reply_model(spec, justification=justification, reasoning=reasoning)
        params = {k: self.model_params.get(k) for k in _DIRECT}
        result = await agenerate(self._model(), self._outgoing(self._instruction(spec, justification, reasoning)),
                                 reply_type, tags=self._tags(), **params)
        self._record(result.completion.text)
        value = result.value
        self.response_json = value.model_dump(mode="json")
        if spec.is_model:
            self.response_value = value
            return
        self.response_value = value.value  # type: ignore[attr-defined]
        self.response_justification = getattr(value, "justification", None)
        self.response_confidence = getattr(value, "confidence", None)
        self.response_reasoning = getattr(value, "reasoning", None)

    async def _free_call(self, spec: OutputSpec | None, undo_format: bool) -> None:
        instruction = None
        if spec is None:
            instruction = section(_OUTPUT, "text") if undo_format else None
        elif spec.kind in ("bool", "int", "float", "options"):
            instruction = section(_OUTPUT, f"free_{spec.kind}", **_option_values(spec))
        elif spec.kind != "str":
            instruction = section(_OUTPUT, "free_json")
        params = {k: v for k in _DIRECT if (v := self.model_params.get(k)) is not None}
        request = ChatRequest(messages=self._outgoing(instruction), tags=self._tags(), **params)
        completion = await self._model().complete(request)
        self._record(completion.text)
        if spec is None:
            self.response_value = completion.text
            return
        try:
            self.response_value = output_types.coerce_value(spec, completion.text)
        except CoercionError as exc:
            raise StructuredOutputError(f"LLMChat: the reply could not be read as {spec.kind}: {exc}",
                                        last_text=completion.text, errors=[str(exc)]) from None
        if isinstance(self.response_value, (dict, list)):
            self.response_json = self.response_value

    def _call_client(self, client: Any, spec: OutputSpec | None, use_json: bool, justification: bool,
                     reasoning: bool) -> Any:
        """The original's path: ``client().send_message(messages)``; None when it fails or has no content."""
        instruction = (self._instruction(spec, justification, reasoning) if spec is not None and use_json
                       else None)
        messages = [{"role": m.role, "content": m.content} for m in self._outgoing(instruction)]
        params = {k: v for k in ("temperature", "max_tokens") if (v := self.model_params.get(k)) is not None}
        try:
            response = client().send_message(messages, **params)
        except Exception as exc:  # a custom client may raise anything; the original returns None
            logger.error("LLMChat: the client failed: %s", exc)
            return None
        if not isinstance(response, dict) or not isinstance(response.get("content"), str):
            logger.error("LLMChat: the client's reply has no text 'content': %r", response)
            return None
        self._record(response["content"])
        value: Any = response["content"]
        if spec is not None and use_json and not spec.is_model:
            reply = self._coerce_to_dict_or_list(value) if "{" in value else {"value": value}
            if isinstance(reply, dict) and "value" in reply:
                self.response_json, value = reply, reply["value"]
                self.response_justification = reply.get("justification")
                self.response_confidence = reply.get("confidence")
                self.response_reasoning = reply.get("reasoning")
        try:
            self.response_value = self._coerce_spec(spec, value)
        except ValueError as exc:
            logger.error("LLMChat: the client's reply could not be read: %s", exc)
            return None
        return self.response_value

    def __repr__(self) -> str:
        return f"LLMChat(messages={len(self.messages)}, output_type={self.output_type!r})"
