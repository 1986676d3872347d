"""The daily housekeeping task: every retention command runs, one failure stops none."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import AuditEvent, EndedJwtSession, KnownDevice, TokenSession
from accounts.tasks import housekeeping
from emails.models import OutboundEmail

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=400)


def old_and_new_rows(user) -> None:
    now = timezone.now()
    for created_at in (now - LONG_AGO, now):
        AuditEvent.objects.create(created_at=created_at, event="login", outcome="success")
        OutboundEmail.objects.create(
            status=OutboundEmail.Status.SENT, created_at=created_at, to=["a@example.org"]
        )
    for expires_at in (now - timedelta(seconds=1), now + timedelta(hours=1)):
        EndedJwtSession.objects.create(sid=f"sid-{expires_at:%s}", expires_at=expires_at)
        OutstandingToken.objects.create(
            user=user, jti=f"jti-{expires_at:%s}", token="t", expires_at=expires_at
        )
        Session.objects.create(
            session_key=f"key-{expires_at:%s}", session_data="", expire_date=expires_at
        )
    for created_at in (now - LONG_AGO, now):
        TokenSession.objects.create(
            user=user,
            key_digest=f"{created_at:%s}",
            created_at=created_at,
            last_seen_at=created_at,
        )
        KnownDevice.objects.create(user=user, digest=f"{created_at:%s}", last_seen_at=created_at)


def remaining() -> list[int]:
    models = (
        AuditEvent,
        OutboundEmail,
        EndedJwtSession,
        OutstandingToken,
        Session,
        TokenSession,
        KnownDevice,
    )
    return [model.objects.count() for model in models]


def test_housekeeping_deletes_what_is_past_its_retention_and_keeps_the_rest(user_factory):
    old_and_new_rows(user_factory())
    assert remaining() == [2, 2, 2, 2, 2, 2, 2]

    housekeeping()

    assert remaining() == [1, 1, 1, 1, 1, 1, 1]


def test_a_failing_command_does_not_stop_the_others(settings, user_factory, caplog):
    settings.HOUSEKEEPING_COMMANDS = ["no_such_command", "clearsessions"]
    old_and_new_rows(user_factory())

    housekeeping()

    assert "housekeeping: no_such_command failed" in caplog.text
    assert Session.objects.count() == 1


def test_beat_runs_housekeeping_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["canvass-housekeeping"]
    assert entry == {"task": "canvass.housekeeping", "schedule": 24 * 3600}
    assert housekeeping.name == "canvass.housekeeping"
