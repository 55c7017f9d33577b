"""Seeing images: what ``see(image=..., description=...)`` remembers, and which images a turn shows.

A seen image is remembered by reference and hash (:class:`~tinytroupe.llm.images.ImageRef`)
beside its description; the turn prompt attaches the images of the events in its transcript
window to its user message, and the turn drops them for models that cannot see.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tinytroupe.errors import SpecificationError
from tinytroupe.llm.images import ImageRef, image_ref

__all__ = ["visual_stimulus", "window_images", "MAX_IMAGES_PER_TURN"]

MAX_IMAGES_PER_TURN = 4  # the most recent images a turn shows (older ones keep their descriptions)


def visual_stimulus(visual_description: Any, image: str | os.PathLike | ImageRef | None,
                    description: Any) -> tuple[Any, ImageRef | None]:
    """The text and image reference of one ``see`` call (the description is the text)."""
    if visual_description is not None and description is not None:
        raise SpecificationError("see() takes visual_description or description, not both; "
                                 "pass the image's description as description=")
    text = description if description is not None else visual_description
    if image is None:
        if text is None:
            raise SpecificationError("see() needs a visual_description, or image= with a description=")
        return text, None
    ref = image_ref(image)
    if text is None or not str(text).strip():
        name = ref.source if ref.is_url else Path(ref.source).name
        text = f"an image ({name})"
    return text, ref


def window_images(head: list[Any], tail: list[Any], limit: int = MAX_IMAGES_PER_TURN) -> tuple[ImageRef, ...]:
    """The images of the events a turn's transcript shows, the most recent ``limit``, each once."""
    seen: dict[str, ImageRef] = {}
    for event in [*head, *tail]:
        image = getattr(event, "image", None)
        if image is not None:
            seen.pop(image.sha256, None)
            seen[image.sha256] = image
    return tuple(list(seen.values())[-limit:]) if limit > 0 else ()
