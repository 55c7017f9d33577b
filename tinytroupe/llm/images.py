"""Images in chat messages: kept by reference and hash, read only when a request is built.

An :class:`ImageRef` names a local file (absolute path) or an http(s) URL, with the SHA-256
of its bytes (of the URL's text for a URL, which is never fetched here) and its media type.
States and memories keep the reference; :meth:`ImageRef.request_url` reads the file when a
provider builds the request body (a ``data:`` URL) and passes URLs on as they are. For a model
that cannot see, :func:`for_model` drops the images (their descriptions stay in the text) and
warns once per model.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from tinytroupe import log_setup
from tinytroupe.errors import SpecificationError

__all__ = ["ImageRef", "image_ref", "image_part", "for_model", "IMAGE_MEDIA_TYPES"]

logger = logging.getLogger("tinytroupe")

IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class ImageRef(BaseModel):
    """An image by reference: where it is, the SHA-256 of its content and its media type."""

    model_config = ConfigDict(frozen=True)

    source: str
    sha256: str
    media_type: str

    @field_validator("media_type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in IMAGE_MEDIA_TYPES:
            raise ValueError(f"image media type {v!r} is not one of {', '.join(IMAGE_MEDIA_TYPES)}")
        return v

    @property
    def is_url(self) -> bool:
        return _is_url(self.source)

    def request_url(self) -> str:
        """The ``image_url.url`` of a request: the URL itself, or the file's bytes as a data URL."""
        if self.is_url:
            return self.source
        data = _read(Path(self.source))
        if hashlib.sha256(data).hexdigest() != self.sha256:
            logger.warning("image %s changed since it was shown (sha256 differs); sending its current content",
                           self.source)
        return f"data:{self.media_type};base64,{base64.b64encode(data).decode('ascii')}"

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "sha256": self.sha256, "media_type": self.media_type}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SpecificationError(f"image file {path} cannot be read ({exc.strerror or exc}); "
                                 "check the path given to see(image=...) or the stimulus' image") from exc


def _media_type(source: str) -> str:
    guessed, _ = mimetypes.guess_type(source.split("?", 1)[0])
    if guessed not in IMAGE_MEDIA_TYPES:
        raise SpecificationError(f"image {source!r} is not a PNG, JPEG, GIF or WebP file (by its extension); "
                                 "give an image with one of the extensions .png, .jpg, .jpeg, .gif, .webp")
    return guessed


def image_ref(source: str | Path | ImageRef, base_dir: str | Path | None = None) -> ImageRef:
    """An :class:`ImageRef` for a file path (relative to ``base_dir`` when given) or an http(s) URL."""
    if isinstance(source, ImageRef):
        return source
    text = str(source)
    if _is_url(text):
        return ImageRef(source=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        media_type=_media_type(text))
    path = Path(text).expanduser()
    if base_dir is not None and not path.is_absolute():
        path = Path(base_dir) / path
    path = path.resolve()
    media_type = _media_type(path.name)
    return ImageRef(source=str(path), sha256=hashlib.sha256(_read(path)).hexdigest(), media_type=media_type)


def image_part(image: ImageRef) -> dict[str, Any]:
    """The OpenAI-compatible content part for ``image`` (the file is read now)."""
    return {"type": "image_url", "image_url": {"url": image.request_url()}}


def _warn_once(model: Any) -> None:
    if not log_setup.first_time_for(model):
        return
    message = (f"model {getattr(model, 'default_model', model)!r} cannot see images: it gets their descriptions "
               "instead; set VISION=true in config.ini's [OpenAI] section if it can")
    logger.warning(message)
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def for_model(messages: Sequence[Any], vision: bool, model: Any) -> list[Any]:
    """``messages`` as ``model`` can take them: unchanged when it sees images, else without them."""
    if vision or not any(m.images for m in messages):
        return list(messages)
    _warn_once(model)
    return [m.model_copy(update={"images": ()}) if m.images else m for m in messages]
