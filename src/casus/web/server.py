"""`casus serve`: run the workbench with uvicorn, refusing to expose writes beyond loopback without a token."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token: str | None) -> None:
    """Binding beyond loopback (0.0.0.0, a LAN address, a hostname) needs a token for the write endpoints."""
    if not is_loopback(host) and not token:
        raise ValueError(f"--host {host} is reachable from other machines: start with --token T so that POST "
                         "/api/extract and /api/documents require 'Authorization: Bearer T'")


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          read_only: bool = False, log_level: str = "info", allow_hosts: Iterable[str] = (),
          extract: dict[str, Any] | None = None) -> None:
    import uvicorn

    from casus.web.app import create_app

    check_exposure(host, token)
    app = create_app(db, token=token, read_only=read_only, host=host, allow_hosts=allow_hosts, extract=extract)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
