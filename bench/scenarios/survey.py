"""The survey: N respondents in one world, one broadcast question, one step, as a user would write it::

    world = TinyWorld("Survey", respondents, broadcast_if_no_target=False)
    world.broadcast(question)
    world.run(1)

Respondents answer with a THINK and a TALK to nobody in particular (a survey's respondents
do not hear each other, hence ``broadcast_if_no_target=False``). The ideal is one latency per
wave of ``concurrency`` requests. The large variant runs at 0 ms latency and reports peak
memory.
"""

from __future__ import annotations

import math
import random
import statistics
from typing import Any

from bench.scenarios.harness import (
    Clock,
    Row,
    configure,
    fresh_simulation,
    http_setup,
    peak_rss_mib,
    spread,
    timed_repeats,
    warm_up,
)

__all__ = ["SURVEY_QUESTION", "respondents", "run_survey", "survey_latency", "large_survey"]

SURVEY_QUESTION = ("Survey question: would you pay 5 euros a month for a bicycle-sharing subscription "
                   "in your city? Answer yes or no, and say why in two sentences.")
_CITIES = ("Lisbon", "Porto", "Madrid", "Lyon", "Turin", "Ghent", "Leeds", "Bremen", "Krakow", "Aarhus")
_JOBS = ("nurse", "teacher", "electrician", "student", "accountant", "bus driver", "chef", "retired engineer",
         "shop owner", "software developer", "farmer", "pharmacist")
_TRAITS = ("careful with money", "sporty", "sceptical of subscriptions", "environmentally minded",
           "busy parent", "early adopter", "prefers driving", "lives far from the centre")


def respondents(count: int, seed: int = 5) -> list[Any]:
    """``count`` small personas (age, job, city, two traits) from a seeded generator."""
    from tinytroupe.agent import TinyPerson

    rng = random.Random(seed)
    people = []
    for i in range(count):
        person = TinyPerson(f"Respondent {i:05d}")
        person.define({"age": rng.randint(18, 85), "occupation": {"title": rng.choice(_JOBS)},
                       "residence": rng.choice(_CITIES), "personality": {"traits": rng.sample(_TRAITS, 2)}})
        people.append(person)
    return people


def run_survey(count: int) -> dict[str, Any]:
    """Build the survey world, ask, run one step; wall/CPU seconds and how many answered."""
    from tinytroupe.environment import TinyWorld

    with Clock() as build:
        people = respondents(count)
        world = TinyWorld("Survey", people, broadcast_if_no_target=False, seed=3)
        world.broadcast(SURVEY_QUESTION)
    with Clock() as clock:
        history = world.run(1, return_actions=True) or [{}]
    answered = sum(1 for p in people if any(a["action"]["type"] == "TALK" for a in history[0].get(p.name, [])))
    return {"wall": clock.wall, "cpu": clock.cpu, "build_wall": build.wall, "answered": answered,
            "fallbacks": sum(p.fallback_count for p in people)}


def survey_latency(respondents: int = 100, latency: float = 0.2, concurrency: int = 100, repeats: int = 3,
                   in_process: bool = False) -> list[Row]:
    """Wall time of the survey (median of ``repeats`` runs) against one latency per wave of
    ``concurrency`` requests."""
    configure(max_concurrent_model_calls=concurrency)
    with http_setup(responder="bench.scenarios.replies:survey_reply", in_process=in_process,
                    latency=latency) as server:
        warm_up(server)
        run, stats, walls = timed_repeats(server, repeats, lambda: run_survey(respondents))
        trips = server.round_trips.mean_ms() if server.round_trips else 0.0
    fresh_simulation()
    ideal = math.ceil(respondents / concurrency) * latency
    wall = round(statistics.median(walls), 3)
    per_request = stats["prompt_tokens_per_request"]
    return [Row(f"survey: {respondents:,} respondents, concurrency {concurrency}, {latency * 1000:.0f} ms",
                "s", ideal, wall, target="<= 1.3 x ideal", passed=wall <= 1.3 * ideal and
                run["answered"] == respondents, requests=stats["requests"],
                tokens=stats["prompt_tokens"] + stats["completion_tokens"], peak_rss_mib=peak_rss_mib(),
                note=f"{spread(walls)}; {run['answered']}/{respondents} answered; max {stats['max_in_flight']} in flight; "
                     f"round trip {trips:.0f} ms on average (at that round trip the ideal would be "
                     f"{ideal / latency * trips / 1000:.2f} s, ratio {wall / max(1e-9, ideal / latency * trips / 1000):.2f}); "
                     f"CPU {run['cpu']:.2f} s in the step "
                     f"({run['cpu'] * 1000 / respondents:.2f} ms per respondent; the server process "
                     f"{stats['server_cpu_s'] * 1000 / max(1, stats['requests']):.2f} ms per request); building the world and broadcasting took "
                     f"{run['build_wall']:.2f} s before it; prompt {max(per_request, default=0)} tokens at most",
                details={"cpu_s": round(run["cpu"], 3), "build_s": round(run["build_wall"], 3),
                         "answered": run["answered"], "max_in_flight": stats["max_in_flight"]})]


def _scripted_model() -> Any:
    from bench.scenarios.replies import scripted_survey
    from tinytroupe import llm

    return llm.set_default_model(llm.ScriptedModel(responder=scripted_survey))


def large_survey(respondents: int = 10_000, http: bool = False, concurrency: int = 100,
                 in_process: bool = False) -> list[Row]:
    """The survey at 0 ms latency: peak memory (and wall time) of ``respondents`` agents."""
    configure(max_concurrent_model_calls=concurrency)
    baseline = peak_rss_mib()
    if http:
        with http_setup(responder="bench.scenarios.replies:survey_reply", in_process=in_process,
                        latency=0.0) as server:
            warm_up(server)
            run = run_survey(respondents)
            stats = server.stats()
        requests, tokens, path = stats["requests"], stats["prompt_tokens"] + stats["completion_tokens"], "HTTP"
    else:
        _scripted_model()
        warm_up()
        run = run_survey(respondents)
        requests, tokens, path = respondents, None, "scripted model"
    peak = peak_rss_mib()
    fresh_simulation()
    return [Row(f"large: {respondents:,}-agent survey at 0 ms ({path})", "MiB", None, peak,
                target="peak RSS <= 2,048 MiB", passed=peak <= 2048 and run["answered"] == respondents,
                requests=requests, tokens=tokens, peak_rss_mib=peak,
                note=f"{run['answered']:,}/{respondents:,} answered; world built in {run['build_wall']:.1f} s, "
                     f"step {run['wall']:.1f} s wall, {run['cpu']:.1f} s CPU "
                     f"({run['cpu'] / max(1, respondents) * 1000:.2f} ms per respondent); "
                     f"RSS before the survey {baseline:.0f} MiB",
                details={"wall_s": round(run["wall"], 2), "cpu_s": round(run["cpu"], 2),
                         "build_s": round(run["build_wall"], 2), "rss_before_mib": baseline})]
