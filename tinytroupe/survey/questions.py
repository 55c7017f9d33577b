"""Survey questions with typed answers: Likert scales, single and multiple choice, numbers, free text.

Each question knows the JSON schema of its answer, checks and normalises answers
(:meth:`Question.coerce`: a label for a scale point, an option's number, a number as text),
and describes its answer format in words for the prompt.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Question", "LikertQuestion", "SingleChoiceQuestion", "MultipleChoiceQuestion", "NumberQuestion",
           "FreeTextQuestion", "default_labels"]

_FIVE = ["strongly disagree", "disagree", "neither agree nor disagree", "agree", "strongly agree"]


def default_labels(points: int) -> list[str]:
    """Labels for a ``points``-point agreement scale."""
    if points == 5:
        return list(_FIVE)
    return [f"{i}" + (" (lowest)" if i == 1 else " (highest)" if i == points else "") for i in range(1, points + 1)]


class Question(BaseModel):
    """A question asked to every respondent. ``name`` labels its column (default: q1, q2, ...)."""

    model_config = ConfigDict(frozen=True)

    kind: ClassVar[str] = "question"
    text: str
    name: str | None = None

    @field_validator("text")
    @classmethod
    def _not_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a question needs a text")
        return v.strip()

    def answer_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def coerce(self, value: Any) -> Any:
        """The answer normalised, or ValueError saying what a valid answer is."""
        raise NotImplementedError

    def format_description(self) -> str:
        raise NotImplementedError

    def reply_model(self) -> type[BaseModel]:
        """A pydantic model of the reply whose ``answer`` is checked by :meth:`coerce`."""
        question = self

        class SurveyReply(BaseModel):
            answer: Any
            justification: str = ""

            @field_validator("answer")
            @classmethod
            def _check(cls, v: Any) -> Any:
                return question.coerce(v)

        return SurveyReply

    def reply_schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": {"answer": self.answer_schema(),
                                                 "justification": {"type": "string", "maxLength": 400}},
                "required": ["answer", "justification"], "additionalProperties": False}


class LikertQuestion(Question):
    """A rating on 1..``points``, each point with a label; ``anchors``: statements that express each
    point, for semantic-similarity rating (default: built from the labels). An anchor may be a
    list of statements (their similarities are averaged)."""

    kind: ClassVar[str] = "likert"
    points: int = 5
    labels: list[str] | None = None
    anchors: list[str | list[str]] | None = None

    @model_validator(mode="after")
    def _check_scale(self) -> LikertQuestion:
        if not 2 <= self.points <= 11:
            raise ValueError("a Likert scale has 2 to 11 points")
        for field_name in ("labels", "anchors"):
            value = getattr(self, field_name)
            if value is not None and len(value) != self.points:
                raise ValueError(f"{field_name} must have one entry per scale point ({self.points})")
        return self

    def scale_labels(self) -> list[str]:
        return list(self.labels) if self.labels else default_labels(self.points)

    def anchor_sets(self) -> list[list[str]]:
        if self.anchors:
            return [[a] if isinstance(a, str) else list(a) for a in self.anchors]
        return [[f"{label}. {self.text}" if not label[0].isdigit() else label] for label in self.scale_labels()]

    def answer_schema(self) -> dict[str, Any]:
        return {"type": "integer", "enum": list(range(1, self.points + 1))}

    def coerce(self, value: Any) -> int:
        labels = [label.lower() for label in self.scale_labels()]
        if isinstance(value, str) and value.strip().lower() in labels:
            return labels.index(value.strip().lower()) + 1
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"answer with a whole number from 1 to {self.points}") from None
        if not number.is_integer() or not 1 <= number <= self.points:
            raise ValueError(f"answer with a whole number from 1 to {self.points}, got {value!r}")
        return int(number)

    def format_description(self) -> str:
        return "A whole number on this scale: " + "; ".join(
            f"{i} = {label}" for i, label in enumerate(self.scale_labels(), start=1)) + "."


class SingleChoiceQuestion(Question):
    """One of ``options``."""

    kind: ClassVar[str] = "single_choice"
    options: list[str] = Field(min_length=2)

    def answer_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.options)}

    def _option(self, value: Any) -> str:
        text = str(value).strip()
        for option in self.options:
            if option == text or option.lower() == text.lower():
                return option
        if text.isdigit() and 1 <= int(text) <= len(self.options):
            return self.options[int(text) - 1]
        raise ValueError(f"answer with one of: {', '.join(self.options)}")

    def coerce(self, value: Any) -> str:
        return self._option(value)

    def format_description(self) -> str:
        return "Exactly one of these options, written as given: " + "; ".join(self.options) + "."


class MultipleChoiceQuestion(SingleChoiceQuestion):
    """Any non-empty subset of ``options`` (at most ``max_choices``)."""

    kind: ClassVar[str] = "multiple_choice"
    max_choices: int | None = None

    def answer_schema(self) -> dict[str, Any]:
        schema = {"type": "array", "items": {"type": "string", "enum": list(self.options)}, "minItems": 1,
                  "uniqueItems": True}
        if self.max_choices:
            schema["maxItems"] = self.max_choices
        return schema

    def coerce(self, value: Any) -> list[str]:
        items = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
        chosen: list[str] = []
        for item in items:
            option = self._option(item)
            if option not in chosen:
                chosen.append(option)
        if not chosen:
            raise ValueError(f"choose at least one of: {', '.join(self.options)}")
        if self.max_choices and len(chosen) > self.max_choices:
            raise ValueError(f"choose at most {self.max_choices} options")
        return [o for o in self.options if o in chosen]

    def format_description(self) -> str:
        most = f" (at most {self.max_choices})" if self.max_choices else ""
        return f"A list of one or more{most} of these options, written as given: " + "; ".join(self.options) + "."


class NumberQuestion(Question):
    """A number, optionally whole and within ``minimum``..``maximum``."""

    kind: ClassVar[str] = "number"
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    unit: str = ""

    def answer_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema

    def coerce(self, value: Any) -> float | int:
        try:
            number = float(str(value).replace(",", "").strip().rstrip(self.unit).strip() if self.unit else
                           str(value).replace(",", "").strip())
        except ValueError:
            raise ValueError(f"answer with a number{self._range()}") from None
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            raise ValueError(f"answer with a number{self._range()}, got {value!r}")
        if self.integer:
            if not number.is_integer():
                raise ValueError("answer with a whole number")
            return int(number)
        return number

    def _range(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f" from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f" of at least {self.minimum:g}"
        return f" of at most {self.maximum:g}" if self.maximum is not None else ""

    def format_description(self) -> str:
        unit = f" (in {self.unit})" if self.unit else ""
        return f"A {'whole ' if self.integer else ''}number{self._range()}{unit}."


class FreeTextQuestion(Question):
    """An answer in the respondent's own words."""

    kind: ClassVar[str] = "free_text"
    max_length: int = 600

    def answer_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length}

    def coerce(self, value: Any) -> str:
        text = str(value).strip()
        if not text:
            raise ValueError("answer in a sentence or two")
        return text[: self.max_length]

    def format_description(self) -> str:
        return "Your answer in your own words, a sentence or two."
