"""Which URLs and addresses a webhook may go to: no SSRF into the operator's network.

A URL must be https:// (http:// only with WEBHOOKS_ALLOW_HTTP) and its host must resolve to
public addresses only (loopback, private, link-local and other special ranges only with
WEBHOOKS_ALLOW_PRIVATE). The check runs when an endpoint is added and again at every delivery,
on the address the connection is actually made to (webhooks.transport): a name that resolved
to a public address yesterday may resolve to 127.0.0.1 today (DNS rebinding).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class RefusedURL(Exception):
    """The URL or the address it resolves to may not receive webhooks; the message says why."""


def url_check(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL, else RefusedURL. Does not resolve the host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedURL(f"not a valid URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise RefusedURL("only https:// URLs receive webhooks")
    if scheme == "http" and not settings.WEBHOOKS_ALLOW_HTTP:
        raise RefusedURL(
            "only https:// URLs receive webhooks (WEBHOOKS_ALLOW_HTTP=1 allows http://)"
        )
    if not parts.hostname:
        raise RefusedURL("the URL has no host")
    if parts.username or parts.password:
        raise RefusedURL("the URL may not carry a user name or password")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def address_check(address: str) -> None:
    """RefusedURL unless `address` is a public one (or WEBHOOKS_ALLOW_PRIVATE is on)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global or settings.WEBHOOKS_ALLOW_PRIVATE:
        return
    raise RefusedURL(
        f"{ip} is a loopback, private or otherwise non-public address "
        "(WEBHOOKS_ALLOW_PRIVATE=1 allows it)"
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, each one checked (RefusedURL if any is refused)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedURL(f"{host} does not resolve: {error}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        address_check(address)
    return addresses


def endpoint_url_check(url: str) -> None:
    """An endpoint's URL when it is added: the scheme, and the addresses it resolves to now."""
    _scheme, host, port = url_check(url)
    resolve(host, port)
