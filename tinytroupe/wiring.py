"""Where the higher layers register what the lower ones use (see :mod:`tinytroupe.providers`).

Imported by the package's ``__init__``, above every layer: the console UI registers with
:mod:`tinytroupe.display`, and judges, propositions, exporters, enrichers, the tool faculty
and interventions are provided by name. Each provider imports its module on first use.
"""

from __future__ import annotations

from typing import Any

from tinytroupe import display, providers

__all__: list[str] = []


def _install_console() -> None:
    from tinytroupe.ui import console

    console.install_default_renderer()


def _print_block(text: str) -> None:
    from tinytroupe.ui import console

    console.print_block(text)


def _propositions() -> Any:
    from tinytroupe.validation import propositions

    return propositions


def _resolve_judge() -> Any:
    from tinytroupe.experimentation.judge import resolve_judge

    return resolve_judge


def _proposition() -> Any:
    from tinytroupe.experimentation import Proposition

    return Proposition


def _artifact_exporter() -> Any:
    from tinytroupe.extraction import ArtifactExporter

    return ArtifactExporter


def _require_docx() -> Any:
    from tinytroupe.extraction import artifact_exporter

    return artifact_exporter._docx_module  # raises the install advice when python-docx is missing


def _enrichers() -> dict[str, Any]:
    from tinytroupe.enrichment import TinyEnricher, TinyStyler

    return {"TinyEnricher": TinyEnricher, "TinyStyler": TinyStyler}


def _survey() -> Any:
    from tinytroupe.survey import Survey

    return Survey


def _survey_embedding() -> Any:
    from tinytroupe.survey.embedding import cosine, resolve_embedder

    return cosine, resolve_embedder


def _tool_use() -> Any:
    from tinytroupe.tools.tool_use import TinyToolUse

    return TinyToolUse


def _intervention() -> Any:
    from tinytroupe.steering import Intervention

    return Intervention


def _html_view() -> Any:
    from tinytroupe.report import notebook

    return notebook


display.register_ui(_install_console, _print_block)
for _name, _maker in (("propositions", _propositions), ("resolve_judge", _resolve_judge),
                      ("Proposition", _proposition), ("ArtifactExporter", _artifact_exporter),
                      ("require_docx", _require_docx), ("enrichers", _enrichers),
                      ("TinyToolUse", _tool_use), ("Intervention", _intervention), ("Survey", _survey),
                      ("survey_embedding", _survey_embedding), ("html_view", _html_view)):
    providers.provide(_name, _maker)
