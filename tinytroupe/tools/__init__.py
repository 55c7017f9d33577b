"""Tools that agents use through actions: a word processor, a calendar, and your own.

::

    from tinytroupe.tools import TinyToolUse, TinyWordProcessor, TinyCalendar
    from tinytroupe.extraction import ArtifactExporter

    writer = TinyWordProcessor(exporter=ArtifactExporter("out"))
    lisa.add_mental_faculty(TinyToolUse([writer, TinyCalendar(owner=lisa)]))
"""

from tinytroupe.tools.tiny_calendar import TinyCalendar
from tinytroupe.tools.tiny_tool import (
    TinyTool,
    ToolError,
    ToolInputError,
    ToolOwnershipError,
    tool_from_state,
)
from tinytroupe.tools.tiny_word_processor import TinyWordProcessor
from tinytroupe.tools.tool_use import TinyToolUse

__all__ = [
    "TinyTool",
    "TinyToolUse",
    "TinyWordProcessor",
    "TinyCalendar",
    "ToolError",
    "ToolInputError",
    "ToolOwnershipError",
    "tool_from_state",
]
