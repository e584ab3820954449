"""History insight: change per emotion against the previous period, and time of day per mood, ties included,
spoken only from enough data (selectors.INSIGHT_MIN_ENTRIES over INSIGHT_MIN_DAYS) in every period compared."""

import datetime as dt

from django.utils import timezone

from emotion.models import MoodEntry
from emotion.selectors import INSIGHT_MIN_DAYS, INSIGHT_MIN_ENTRIES, day_part, mood_summary, most_frequent


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


def test_the_minimum_is_the_one_the_page_states():
    assert (INSIGHT_MIN_ENTRIES, INSIGHT_MIN_DAYS) == (5, 3)


def test_change_is_counted_against_the_period_just_before(alice, bob):
    start, end = dt.date(2026, 3, 8), dt.date(2026, 3, 14)
    for day in (9, 10, 11, 12, 13):
        mood(alice, "happy", at(dt.date(2026, 3, day), 9))
    for day in (2, 3, 4, 5, 6):
        mood(alice, "sad", at(dt.date(2026, 3, day), 9))  # the week before
    mood(alice, "sad", at(dt.date(2026, 3, 7), 23))  # still the week before
    mood(alice, "happy", at(dt.date(2026, 2, 28), 9))  # two weeks before: not counted
    mood(bob, "happy", at(dt.date(2026, 3, 3), 9))  # someone else's

    summary = mood_summary(alice, start, end)

    change = {row["emotion"]: row for row in summary["change"]["emotions"]}
    assert (summary["change"]["previous_from"], summary["change"]["previous_to"]) == ("2026-03-01", "2026-03-07")
    assert (change["happy"]["count"], change["happy"]["previous"], change["happy"]["change"]) == (5, 0, 5)
    assert (change["sad"]["count"], change["sad"]["previous"], change["sad"]["change"]) == (0, 6, -6)


def test_no_comparison_with_a_period_before_that_holds_too_little(alice):
    start, end = dt.date(2026, 3, 8), dt.date(2026, 3, 14)
    for day in (9, 10, 11, 12, 13):
        mood(alice, "happy", at(dt.date(2026, 3, day), 9))
    for hour in (8, 9, 10, 11, 12):
        mood(alice, "sad", at(dt.date(2026, 3, 3), hour))  # five, but all on one day

    summary = mood_summary(alice, start, end)

    assert summary["insight"]["ready"] is True and summary["change"] is None
    assert [row["emotion"] for row in summary["time_of_day"]] == ["happy"]


def test_no_comparison_with_an_empty_period_before(alice):
    for day in (9, 10, 11, 12, 13):
        mood(alice, "happy", at(dt.date(2026, 3, day), 9))

    assert mood_summary(alice, dt.date(2026, 3, 8), dt.date(2026, 3, 14))["change"] is None


def test_no_insight_below_the_minimum_entries_or_days(alice):
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    for day in (2, 3, 4, 5):
        mood(alice, "sad", at(dt.date(2026, 3, day), 9))  # four days, four entries: one entry short

    thin = mood_summary(alice, start, end)

    assert thin["insight"] == {"ready": False, "entries": 4, "days": 4, "min_entries": 5, "min_days": 3}
    assert thin["time_of_day"] == [] and thin["change"] is None
    assert thin["total"] == 4 and thin["distribution"]["sad"] == 4  # the counts themselves are always given

    for hour in (10, 11, 12):
        mood(alice, "sad", at(dt.date(2026, 3, 2), hour))  # seven entries, still four days
    assert mood_summary(alice, start, end)["insight"]["ready"] is True

    busy_day = dt.date(2026, 4, 1)
    for hour in range(8, 18):
        mood(alice, "happy", at(busy_day, hour))
    one_day = mood_summary(alice, busy_day, busy_day + dt.timedelta(days=6))
    assert one_day["insight"]["ready"] is False and one_day["time_of_day"] == []


def test_an_open_period_has_no_previous_period(alice):
    assert mood_summary(alice)["change"] is None


def test_time_of_day_names_the_part_a_mood_comes_most_and_keeps_ties(alice):
    day = dt.date(2026, 3, 9)
    mood(alice, "neutral", at(day, 7))
    mood(alice, "neutral", at(day + dt.timedelta(days=1), 8))
    mood(alice, "neutral", at(day, 19))
    mood(alice, "sad", at(day + dt.timedelta(days=2), 13))
    mood(alice, "sad", at(day, 23))

    summary = mood_summary(alice, day, day + dt.timedelta(days=2))

    parts = {row["emotion"]: row["parts"] for row in summary["time_of_day"]}
    assert parts == {"neutral": ["morning"], "sad": ["afternoon", "night"]}
    assert summary["top"] == ["neutral"]


def test_time_of_day_is_said_only_of_an_emotion_recorded_more_than_once(alice):
    day = dt.date(2026, 3, 9)
    for offset in range(4):
        mood(alice, "sad", at(day + dt.timedelta(days=offset % 3), 9))
    mood(alice, "happy", at(day, 20))  # once: no "mostly in the evenings" from one evening

    summary = mood_summary(alice, day, day + dt.timedelta(days=2))

    assert summary["insight"]["ready"] is True
    assert [row["emotion"] for row in summary["time_of_day"]] == ["sad"]


def test_the_summary_api_hands_the_insight_to_its_owner_only(alice, alice_api, bob_api):
    for days_ago in (0, 1, 2, 2, 2):
        mood(alice, "happy", timezone.now() - dt.timedelta(days=days_ago))

    mine = alice_api.get("/api/moods/summary/").json()
    theirs = bob_api.get("/api/moods/summary/").json()

    assert mine["top"] == ["happy"] and [r["emotion"] for r in mine["time_of_day"]] == ["happy"]
    assert mine["insight"]["ready"] is True and mine["insight"]["days"] == 3
    assert theirs["top"] == [] and theirs["time_of_day"] == [] and theirs["insight"]["ready"] is False
