"""History insight: change per emotion against the previous period, and time of day per mood, ties included."""

import datetime as dt

from django.utils import timezone

from emotion.models import MoodEntry
from emotion.selectors import day_part, mood_summary, most_frequent


def mood(owner, emotion: str, when: dt.datetime) -> MoodEntry:
    return MoodEntry.objects.create(owner=owner, emotion=emotion, source=MoodEntry.Source.MANUAL, created_at=when)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), timezone.get_current_timezone())


def test_a_tie_for_most_frequent_names_every_emotion_in_it():
    assert most_frequent({"happy": 2, "sad": 2, "fear": 1}) == ["happy", "sad"]
    assert most_frequent({"happy": 0, "sad": 0}) == []


def test_parts_of_the_day():
    assert [day_part(h) for h in (0, 4, 5, 11, 12, 16, 17, 21, 22, 23)] == [
        "night", "night", "morning", "morning", "afternoon", "afternoon", "evening", "evening", "night", "night"]


def test_change_is_counted_against_the_period_just_before(alice, bob):
    start, end = dt.date(2026, 3, 8), dt.date(2026, 3, 14)
    mood(alice, "happy", at(dt.date(2026, 3, 9), 9))
    mood(alice, "happy", at(dt.date(2026, 3, 10), 9))
    mood(alice, "sad", at(dt.date(2026, 3, 3), 9))  # the week before
    mood(alice, "sad", at(dt.date(2026, 3, 7), 23))  # still the week before
    mood(alice, "happy", at(dt.date(2026, 2, 28), 9))  # two weeks before: not counted
    mood(bob, "happy", at(dt.date(2026, 3, 3), 9))  # someone else's

    summary = mood_summary(alice, start, end)

    change = {row["emotion"]: row for row in summary["change"]["emotions"]}
    assert (summary["change"]["previous_from"], summary["change"]["previous_to"]) == ("2026-03-01", "2026-03-07")
    assert (change["happy"]["count"], change["happy"]["previous"], change["happy"]["change"]) == (2, 0, 2)
    assert (change["sad"]["count"], change["sad"]["previous"], change["sad"]["change"]) == (0, 2, -2)


def test_an_open_period_has_no_previous_period(alice):
    assert mood_summary(alice)["change"] is None


def test_time_of_day_names_the_part_a_mood_comes_most_and_keeps_ties(alice):
    day = dt.date(2026, 3, 9)
    mood(alice, "neutral", at(day, 7))
    mood(alice, "neutral", at(day, 8))
    mood(alice, "neutral", at(day, 19))
    mood(alice, "sad", at(day, 13))
    mood(alice, "sad", at(day, 23))

    summary = mood_summary(alice, day, day)

    parts = {row["emotion"]: row["parts"] for row in summary["time_of_day"]}
    assert parts == {"neutral": ["morning"], "sad": ["afternoon", "night"]}
    assert summary["top"] == ["neutral"]


def test_the_summary_api_hands_the_insight_to_its_owner_only(alice, alice_api, bob_api):
    mood(alice, "happy", timezone.now())

    mine = alice_api.get("/api/moods/summary/").json()
    theirs = bob_api.get("/api/moods/summary/").json()

    assert mine["top"] == ["happy"] and [r["emotion"] for r in mine["time_of_day"]] == ["happy"]
    assert theirs["top"] == [] and theirs["time_of_day"] == []
