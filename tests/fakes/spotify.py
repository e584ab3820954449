"""A fake Spotify (accounts service and Web API) on a real local HTTP server, as an app registered today sees it.

It keeps state (users, tokens with their scopes, libraries, playlists, the player) and holds every Web API call
to Spotify's published reference (tests/contracts/spotify/): an unknown path answers 404, a wrong method 405,
a parameter beyond its limits 400, a deprecated operation 403 (as it does for apps registered since November
2024), a token without the operation's scope 403, and a person missing from the app's allow-list 403
(development mode). Requests the reference refuses and answers that break its schemas or carry deprecated
fields land in ``fake.violations``; the fixture fails any test that leaves one there.

Faults: ``fake.fail(...)`` answers the next matching requests with 401/403/404/429/5xx (the accounts service
with its own ``{"error", "error_description"}`` body), ``fake.latency`` delays every answer.
"""

import html
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from tests.contracts import spotify_contract
from tests.fakes.server import FakeServer

NOT_ALLOW_LISTED = "Check settings on developer.spotify.com/dashboard, the user may not be registered."
# Spotify answers /me for any token; its listed scopes only unlock fields the reference marks deprecated.
SCOPE_FREE = {"get-current-users-profile"}


@dataclass
class FakeUser:
    id: str
    display_name: str
    account_id: str = ""
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


