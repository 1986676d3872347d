"""docs/webhooks.md documents every event with a valid JSON Schema (the receiver fixture holds
every payload the tests produce to them)."""

import pytest
from jsonschema import Draft202012Validator, ValidationError

from tests.webhooks.documented_schemas import assert_matches_the_docs, documented
from webhooks.events import EVENT_TYPES


def test_every_event_has_a_valid_documented_schema():
    envelope, events = documented()

    assert set(events) == set(EVENT_TYPES)
    for schema in [envelope, *events.values()]:
        Draft202012Validator.check_schema(schema)


def test_a_payload_missing_a_documented_field_does_not_match():
    payload = {
        "type": "account.created",
        "timestamp": "2026-12-02T00:00:00+00:00",
        "data": {"id": 1, "email": "ada@example.org"},
    }
    assert_matches_the_docs(payload)
    del payload["data"]["email"]
    with pytest.raises(ValidationError):
        assert_matches_the_docs(payload)
