"""The live session's held mood (emotion.vision.smoothing): steady on flicker, following a change that holds."""

import json

import pytest

from emotion.vision import smoothing
from emotion.vision.labels import EMOTIONS


def reading(emotion: str, p: float = 0.7) -> dict[str, float]:
    rest = (1 - p) / (len(EMOTIONS) - 1)
    return {e: (p if e == emotion else rest) for e in EMOTIONS}


def held_moods(smoother, emotions: list[str]) -> list[str]:
    return smoothing.held_sequence(smoother, [reading(e) for e in emotions])


def test_the_first_reading_is_held_at_once():
    assert smoothing.held_step(None, reading("sad"))["held"] == "sad"


def test_the_served_smoother_ignores_a_single_odd_reading():
    assert held_moods(smoothing.SERVED, ["happy", "happy", "sad", "happy", "happy"]) == ["happy"] * 5


def test_the_served_smoother_follows_a_change_on_the_second_reading():
    assert held_moods(smoothing.SERVED, ["happy", "happy", "sad", "sad", "sad"]) == [
        "happy", "happy", "happy", "sad", "sad"]


def test_two_of_the_last_three_is_enough_even_with_one_between():
    assert held_moods(smoothing.Majority(3, 2), ["happy", "sad", "happy", "sad"]) == ["happy", "happy", "happy", "sad"]


def test_without_smoothing_every_reading_is_the_mood():
    assert held_moods(smoothing.Latest(), ["happy", "sad", "happy"]) == ["happy", "sad", "happy"]


def test_the_average_changes_only_past_the_margin():
    smoother = smoothing.AverageHysteresis(alpha=0.5, margin=0.15)
    assert held_moods(smoother, ["happy", "sad"]) == ["happy", "happy"]  # the averages are level: no change
    assert held_moods(smoother, ["happy", "sad", "sad"])[-1] == "sad"


@pytest.mark.parametrize("smoother", smoothing.CANDIDATES, ids=lambda s: s.name)
def test_every_state_survives_json_as_the_session_stores_it(smoother):
    state: dict = {}
    for emotion in ["angry", "angry", "fear", "neutral"]:
        state = json.loads(json.dumps(smoother.step(state, reading(emotion))))
    assert state["held"] in EMOTIONS


def test_ties_go_to_the_earlier_label_like_the_models_arg_max():
    assert smoothing.top_emotion({e: 1 / 7 for e in EMOTIONS}) == EMOTIONS[0]
