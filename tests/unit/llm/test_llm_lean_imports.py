"""The production path stays lean: no openai SDK or httpx for plain-http calls, no test tools."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import tinytroupe

PACKAGE = Path(tinytroupe.__file__).resolve().parent

FIRST_CALL = r"""
import sys
from tinytroupe.testing import LoopbackServer
server = LoopbackServer().start()
import tinytroupe
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
config_manager.update_multiple({"api_type": "openai", "base_url": server.base_url, "api_key": "k",
                                "model": "loopback-model", "display": "off"})
from tinytroupe import llm
assert llm.complete_text("hello") == "Hello from the loopback server."
agent = TinyPerson("Ana")
agent.listen("How are you?")
agent.act()
assert server.request_count == 2, server.request_count
server.stop()
print(sorted(m for m in ("openai", "httpx", "httpcore") if m in sys.modules))
"""


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_llm_first_plain_http_call_imports_neither_sdk_nor_httpx():
    assert _run(FIRST_CALL) == "[]"


def test_llm_https_still_goes_through_the_sdk():
    code = ("import sys\nfrom tinytroupe.llm.providers.openai_compat import OpenAIModel\n"
            "m = OpenAIModel(api_key='k', base_url='https://example.invalid/v1', model='m', timeout=1)\n"
            "assert not m.plain_http\n"
            "import asyncio\nasyncio.run(asyncio.sleep(0))\n"
            "async def make():\n    return m.client()\n"
            "asyncio.run(make())\nprint('openai' in sys.modules)")
    assert _run(code) == "True"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_llm_no_production_module_imports_the_testing_package():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if (PACKAGE / "testing") in path.parents:
            continue
        if any(name == "tinytroupe.testing" or name.startswith("tinytroupe.testing.") for name in _imports(path)):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_llm_scripted_runs_do_not_load_the_testing_package():
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom tinytroupe.cli.main import app\n"
            "from tinytroupe.cli.models import install_scripted_model\n"
            "from tinytroupe.llm.setup import build_provider\nbuild_provider('scripted')\n"
            "install_scripted_model()\nfrom tinytroupe.agent import TinyPerson\n"
            "a = TinyPerson('Bo')\na.listen('hi')\na.act()\n"
            "print([m for m in sys.modules if m.startswith('tinytroupe.testing')])")
    assert _run(code) == "[]"