class FakeSpotify(FakeServer):
    @property
    def accounts_url(self) -> str:
        return self.url

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    def reset(self) -> None:
        with self.lock:
            self.users: dict[str, FakeUser] = {}
            self.allow_list: set[str] = set()
            self.tracks: dict[str, dict] = {}
            self.artists: dict[str, dict] = {}
            self.playlists: dict[str, dict] = {}
            self.codes: dict[str, tuple[str, str]] = {}
            self.access_tokens: dict[str, tuple[str, float, frozenset[str]]] = {}
            self.refresh_tokens: dict[str, tuple[str, frozenset[str]]] = {}
            self.faults: list[Fault] = []
            self.requests: list[tuple[str, str]] = []
            self.violations: list[str] = []
            self.latency = 0.0
            self.token_lifetime = 3600
            self.rotate_refresh_tokens = True
            self.consent_user = "alice-spotify"
            self.on_new_track = None

    # --- state helpers used by tests --------------------------------------------------------------

    def add_user(self, user_id: str, display_name: str = "", *, allow_listed: bool = True, **kwargs) -> FakeUser:
        with self.lock:
            account_id = kwargs.pop("account_id", "acc-" + user_id)
            user = self.users[user_id] = FakeUser(user_id, display_name or user_id.title(), account_id, **kwargs)
            if allow_listed:
                self.allow_list.add(user_id)
            return user

    def add_tracks(self, count: int, *, prefix: str = "t", features: str = "open") -> list[str]:
        """Create ``count`` tracks, each by one of 40 artists.

        ``features`` says which open source knows them (``open``: the audio-features service, ``tags``:
        MusicBrainz only, ``none``: neither); ``on_new_track`` (set by the fixtures) tells those fakes.
        """
        ids = []
        with self.lock:
            for i in range(len(self.tracks), len(self.tracks) + count):
                track_id = f"{prefix}{i:05d}"
                artist_id = f"ar{i % 40:03d}"
                self.artists.setdefault(artist_id, {
                    "id": artist_id, "name": f"Artist {i % 40}", "type": "artist", "uri": f"spotify:artist:{artist_id}",
                    "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
                    "href": f"{self.api_url}/artists/{artist_id}"})
                self.tracks[track_id] = _track_json(track_id, f"Song {i}", self.artists[artist_id])
                if self.on_new_track:
                    self.on_new_track(self.tracks[track_id], i, features)
                ids.append(track_id)
        return ids

    def add_playlist(self, owner: str, name: str, track_ids: list[str] = ()) -> str:
        with self.lock:
            playlist_id = uuid.uuid4().hex[:22]
            self.playlists[playlist_id] = {"id": playlist_id, "name": name, "description": "", "public": False,
                                           "owner": owner, "uris": [f"spotify:track:{t}" for t in track_ids],
                                           "snapshot": 1}
            return playlist_id

    def delete_playlist(self, playlist_id: str) -> None:
        """The person removed the playlist in Spotify: it answers 404 from now on."""
        with self.lock:
            del self.playlists[playlist_id]

    def playlist_uris(self, playlist_id: str) -> list[str]:
        with self.lock:
            return list(self.playlists[playlist_id]["uris"])

    def playlists_of(self, owner: str) -> list[dict]:
        with self.lock:
            return [p for p in self.playlists.values() if p["owner"] == owner]

    def issue_tokens(self, user_id: str, scopes=()) -> dict:
        with self.lock:
            granted = frozenset(scopes)
            access, refresh = "AT-" + secrets.token_urlsafe(16), "RT-" + secrets.token_urlsafe(16)
            self.access_tokens[access] = (user_id, time.time() + self.token_lifetime, granted)
            self.refresh_tokens[refresh] = (user_id, granted)
            return {"access_token": access, "token_type": "Bearer", "expires_in": self.token_lifetime,
                    "refresh_token": refresh, "scope": " ".join(sorted(granted))}

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = {k: (u, 0, s) for k, (u, _, s) in self.access_tokens.items()}

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
        if path.startswith("/v1/"):
            return self._web_api(method, path[3:], query, body, headers)
        fault = self._fault_for(method, path)
        if fault:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, extra, {"error": "server_error" if fault.status >= 500 else "invalid_request",
                                         "error_description": f"injected {fault.status}"}
        if path == "/authorize":
            return self._authorize_page(query)
        if path == "/authorize/accept":
            return self._authorize_accept(query)
        if path == "/api/token":
            return self._token(parse_qs(body.decode()), headers)
        return 404, {}, {"error": "not_found", "error_description": "Not found"}

    def _web_api(self, method: str, path: str, query: dict, raw: bytes, headers) -> tuple[int, dict, object]:
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            return 400, {}, _error(400, "Error parsing JSON.")
        try:
            operation = spotify_contract.check_request(method, path, query, data)
        except spotify_contract.ContractError as exc:
            self._violation(f"request {method} {path}: {exc}")
            return exc.status, {}, _error(exc.status, str(exc))
        status, extra, payload = self._web_api_answer(operation, method, path, query, data or {}, headers)
        for problem in spotify_contract.check_response(method, path, status, payload):
            self._violation(f"answer to {method} {path}: {problem}")
        return status, extra, payload

    def _web_api_answer(self, operation, method, path, query, data, headers) -> tuple[int, dict, object]:
        fault = self._fault_for(method, "/v1" + path)
        if fault:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, extra, _error(fault.status, f"injected {fault.status}", fault.reason)
        user = self._authenticate(headers)
        if isinstance(user, tuple):
            return user
        if user.id not in self.allow_list:
            return 403, {}, _error(403, NOT_ALLOW_LISTED)
        if operation.deprecated:
            self._violation(f"request {method} {path}: {operation.operation_id} is deprecated")
            return 403, {}, _error(403, "Forbidden")
        granted = self._granted(headers)
        if operation.scopes and operation.operation_id not in SCOPE_FREE and not operation.scopes & granted:
            return 403, {}, _error(403, "Insufficient client scope")
        with self.lock:
            return self._route(method, path, query, data, user)

    def _violation(self, text: str) -> None:
        with self.lock:
            self.violations.append(text)

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
            self.codes[code] = (self.consent_user, query.get("scope", [""])[0])
        target = query["redirect_uri"][0] + "?" + urlencode({"code": code, "state": query.get("state", [""])[0]})
        return 302, {"Location": target}, b""

    def _token(self, form: dict, headers) -> tuple[int, dict, object]:
        if not headers.get("Authorization", "").startswith("Basic "):
            return 400, {}, {"error": "invalid_client", "error_description": "Invalid client"}
        grant = form.get("grant_type", [""])[0]
        with self.lock:
            if grant == "authorization_code":
                user_id, scope = self.codes.pop(form.get("code", [""])[0], (None, ""))
                if not user_id:
                    return 400, {}, {"error": "invalid_grant", "error_description": "Invalid authorization code"}
                return 200, {}, self.issue_tokens(user_id, re.split(r"[ ,]+", scope.strip()) if scope else ())
            if grant == "refresh_token":
                old = form.get("refresh_token", [""])[0]
                if old not in self.refresh_tokens:
                    return 400, {}, {"error": "invalid_grant", "error_description": "Refresh token revoked"}
                user_id, scopes = self.refresh_tokens[old]
                tokens = self.issue_tokens(user_id, scopes)
                if self.rotate_refresh_tokens:
                    del self.refresh_tokens[old]  # the old refresh token stops working once a new one is issued
                else:
                    del self.refresh_tokens[tokens.pop("refresh_token")]
                return 200, {}, tokens
        return 400, {}, {"error": "unsupported_grant_type", "error_description": f"grant_type {grant!r}"}

    def _token_of(self, headers) -> str:
        return headers.get("Authorization", "").removeprefix("Bearer ")

    def _granted(self, headers) -> frozenset[str]:
        with self.lock:
            return self.access_tokens.get(self._token_of(headers), ("", 0, frozenset()))[2]

    def _authenticate(self, headers):
        with self.lock:
            user_id, expires, _ = self.access_tokens.get(self._token_of(headers), (None, 0, None))
            if not user_id:
                return 401, {}, _error(401, "Invalid access token")
            if expires < time.time():
                return 401, {}, _error(401, "The access token expired")
            return self.users[user_id]

    def _route(self, method: str, path: str, query: dict, data: dict, user: FakeUser):
        route = (method, path)
        if route == ("GET", "/me"):
            return 200, {}, {"id": user.id, "account_id": user.account_id, "display_name": user.display_name,
                             "type": "user", "uri": f"spotify:user:{user.id}",
                             "href": f"{self.api_url}/users/{user.id}",
                             "external_urls": {"spotify": f"https://open.spotify.com/user/{user.id}"}, "images": []}
        if route == ("GET", "/me/tracks"):
            return self._page(path, query, [{"added_at": "2025-01-01T00:00:00Z", "track": self.tracks[t]}
                                            for t in user.liked])
        if route == ("GET", "/me/top/tracks"):
            return self._page(path, query, [self.tracks[t] for t in user.top])
        if route == ("GET", "/me/playlists"):
            return self._page(path, query, [self._playlist_json(p) for p in self.playlists_of(user.id)])
        if route == ("POST", "/me/playlists"):
            playlist_id = self.add_playlist(user.id, data["name"])
            self.playlists[playlist_id].update(description=data.get("description", ""),
                                               public=data.get("public", True))
            return 201, {}, self._playlist_json(self.playlists[playlist_id], full=True)
        if match := re.fullmatch(r"/playlists/(\w+)/items", path):
            return self._playlist_items(method, match[1], query, data, user)
        if path.startswith("/me/player"):
            return self._player(method, path, {**data, **{k: v[0] for k, v in query.items()}}, user)
        return 404, {}, _error(404, "Service not found")

    def _playlist_items(self, method: str, playlist_id: str, query: dict, data: dict, user: FakeUser):
        playlist = self.playlists.get(playlist_id)
        if not playlist:
            return 404, {}, _error(404, "Resource not found")
        if playlist["owner"] != user.id:
            return 403, {}, _error(403, "You are neither the owner nor a collaborator of this playlist")
        if method == "GET":
            items = [{"added_at": "2025-01-01T00:00:00Z", "is_local": False,
                      "item": self.tracks.get(uri.rsplit(":", 1)[1])} for uri in playlist["uris"]]
            return self._page(f"/playlists/{playlist_id}/items", query, items)
        uris = data.get("uris") or []
        if len(uris) > 100:
            return 400, {}, _error(400, "You can add a maximum of 100 tracks per request.")
        if method == "PUT":
            playlist["uris"] = list(uris)
        elif method == "POST":
            position = data.get("position", len(playlist["uris"]))
            playlist["uris"][position:position] = uris
        elif method == "DELETE":
            gone = {entry["uri"] for entry in data.get("items", [])}
            playlist["uris"] = [u for u in playlist["uris"] if u not in gone]
        playlist["snapshot"] += 1
        return (201 if method == "POST" else 200), {}, {"snapshot_id": f"snap-{playlist_id}-{playlist['snapshot']}"}

    def _player(self, method: str, path: str, data: dict, user: FakeUser):
        if method == "GET" and path == "/me/player":
            if not user.active_device:
                return 204, {}, None
            return 200, {}, {"device": {"id": "dev1", "name": "Fake speaker", "is_active": True, "type": "Computer"},
                             "is_playing": bool(user.playing and user.playing["is_playing"]),
                             **({"context": {"uri": user.playing["context_uri"], "type": "playlist"}}
                                if user.playing else {})}
        if not user.premium:
            return 403, {}, _error(403, "Player command failed: Premium required", "PREMIUM_REQUIRED")
        if not user.active_device:
            return 404, {}, _error(404, "Player command failed: No active device found", "NO_ACTIVE_DEVICE")
        if path == "/me/player/play":
            user.playing = {"context_uri": data.get("context_uri"), "is_playing": True,
                            **({"device_id": data["device_id"]} if data.get("device_id") else {})}
            return 204, {}, None
        if path == "/me/player/pause":
            user.playing = {**(user.playing or {}), "is_playing": False}
            return 204, {}, None
        return 404, {}, _error(404, "Service not found")

    def _page(self, path: str, query: dict, items: list):
        limit = int(query.get("limit", ["20"])[0])  # the reference's bounds were checked on the way in
        offset = int(query.get("offset", ["0"])[0])
        extra = {k: v[0] for k, v in query.items() if k not in ("limit", "offset")}

        def link(at: int) -> str:
            return f"{self.api_url}{path}?" + urlencode({**extra, "offset": at, "limit": limit})

        return 200, {}, {
            "href": link(offset), "items": items[offset:offset + limit], "limit": limit, "offset": offset,
            "total": len(items), "next": link(offset + limit) if offset + limit < len(items) else None,
            "previous": link(max(0, offset - limit)) if offset else None,
        }

    def _playlist_json(self, playlist: dict, *, full: bool = False) -> dict:
        """A simplified playlist object (``items``: href and total), or the full one with its first page."""
        owner = {"id": playlist["owner"], "display_name": playlist["owner"], "type": "user",
                 "uri": f"spotify:user:{playlist['owner']}", "href": f"{self.api_url}/users/{playlist['owner']}",
                 "external_urls": {"spotify": f"https://open.spotify.com/user/{playlist['owner']}"}}
        return {"id": playlist["id"], "name": playlist["name"], "description": playlist["description"],
                "public": playlist["public"], "collaborative": False, "type": "playlist",
                "uri": f"spotify:playlist:{playlist['id']}", "href": f"{self.api_url}/playlists/{playlist['id']}",
                "snapshot_id": f"snap-{playlist['id']}-{playlist['snapshot']}", "owner": owner,
                "items": {"href": f"{self.api_url}/playlists/{playlist['id']}/items", "total": len(playlist["uris"]),
                          **({"items": [], "limit": 100, "offset": 0, "next": None, "previous": None} if full else {})},
                "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist['id']}"}, "images": []}


