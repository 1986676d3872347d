"""Invitations and reviewers name an account by its canonical address, in any spelling."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from surveys.models import Invitation, Reviewer, Survey
from tests.factories import UserFactory
from tests.surveys.factories import survey_with_questions

SPELLINGS = ("kate@ex\u00e4mple.org", "Kate@xn--exmple-cua.org", "KATE@EX\u00c4MPLE.ORG")


@pytest.fixture
def survey(owner):
    return survey_with_questions(owner=owner, audience=Survey.Audience.INVITED)


def test_an_invitation_in_one_spelling_opens_the_survey_to_the_account_in_another(
    owner_client, survey, client_for
):
    invited = owner_client.post(
        f"/api/surveys/{survey.pk}/invitations/", {"emails": [SPELLINGS[0]]}, format="json"
    )
    kate = UserFactory(email=SPELLINGS[1])

    assert invited.status_code == HTTPStatus.CREATED
    assert client_for(kate).get(f"/api/surveys/{survey.pk}/").status_code == HTTPStatus.OK


def test_every_spelling_of_one_mailbox_is_invited_once(owner_client, survey, mailoutbox):
    url = f"/api/surveys/{survey.pk}/invitations/"

    first = owner_client.post(url, {"emails": list(SPELLINGS[:2])}, format="json")
    again = owner_client.post(url, {"emails": [SPELLINGS[2]]}, format="json")

    assert first.status_code == again.status_code == HTTPStatus.CREATED
    assert survey.invitations.count() == 1
    assert len(mailoutbox) == 1


def test_a_reviewer_in_one_spelling_reviews_as_the_account_in_another(
    owner_client, survey, client_for
):
    url = f"/api/surveys/{survey.pk}/reviewers/"
    added = owner_client.post(url, {"email": SPELLINGS[0]}, format="json")
    repeated = owner_client.post(url, {"email": SPELLINGS[1]}, format="json")
    kate = UserFactory(email=SPELLINGS[2])

    assert added.json()["id"] == repeated.json()["id"]
    assert survey.reviewers.count() == 1
    assert client_for(kate).get(f"/api/surveys/{survey.pk}/results/").status_code == HTTPStatus.OK


BEFORE = [("surveys", "0002_invitation_revocation")]
AFTER = [("surveys", "0003_survey_address_canonical")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_address_its_canonical_form_and_keeps_one_row_per_mailbox():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    owner = UserFactory()
    survey = old.get_model("surveys", "Survey").objects.create(owner_id=owner.pk, title="T")
    old_invitation = old.get_model("surveys", "Invitation")
    kept = old_invitation.objects.create(survey_id=survey.pk, email=SPELLINGS[0])
    old_invitation.objects.create(survey_id=survey.pk, email=SPELLINGS[1])
    old.get_model("surveys", "Reviewer").objects.create(survey_id=survey.pk, email="Rob@X.org")
    try:
        MigrationExecutor(connection).migrate(AFTER)

        assert list(Invitation.objects.values_list("pk", "email_canonical")) == [
            (kept.pk, "kate@xn--exmple-cua.org")
        ]
        assert list(Reviewer.objects.values_list("email_canonical", flat=True)) == ["rob@x.org"]
    finally:
        Survey.objects.all().delete()
        owner.delete()
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
