"""A real OpenID Connect provider on loopback for the sign-in tests: oidc-provider-mock in a
process of its own, plus a relay in front of it that can corrupt its answers."""

import base64
import http.server
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.gunicorn import free_port

CLIENT_ID = "canvass-tests"
CLIENT_SECRET = "canvass-tests-secret"
REDIRECT_URI = "http://127.0.0.1:9/app/callback"


def http_call(method: str, url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request; redirects are not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class Provider:
    """The provider process: its issuer URL and the calls a test makes to it."""

    url: str

    def user_set(self, sub: str, **claims: Any) -> None:
        """The claims the provider gives `sub` (email, email_verified, name…)."""
        body = json.dumps(claims).encode()
        status, _headers, _body = http_call(
            "PUT",
            f"{self.url}/users/{urllib.parse.quote(sub)}",
            body,
            {"Content-Type": "application/json"},
        )
        assert status == 204, status

    def authorize_url(self, redirect_uri: str = REDIRECT_URI, **params: str) -> str:
        query = {
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid email profile",
            **params,
        }
        return f"{self.url}/oauth2/authorize?{urllib.parse.urlencode(query)}"

    def code_for(self, sub: str, redirect_uri: str = REDIRECT_URI, **params: str) -> str:
        """The authorization code the provider's consent form gives `sub` (its POST)."""
        return self.authorize(self.authorize_url(redirect_uri, **params), sub)["code"]

    def authorize(self, url: str, sub: str) -> dict[str, str]:
        """Submit the consent form at `url` for `sub`: the query of the redirect back."""
        data = urllib.parse.urlencode({"sub": sub}).encode()
        status, headers, body = http_call("POST", url, data)
        assert status == 302, (status, body[:300])
        location = headers["Location"]
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)) | {
            "location": location
        }


@contextmanager
def provider_process() -> Iterator[Provider]:
    """oidc-provider-mock on 127.0.0.1 (stopped afterwards)."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if http_call("GET", f"{url}/.well-known/openid-configuration")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the OpenID Connect provider did not start")
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


Rewrite = Callable[[str, bytes], bytes]


@contextmanager
def relay(
    target: str, rewrite: Rewrite, seen: list[tuple[str, bytes]] | None = None
) -> Iterator[str]:
    """A loopback server passing requests on to `target`, its answers through `rewrite(path,
    body)` (and its discovery document pointing back at the relay); yields its URL. Each
    request's path and body are appended to `seen`."""
    port = free_port()
    own = f"http://127.0.0.1:{port}"

    class Handler(http.server.BaseHTTPRequestHandler):
        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else None
            if seen is not None:
                seen.append((self.path, data or b""))
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() in ("authorization", "content-type")
            }
            status, answer_headers, body = http_call(
                self.command, target + self.path, data, headers
            )
            if self.path.startswith("/.well-known/"):
                body = body.replace(target.encode(), own.encode())
                # The issuer stays the provider's: ID tokens name it.
                config = json.loads(body)
                config["issuer"] = target
                body = json.dumps(config).encode()
            body = rewrite(self.path, body)
            self.send_response(status)
            self.send_header("Content-Type", answer_headers.get("Content-Type", "text/plain"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _relay

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield own
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def id_token_signature_flipped(path: str, body: bytes) -> bytes:
    """A token answer whose ID token's signature no longer matches its content."""
    if not path.startswith("/oauth2/token"):
        return body
    answer = json.loads(body)
    header, payload, signature = answer["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "someone.else@example.org"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    answer["id_token"] = f"{header}.{forged}.{signature}"
    return json.dumps(answer).encode()


def unchanged(path: str, body: bytes) -> bytes:
    return body


def garbage(path: str, body: bytes) -> bytes:
    """Every answer after discovery is not JSON."""
    return body if path.startswith("/.well-known/") else b"<html>Service Unavailable</html>"


def provider_settings(providers: list[dict[str, str]]) -> dict[str, Any]:
    """The settings OIDC_PROVIDERS would give (settings/oidc.py), for override_settings."""
    from settings.oidc import openid_connect_apps

    return {
        "OIDC_PROVIDERS": providers,
        "SOCIALACCOUNT_PROVIDERS": {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": openid_connect_apps(providers),
            }
        },
        "OIDC_REDIRECT_URIS": [REDIRECT_URI],
    }


def provider_entry(provider_id: str, url: str, name: str = "Acme ID") -> dict[str, str]:
    return {
        "id": provider_id,
        "name": name,
        "server_url": url,
        "client_id": CLIENT_ID,
        "secret": CLIENT_SECRET,
    }
