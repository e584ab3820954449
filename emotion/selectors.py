"""Read-side queries for mood history."""

import datetime as dt
from collections import Counter

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_date

from emotion.models import MoodEntry
from emotion.vision.labels import EMOTIONS

FIRST_DAY = dt.date.min + dt.timedelta(days=1)
LAST_DAY = dt.date.max - dt.timedelta(days=1)

# The history speaks of patterns (time of day, change against the period before) only from this much data,
# in each period it speaks of: a pattern read from one busy day is that day, not a pattern.
INSIGHT_MIN_ENTRIES = 5
INSIGHT_MIN_DAYS = 3
# ...and says when an emotion tends to come only for one recorded more than once.
INSIGHT_MIN_PER_EMOTION = 2


class BadPeriod(ValueError):
    pass


def parse_period(params) -> tuple[dt.date | None, dt.date | None]:
    """Read ``from`` and ``to`` (YYYY-MM-DD, inclusive) from query parameters."""
    bounds = []
    for name in ("from", "to"):
        raw = params.get(name)
        bounds.append(None if raw is None else _day(name, raw))
    if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
        raise BadPeriod("'from' must not be after 'to'.")
    return bounds[0], bounds[1]


def _day(name: str, raw: str) -> dt.date:
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise BadPeriod(f"'{name}' must be a date written YYYY-MM-DD, not {raw!r}.")
    # The period's ends become midnights on either side of it, which must stay within dates' range.
    if not FIRST_DAY <= value <= LAST_DAY:
        raise BadPeriod(f"'{name}' must be a date between {FIRST_DAY} and {LAST_DAY}, not {raw!r}.")
    return value


def moods_for(user, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[MoodEntry]:
    qs = MoodEntry.objects.filter(owner=user)
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tz))
    if end:
        qs = qs.filter(created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz))
    return qs


def mood_summary(user, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Distribution per emotion and a per-day timeline for the period."""
    qs = moods_for(user, start, end)
    distribution = Counter(dict(qs.values_list("emotion").annotate(n=Count("id")).values_list("emotion", "n")))
    days: dict[str, dict[str, int]] = {}
    for day, emotion, n in (
        qs.annotate(day=TruncDate("created_at")).values_list("day", "emotion").annotate(n=Count("id")).order_by("day")
    ):
        days.setdefault(day.isoformat(), dict.fromkeys(EMOTIONS, 0))[emotion] = n
    counts = {e: distribution.get(e, 0) for e in EMOTIONS}
    insight = insight_basis(sum(counts.values()), len(days))
    return {
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "total": sum(distribution.values()),
        "distribution": counts,
        "top": most_frequent(counts),
        "timeline": [{"date": d, "counts": counts} for d, counts in days.items()],
        "insight": insight,
        "change": mood_change(user, start, end, counts) if insight["ready"] else None,
        "time_of_day": mood_time_of_day(qs) if insight["ready"] else [],
    }


def insight_basis(entries: int, days: int) -> dict:
    """Whether ``entries`` over ``days`` distinct days are enough to speak of patterns, with the minimum."""
    return {"ready": entries >= INSIGHT_MIN_ENTRIES and days >= INSIGHT_MIN_DAYS, "entries": entries, "days": days,
            "min_entries": INSIGHT_MIN_ENTRIES, "min_days": INSIGHT_MIN_DAYS}


def most_frequent(counts: dict[str, int]) -> list[str]:
    """Every emotion that shares the highest count (none when nothing was recorded): a tie names them all."""
    best = max(counts.values(), default=0)
    return [e for e, n in counts.items() if n == best] if best else []


def mood_change(user, start: dt.date | None, end: dt.date | None, counts: dict[str, int]) -> dict | None:
    """Counts per emotion against the period of the same length just before; None for an open period, and
    None when the period before holds too little to compare with (``insight_basis``)."""
    if not (start and end):
        return None
    length = (end - start).days + 1
    if (start - FIRST_DAY).days < length:
        return None  # the period before would start before the calendar does
    previous_start, previous_end = start - dt.timedelta(days=length), start - dt.timedelta(days=1)
    previous = moods_for(user, previous_start, previous_end)
    previous_days = previous.annotate(day=TruncDate("created_at")).values("day").distinct().count()
    before = dict(previous.values_list("emotion").annotate(n=Count("id")).values_list("emotion", "n"))
    if not insight_basis(sum(before.values()), previous_days)["ready"]:
        return None
    return {
        "previous_from": previous_start.isoformat(),
        "previous_to": previous_end.isoformat(),
        "emotions": [{"emotion": e, "count": counts[e], "previous": before.get(e, 0),
                      "change": counts[e] - before.get(e, 0)} for e in EMOTIONS],
    }


# Hours (local time) that start each part of the day.
DAY_PARTS = (("night", 0), ("morning", 5), ("afternoon", 12), ("evening", 17), ("night", 22))


def day_part(hour: int) -> str:
    return next(name for name, first in reversed(DAY_PARTS) if hour >= first)


def mood_time_of_day(qs: QuerySet[MoodEntry]) -> list[dict]:
    """For each emotion recorded: the part(s) of the day it comes most often (ties keep every part)."""
    tz = timezone.get_current_timezone()
    parts: dict[str, Counter] = {}
    for emotion, hour, n in qs.annotate(hour=ExtractHour("created_at", tzinfo=tz)).values_list(
        "emotion", "hour"
    ).annotate(n=Count("id")).order_by():
        parts.setdefault(emotion, Counter())[day_part(hour)] += n
    result = []
    for emotion in EMOTIONS:
        if sum(parts.get(emotion, Counter()).values()) < INSIGHT_MIN_PER_EMOTION:
            continue
        best = max(parts[emotion].values())
        order = ["morning", "afternoon", "evening", "night"]
        result.append({
            "emotion": emotion,
            "parts": [p for p in order if parts[emotion][p] == best],
            "count": sum(parts[emotion].values()),
        })
    return result


def corrections_by_emotion() -> list[dict]:
    """For each emotion the model read on camera: how often, how often people corrected it, and to what.

    An uncorrected camera entry counts as a reading the person let stand.
    """
    camera = MoodEntry.objects.filter(source=MoodEntry.Source.CAMERA)
    stood = dict(camera.filter(corrected_at__isnull=True).values_list("emotion").annotate(n=Count("id")))
    corrected: dict[str, Counter] = {e: Counter() for e in EMOTIONS}
    for model_emotion, emotion, n in (
        camera.filter(corrected_at__isnull=False).values_list("model_emotion", "emotion").annotate(n=Count("id"))
    ):
        corrected[model_emotion][emotion] += n
    rows = []
    for e in EMOTIONS:
        n_corrected = sum(corrected[e].values())
        readings = stood.get(e, 0) + n_corrected
        rows.append({
            "emotion": e,
            "readings": readings,
            "corrected": n_corrected,
            "corrected_share": n_corrected / readings if readings else None,
            "to": [corrected[e][other] for other in EMOTIONS],
        })
    return rows


def corrected_camera_entries() -> QuerySet[MoodEntry]:
    """Camera entries the person corrected, with their capture and its readings, for the admin's export."""
    return (MoodEntry.objects.filter(source=MoodEntry.Source.CAMERA, corrected_at__isnull=False)
            .select_related("capture").prefetch_related("capture__readings").order_by("-corrected_at"))
