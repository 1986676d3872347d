"""Who is asking: the client's address (behind trusted proxies only) and user agent."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

USER_AGENT_MAX_LENGTH = 255


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the lockout, the throttles and the audit log count it.

    With no proxy in front (`TRUSTED_PROXY_COUNT=0`, the default) it is `REMOTE_ADDR`, and
    `X-Forwarded-For` is ignored: any client can send that header. With N proxies in front,
    each appending the address it received the request from, it is the N-th address from the
    right of `X-Forwarded-For` — the one the outermost proxy saw; whatever the client wrote to
    the left of it is not trusted. DRF's `NUM_PROXIES` reads the header the same way.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [address.strip() for address in header.split(",") if address.strip()]
    if not forwarded:
        return remote_addr
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def client_user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX_LENGTH]


DEVICE_LABEL_MAX_LENGTH = 80


def device_label(user_agent: str) -> str:
    """A readable name for a user agent ("Chrome 120 on Windows 10"): from ua-parser when it is
    installed, else the user agent itself, shortened."""
    user_agent = " ".join(user_agent.split())
    if not user_agent:
        return "unknown device"
    try:
        from ua_parser import parse
    except ImportError:
        return user_agent[:DEVICE_LABEL_MAX_LENGTH]
    result = parse(user_agent)
    browser = result.user_agent
    system = result.os
    if browser is None or browser.family == "Other":
        return user_agent[:DEVICE_LABEL_MAX_LENGTH]
    label = " ".join(filter(None, [browser.family, browser.major]))
    if system is not None and system.family != "Other":
        label += " on " + " ".join(filter(None, [system.family, system.major]))
    return label[:DEVICE_LABEL_MAX_LENGTH]
