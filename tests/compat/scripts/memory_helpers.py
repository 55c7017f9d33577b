"""Episodic memory helpers and the communications buffer, as TinyTroupe's notebooks use them."""

from tinytroupe.examples import create_marcos_the_physician

marcos = create_marcos_the_physician()

# items stored directly, in the shapes the original's users write
marcos.store_in_memory({"type": "experience", "content": "Treated a patient with a stubborn cough"})
marcos.store_in_memory({"type": "learning", "content": "Read about a new asthma protocol",
                        "timestamp": "2024-03-01T09:00:00"})
try:
    marcos.store_in_memory(None)
except (TypeError, ValueError, AttributeError):
    pass
else:
    raise AssertionError("storing None should fail")

marcos.listen("Doctor, I have had a cough for three weeks.", source="Patient")
last = marcos.episodic_memory.retrieve_all()[-1]
assert last["role"] == "user" and last["content"]["stimuli"][0]["type"] == "CONVERSATION"
marcos.act()
assert marcos.last_remembered_action() is not None
assert len(marcos.retrieve_recent_memories()) > 0
assert len(marcos.retrieve_memories(first_n=2, last_n=2)) >= 2

# the prompt the next turn would send
assert marcos.current_messages[0]["role"] == "system"
marcos.reset_prompt()
marcos.optimize_memory()

# what was shown since the last look
shown = marcos.pop_and_display_latest_communications()
assert [c["kind"] for c in shown][:1] == ["stimuli"] and any(c["kind"] == "action" for c in shown)
assert marcos.pop_and_display_latest_communications() == []
marcos.see("An x-ray of the patient's chest, with no visible issue.", None, 200)
marcos.think("Probably a post-viral cough.", 200)
marcos.clear_communications_buffer()

print(marcos.pretty_current_interactions(simplified=True, skip_system=True, max_content_length=200,
                                         first_n=2, last_n=3, include_omission_info=True))
marcos.pp_current_interactions(last_n=2)
marcos.clear_episodic_memory(max_prefix_to_clear=1)
marcos.consolidate_episode_memories()
print("memory helpers: ok")
