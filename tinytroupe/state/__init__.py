"""State documents: how tinytroupe's saved states look, are checked, written and read.

- :mod:`~tinytroupe.state.registered`: the value types and kinds that states may hold, registered
  so that code below agents and worlds (simulation control) finds their classes;
- :mod:`~tinytroupe.state.schema`: a small schema language and ``check_document`` (errors name the
  file, the field and what was expected);
- :mod:`~tinytroupe.state.documents`: the schemas of the library's own documents (agents,
  fragments, worlds, factories, populations, checkpoints);
- :mod:`~tinytroupe.state.files`: versioned JSON documents written atomically and read with
  clear errors, and the one JSON parser every document goes through.
"""

from tinytroupe.state import documents, files, registered, schema

__all__ = ["documents", "files", "registered", "schema"]
