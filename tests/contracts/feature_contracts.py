"""The documented answer shapes of the open feature sources, as JSON Schema.

ReccoBeats: https://reccobeats.com/docs/apis/get-audio-features (``content`` rows: the service's own ``id``,
the Spotify track in ``href``, Spotify-style features). MusicBrainz: the Web Service v2 JSON search answer
(https://musicbrainz.org/doc/MusicBrainz_API/Search), recordings with ``artist-credit`` and ``tags``.
Our fakes answer in these shapes and our clients read only what they name.
"""

from jsonschema import Draft7Validator

UNIT = {"type": "number", "minimum": 0, "maximum": 1}

SCHEMAS = {
    "reccobeats": {
        "type": "object", "required": ["content"],
        "properties": {"content": {"type": "array", "items": {
            "type": "object", "required": ["id", "href", "valence", "energy", "tempo"],
            "properties": {
                "id": {"type": "string"}, "href": {"type": "string", "pattern": r"^https://open\.spotify\.com/track/"},
                "acousticness": UNIT, "danceability": UNIT, "energy": UNIT, "instrumentalness": UNIT,
                "liveness": UNIT, "speechiness": UNIT, "valence": UNIT, "key": {"type": "integer"},
                "mode": {"type": "integer"}, "loudness": {"type": "number"}, "tempo": {"type": "number", "minimum": 0},
            }}}},
    },
    "musicbrainz": {
        "type": "object", "required": ["count", "offset", "recordings"],
        "properties": {"count": {"type": "integer"}, "offset": {"type": "integer"}, "recordings": {
            "type": "array", "items": {
                "type": "object", "required": ["id", "title"],
                "properties": {
                    "id": {"type": "string"}, "score": {"type": "integer"}, "title": {"type": "string"},
                    "artist-credit": {"type": "array", "items": {
                        "type": "object", "required": ["name"],
                        "properties": {"name": {"type": "string"}, "artist": {"type": "object"}}}},
                    "tags": {"type": "array", "items": {
                        "type": "object", "required": ["count", "name"],
                        "properties": {"count": {"type": "integer"}, "name": {"type": "string"}}}},
                }}}},
    },
}


def check(source: str, answer: dict) -> list[str]:
    """Every way ``answer`` departs from the documented shape of ``source``."""
    return [f"{source}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft7Validator(SCHEMAS[source]).iter_errors(answer)]