def _track_json(track_id: str, name: str, artist: dict) -> dict:
    simple_artist = {k: artist[k] for k in ("id", "name", "type", "uri", "external_urls", "href")}
    return {"id": track_id, "name": name, "type": "track", "uri": f"spotify:track:{track_id}", "duration_ms": 200000,
            "artists": [simple_artist], "explicit": False, "is_local": False, "disc_number": 1, "track_number": 1,
            "href": f"https://api.spotify.com/v1/tracks/{track_id}",
            "album": {"id": f"al{track_id}", "name": f"Album of {name}", "artists": [simple_artist],
                      "album_type": "album", "total_tracks": 1, "type": "album", "uri": f"spotify:album:al{track_id}",
                      "href": f"https://api.spotify.com/v1/albums/al{track_id}",
                      "release_date": "2020-01-01", "release_date_precision": "day",
                      "external_urls": {"spotify": f"https://open.spotify.com/album/al{track_id}"},
                      "images": [{"url": f"https://i.scdn.co/image/{track_id}", "height": 640, "width": 640}]},
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"}}


def _error(status: int, message: str, reason: str = "") -> dict:
    error = {"status": status, "message": message}
    if reason:
        error["reason"] = reason
    return {"error": error}


def main() -> None:
    """Run the fake on its own (``python -m tests.fakes.spotify``) for a worker or a manual try-out."""
    fake = FakeSpotify()
    print(fake.url, flush=True)
    fake.server.serve_forever()


if __name__ == "__main__":
    main()
