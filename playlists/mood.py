"""Mood scoring on the valence–arousal plane. Pure Python: no Django, no HTTP.

Valence is Spotify's ``valence`` (0 sad … 1 happy). Arousal is 0.75 × ``energy`` + 0.25 × tempo scaled from
60–180 BPM onto 0–1. Each emotion owns a point of the plane (``REGIONS``); a track fits an emotion by how
close it lies. docs/spotify.md has the table and the reasoning.
"""

import math
from dataclasses import dataclass

REGIONS: dict[str, tuple[float, float]] = {
    "happy": (0.85, 0.70),
    "surprise": (0.70, 0.90),
    "angry": (0.20, 0.90),
    "fear": (0.25, 0.70),
    "disgust": (0.20, 0.55),
    "sad": (0.20, 0.25),
    "neutral": (0.55, 0.45),
}
# Where "lift" leads: calm and content.
LIFT_GOAL = (0.75, 0.45)

# A lift with one playlist per emotion (the starter playlists) is one step: from each mood, the emotion whose
# music comes next on the way up. The iso principle: meet the mood, then move gently. Energetic moods keep
# their energy and turn bright (angry → surprise → happy); tense and low moods settle into calm first
# (fear, disgust, sad → neutral), and calm brightens (neutral → happy). Happy is where every lift ends.
LIFT_STEPS: dict[str, str] = {
    "angry": "surprise", "disgust": "neutral", "fear": "neutral", "sad": "neutral",
    "surprise": "happy", "neutral": "happy", "happy": "happy",
}


def lift_step(emotion: str, strategy: str) -> str:
    """The emotion whose one-playlist-per-emotion music plays for ``emotion`` under ``strategy``."""
    return LIFT_STEPS[emotion] if strategy == "lift" else emotion
MAX_DISTANCE = math.sqrt(2)

# Genre words and where music tagged with them tends to sit; the mean of all matches is the track's point.
GENRE_POINTS: dict[str, tuple[float, float]] = {
    "metal": (0.25, 0.92), "punk": (0.45, 0.90), "hardcore": (0.25, 0.95), "grunge": (0.30, 0.75),
    "rock": (0.50, 0.75), "edm": (0.75, 0.90), "dance": (0.80, 0.80), "house": (0.75, 0.80),
    "techno": (0.55, 0.85), "disco": (0.85, 0.75), "funk": (0.85, 0.70), "pop": (0.75, 0.65),
    "hip hop": (0.55, 0.70), "rap": (0.50, 0.72), "reggae": (0.75, 0.45), "latin": (0.80, 0.70),
    "soul": (0.60, 0.45), "r&b": (0.60, 0.45), "jazz": (0.60, 0.35), "blues": (0.30, 0.35),
    "folk": (0.55, 0.30), "acoustic": (0.55, 0.25), "singer-songwriter": (0.45, 0.30),
    "ambient": (0.50, 0.15), "classical": (0.50, 0.25), "lo-fi": (0.50, 0.20), "chill": (0.60, 0.25),
    "sad": (0.15, 0.30), "emo": (0.20, 0.60), "goth": (0.20, 0.55), "dark": (0.20, 0.60),
    "soundtrack": (0.45, 0.45), "indie": (0.50, 0.50), "country": (0.65, 0.50), "gospel": (0.75, 0.55),
}


def arousal(energy: float, tempo: float | None) -> float:
    if tempo is None:
        return energy
    return 0.75 * energy + 0.25 * min(1.0, max(0.0, (tempo - 60) / 120))


def genre_point(genres: list[str]) -> tuple[float, float] | None:
    """The mean point of every known genre word found in ``genres``; None when none is known."""
    hits = [point for genre in genres for word, point in GENRE_POINTS.items() if word in genre.lower()]
    if not hits:
        return None
    return sum(v for v, _ in hits) / len(hits), sum(a for _, a in hits) / len(hits)


def closeness(point: tuple[float, float], target: tuple[float, float]) -> float:
    """1 at the target, 0 at the far corner of the plane."""
    return round(1 - math.dist(point, target) / MAX_DISTANCE, 4)


@dataclass(frozen=True)
class Candidate:
    track_id: int
    point: tuple[float, float] | None
    source_label: str
    vote: bool | None = None


@dataclass(frozen=True)
class Pick:
    track_id: int
    score: float
    reason: str


def _reason(candidate: Candidate, prefix: str = "") -> str:
    valence, arousal_ = candidate.point
    return f"{prefix}valence {valence:.2f}, arousal {arousal_:.2f} ({candidate.source_label})"


def rank(candidates: list[Candidate], emotion: str, strategy: str, size: int) -> list[Pick]:
    """The ordered playlist for ``emotion``: the person's own "fits" votes first, "does not fit" never."""
    voted = [Pick(c.track_id, 1.0, "you said it fits") for c in sorted(candidates, key=lambda c: c.track_id)
             if c.vote is True]
    pool = [c for c in candidates if c.vote is None and c.point is not None]
    room = max(0, size - len(voted))
    picks = _lift(pool, emotion, room) if strategy == "lift" else _match(pool, emotion, room)
    return (voted + picks)[:size]


def _match(pool: list[Candidate], emotion: str, size: int) -> list[Pick]:
    target = REGIONS[emotion]
    ordered = sorted(pool, key=lambda c: (-closeness(c.point, target), c.track_id))
    return [Pick(c.track_id, closeness(c.point, target), _reason(c)) for c in ordered[:size]]


def _lift(pool: list[Candidate], emotion: str, size: int) -> list[Pick]:
    """Start at the mood and walk step by step toward LIFT_GOAL, taking the nearest unused track at each step."""
    start, picks, left = REGIONS[emotion], [], list(pool)
    for step in range(min(size, len(left))):
        t = step / max(1, size - 1)
        target = (start[0] + (LIFT_GOAL[0] - start[0]) * t, start[1] + (LIFT_GOAL[1] - start[1]) * t)
        best = min(left, key=lambda c: (-closeness(c.point, target), c.track_id))
        left.remove(best)
        picks.append(Pick(best.track_id, closeness(best.point, target), _reason(best, f"lift step {step + 1}: ")))
    return picks
