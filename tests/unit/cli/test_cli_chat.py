"""``tinytroupe chat``: a conversation driven through piped standard input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tinytroupe.cli.main import EXIT_USAGE


def test_chat_answers_each_line_and_quits(cli):
    result = cli("--model", "scripted", "chat", "lisa", input="Hello Lisa\nWhat do you do?\n/quit\nnever read\n")
    assert result.exit_code == 0, result.stderr
    replies = [line for line in result.stdout.splitlines() if line.startswith("Lisa:")]
    assert len(replies) == 2
    assert "Chatting with Lisa" in result.stdout and result.stdout.rstrip().endswith("Bye.")


def test_chat_saves_markdown_jsonl_and_agent_files(cli, tmp_path):
    script = "Hi there\n/save talk.md\n/save talk.jsonl\n/save lisa.agent.json\nBye now\n"
    result = cli("--model", "scripted", "chat", "lisa", "--save", "final.md", input=script)
    assert result.exit_code == 0, result.stderr
    first = (tmp_path / "talk.md").read_text()
    assert first.startswith("# Chat with Lisa") and "**You:** Hi there" in first and "**Lisa:**" in first
    assert "Bye now" not in first
    assert "Bye now" in (tmp_path / "final.md").read_text()  # --save writes at the end
    events = [json.loads(line) for line in (tmp_path / "talk.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in events][:2] == ["agent.stimulus", "agent.action"]
    saved = json.loads((tmp_path / "lisa.agent.json").read_text())
    assert saved["type"] == "TinyPerson" and saved["episodic_memory"]
    assert result.stdout.count("Conversation saved to") == 4


def test_chat_json_mode_prints_one_json_line_per_action(cli):
    result = cli("--model", "scripted", "--json", "chat", "oscar", input="Good morning\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["agent"] == "Oscar" and lines[0]["type"] == "TALK" and lines[0]["content"]
    assert lines[-1] == {"agent": "Oscar", "messages": 1, "saved": None}


def test_chat_with_an_agent_file_and_unknown_commands(cli, tmp_path):
    path = tmp_path / "ines.agent.json"
    path.write_text(json.dumps({"type": "TinyPerson", "persona": {"name": "Ines", "age": 33}}))
    result = cli("--model", "scripted", "chat", str(path), input="/dance\n/save\nHello\n")
    assert result.exit_code == 0
    assert "unknown command /dance" in result.stderr and "/save needs a file name" in result.stderr
    assert "Ines:" in result.stdout


def test_chat_with_a_missing_file_is_bad_input(cli):
    result = cli("--model", "scripted", "chat", "people/nobody.agent.json", input="")
    assert result.exit_code == EXIT_USAGE and "agent file not found" in result.stderr


def test_chat_through_a_real_pipe_in_a_subprocess(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "AZURE"))}
    env.update({"TINYTROUPE_HOME": str(tmp_path / "home"), "NO_COLOR": "", "TERM": "xterm-256color"})
    proc = subprocess.run([sys.executable, "-m", "tinytroupe.cli", "--model", "scripted", "chat", "marcos"],
                          input="How are your patients?\n/save chat.md\n/quit\n", capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Marcos:" in proc.stdout and "\x1b[" not in proc.stdout
    assert "How are your patients?" in (tmp_path / "chat.md").read_text()
