"""The console renderer, the display switch, and the Jupyter view."""

from __future__ import annotations

import io

from rich.console import Console

from tinytroupe import contracts, display, events
from tinytroupe.agent import TinyPerson
from tinytroupe.config import config_manager
from tinytroupe.runtime import Runtime
from tinytroupe.testing.agent_replies import act_reply
from tinytroupe.ui import console as ui_console


def _renderer():
    out = io.StringIO()
    return ui_console.ConsoleRenderer(Console(file=out, width=200, color_system=None)), out


def test_renderer_shows_the_familiar_forms(scripted):
    renderer, out = _renderer()
    unsubscribe = events.subscribe(renderer)
    try:
        lisa, oscar = TinyPerson("Lisa"), TinyPerson("Oscar")
        lisa.make_agent_accessible(oscar)
        scripted.queue(act_reply(("THINK", "hmm"), ("TALK", "Hi Oscar", "Oscar")))
        lisa.listen_and_act("Tell me about your work")
        lisa.listen("psst", communication_display=False)
        events.emit(contracts.WorldStep("Office", 3), source="Office", sim_time="2024-01-01T09:00:00")
    finally:
        unsubscribe()
    text = out.getvalue()
    assert "USER --> Lisa: [CONVERSATION]\n  > Tell me about your work" in text
    assert "Lisa acts: [THINK]\n  > hmm" in text
    assert "Lisa --> Oscar: [TALK]\n  > Hi Oscar" in text
    assert "Lisa acts: [DONE]" in text
    assert "psst" not in text
    assert "Office step 3" in text and "2024-01-01T09:00:00" in text


def test_long_content_is_clipped():
    renderer = ui_console.ConsoleRenderer(Console(file=io.StringIO(), width=300), max_content_length=10)
    assert renderer._clip("x" * 50) == "x" * 9 + "…"


def test_display_off_installs_nothing_and_disable_wins(monkeypatch):
    with Runtime(name="display"):  # a fresh runtime: nothing requested or installed yet
        display.request_display()  # tests run with DISPLAY=off
        assert not ui_console.is_enabled()
        config_manager.update("display", "on")
        installed = []
        monkeypatch.setattr(ui_console, "install_default_renderer", lambda: installed.append(1))
        display.request_display()
        display.request_display()
        assert installed == [1]
        with Runtime(name="another"):  # each runtime installs the renderer on its own event bus
            display.request_display()
        assert installed == [1, 1]


def test_enable_and_disable():
    with Runtime(name="console"):
        renderer, out = _renderer()
        assert ui_console.enable(renderer) is renderer and ui_console.is_enabled()
        events.emit(contracts.AgentAction("Ana", "TALK", "visible", ""), source="Ana")
        with Runtime(name="other"):
            assert not ui_console.is_enabled()  # the switch of another runtime
            events.emit(contracts.AgentAction("Ana", "TALK", "elsewhere", ""), source="Ana")
        ui_console.disable()
        assert not ui_console.is_enabled() and ui_console.install_default_renderer() is None
        events.emit(contracts.AgentAction("Ana", "TALK", "hidden", ""), source="Ana")
    assert "visible" in out.getvalue() and "hidden" not in out.getvalue() and "elsewhere" not in out.getvalue()


def test_markdown_view_for_jupyter():
    ana = TinyPerson("Ana")
    ana.define({"age": 30, "occupation": {"title": "Nurse"}})
    ana.move_to("Lisbon")
    card = ana._repr_markdown_()
    assert card.startswith("**Ana**") and "Nurse" in card and "Lisbon" in card


def test_jupyter_html_helpers_escape_and_show_interactions():
    from tinytroupe.ui import jupyter

    ana = TinyPerson("Ana")
    ana.define("occupation", {"title": "Nurse <night>"})
    ana.listen("<script>x</script>", source="Bob")
    card = jupyter.agent_html(ana)
    assert "<b>Ana</b>" in card and "Nurse &lt;night&gt;" in card
    history = jupyter.interactions_html(ana)
    assert "&lt;script&gt;" in history and "<script>" not in history and "Bob" in history
    assert jupyter.show(ana).startswith(card)
