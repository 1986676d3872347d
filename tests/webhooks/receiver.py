"""A real webhook receiver on loopback: verifies every delivery with the `standardwebhooks`
package (the specification's library, not Canvass's code) and records what it got."""

import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    payload: Any  # what the library's verify returned, None when verification failed
    error: str = ""


@dataclass
class Receiver:
    """Answers `status` (200 by default) to every POST; `received` lists them in order."""

    secret: str = ""
    status: int = 200
    delay: float = 0  # seconds before answering (a slow receiver)
    extra_headers: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self, port: int = 0, tls: ssl.SSLContext | None = None) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                headers = {key.lower(): value for key, value in self.headers.items()}
                try:
                    payload, error = Webhook(receiver.secret).verify(body, headers), ""
                except WebhookVerificationError as exception:
                    payload, error = None, str(exception)
                receiver.received.append(Received(headers, body, payload, error))
                time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    for name, value in receiver.extra_headers.items():
                        self.send_header(name, value)
                    answer = b'{"ok": true}'
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def events(self) -> list[str]:
        return [item.payload["type"] for item in self.verified()]

    def verified(self) -> list[Received]:
        """Every delivery, each one asserted to have passed the library's verification."""
        for item in self.received:
            assert item.payload is not None, f"delivery failed verification: {item.error}"
        return list(self.received)

    def of_type(self, event_type: str) -> list[dict]:
        return [item.payload for item in self.verified() if item.payload["type"] == event_type]
