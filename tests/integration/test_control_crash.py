"""Resume after kill -9: a script killed during step 7 and run again replays steps 1-6 without LLM calls.

The script runs in a subprocess with a deterministic scripted model (each reply a pure function
of the prompt) that appends one line per request to a file, so the requests of each run can be
counted. In the crashing run the model blocks inside step 7 and the test sends SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

SCRIPT = '''
import json, sys, time
from datetime import datetime, timedelta
from pathlib import Path

from tinytroupe import control, llm
from tinytroupe.agent import TinyPerson
from tinytroupe.environment import TinyWorld
from tinytroupe.testing.agent_replies import talk_responder

work, mode, hang_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
reply = talk_responder()


def responder(request):
    with open(work / "requests.log", "a") as log:
        log.write(request.tags.get("agent", "?") + "\\n")
    if world.simulation_step == hang_at:
        (work / "inside_step").write_text(str(world.simulation_step))
        time.sleep(300)  # the test kills the process here
    return reply(request)


llm.set_default_model(llm.ScriptedModel(responder=responder))
control.begin(work / "simulation.json", auto_checkpoint=True)
agents = [TinyPerson(name) for name in ("Ann", "Bob", "Cy")]
world = TinyWorld("Cafe", agents, initial_datetime=datetime(2025, 1, 6, 9), seed=7)
world.broadcast("Should the cafe buy the new espresso machine?")
for step in range(1, 11):
    world.run(1, timedelta(minutes=10), parallelize=(mode == "parallel"))
(work / "final_state.json").write_text(json.dumps(world.encode_complete_state()))
control.end()
'''


def _start(script: Path, work: Path, mode: str, hang_at: int) -> subprocess.Popen:
    work.mkdir(exist_ok=True)
    (work / "requests.log").unlink(missing_ok=True)
    return subprocess.Popen([sys.executable, str(script), str(work), mode, str(hang_at)], cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process: subprocess.Popen) -> None:
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output


def _requests(work: Path) -> int:
    log = work / "requests.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.mark.parametrize("mode", ["sequential", "parallel"])
def test_a_run_killed_during_step_7_resumes_from_the_last_checkpoint(tmp_path, mode):
    script = tmp_path / "scenario.py"
    script.write_text(SCRIPT)

    reference = tmp_path / "uninterrupted"
    _finish(_start(script, reference, mode, hang_at=0))
    assert _requests(reference) == 30

    crashed = tmp_path / "crashed"
    process = _start(script, crashed, mode, hang_at=7)
    deadline = time.monotonic() + 120
    while not (crashed / "inside_step").exists():
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, "the script never reached step 7"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    checkpoint = json.loads((crashed / "simulation.json").read_text())
    assert len(checkpoint["records"]) == 1 + 6  # the broadcast and steps 1-6
    assert not (crashed / "final_state.json").exists()

    _finish(_start(script, crashed, mode, hang_at=0))
    assert _requests(crashed) == 4 * 3  # steps 7-10 only
    final = json.loads((crashed / "final_state.json").read_text())
    assert final == json.loads((reference / "final_state.json").read_text())

    _finish(_start(script, crashed, mode, hang_at=0))  # and a third run replays everything
    assert _requests(crashed) == 0
