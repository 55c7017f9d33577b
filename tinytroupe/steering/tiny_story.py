"""TinyStory under the original's module path (``tinytroupe.steering.tiny_story``)."""

from tinytroupe.steering.story import TinyStory

__all__ = ["TinyStory"]
