"""The held mood of a live session: readings every few seconds, a mood that changes only once a new
reading has held. Pure Python, no Django: the capture services apply it, the benchmark measures it.

A smoother is a step function over a JSON-serialisable state (stored on the live session between
captures): ``step(state, probabilities) -> state``, with ``state["held"]`` the mood held after this
reading. The first reading of a session is held at once, so the music starts with the first picture.

Candidates, measured on capture sequences built from the FER2013 validation faces by
``python -m benchmarks.live_smoothing`` (figures in docs/architecture.md, "Live sessions"):

- ``latest``: every reading is the mood (what interval mode did), the baseline.
- ``majority-3``: the mood changes to an emotion once it is the top emotion of 2 of the last 3 readings.
- ``average-hysteresis``: an exponential average of the probabilities; the mood changes when another
  emotion's average beats the held one's by a margin.

``SERVED`` names the one the capture services use.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from emotion.vision.labels import EMOTIONS

State = dict
Probabilities = Mapping[str, float]


def top_emotion(probabilities: Probabilities) -> str:
    """The most probable emotion; ties go to the earlier label, as the model's arg-max does."""
    return max(EMOTIONS, key=lambda e: (probabilities.get(e, 0.0), -EMOTIONS.index(e)))


@dataclass(frozen=True)
class Latest:
    """No smoothing: the last reading is the mood."""

    name: str = "latest"
    summary: str = "a new picture reads another emotion"

    def step(self, state: State, probabilities: Probabilities) -> State:
        return {"held": top_emotion(probabilities)}


@dataclass(frozen=True)
class Majority:
    """The mood changes to an emotion once it tops ``need`` of the last ``window`` readings."""

    window: int = 3
    need: int = 2

    @property
    def name(self) -> str:
        return f"majority-{self.window}" if self.need == self.window // 2 + 1 else f"{self.need}-of-{self.window}"

    @property
    def summary(self) -> str:
        return f"{self.need} of the last {self.window} pictures agree"

    def step(self, state: State, probabilities: Probabilities) -> State:
        recent = [*state.get("recent", []), top_emotion(probabilities)][-self.window:]
        held = state.get("held")
        if held is None:
            held = recent[-1]
        else:
            counts = {e: recent.count(e) for e in set(recent)}
            leader = max(counts, key=lambda e: (counts[e], e == recent[-1]))
            if leader != held and counts[leader] >= self.need:
                held = leader
        return {"held": held, "recent": recent}


@dataclass(frozen=True)
class AverageHysteresis:
    """Exponential average of the probabilities (weight ``alpha`` on the new reading); the mood changes
    when another emotion's average is ahead of the held emotion's by at least ``margin``."""

    alpha: float = 0.5
    margin: float = 0.15

    @property
    def name(self) -> str:
        return f"average-hysteresis(a={self.alpha:g},m={self.margin:g})"

    @property
    def summary(self) -> str:
        return f"another emotion leads the recent pictures' average by {self.margin:.0%}"

    def step(self, state: State, probabilities: Probabilities) -> State:
        previous = state.get("average")
        if previous is None:
            average = {e: float(probabilities.get(e, 0.0)) for e in EMOTIONS}
        else:
            average = {e: self.alpha * float(probabilities.get(e, 0.0)) + (1 - self.alpha) * previous[e]
                       for e in EMOTIONS}
        held = state.get("held")
        leader = top_emotion(average)
        if held is None or (leader != held and average[leader] - average[held] >= self.margin):
            held = leader
        return {"held": held, "average": {e: round(v, 5) for e, v in average.items()}}


CANDIDATES = (Latest(), Majority(3, 2), Majority(5, 3), AverageHysteresis(0.5, 0.1), AverageHysteresis(0.5, 0.15))
SERVED = Majority(3, 2)


def held_step(state: State | None, probabilities: Probabilities) -> State:
    """One reading of a live session through the served smoother: the new state, its mood in ``["held"]``."""
    return SERVED.step(state or {}, probabilities)


def held_sequence(smoother, readings: Iterable[Probabilities]) -> list[str]:
    """The mood ``smoother`` holds after each of ``readings``, from a fresh session."""
    state: State = {}
    held = []
    for probabilities in readings:
        state = smoother.step(state, probabilities)
        held.append(state["held"])
    return held
