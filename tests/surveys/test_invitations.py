"""Invitations by email (owner only): a link to the survey page, access once confirmed."""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.core import mail

from surveys.models import Invitation, Survey
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
    assert "Q&A <night>" in message.subject
    assert "Olga Owner" in message.body
    assert "Q&A <night>" in message.body
    assert "Q&amp;A &lt;night&gt;" in html


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
