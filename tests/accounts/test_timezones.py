"""Days and times of day in the person's time zone, from the browser's ``tz`` cookie."""

import datetime as dt

from django.utils import timezone

from emotion.models import MoodEntry


def test_the_summary_reads_days_and_times_of_day_in_the_browsers_time_zone(alice, client):
    # 23:30 UTC on 9 March is 08:30 on 10 March in Tokyo.
    for minute in (30, 40):
        MoodEntry.objects.create(owner=alice, emotion="happy", source=MoodEntry.Source.MANUAL,
                                 created_at=dt.datetime(2026, 3, 9, 23, minute, tzinfo=dt.UTC))
    # Enough entries over enough days for the summary to speak of times of day: noon in Tokyo.
    for day in (10, 11, 11, 12):
        MoodEntry.objects.create(owner=alice, emotion="sad", source=MoodEntry.Source.MANUAL,
                                 created_at=dt.datetime(2026, 3, day, 3, 0, tzinfo=dt.UTC))
    client.force_login(alice)
    period = {"from": "2026-03-10", "to": "2026-03-12"}

    utc = client.get("/api/moods/summary/", period).json()
    client.cookies["tz"] = "Asia/Tokyo"
    tokyo = client.get("/api/moods/summary/", period).json()

    assert utc["total"] == 4 and utc["time_of_day"] == []  # four entries: below the insight minimum
    assert tokyo["total"] == 6
    assert tokyo["time_of_day"] == [{"emotion": "happy", "parts": ["morning"], "count": 2},
                                    {"emotion": "sad", "parts": ["afternoon"], "count": 4}]


def test_an_unknown_time_zone_falls_back_to_the_servers(alice, client):
    client.force_login(alice)
    client.cookies["tz"] = "Mars/Olympus_Mons"

    response = client.get("/api/moods/summary/")

    assert response.status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"  # nothing left activated after the request


def test_the_timeline_groups_days_in_the_browsers_time_zone_not_utc(alice, client):
    # In Tokyo (UTC+9) the first two are the morning of 10 March, the third the night of 11 March; in UTC
    # they fall on 9, 10 and 10 March.
    for emotion, at in (("happy", dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)),
                        ("happy", dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)),
                        ("sad", dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC))):
        MoodEntry.objects.create(owner=alice, emotion=emotion, source=MoodEntry.Source.MANUAL, created_at=at)
    client.force_login(alice)
    client.cookies["tz"] = "Asia/Tokyo"

    timeline = client.get("/api/moods/summary/", {"from": "2026-03-10", "to": "2026-03-11"}).json()["timeline"]

    assert [(day["date"], {e: n for e, n in day["counts"].items() if n}) for day in timeline] == [
        ("2026-03-10", {"happy": 2}), ("2026-03-11", {"sad": 1})]
