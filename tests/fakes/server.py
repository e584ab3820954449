"""A local HTTP server that answers with a fake's ``handle(method, path, query, body, headers)``.

Every fake (Spotify, the open audio-features service, MusicBrainz) runs on one of these: a real socket on
127.0.0.1, so the app's own HTTP clients talk to it exactly as they would to the real service.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeServer:
    """Start/stop plumbing; subclasses implement ``handle`` and answer ``(status, headers, payload)``."""

    def __init__(self):
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.reset()

    def reset(self) -> None:
        raise NotImplementedError

    def handle(self, method: str, path: str, query: dict, body: bytes, headers) -> tuple[int, dict, object]:
        raise NotImplementedError

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def _handler_for(fake: FakeServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _dispatch(self):
            parsed = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = parse_qs(parsed.query, keep_blank_values=True)
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

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch  # noqa: N815

        def log_message(self, format, *args):  # noqa: A002
            pass

    return Handler
