"""Real SMTP: mail caused by an HTTP request crosses a loopback aiosmtpd server intact."""

import re
from http import HTTPStatus

import pytest
from django.conf import settings

from emails.models import OutboundEmail
from surveys.models import Survey
from tests.factories import UserFactory
from tests.smtp import mime_parts
from tests.surveys.factories import survey_with_questions

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^\s\"<>]+")


def test_the_activation_mail_of_a_sign_up_arrives_over_smtp_in_text_and_html(
    smtp_transport, api_client
):
    response = api_client.post(
        "/auth/users/",
        {"email": "ada@example.org", "password": "a-long-Passphrase-9"},
        format="json",
    )

    assert response.status_code == HTTPStatus.CREATED
    [received] = smtp_transport.wait_for(1)
    assert smtp_transport.recipients == [["ada@example.org"]]
    parts = mime_parts(received)
    assert set(parts) == {"text/plain", "text/html"}
    [link] = set(LINK.findall(parts["text/plain"]))
    assert link.startswith(f"{settings.FRONTEND_URL}/activate/")
    assert set(LINK.findall(parts["text/html"])) == {link}
    assert "a-long-Passphrase-9" not in received.as_string()


def test_an_invitation_arrives_over_smtp_in_text_and_html_with_the_same_link(
    smtp_transport, api_client
):
    owner = UserFactory()
    survey = survey_with_questions(owner=owner, audience=Survey.Audience.INVITED)
    api_client.force_authenticate(owner)

    response = api_client.post(
        f"/api/surveys/{survey.pk}/invitations/", {"emails": ["ann@example.org"]}, format="json"
    )

    assert response.status_code == HTTPStatus.CREATED
    [received] = smtp_transport.wait_for(1)
    assert smtp_transport.recipients == [["ann@example.org"]]
    assert received.get_content_type() == "multipart/alternative"
    parts = mime_parts(received)
    assert set(parts) == {"text/plain", "text/html"}
    link = f"{settings.FRONTEND_URL}/surveys/{survey.pk}"
    assert set(LINK.findall(parts["text/plain"])) == {link}
    assert set(LINK.findall(parts["text/html"])) == {link}
    email = OutboundEmail.objects.get()
    assert received["Message-ID"] == email.headers["Message-ID"]
    assert email.status == OutboundEmail.Status.SENT
