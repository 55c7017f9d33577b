"""A 300-fact semantic memory and paraphrased questions about it, for retrieval tests and benchmarks.

:data:`TARGETS` pairs a first-person fact with a question that asks for it in other words
(few or no shared content words, as a person would ask); :func:`facts` mixes those facts with
distractors about other people, pets, cars and keys (some close in topic on purpose) into
a fixed, shuffled list of 300::

    memory.store_all(facts())
    for fact, question in TARGETS:
        memory.retrieve_relevant(question, top_k=3)   # should hold ``fact``
"""

from __future__ import annotations

import random

__all__ = ["TARGETS", "HARD_DISTRACTORS", "facts", "FACT_COUNT"]

FACT_COUNT = 300

TARGETS: tuple[tuple[str, str], ...] = (
    ("My cat is named Pixel and she sleeps on the printer.", "what is my pet called"),
    ("I am allergic to peanuts, so I read the label on every snack.", "which food makes me sick"),
    ("My sister Ana lives in Lisbon and works as a nurse.", "where does my sibling live"),
    ("I drive a red 2012 Honda Civic to the office every morning.", "what car do I own"),
    ("I was born in a small fishing village in the north of Norway.", "where am I from originally"),
    ("My favourite dish is my grandmother's mushroom risotto.", "what meal do I like best"),
    ("I play the cello in a community orchestra on Thursday evenings.", "which musical instrument do I play"),
    ("My daughter starts university in September to study chemistry.", "when does my child begin college"),
    ("I broke my left wrist when I fell off my bicycle last spring.", "what injury did I have"),
    ("The wifi password at home is written on a note on the fridge.", "where can I find the internet code"),
    ("I am saving money to buy a small apartment by the sea.", "what am I putting cash aside for"),
    ("My dentist appointment is on Tuesday at ten in the morning.", "when do I see the doctor for my teeth"),
    ("I switched from coffee to green tea because of my heartburn.", "what hot drink do I have now"),
    ("My best friend Tomas moved to Canada last year.", "where did my closest pal relocate to"),
    ("I run five kilometres along the river every Sunday morning.", "what exercise do I do at the weekend"),
    ("My boss wants the quarterly sales report on her desk by Friday.", "when is the deadline my manager set"),
    ("I am learning Japanese with a phone app on my commute.", "which language am I studying"),
    ("The spare house key is hidden under the blue flowerpot by the door.", "where did I leave the extra key to my home"),
    ("My son is terrified of thunderstorms and hides under his bed.", "what scares my boy"),
    ("My laptop battery dies after an hour, so I need a new one.", "what is wrong with my computer"),
    ("I have been a vegetarian since I was nineteen.", "do I eat meat"),
    ("My wedding anniversary is on the twelfth of June.", "when did I get married"),
)

HARD_DISTRACTORS: tuple[str, ...] = (
    "Our neighbours adopted a puppy called Biscuit from the shelter in March.",
    "My colleague's parrot can whistle the national anthem.",
    "My uncle restores old motorcycles in his garage.",
    "The printer in the office jams whenever someone prints labels.",
    "My friend Ravi broke an ankle skiing in the Alps.",
    "The car park at the station is full by eight every morning.",
    "My cousin keeps his house keys on a hook in the hallway.",
    "The orchestra at the town hall plays a free concert every summer.",
    "My neighbour's children study at the international school.",
    "Our team switched from email to a chat app for quick questions.",
    "The bakery on the corner sells a cheese and onion pie on Fridays.",
    "My aunt grows tomatoes and peppers on her balcony.",
)

_PEOPLE = ("My colleague Ravi", "My uncle Pedro", "Our neighbour Sofia", "My cousin Mei", "My friend Jonas",
           "My old teacher Mr Patel", "My brother-in-law Kofi", "The new intern Lucia", "My landlord Mr Berg",
           "My yoga instructor Nadia")
_DOINGS = (
    "bakes sourdough bread every weekend", "is training for the Berlin marathon", "collects vintage postcards",
    "sold an old motorbike to buy a boat", "volunteers at the food bank on Saturdays",
    "just came back from a trip to Peru", "is renovating a kitchen with salvaged wood",
    "writes a blog about local history", "got a promotion to team lead in April",
    "has been learning to sail on the lake", "keeps bees on the roof of the building",
    "is moving to a flat closer to the station", "plays chess online every night",
    "started a small business selling candles", "had knee surgery in January",
    "knits scarves for the whole family", "is organising the street party this summer",
    "watches every football match of the local club", "reads two novels a week",
    "is planning a road trip across Scotland", "repairs bicycles for the neighbours",
    "recently took up pottery classes", "complains about the noise from the bar downstairs",
    "hosts a board game evening on Wednesdays", "is writing a cookbook of family recipes",
    "won a photography competition last autumn", "forgot my birthday again this year",
    "lent me a tent for the camping weekend", "recommended a good accountant to me",
)


def facts(seed: int = 23) -> list[str]:
    """The 300 facts: the targets, the hard distractors and generated ones, in a fixed shuffled order."""
    generated = [f"{person} {doing}." for person in _PEOPLE for doing in _DOINGS]
    fill = FACT_COUNT - len(TARGETS) - len(HARD_DISTRACTORS)
    rng = random.Random(seed)
    chosen = rng.sample(generated, fill)
    everything = [fact for fact, _ in TARGETS] + list(HARD_DISTRACTORS) + chosen
    rng.shuffle(everything)
    return everything
