"""The JSON Schemas docs/webhooks.md publishes, read from the page itself, to hold payloads to."""

import json
import re
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
EVENT_NAME = re.compile(r"`([a-z]+\.[a-z_]+)`")
BLOCK = re.compile(r"^(`[^\n]*):\n\n```json\n(.*?)\n```", re.M | re.S)
ENVELOPE = re.compile(r"The envelope:\n\n```json\n(.*?)\n```", re.S)


@cache
def documented() -> tuple[dict, dict[str, dict]]:
    """(the envelope's schema, each event's `data` schema)."""
    text = DOC.read_text()
    envelope_match = ENVELOPE.search(text)
    assert envelope_match is not None, "docs/webhooks.md lost its envelope schema"
    envelope = json.loads(envelope_match.group(1))
    events: dict[str, dict] = {}
    for names, schema in BLOCK.findall(text):
        for name in EVENT_NAME.findall(names):
            events[name] = json.loads(schema)
    return envelope, events


def assert_matches_the_docs(payload: dict) -> None:
    envelope, events = documented()
    Draft202012Validator(envelope, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        payload
    )
    Draft202012Validator(
        events[payload["type"]], format_checker=Draft202012Validator.FORMAT_CHECKER
    ).validate(payload["data"])
