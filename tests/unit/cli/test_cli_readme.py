"""README.md stays true: the quick start, the config.ini reference, the commands, the Python snippets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tinytroupe.cli.config_cmd import reference_markdown
from tinytroupe.cli.main import app
from tinytroupe.config import SETTINGS

README = Path(__file__).resolve().parents[3] / "README.md"

QUICK_START = '''## Quick start

```bash
CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DCMAKE_PROJECT_llama.cpp_INCLUDE=$PWD/install/llama-lean.cmake" pip install -e ".[local]" && tinytroupe demo
CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DCMAKE_PROJECT_llama.cpp_INCLUDE=$PWD/install/llama-lean.cmake" pip install -e ".[local,dev]" && pytest
```
'''


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def _between(text: str, marker: str) -> str:
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    return text[text.index(start) + len(start):text.index(end)].strip()


def test_the_quick_start_is_near_the_top_and_unchanged(readme):
    assert QUICK_START in readme
    assert readme.index(QUICK_START) < 400


def test_the_quick_start_build_leaves_out_what_the_embedded_model_does_not_load():
    """The CMake include the quick start names exists and turns llama.cpp's common library off;
    CI builds with the same arguments."""
    include = README.parent / "install" / "llama-lean.cmake"
    assert re.search(r"^set\(LLAMA_BUILD_COMMON OFF CACHE BOOL .* FORCE\)$", include.read_text(), re.M)
    ci = (README.parent / ".ci" / "run").read_text()
    args = re.search(r'CMAKE_ARGS="([^"]+)"', QUICK_START).group(1)
    assert f'CMAKE_ARGS="{args}"' in ci


def test_the_config_reference_lists_every_setting(readme):
    section = _between(readme, "config-reference")
    assert section == reference_markdown().strip(), (
        "README's config.ini reference is out of date: paste the output of `tinytroupe config reference` "
        "between the config-reference markers")
    for setting in SETTINGS:
        assert f"| `{setting.key}` |" in section and f"[{setting.section}]" in section


def test_every_command_is_documented(readme):
    from typer.main import get_command

    root = get_command(app)
    for name, command in root.commands.items():
        assert f"tinytroupe {name}" in readme, name
        for sub in getattr(command, "commands", {}):
            assert re.search(rf"\b{name} {sub}\b|`{sub}`|{name}[^`\n]*/ `?{sub}", readme), f"{name} {sub}"


def _python_blocks(readme: str) -> list[str]:
    section = readme[readme.index("## Python\n"):readme.index("## Coming from TinyTroupe")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_python_snippets_run(readme, scripted, tmp_path):
    from tinytroupe.cli.models import scripted_responder

    scripted.responder = scripted_responder()
    blocks = _python_blocks(readme)
    assert len(blocks) >= 4
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "rita.agent.json").is_file() and (tmp_path / "meeting.jsonl").is_file()
    assert len(list((tmp_path / "cyclists").glob("*.agent.json"))) == 3
    assert (tmp_path / "clinic.cache.json").is_file() and (tmp_path / "calls.sqlite").is_file()
