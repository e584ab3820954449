"""A fake Spotify (accounts service, Web API and an open audio-features service) on a real local HTTP server.

It speaks the JSON of the real services, keeps state (users, tokens, libraries, playlists, the player) and
can inject faults: ``fake.fail(...)`` answers the next matching requests with 401/403/429/5xx, and
``fake.latency`` delays every answer. Every request is logged in ``fake.requests``.
"""

import html
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

GENRES = ["dance pop", "sad indie", "death metal", "ambient", "acoustic folk", "hip hop", "jazz", "classical"]


@dataclass
class FakeUser:
    id: str
    display_name: str
    premium: bool = True
    active_device: bool = True
    liked: list[str] = field(default_factory=list)
    top: list[str] = field(default_factory=list)
    playing: dict | None = None


@dataclass
class Fault:
    method: str
    path: str
    status: int
    times: int
    skip: int = 0
    retry_after: int | None = None
    reason: str = ""


class FakeSpotify:
    def __init__(self):
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.reset()

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> "FakeSpotify":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def accounts_url(self) -> str:
        return self.url

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def features_url(self) -> str:
        return f"{self.url}/reccobeats"

    def reset(self) -> None:
        with self.lock:
            self.users: dict[str, FakeUser] = {}
            self.tracks: dict[str, dict] = {}
            self.artists: dict[str, dict] = {}
            self.features: dict[str, dict] = {}
            self.open_features: dict[str, dict] = {}
            self.playlists: dict[str, dict] = {}
            self.codes: dict[str, str] = {}
            self.access_tokens: dict[str, tuple[str, float]] = {}
            self.refresh_tokens: dict[str, str] = {}
            self.faults: list[Fault] = []
            self.requests: list[tuple[str, str]] = []
            self.audio_features_forbidden = True
            self.latency = 0.0
            self.token_lifetime = 3600
            self.consent_user = "alice-spotify"

    # --- state helpers used by tests --------------------------------------------------------------

    def add_user(self, user_id: str, display_name: str = "", **kwargs) -> FakeUser:
        with self.lock:
            user = self.users[user_id] = FakeUser(user_id, display_name or user_id.title(), **kwargs)
            return user

    def add_tracks(self, count: int, *, prefix: str = "t", features: str = "spotify") -> list[str]:
        """Create ``count`` tracks with artists and genres; features go to ``spotify``, ``open`` or ``none``."""
        ids = []
        with self.lock:
            for i in range(len(self.tracks), len(self.tracks) + count):
                track_id = f"{prefix}{i:05d}"
                artist_id = f"ar{i % 40:03d}"
                self.artists.setdefault(artist_id, {
                    "id": artist_id, "name": f"Artist {i % 40}", "type": "artist", "uri": f"spotify:artist:{artist_id}",
                    "genres": [GENRES[i % len(GENRES)]], "external_urls": {"spotify": ""}, "href": "", "images": [],
                })
                self.tracks[track_id] = _track_json(track_id, f"Song {i}", self.artists[artist_id])
                valence, energy = ((i * 37) % 100) / 100, ((i * 61) % 100) / 100
                feats = {"id": track_id, "valence": valence, "energy": energy, "tempo": 60 + (i * 7) % 120,
                         "danceability": 0.5, "uri": f"spotify:track:{track_id}", "type": "audio_features"}
                if features == "spotify":
                    self.features[track_id] = feats
                if features in ("spotify", "open"):
                    self.open_features[track_id] = feats
                ids.append(track_id)
        return ids

    def add_playlist(self, owner: str, name: str, track_ids: list[str] = ()) -> str:
        with self.lock:
            playlist_id = uuid.uuid4().hex[:22]
            self.playlists[playlist_id] = {"id": playlist_id, "name": name, "description": "", "public": False,
                                           "owner": owner, "uris": [f"spotify:track:{t}" for t in track_ids],
                                           "snapshot": 1}
            return playlist_id

    def playlist_uris(self, playlist_id: str) -> list[str]:
        with self.lock:
            return list(self.playlists[playlist_id]["uris"])

    def playlists_of(self, owner: str) -> list[dict]:
        with self.lock:
            return [p for p in self.playlists.values() if p["owner"] == owner]

    def issue_tokens(self, user_id: str) -> dict:
        with self.lock:
            access, refresh = "AT-" + secrets.token_urlsafe(16), "RT-" + secrets.token_urlsafe(16)
            self.access_tokens[access] = (user_id, time.time() + self.token_lifetime)
            self.refresh_tokens[refresh] = user_id
            return {"access_token": access, "token_type": "Bearer", "expires_in": self.token_lifetime,
                    "refresh_token": refresh, "scope": "user-library-read playlist-modify-private"}

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = {k: (u, 0) for k, (u, _) in self.access_tokens.items()}

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def fail(self, path: str, status: int, *, method: str = "", times: int = 1, skip: int = 0,
             retry_after: int | None = None, reason: str = "") -> None:
        """Answer the next ``times`` requests whose path contains ``path`` (after ``skip`` of them) with ``status``."""
        with self.lock:
            self.faults.append(Fault(method.upper(), path, status, times, skip, retry_after, reason))

    def count(self, method: str, path_part: str) -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if m == method and path_part in p)

    # --- request handling -------------------------------------------------------------------------

    def _fault_for(self, method: str, path: str) -> Fault | None:
        fired = None
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.path in path and (not fault.method or fault.method == method):
                    if fault.skip > 0:
                        fault.skip -= 1
                    elif fired is None:
                        fault.times -= 1
                        fired = fault
        return fired

    def handle(self, method: str, path: str, query: dict, body: bytes, headers) -> tuple[int, dict, object]:
        with self.lock:
            self.requests.append((method, path))
        if self.latency:
            time.sleep(self.latency)
        fault = self._fault_for(method, path)
        if fault:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, extra, _error(fault.status, f"injected {fault.status}", fault.reason)
        if path == "/authorize":
            return self._authorize_page(query)
        if path == "/authorize/accept":
            return self._authorize_accept(query)
        if path == "/api/token":
            return self._token(parse_qs(body.decode()), headers)
        if path.startswith("/reccobeats/"):
            return self._open_features(path, query)
        if path.startswith("/v1/"):
            user = self._authenticate(headers)
            if isinstance(user, tuple):
                return user
            data = json.loads(body) if body else {}
            with self.lock:
                return self._api(method, path[3:], query, data, user)
        return 404, {}, _error(404, "Not found")

    def _authorize_page(self, query: dict) -> tuple[int, dict, object]:
        redirect_uri = query.get("redirect_uri", [""])[0]
        # Spotify accepts only HTTPS or loopback-IP redirect URIs; "localhost" is refused.
        if not (redirect_uri.startswith("https://") or redirect_uri.startswith("http://127.0.0.1:")):
            return 400, {"Content-Type": "text/html"}, b"INVALID_CLIENT: Insecure redirect URI"
        accept = "/authorize/accept?" + urlencode({k: v[0] for k, v in query.items()})
        page = (f"<!doctype html><title>Spotify – Log in</title><h1>Allow MoodMusic to access your account?</h1>"
                f"<p>Logged in as {html.escape(self.consent_user)}</p>"
                f'<a id="agree" href="{html.escape(accept)}">Agree</a>')
        return 200, {"Content-Type": "text/html"}, page.encode()

    def _authorize_accept(self, query: dict) -> tuple[int, dict, object]:
        code = secrets.token_urlsafe(12)
        with self.lock:
            self.codes[code] = self.consent_user
        target = query["redirect_uri"][0] + "?" + urlencode({"code": code, "state": query.get("state", [""])[0]})
        return 302, {"Location": target}, b""

    def _token(self, form: dict, headers) -> tuple[int, dict, object]:
        if not headers.get("Authorization", "").startswith("Basic "):
            return 400, {}, {"error": "invalid_client", "error_description": "Invalid client"}
        grant = form.get("grant_type", [""])[0]
        with self.lock:
            if grant == "authorization_code":
                user_id = self.codes.pop(form.get("code", [""])[0], None)
                if not user_id:
                    return 400, {}, {"error": "invalid_grant", "error_description": "Invalid authorization code"}
                return 200, {}, self.issue_tokens(user_id)
            if grant == "refresh_token":
                user_id = self.refresh_tokens.get(form.get("refresh_token", [""])[0])
                if not user_id:
                    return 400, {}, {"error": "invalid_grant", "error_description": "Refresh token revoked"}
                tokens = self.issue_tokens(user_id)
                del self.refresh_tokens[tokens.pop("refresh_token")]
                return 200, {}, tokens
        return 400, {}, {"error": "unsupported_grant_type"}

    def _authenticate(self, headers):
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        with self.lock:
            user_id, expires = self.access_tokens.get(token, (None, 0))
            if not user_id:
                return 401, {}, _error(401, "Invalid access token")
            if expires < time.time():
                return 401, {}, _error(401, "The access token expired")
            return self.users[user_id]

    def _open_features(self, path: str, query: dict) -> tuple[int, dict, object]:
        ids = query.get("ids", [""])[0].split(",")
        with self.lock:
            content = [{**self.open_features[i], "id": str(uuid.uuid5(uuid.NAMESPACE_URL, i)),
                        "href": f"https://open.spotify.com/track/{i}"} for i in ids if i in self.open_features]
        return 200, {}, {"content": content}

    def _api(self, method: str, path: str, query: dict, data: dict, user: FakeUser):  # noqa: C901 (a router)
        route = (method, path)
        if route == ("GET", "/me"):
            return 200, {}, {"id": user.id, "display_name": user.display_name, "type": "user",
                             "uri": f"spotify:user:{user.id}", "href": f"{self.api_url}/users/{user.id}",
                             "external_urls": {"spotify": f"https://open.spotify.com/user/{user.id}"}, "images": []}
        if route == ("GET", "/me/tracks"):
            return self._page(path, query, [{"added_at": "2025-01-01T00:00:00Z", "track": self.tracks[t]}
                                            for t in user.liked], 50)
        if route == ("GET", "/me/top/tracks"):
            return self._page(path, query, [self.tracks[t] for t in user.top], 50)
        if route == ("GET", "/me/playlists"):
            return self._page(path, query, [self._playlist_json(p) for p in self.playlists_of(user.id)], 50)
        if route == ("POST", "/me/playlists"):
            playlist_id = self.add_playlist(user.id, data["name"])
            self.playlists[playlist_id].update(description=data.get("description", ""),
                                               public=data.get("public", True))
            return 201, {}, self._playlist_json(self.playlists[playlist_id])
        if match := re.fullmatch(r"/playlists/(\w+)/items", path):
            return self._playlist_items(method, match[1], query, data, user)
        if match := re.fullmatch(r"/artists/(\w+)", path):
            artist = self.artists.get(match[1])
            return (200, {}, artist) if artist else (404, {}, _error(404, "Resource not found"))
        if route == ("GET", "/artists"):
            return 200, {}, {"artists": [self.artists.get(i) for i in query["ids"][0].split(",")]}
        if route == ("GET", "/audio-features"):
            if self.audio_features_forbidden:
                return 403, {}, _error(403, "Forbidden")
            return 200, {}, {"audio_features": [self.features.get(i) for i in query["ids"][0].split(",")]}
        if path.startswith("/me/player"):
            return self._player(method, path, data, user)
        return 404, {}, _error(404, "Service not found")

    def _playlist_items(self, method: str, playlist_id: str, query: dict, data: dict, user: FakeUser):
        playlist = self.playlists.get(playlist_id)
        if not playlist:
            return 404, {}, _error(404, "Resource not found")
        if method == "GET":
            items = [{"added_at": "2025-01-01T00:00:00Z", "is_local": False,
                      "item": self.tracks.get(uri.rsplit(":", 1)[1])} for uri in playlist["uris"]]
            return self._page(f"/playlists/{playlist_id}/items", query, items, 100)
        if playlist["owner"] != user.id:
            return 403, {}, _error(403, "You cannot modify a playlist you do not own")
        uris = data.get("uris") or []
        if len(uris) > 100:
            return 400, {}, _error(400, "You can add a maximum of 100 tracks per request.")
        if method == "PUT":
            playlist["uris"] = list(uris)
        elif method == "POST":
            position = data.get("position", len(playlist["uris"]))
            playlist["uris"][position:position] = uris
        elif method == "DELETE":
            gone = {entry["uri"] for entry in data.get("items", data.get("tracks", []))}
            playlist["uris"] = [u for u in playlist["uris"] if u not in gone]
        playlist["snapshot"] += 1
        return (201 if method == "POST" else 200), {}, {"snapshot_id": f"snap-{playlist_id}-{playlist['snapshot']}"}

    def _player(self, method: str, path: str, data: dict, user: FakeUser):
        if method == "GET" and path == "/me/player":
            if not user.active_device:
                return 204, {}, None
            return 200, {}, {"device": {"id": "dev1", "name": "Fake speaker", "is_active": True, "type": "Computer"},
                             "is_playing": bool(user.playing and user.playing["is_playing"]),
                             "context": {"uri": (user.playing or {}).get("context_uri")}}
        if not user.premium:
            return 403, {}, _error(403, "Player command failed: Premium required", "PREMIUM_REQUIRED")
        if not user.active_device:
            return 404, {}, _error(404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE")
        if path == "/me/player/play":
            user.playing = {"context_uri": data.get("context_uri"), "is_playing": True}
            return 204, {}, None
        if path == "/me/player/pause":
            user.playing = {**(user.playing or {}), "is_playing": False}
            return 204, {}, None
        return 404, {}, _error(404, "Service not found")

    def _page(self, path: str, query: dict, items: list, max_limit: int):
        limit = min(int(query.get("limit", ["20"])[0]), max_limit)
        offset = int(query.get("offset", ["0"])[0])
        extra = {k: v[0] for k, v in query.items() if k not in ("limit", "offset")}

        def link(at: int) -> str:
            return f"{self.api_url}{path}?" + urlencode({**extra, "offset": at, "limit": limit})

        return 200, {}, {
            "href": link(offset), "items": items[offset:offset + limit], "limit": limit, "offset": offset,
            "total": len(items), "next": link(offset + limit) if offset + limit < len(items) else None,
            "previous": link(max(0, offset - limit)) if offset else None,
        }

    def _playlist_json(self, playlist: dict) -> dict:
        return {"id": playlist["id"], "name": playlist["name"], "description": playlist["description"],
                "public": playlist["public"], "collaborative": False, "type": "playlist",
                "uri": f"spotify:playlist:{playlist['id']}",
                "snapshot_id": f"snap-{playlist['id']}-{playlist['snapshot']}",
                "owner": {"id": playlist["owner"], "display_name": playlist["owner"], "type": "user"},
                "items": {"href": f"{self.api_url}/playlists/{playlist['id']}/items", "total": len(playlist["uris"])},
                "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist['id']}"}, "images": []}


