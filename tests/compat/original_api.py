"""The public names of TinyTroupe 0.6 as its documentation, README and examples use them.

``ORIGINAL_API`` maps each module to the names a user of the original imports from it;
``NOT_PROVIDED`` lists the ones this library does not offer, each with the reason and what to
use instead. ``python tests/compat/original_api.py`` prints what imports and what does not.
"""

from __future__ import annotations

import importlib

from tinytroupe.not_provided import NOT_PROVIDED as _EXPLAINED  # these fail with a message naming the fix

ORIGINAL_API: dict[str, list[str]] = {
    "tinytroupe": ["config_manager"],
    "tinytroupe.agent": ["TinyPerson", "TinyToolUse", "TinyMentalFaculty", "CustomMentalFaculty", "RecallFaculty",
                         "FilesAndWebGroundingFaculty", "EpisodicMemory", "SemanticMemory"],
    "tinytroupe.agent.tiny_person": ["TinyPerson"],
    "tinytroupe.agent.mental_faculty": ["TinyMentalFaculty", "CustomMentalFaculty", "RecallFaculty",
                                        "FilesAndWebGroundingFaculty", "TinyToolUse"],
    "tinytroupe.agent.memory": ["TinyMemory", "EpisodicMemory", "SemanticMemory", "EpisodicConsolidator",
                                "ReflectionConsolidator", "MemoryProcessor"],
    "tinytroupe.agent.grounding": ["GroundingConnector", "BaseSemanticGroundingConnector",
                                   "LocalFilesGroundingConnector", "WebPagesGroundingConnector"],
    "tinytroupe.agent.action_generator": ["ActionGenerator", "ActionRefusedException"],
    "tinytroupe.environment": ["TinyWorld", "TinySocialNetwork"],
    "tinytroupe.environment.tiny_world": ["TinyWorld"],
    "tinytroupe.environment.tiny_social_network": ["TinySocialNetwork"],
    "tinytroupe.factory": ["TinyPersonFactory"],
    "tinytroupe.factory.tiny_factory": ["TinyFactory"],
    "tinytroupe.factory.tiny_person_factory": ["TinyPersonFactory"],
    "tinytroupe.extraction": ["ResultsExtractor", "ResultsReducer", "ResultsReporter", "ArtifactExporter",
                              "Normalizer", "default_extractor"],
    "tinytroupe.enrichment": ["TinyEnricher", "TinyStyler"],
    "tinytroupe.validation": ["TinyPersonValidator"],
    "tinytroupe.validation.tiny_person_validator": ["TinyPersonValidator"],
    "tinytroupe.experimentation": ["ABRandomizer", "Proposition", "check_proposition", "compute_score",
                                   "InPlaceExperimentRunner", "StatisticalTester"],
    "tinytroupe.steering": ["TinyStory", "Intervention"],
    "tinytroupe.steering.tiny_story": ["TinyStory"],
    "tinytroupe.steering.intervention": ["Intervention"],
    "tinytroupe.tools": ["TinyTool", "TinyCalendar", "TinyWordProcessor"],
    "tinytroupe.tools.tiny_tool": ["TinyTool"],
    "tinytroupe.tools.tiny_calendar": ["TinyCalendar"],
    "tinytroupe.tools.tiny_word_processor": ["TinyWordProcessor"],
    "tinytroupe.profiling": ["Profiler"],
    "tinytroupe.control": ["begin", "end", "checkpoint", "current_simulation", "reset", "cache_hits", "cache_misses",
                           "Simulation", "Transaction", "transactional"],
    "tinytroupe.openai_utils": ["client", "force_api_type", "force_api_cache", "register_client", "OpenAIClient",
                                "AzureClient", "InvalidRequestError", "NonTerminalError"],
    "tinytroupe.clients": ["client", "force_api_type", "force_api_cache", "register_client", "OpenAIClient",
                           "AzureClient", "OllamaClient"],
    "tinytroupe.utils": ["LLMChat", "llm", "extract_json", "first_non_none", "config_defaults", "dedent", "fresh_id",
                         "name_or_empty", "pretty_datetime", "break_text_at_length", "merge_dicts", "custom_hash",
                         "compose_initial_LLM_messages_with_templates", "add_rai_template_variables_if_enabled",
                         "repeat_on_error", "post_init", "JsonSerializableRegistry", "read_config_file",
                         "pretty_print_config", "start_logger"],
    "tinytroupe.utils.semantics": ["correct_according_to_rule", "restructure_as_observed_vs_expected",
                                   "extract_observed_vs_expected_rules", "formulate_corrective_rule",
                                   "combine_texts", "extract_information_from_text", "accumulate_based_on_query",
                                   "compute_semantic_proximity"],
    "tinytroupe.examples": ["create_lisa_the_data_scientist", "create_lisa_the_data_scientist_2",
                            "create_oscar_the_architect", "create_oscar_the_architect_2",
                            "create_marcos_the_physician", "create_marcos_the_physician_2",
                            "create_lila_the_linguist", "create_lila_the_linguist_2",
                            "load_example_agent_specification", "load_example_fragment_specification",
                            "list_example_agents", "list_example_fragments"],
    "tinytroupe.ui.jupyter_widgets": ["AgentChatJupyterWidget"],
    "tinytroupe.ui": ["AgentChatJupyterWidget"],
    "tinytroupe.utils.llm": ["LLMChat", "llm", "LLMScalarWithJustificationResponse",
                             "LLMScalarWithJustificationAndReasoningResponse"],
    "tinytroupe.utils.config": ["read_config_file", "pretty_print_config", "start_logger", "ThreadSafeFileHandler"],
    "tinytroupe.utils.concurrency": ["monitor_threads"],
    "tinytroupe.clients.openai_client": ["OpenAIClient"],
    "tinytroupe.clients.azure_client": ["AzureClient"],
    "tinytroupe.clients.ollama_client": ["OllamaClient"],
}

NOT_PROVIDED: dict[str, str] = {
    **{f"{module}.{name}": why for module, names in _EXPLAINED.items() for name, why in names.items()},
}


def check() -> tuple[list[str], list[str]]:
    """``(importable, missing)`` as ``module.name`` strings."""
    ok, missing = [], []
    for module_name, names in ORIGINAL_API.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing += [f"{module_name}.{n}" for n in names]
            continue
        for name in names:
            try:
                getattr(module, name)
            except (AttributeError, ImportError):
                missing.append(f"{module_name}.{name}")
            else:
                ok.append(f"{module_name}.{name}")
    return ok, missing


if __name__ == "__main__":
    importable, absent = check()
    print(f"{len(importable)} of {len(importable) + len(absent)} names import")
    for full in absent:
        print(f"  missing: {full}  ({NOT_PROVIDED.get(full, 'no reason recorded')})")
