"""Invitations by email (owner only): a link to the survey page, access once confirmed."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core import mail

from surveys.models import Invitation, InvitationRevocation, Survey
from tests.factories import UserFactory
from tests.surveys.factories import InvitationFactory, survey_with_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(owner):
    owner.first_name, owner.last_name = "Olga", "Owner"
    owner.save()
    return survey_with_questions(owner=owner, audience=Survey.Audience.INVITED, title="Q&A <night>")


def invite(client, survey, emails):
    return client.post(f"/api/surveys/{survey.pk}/invitations/", {"emails": emails}, format="json")


def test_inviting_creates_invitations_and_emails_each_invitee_a_link(owner_client, survey):
    response = invite(owner_client, survey, ["ann@example.org", "Ben@Example.org"])

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert [item["email"] for item in body] == ["ann@example.org", "Ben@example.org"]
    assert all(set(item) == {"id", "email", "invited_at"} for item in body)
    assert sorted(m.to[0] for m in mail.outbox) == ["Ben@example.org", "ann@example.org"]
    message = next(m for m in mail.outbox if m.to == ["ann@example.org"])
    link = f"{settings.FRONTEND_URL}/surveys/{survey.pk}"
    assert link in message.body
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html
    # The title is plain text in the text part and escaped in the HTML part.
    assert "Q&A <night>" in message.body
    assert "Q&amp;A &lt;night&gt;" in html


def test_the_invitation_says_who_invites_and_never_puts_their_words_in_the_subject(
    owner_client, owner, survey
):
    survey.title = "Security notice: your Canvass password expires today"
    survey.save()

    invite(owner_client, survey, ["ann@example.org"])

    [message] = mail.outbox
    assert message.subject == "An invitation to a survey on Canvass"
    # By the address Canvass knows, not the name the owner typed ("Olga Owner").
    assert f"{owner.email}, a Canvass user, invited you to answer a survey." in message.body
    assert f"Its title, as {owner.email} wrote it: “{survey.title}”" in message.body
    assert "Olga Owner" not in message.body
    html = message.alternatives[0][0]
    assert "<title>An invitation to a survey on Canvass</title>" in html
    assert survey.title not in html.split("<body")[0]


def test_addresses_already_invited_in_any_case_are_skipped(owner_client, survey):
    InvitationFactory(survey=survey, email="ann@example.org")

    response = invite(owner_client, survey, ["ANN@example.org", "cy@example.org", "Cy@example.org"])

    assert response.status_code == HTTPStatus.CREATED
    assert [item["email"] for item in response.json()] == ["cy@example.org"]
    assert [m.to for m in mail.outbox] == [["cy@example.org"]]
    assert survey.invitations.count() == 2


@pytest.mark.parametrize(
    "emails",
    [
        [],
        ["not-an-address"],
        ["ann@example.org", "nope"],
        [f"p{n}@example.org" for n in range(101)],
        "ann@example.org",
        [1],
        [None],
        [["ann@example.org"]],
        {"ann@example.org": True},
        None,
    ],
)
def test_invalid_invitations_are_400_and_send_nothing(owner_client, survey, emails):
    response = invite(owner_client, survey, emails)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "emails" in response.json()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.CLOSED])
def test_a_survey_that_is_not_open_cannot_invite(owner, owner_client, status):
    survey = survey_with_questions(owner=owner, status=status)

    response = invite(owner_client, survey, ["ann@example.org"])

    assert response.status_code == HTTPStatus.CONFLICT
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_owner_lists_invitations_paginated(owner_client, survey):
    invite(owner_client, survey, ["ann@example.org", "ben@example.org"])

    response = owner_client.get(f"/api/surveys/{survey.pk}/invitations/")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 2
    assert [item["email"] for item in body["results"]] == ["ann@example.org", "ben@example.org"]
    assert set(body["results"][0]) == {"id", "email", "invited_at"}


def test_revoking_twice_is_404_the_second_time(owner_client, survey):
    invitation = InvitationFactory(survey=survey)
    url = f"/api/surveys/{survey.pk}/invitations/{invitation.pk}/"

    first = owner_client.delete(url)
    second = owner_client.delete(url)

    assert first.status_code == HTTPStatus.NO_CONTENT
    assert second.status_code == HTTPStatus.NOT_FOUND
    assert not Invitation.objects.exists()


def test_an_invitee_without_an_account_answers_after_signing_up(owner_client, survey, client_for):
    invite(owner_client, survey, ["newcomer@example.org"])
    url = f"/api/surveys/{survey.pk}/"
    unconfirmed = UserFactory(email="Newcomer@example.org", is_active=False)
    assert client_for(unconfirmed).get(url).status_code == HTTPStatus.NOT_FOUND

    unconfirmed.is_active = True
    unconfirmed.save()

    assert client_for(unconfirmed).get(url).status_code == HTTPStatus.OK
    listed = client_for(unconfirmed).get("/api/surveys/?role=invited").json()
    assert [item["id"] for item in listed["results"]] == [survey.pk]


# --- spam limits ---
@pytest.fixture
def limits(settings):
    settings.SURVEY_INVITATIONS_PER_HOUR = 5
    settings.SURVEY_INVITATIONS_PER_DAY = 8
    return settings


def addresses(first: int, count: int) -> list[str]:
    return [f"p{number}@example.org" for number in range(first, first + count)]


def test_past_the_hourly_limit_inviting_is_429_and_creates_nothing(limits, owner_client, survey):
    assert invite(owner_client, survey, addresses(0, 3)).status_code == HTTPStatus.CREATED

    response = invite(owner_client, survey, addresses(3, 3))

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "limit" in response.json()["detail"]
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert survey.invitations.count() == 3
    assert len(mail.outbox) == 3
    # What is left of the hour can still be used.
    assert invite(owner_client, survey, addresses(3, 2)).status_code == HTTPStatus.CREATED
    assert len(mail.outbox) == 5


def test_the_limits_count_per_account_across_its_surveys(limits, owner, owner_client, survey):
    other = survey_with_questions(owner=owner, audience=Survey.Audience.INVITED)
    invite(owner_client, survey, addresses(0, 4))

    response = invite(owner_client, other, addresses(4, 2))

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not other.invitations.exists()


def test_past_the_daily_limit_inviting_is_429_until_the_next_day(
    limits, owner_client, survey, time_machine
):
    time_machine.move_to(datetime(2030, 1, 1, 22, 30, tzinfo=UTC), tick=False)
    invite(owner_client, survey, addresses(0, 5))
    time_machine.shift(timedelta(hours=1))
    invite(owner_client, survey, addresses(5, 3))
    assert len(mail.outbox) == 8

    time_machine.shift(timedelta(minutes=20))  # 23:50: a new hour, the same day
    response = invite(owner_client, survey, addresses(8, 1))

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) == 10 * 60
    assert survey.invitations.count() == 8
    time_machine.shift(timedelta(minutes=10))
    assert invite(owner_client, survey, addresses(8, 1)).status_code == HTTPStatus.CREATED


def test_addresses_already_invited_do_not_count(limits, owner_client, survey):
    invite(owner_client, survey, addresses(0, 5))

    response = invite(owner_client, survey, addresses(0, 5))

    assert response.status_code == HTTPStatus.CREATED
    assert response.json() == []


def test_an_invitation_revoked_and_made_again_is_mailed_once_a_day(
    owner_client, survey, time_machine
):
    time_machine.move_to(datetime(2030, 1, 1, 12, 0, tzinfo=UTC), tick=False)
    for _ in range(3):
        [created] = invite(owner_client, survey, ["ann@example.org"]).json()
        revoked = owner_client.delete(f"/api/surveys/{survey.pk}/invitations/{created['id']}/")
        assert revoked.status_code == HTTPStatus.NO_CONTENT
    again = invite(owner_client, survey, ["ANN@example.org"])

    assert again.status_code == HTTPStatus.CREATED
    assert [item["email"] for item in again.json()] == ["ANN@example.org"]
    assert len(mail.outbox) == 1
    time_machine.shift(timedelta(hours=24, seconds=1))
    owner_client.delete(f"/api/surveys/{survey.pk}/invitations/{again.json()[0]['id']}/")
    time_machine.shift(timedelta(hours=24, seconds=1))
    invite(owner_client, survey, ["ann@example.org"])
    assert len(mail.outbox) == 2


def test_a_revoked_invitation_is_hidden_and_its_invitee_loses_access(
    owner_client, survey, client_for
):
    invitee = UserFactory(email="ann@example.org")
    [created] = invite(owner_client, survey, ["ann@example.org"]).json()
    assert client_for(invitee).get(f"/api/surveys/{survey.pk}/").status_code == HTTPStatus.OK

    owner_client.delete(f"/api/surveys/{survey.pk}/invitations/{created['id']}/")

    assert owner_client.get(f"/api/surveys/{survey.pk}/invitations/").json()["count"] == 0
    assert client_for(invitee).get(f"/api/surveys/{survey.pk}/").status_code == (
        HTTPStatus.NOT_FOUND
    )
    assert InvitationRevocation.objects.get().email == "ann@example.org"
