"""`POST /auth/users/me/export/`: everything held about the caller, behind the password."""

from http import HTTPStatus

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail

from accounts.models import AuditEvent, TokenSession
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.surveys.factories import full_answers, survey_with_questions

pytestmark = pytest.mark.django_db
EXPORT = "/auth/users/me/export/"
SECTIONS = {
    "exported_at",
    "account",
    "email_addresses",
    "sessions",
    "audit_events",
    "surveys",
    "responses",
    "social_accounts",
}


def signed_in(api_client, user):
    answer = api_client.post(
        "/auth/token/login/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['auth_token']}")
    return api_client


def test_the_export_holds_every_section_about_the_caller_only(api_client):
    user = UserFactory(first_name="Ada", last_name="Lovelace")
    other = UserFactory()
    owned = survey_with_questions(owner=user, title="Mine")
    survey_with_questions(owner=other, title="Not mine")
    answered = survey_with_questions(owner=other, title="Answered")
    SocialAccount.objects.create(
        user=user, provider="acme", uid="42", extra_data={"name": "Ada", "access_token": "x"}
    )
    client = signed_in(api_client, user)
    assert (
        client.post(
            f"/api/surveys/{answered.pk}/responses/",
            {"answers": full_answers(answered)},
            format="json",
        ).status_code
        == HTTPStatus.CREATED
    )

    answer = client.post(EXPORT, {"current_password": DEFAULT_PASSWORD}, format="json")

    assert answer.status_code == HTTPStatus.OK
    document = answer.json()
    assert set(document) == SECTIONS
    assert document["account"]["id"] == user.pk
    assert document["account"]["email"] == user.email
    assert document["account"]["first_name"] == "Ada"
    assert [address["email"] for address in document["email_addresses"]] == [user.email]
    [session] = document["sessions"]
    assert session["kind"] == "token"
    assert session["id"] == TokenSession.objects.get(user=user).pk
    assert {event["event"] for event in document["audit_events"]} >= {"login"}
    assert all(event["target"] != other.email for event in document["audit_events"])
    assert [survey["title"] for survey in document["surveys"]] == ["Mine"]
    assert document["surveys"][0]["id"] == owned.pk
    assert len(document["surveys"][0]["questions"]) == owned.questions.count()
    [response] = document["responses"]
    assert response["survey"] == {"id": answered.pk, "title": "Answered"}
    assert len(response["answers"]) == answered.questions.count()
    [social] = document["social_accounts"]
    assert social["provider"] == "acme"
    assert social["extra_data"] == {"name": "Ada"}
    body = answer.content.decode()
    assert DEFAULT_PASSWORD not in body
    assert "key_digest" not in body


def test_the_export_mails_a_notice_and_is_audited(api_client):
    user = UserFactory()
    client = signed_in(api_client, user)
    mail.outbox.clear()

    client.post(EXPORT, {"current_password": DEFAULT_PASSWORD}, format="json")

    [notice] = mail.outbox
    assert notice.to == [user.email]
    assert "exported" in notice.subject
    assert AuditEvent.objects.filter(event="data_export", target=user.email).count() == 1


@pytest.mark.parametrize("body", [{}, {"current_password": "wrong password"}])
def test_a_wrong_or_missing_password_is_refused_and_nothing_is_sent(api_client, body):
    user = UserFactory()
    client = signed_in(api_client, user)
    mail.outbox.clear()

    answer = client.post(EXPORT, body, format="json")

    assert answer.status_code == HTTPStatus.BAD_REQUEST
    assert set(answer.json()) == {"current_password"}
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(event="data_export").exists()


def test_the_export_needs_a_signed_in_caller(api_client):
    answer = api_client.post(EXPORT, {"current_password": DEFAULT_PASSWORD}, format="json")

    assert answer.status_code == HTTPStatus.UNAUTHORIZED
    assert "WWW-Authenticate" in answer
