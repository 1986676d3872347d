"""Seed data for the schemathesis run: a confirmed account with a DRF token, and surveys.

Run by tests/external/schemathesis_run.py in the service's environment (DATABASE_URL etc.):
`python -m tests.external.seed` prints the account's credentials and the survey ids as JSON.
"""

import json
import os
import secrets

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.base")
django.setup()

from accounts.models import User  # noqa: E402
from accounts.services import account_confirm, token_session_start  # noqa: E402
from surveys import services  # noqa: E402
from surveys.models import Survey  # noqa: E402
from surveys.services import QuestionSpec  # noqa: E402

EMAIL = "schemathesis@canvass.test"
EVERY_KIND = [
    QuestionSpec(text="Pick one", kind="single_choice", choices=("A", "B", "C")),
    QuestionSpec(text="Pick some", kind="multiple_choice", required=False, choices=("X", "Y")),
    QuestionSpec(text="Rate it", kind="rating", scale_max=5),
    QuestionSpec(text="Say more", kind="text", required=False),
]


def confirmed_account(email: str, password: str) -> User:
    user = User.objects.create_user(email=email, password=password)
    account_confirm(user=user)
    return user


def survey(owner: User, title: str, *, status: str = "draft", audience: str = "public") -> Survey:
    created = services.survey_create(
        owner=owner, title=title, audience=audience, questions=EVERY_KIND
    )
    if status in ("published", "closed"):
        services.survey_publish(survey=created)
    if status == "closed":
        services.survey_close(survey=created)
    return created


def answer_every_question(survey: Survey, respondent: User) -> None:
    answers = []
    for question in survey.questions.prefetch_related("choices"):
        first_choice = question.choices.first()
        answers.append(
            services.AnswerInput(
                question=question.pk,
                choices=(first_choice.pk,) if first_choice else (),
                rating=question.scale_max,
                text="Fine" if question.kind == "text" else "",
            )
        )
    services.response_submit(survey=survey, respondent=respondent, answers=answers)


def seed() -> dict:
    password = secrets.token_urlsafe(16)
    user = confirmed_account(EMAIL, password)
    other = confirmed_account("someone-else@canvass.test", secrets.token_urlsafe(16))
    # The caller's surveys in every status (one already answered, with an invitee and a
    # reviewer), someone else's open survey to answer and an invited-only one the caller was
    # invited to; and drafts of the caller's that only DELETE is pointed at, so deleting does
    # not take the others away from the operations that run after it.
    draft, published, closed = (
        survey(user, "Own draft"),
        survey(user, "Own published", status="published"),
        survey(user, "Own closed", status="closed"),
    )
    open_survey = survey(other, "Open to everyone", status="published")
    invited_only = survey(other, "Invited only", status="published", audience="invited")
    deletable = [survey(user, f"Draft to delete {number}") for number in range(3)]
    answer_every_question(published, other)
    services.invitations_create(survey=invited_only, emails=[EMAIL])
    invitations = services.invitations_create(
        survey=published, emails=["invitee@canvass.test", "another@canvass.test"]
    )
    reviewer, _ = services.reviewer_add(survey=published, email="reviewer@canvass.test")
    return {
        "email": EMAIL,
        "password": password,
        "token": token_session_start(user=user).key,
        "ids": {
            "users": [user.pk, other.pk],
            "surveys": [item.pk for item in (draft, published, closed, open_survey, invited_only)],
            "deletable_surveys": [item.pk for item in deletable],
            "invitations": [item.pk for item in invitations],
            "reviewers": [reviewer.pk],
        },
    }


if __name__ == "__main__":
    print(json.dumps(seed()))
