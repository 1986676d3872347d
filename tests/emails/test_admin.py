"""The outbox in the admin: browse, search, see both parts, retry failed messages."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from emails.models import OutboundEmail
from tests.emails.messages import LINK, full_message

Status = OutboundEmail.Status
pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:emails_outboundemail_changelist")


def stored(to: str, subject: str, status: str) -> OutboundEmail:
    full_message(to=to, subject=subject).send()
    email = OutboundEmail.objects.latest("pk")
    OutboundEmail.objects.filter(pk=email.pk).update(status=status)
    return email


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "grace@"}, ["Reset"]),
        ({"q": "activate"}, ["Activate"]),
        ({"status__exact": "failed"}, ["Reset"]),
    ],
)
def test_the_outbox_is_searchable_by_recipient_and_subject_and_filtered_by_status(
    admin_client, query, expected
):
    stored("ada@example.org", "Activate", Status.SENT)
    stored("grace@example.org", "Reset", Status.FAILED)

    response = admin_client.get(CHANGELIST, query)

    assert response.status_code == HTTPStatus.OK
    shown = [email.subject for email in response.context["cl"].result_list]
    assert shown == expected


def test_the_status_filter_shows_counts(admin_client):
    stored("ada@example.org", "Activate", Status.SENT)

    response = admin_client.get(CHANGELIST)

    assert "sent (1)" in response.content.decode()


def test_a_message_page_shows_the_text_and_the_sandboxed_html(admin_client):
    email = stored("ada@example.org", "Activate", Status.SENT)

    response = admin_client.get(reverse("admin:emails_outboundemail_change", args=[email.pk]))

    page = response.content.decode()
    assert f"Open {LINK}" in page
    assert '<iframe sandbox="" srcdoc="&lt;p&gt;&lt;a href=&quot;' in page
    assert "<p><a href=" not in page  # the message's markup never runs as the admin's own


def test_the_retry_action_queues_failed_messages_again_and_sends_them(
    admin_client, django_capture_on_commit_callbacks, mailoutbox
):
    failed = stored("ada@example.org", "Activate", Status.FAILED)
    OutboundEmail.objects.filter(pk=failed.pk).update(attempts=10, last_error="timeout")
    sent = stored("grace@example.org", "Reset", Status.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert "1 queued again, 1 skipped (not failed)." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)
    assert OutboundEmail.objects.get(pk=sent.pk).status == Status.SENT
    assert [message.to for message in mailoutbox] == [["ada@example.org"]]


def test_the_outbox_cannot_be_written_by_hand(admin_client):
    assert admin_client.get(reverse("admin:emails_outboundemail_add")).status_code == (
        HTTPStatus.FORBIDDEN
    )
