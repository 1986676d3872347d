"""The outbox in the admin: browse, search, see both parts, retry failed messages."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from emails.models import OutboundEmail
from tests.emails.messages import full_message

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
    assert "Open http://localhost:8000/activate/…" in page
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


def message_page(admin_client, email: OutboundEmail) -> str:
    response = admin_client.get(reverse("admin:emails_outboundemail_change", args=[email.pk]))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


@pytest.mark.parametrize(
    ("prefix", "secret"),
    [
        ("activate/", "MQ/cf4xyz-0123456789abcdef"),
        ("verify-email/", "MQ:1tXyZ:abcdefghijklmnop"),
        ("password/reset/confirm/", "MQ/cf4xyz-0123456789abcdef"),
        ("email/change/confirm/", "Q2FudmFzcy1zZWNyZXQta2V5"),
        ("login/code/", "K7Q2-M9XP"),
        ("accounts/confirm-email/", "MQ:1tXyZ:abcdefghijklmnop/"),
        ("accounts/password/reset/key/", "1-cf4xyz-0123456789abcdef/"),
    ],
)
def test_the_outbox_never_shows_a_live_account_link_to_staff(admin_client, prefix, secret):
    link = f"http://localhost:8000/{prefix}{secret}"
    email = stored("ada@example.org", "Activate", Status.QUEUED)
    OutboundEmail.objects.filter(pk=email.pk).update(
        text_body=f"Open {link}\n", html_body=f'<p><a href="{link}">Open</a></p>'
    )

    page = message_page(admin_client, email)
    found = admin_client.get(CHANGELIST, {"q": "ada@"}).content.decode()

    token = secret.strip("/").split("/")[-1]
    for shown in (page, found):
        assert token not in shown
    assert f"Open http://localhost:8000/{prefix}…" in page  # where the link points stays visible
    assert f"/{prefix}…&quot;&gt;Open" in page  # the HTML part too (escaped in srcdoc)


def test_the_outbox_masks_sign_in_codes_in_both_parts(admin_client):
    email = stored("ada@example.org", "Your sign-in code", Status.QUEUED)
    OutboundEmail.objects.filter(pk=email.pk).update(
        text_body="Your code:\n\n  482913\n\nIt works for 15 minutes; order 123456789 stays.\n",
        html_body="<p>Your code:</p><p><strong>482913</strong></p>",
    )

    page = message_page(admin_client, email)

    assert "482913" not in page
    assert page.count("••••••") == 2
    assert "123456789" in page  # only a code alone on its line or in its element is masked


def test_the_outbox_shows_addresses_as_written(admin_client):
    email = stored("ada@example.org", "Activate", Status.SENT)

    page = message_page(admin_client, email)

    assert "cc@example.org" in page
    assert "[&quot;cc@example.org&quot;]" not in page
    assert '["cc@example.org"]' not in page
