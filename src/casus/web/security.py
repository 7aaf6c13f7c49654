"""What the workbench checks before a request reaches the app, and the headers on every response.

- Host allow-list: a page on another site can point its own domain name at 127.0.0.1 (DNS
  rebinding) and then read the API as "same origin"; the browser still sends that domain in
  `Host:`, so only names this server answers to are served (loopback names, the name it was
  started on, `--allow-host` names, and IP addresses, which no rebinding page can send).
- Writes from a browser: a page on another site can POST to the server without reading the answer
  (a "simple" cross-origin request). A write (POST, PUT, PATCH, DELETE) goes through when it carries
  the server's token, or when the browser says it comes from this server's own pages (`Origin`
  matches `Host`, `Sec-Fetch-Site` is same-origin). Tools such as curl send neither header and are
  let through; with `--token` the token is required anyway.
- Headers: a Content-Security-Policy that lets the pages run only this server's scripts (an injected
  `<script>` or `javascript:` URL does not run), `X-Content-Type-Options: nosniff`, and
  `frame-ancestors 'none'` (with X-Frame-Options for old browsers) against click-jacking.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK = {"localhost", "ip6-localhost", "ip6-loopback", "127.0.0.1", "::1"}
WILDCARD = {"0.0.0.0", "::", ""}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer")]


def _norm(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def host_name(header: str) -> str:
    """The name in a Host header or an origin's netloc, without port or IPv6 brackets."""
    header = header.strip()
    if header.startswith("["):
        return _norm(header[1 : header.find("]")] if "]" in header else header)
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return _norm(header)


def allowed_hosts(bind_host: str = "127.0.0.1", extra: Iterable[str] = ()) -> set[str]:
    """Loopback names, the host the server was started on and `extra`. A server bound to every
    interface (0.0.0.0) also answers to this machine's own names and addresses."""
    names = set(LOOPBACK) | {_norm(h) for h in extra if h.strip()}
    bind = _norm(bind_host)
    if bind in WILDCARD:
        hostname = socket.gethostname()
        names |= {_norm(hostname), _norm(socket.getfqdn())}
        try:
            names |= {_norm(str(info[4][0])) for info in socket.getaddrinfo(hostname, None)}
        except OSError:
            pass
    else:
        names.add(bind)
    return names


def _is_ip(name: str) -> bool:
    # A rebinding page's requests carry the attacker's domain name; an address typed as such is the
    # user's own choice of this server, so any IP literal is answered.
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


class Guard:
    """ASGI middleware: the Host allow-list, the browser-write check and the security headers."""

    def __init__(self, app: ASGIApp, hosts: set[str], token: str | None = None):
        self.app = app
        self.hosts = hosts
        self.token = token

    async def _refuse(self, send: Send, status: int, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *HEADERS]})
        await send({"type": "http.response.body", "body": body})

    def _has_token(self, headers: dict[bytes, bytes]) -> bool:
        if self.token is None:
            return False
        auth = headers.get(b"authorization", b"").decode("latin-1")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    def check(self, scope: Scope) -> tuple[int, str] | None:
        """(status, message) when the request is refused, None when it may go on."""
        headers = dict(scope["headers"])
        raw_host = headers.get(b"host", b"").decode("latin-1")
        name = host_name(raw_host) if raw_host else ""
        if name and name not in self.hosts and not _is_ip(name):
            return 400, (f"this server does not answer to Host {raw_host!r} (a page elsewhere may be trying to "
                         f"reach it through its own domain name); if that name is yours, start the server with "
                         f"--allow-host {name}")
        if scope["method"] in SAFE_METHODS or self._has_token(headers):
            return None
        origin = headers.get(b"origin", b"").decode("latin-1")
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
        if origin:
            parts = urlsplit(origin) if origin != "null" else None
            if parts is None or not parts.netloc or parts.netloc.lower() != raw_host.lower():
                return 403, (f"write refused: the request comes from another site ({origin}); the workbench's own "
                             "pages, or a client with the server's token, may write")
        if site and site not in ("same-origin", "none"):
            return 403, f"write refused: the browser says the request comes from a {site} page"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.check(scope)
        if refused is not None:
            await self._refuse(send, *refused)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in HEADERS if h[0] not in present)]}
            await send(message)

        await self.app(scope, receive, with_headers)
