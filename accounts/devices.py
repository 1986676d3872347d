"""A readable device label from a user agent ("Firefox on Linux"), by ua-parser."""

from functools import lru_cache

from ua_parser import parse

UNKNOWN = "Unknown device"


@lru_cache(maxsize=1024)
def device_label(user_agent: str) -> str:
    """The browser (or client library) and the operating system it names, as far as known."""
    if not user_agent:
        return UNKNOWN
    result = parse(user_agent)
    agent = result.user_agent.family if result.user_agent else None
    system = result.os.family if result.os else None
    if agent and system:
        return f"{agent} on {system}"
    return agent or system or UNKNOWN