def _track_json(track_id: str, name: str, artist: dict) -> dict:
    simple_artist = {k: artist[k] for k in ("id", "name", "type", "uri", "external_urls", "href")}
    return {"id": track_id, "name": name, "type": "track", "uri": f"spotify:track:{track_id}", "duration_ms": 200000,
            "artists": [simple_artist], "explicit": False, "is_local": False, "popularity": 50,
            "album": {"id": f"al{track_id}", "name": f"Album of {name}", "artists": [simple_artist],
                      "images": [{"url": f"https://i.scdn.co/image/{track_id}", "height": 640, "width": 640}]},
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"}}


def _error(status: int, message: str, reason: str = "") -> dict:
    error = {"status": status, "message": message}
    if reason:
        error["reason"] = reason
    return {"error": error}


def _handler_for(fake: FakeSpotify):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _dispatch(self):
            parsed = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = parse_qs(parsed.query)
            status, headers, payload = fake.handle(self.command, parsed.path, query, body, self.headers)
            if isinstance(payload, bytes):
                raw = payload
            else:
                raw = b"" if payload is None else json.dumps(payload).encode()
                headers = {"Content-Type": "application/json", **headers}
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch  # noqa: N815

        def log_message(self, format, *args):  # noqa: A002
            pass

    return Handler


def main() -> None:
    """Run the fake on its own (``python -m tests.fakes.spotify``) for a worker or a manual try-out."""
    fake = FakeSpotify()
    print(fake.url, flush=True)
    fake.server.serve_forever()


if __name__ == "__main__":
    main()
