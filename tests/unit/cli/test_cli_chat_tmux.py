"""``tinytroupe chat`` in a real terminal: driven through tmux send-keys / capture-pane."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _pane(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _pane(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear on the terminal; it shows:\n{_pane(session)}")


def test_chat_in_a_terminal(tmp_path):
    session = f"tt-{uuid.uuid4().hex[:8]}"
    home = tmp_path / "home"
    command = (f"cd {shlex.quote(str(tmp_path))} && TINYTROUPE_HOME={shlex.quote(str(home))} "
               f"{shlex.quote(sys.executable)} -m tinytroupe.cli --model scripted chat oscar --save end.md; "
               "echo EXIT=$?; sleep 30")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "AZURE", "TINYTROUPE_"))}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command],
                   check=True, env=env)
    try:
        _wait_for(session, "You>")
        subprocess.run(["tmux", "send-keys", "-t", session, "What do you think of timber houses?", "Enter"], check=True)
        _wait_for(session, "Oscar:")
        subprocess.run(["tmux", "send-keys", "-t", session, "/quit", "Enter"], check=True)
        screen = _wait_for(session, "EXIT=")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert "EXIT=0" in screen and "Bye." in screen
    assert "timber houses" in (tmp_path / "end.md").read_text()
