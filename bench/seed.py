"""Benchmark seeding glue: reuse or create the data set, then write the requests wrk replays.

Run by bench/run.py in the server's environment (same DATABASE_URL, settings.base):

    python bench/seed.py --out bench/.data/requests --tag RUN

The large, slow parts come from `manage.py seed_surveys` and are created once per database
(100,000 responses for the results case, a page of surveys for the list); the parts a run uses
up (responses to post, sign-ups, outbox rows) are reset every run, so every run measures the
same data. Writes one request file per scenario (format: bench/wrk/replay.lua) and plan.json
with the ids and the single requests bench/probe.py replays to count queries.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED_DOMAIN = "seed.canvass.test"  # seed_surveys' default: owner and respondents of (g)
LIST_DOMAIN = "list.bench.test"
SEED_PASSWORD = "seed-password-123"
SIGNUP_PASSWORD = "Bench-sign-up-2-pass"
SIGNUP_PREFIX = "bench-signup-"
DETAIL_TITLE = "bench: detail, 50 questions x 6 choices"
RESPOND_TITLE = "bench: respond"
LIST_SURVEYS = 24
DETAIL_QUESTIONS, DETAIL_CHOICES = 50, 6


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tag", default="run", help="makes this run's sign-up addresses unique")
    parser.add_argument("--results-responses", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=1000, help="accounts (b)-(e), (g), (h) use")
    parser.add_argument("--respond-users", type=int, default=3000, help="accounts posting (f)")
    parser.add_argument("--respond-surveys", type=int, default=4, help="surveys (f) answers")
    return parser.parse_args()


def say(message: str) -> None:
    print(f"seed: {message}", flush=True)


def results_survey(responses: int):
    """The survey of (g) and of the CSV export: 10 questions, `responses` responses."""
    from django.core.management import call_command
    from django.db.models import Count

    from surveys.models import Survey

    seeded = (
        Survey.objects.filter(owner__email=f"seed-owner@{SEED_DOMAIN}", title="Seeded survey 1")
        .annotate(answered=Count("responses"))
        .order_by("pk")
    )
    for survey in seeded:
        if survey.answered == responses:
            return survey
        survey.delete()  # an interrupted seeding: start again
    say(f"creating the results survey with {responses} responses (once per database)")
    started = time.monotonic()
    call_command(
        "seed_surveys",
        surveys=1,
        questions=10,
        responses=responses,
        password=SEED_PASSWORD,
        json=True,
    )
    say(f"results survey seeded in {time.monotonic() - started:.0f} s")
    return Survey.objects.get(owner__email=f"seed-owner@{SEED_DOMAIN}", title="Seeded survey 1")


def all_choice_questions(count: int, choices: int):
    from surveys.models import Question
    from surveys.services import QuestionSpec

    kinds = [Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE]
    return [
        QuestionSpec(
            text=f"Question {number}: which fits best?",
            kind=kinds[number % 2],
            choices=tuple(f"Option {option}" for option in range(1, choices + 1)),
        )
        for number in range(1, count + 1)
    ]


def mixed_questions(count: int, choices: int):
    """Every kind in turn, so a response exercises choices, ratings and text."""
    from surveys.models import Question
    from surveys.services import QuestionSpec

    kinds = [kind for kind, _ in Question.Kind.choices]
    specs = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        has_choices = kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE)
        specs.append(
            QuestionSpec(
                text=f"Question {number + 1}",
                kind=kind,
                scale_max=5 if kind == Question.Kind.RATING else None,
                choices=tuple(f"Option {n}" for n in range(1, choices + 1)) if has_choices else (),
            )
        )
    return specs


def published_survey(owner, title: str, questions):
    from surveys.models import Survey
    from surveys.services import survey_create, survey_publish

    existing = Survey.objects.filter(owner=owner, title=title).first()
    if existing is not None:
        return existing
    survey = survey_create(owner=owner, title=title, description="bench", questions=questions)
    return survey_publish(survey=survey)


def respond_surveys(owner, count: int) -> list:
    """The surveys (f) answers, with last run's responses removed.

    Created before the list surveys, so they never appear on the page (d) reads (newest first).
    The responses go with three set-based DELETEs: the ORM's cascade would load every answer.
    """
    from django.db import connection, transaction

    from surveys.models import Answer, AnswerChoice, Response

    surveys = [
        published_survey(owner, f"{RESPOND_TITLE} {number}", mixed_questions(50, 6))
        for number in range(1, count + 2)  # the last one is answered by the warm-up
    ]
    # Answered by the probe only: a response of 4 answers beside one of 50 shows whether the
    # number of queries depends on the number of answers.
    surveys.append(published_survey(owner, f"{RESPOND_TITLE} small", mixed_questions(4, 6)))
    ids = [survey.pk for survey in surveys]
    marks = ", ".join(["%s"] * len(ids))
    # Table names come from the models' metadata and the ids are parameters (hence the noqa).
    responses = f"SELECT id FROM {Response._meta.db_table} WHERE survey_id IN ({marks})"  # noqa: S608
    answers = f"SELECT id FROM {Answer._meta.db_table} WHERE response_id IN ({responses})"  # noqa: S608
    deletes = [
        f"DELETE FROM {AnswerChoice._meta.db_table} WHERE answer_id IN ({answers})",  # noqa: S608
        f"DELETE FROM {Answer._meta.db_table} WHERE response_id IN ({responses})",  # noqa: S608
        f"DELETE FROM {Response._meta.db_table} WHERE survey_id IN ({marks})",  # noqa: S608
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in deletes:
            cursor.execute(statement, ids)
    return surveys


def list_surveys() -> None:
    """A page and more of realistic surveys (10 questions, 4 choices), the newest of all."""
    from django.core.management import call_command

    from surveys.models import Survey

    if Survey.objects.filter(owner__email=f"seed-owner@{LIST_DOMAIN}").count() >= LIST_SURVEYS:
        return
    call_command(
        "seed_surveys",
        surveys=LIST_SURVEYS,
        questions=10,
        responses=0,
        users=1,
        email_domain=LIST_DOMAIN,
        password=SEED_PASSWORD,
        json=True,
    )


def current_password_hashes(emails_like: str) -> None:
    """Seed accounts share one hash; renew it when the hasher's parameters changed since.

    Otherwise the first login of every account would also re-hash and save its password,
    and (h) would measure that instead of a login.
    """
    from django.contrib.auth.hashers import identify_hasher, make_password

    from accounts.models import User

    accounts = User.objects.filter(email__endswith=emails_like)
    sample = accounts.values_list("password", flat=True).first()
    if sample and not identify_hasher(sample).must_update(sample):
        return
    say("password hashes of the seed accounts renewed (hasher parameters changed)")
    accounts.update(password=make_password(SEED_PASSWORD))


def seed_users(count: int) -> list:
    from accounts.models import User

    users = list(
        User.objects.filter(
            email__startswith="seed-user-", email__endswith=f"@{SEED_DOMAIN}"
        ).order_by("pk")[:count]
    )
    if len(users) < count:
        sys.exit(f"seed: {count} seed accounts needed, {len(users)} exist")
    return users


def token_keys(users: list) -> dict[int, str]:
    """A fresh token session per account (only digests are stored, so a key cannot be read
    back); the earlier run's sessions end, so runs do not pile them up."""
    from accounts.models import TokenSession
    from accounts.sessions import PREFIX_LENGTH, key_create

    TokenSession.objects.filter(user__in=users).delete()
    keys, sessions = {}, []
    for user in users:
        key, digest = key_create()
        keys[user.pk] = key
        sessions.append(
            TokenSession(
                user=user,
                source=TokenSession.Source.COMMAND,
                key_digest=digest,
                key_prefix=key[:PREFIX_LENGTH],
            )
        )
    TokenSession.objects.bulk_create(sessions)
    return keys


def reset_run_leftovers() -> None:
    """Sign-ups and outbox rows of earlier runs: each run starts from the same tables."""
    from accounts.models import User
    from emails.models import OutboundEmail

    User.objects.filter(email__startswith=SIGNUP_PREFIX).delete()
    OutboundEmail.objects.all().delete()


def answers_body(survey) -> str:
    """A complete response: every question answered, choices, ratings and text included."""
    from surveys.models import Question

    answers: list[dict] = []
    for question in survey.questions.prefetch_related("choices").order_by("position"):
        options = [choice.pk for choice in question.choices.order_by("position")]
        if question.kind == Question.Kind.SINGLE_CHOICE:
            answers.append({"question": question.pk, "choices": options[:1]})
        elif question.kind == Question.Kind.MULTIPLE_CHOICE:
            answers.append({"question": question.pk, "choices": options[1:3]})
        elif question.kind == Question.Kind.RATING:
            answers.append({"question": question.pk, "rating": 4})
        else:
            answers.append({"question": question.pk, "text": "Works well for me."})
    return json.dumps({"answers": answers})


class RequestFile:
    """One scenario's requests in the tab-separated format bench/wrk/replay.lua reads."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.bodies: dict[str, str] = {}

    def body(self, key: str, content: str) -> str:
        if key not in self.bodies:
            self.bodies[key] = content
            self.lines.append(f"B\t{key}\t{content}")
        return key

    def add(self, method: str, path: str, authorization: str = "", body: str = "-") -> None:
        self.lines.append(f"R\t{method}\t{path}\t{authorization}\t{body}")

    def write(self, path: Path) -> None:
        path.write_text("\n".join(self.lines) + "\n")


def probe_request(method: str, path: str, authorization: str = "", body: str = "") -> dict:
    return {"method": method, "path": path, "authorization": authorization, "body": body}


def main() -> int:
    arguments = parse_arguments()
    import django

    django.setup()
    from django.contrib.auth.hashers import get_hasher

    from accounts.jwt_sessions import SessionRefreshToken
    from accounts.models import User

    started = time.monotonic()
    results = results_survey(arguments.results_responses)
    owner = results.owner
    detail = published_survey(
        owner, DETAIL_TITLE, all_choice_questions(DETAIL_QUESTIONS, DETAIL_CHOICES)
    )
    answering = respond_surveys(owner, arguments.respond_surveys)
    list_surveys()
    reset_run_leftovers()
    current_password_hashes(f"@{SEED_DOMAIN}")

    needed = max(arguments.users, arguments.respond_users) + 2  # two for the probe's (f)
    users = seed_users(needed)
    keys = token_keys([*users, owner])
    token = {user.pk: f"Token {keys[user.pk]}" for user in [*users, owner]}
    readers = users[: arguments.users]

    def bearer(user: User) -> str:
        """An access JWT as /auth/jwt/create/ issues it: with a session id, checked per request."""
        return f"Bearer {SessionRefreshToken.for_user(user).access_token}"

    files: dict[str, RequestFile] = {}

    def scenario(name: str) -> RequestFile:
        return files.setdefault(name, RequestFile())

    scenario("a").add("GET", "/health/live/")
    for user in readers:
        scenario("b").add("GET", "/auth/users/me/", token[user.pk])
        scenario("c").add("GET", "/auth/users/me/", bearer(user))
        scenario("d").add("GET", "/api/surveys/", token[user.pk])
        scenario("d_expand").add("GET", "/api/surveys/?expand=questions", token[user.pk])
        scenario("e").add("GET", f"/api/surveys/{detail.pk}/", token[user.pk])
        login = json.dumps({"email": user.email, "password": SEED_PASSWORD})
        scenario("h").add("POST", "/auth/token/login/", "", scenario("h").body(str(user.pk), login))
    scenario("g").add("GET", f"/api/surveys/{results.pk}/results/", token[owner.pk])
    *measured, warm_up, small = answering
    respondents = users[: arguments.respond_users]
    for survey in measured:
        body = scenario("f").body(str(survey.pk), answers_body(survey))
        for user in respondents:
            scenario("f").add("POST", f"/api/surveys/{survey.pk}/responses/", token[user.pk], body)
    body = scenario("f_warmup").body(str(warm_up.pk), answers_body(warm_up))
    for user in respondents:
        path = f"/api/surveys/{warm_up.pk}/responses/"
        scenario("f_warmup").add("POST", path, token[user.pk], body)
    signup = json.dumps(
        {
            "email": f"{SIGNUP_PREFIX}{{n}}@bench.test",
            "password": SIGNUP_PASSWORD,
            "re_password": SIGNUP_PASSWORD,
        }
    )
    scenario("i").add("POST", "/auth/users/", "", scenario("i").body("signup", signup))

    arguments.out.mkdir(parents=True, exist_ok=True)
    for name, request_file in files.items():
        request_file.write(arguments.out / f"{name}.tsv")

    reader, spare = readers[0], users[-2:]
    first_survey = measured[0]
    respond_path = f"/api/surveys/{first_survey.pk}/responses/"
    hasher = get_hasher()

    def signup_body(suffix: str) -> str:
        return signup.replace("{n}", f"{arguments.tag}-probe-{suffix}")

    probes = {
        "a": [probe_request("GET", "/health/live/")] * 2,
        "b": [probe_request("GET", "/auth/users/me/", token[reader.pk])] * 2,
        "c": [probe_request("GET", "/auth/users/me/", bearer(reader))] * 2,
        "d": [probe_request("GET", "/api/surveys/", token[reader.pk])] * 2,
        "d_expand": [probe_request("GET", "/api/surveys/?expand=questions", token[reader.pk])] * 2,
        "e": [probe_request("GET", f"/api/surveys/{detail.pk}/", token[reader.pk])] * 2,
        "f": [
            probe_request("POST", respond_path, token[user.pk], answers_body(first_survey))
            for user in spare
        ],
        "f_small": [
            probe_request(
                "POST", f"/api/surveys/{small.pk}/responses/", token[user.pk], answers_body(small)
            )
            for user in spare
        ],
        "g": [probe_request("GET", f"/api/surveys/{results.pk}/results/", token[owner.pk])] * 2,
        "h": [
            probe_request(
                "POST",
                "/auth/token/login/",
                body=json.dumps({"email": reader.email, "password": SEED_PASSWORD}),
            )
        ]
        * 2,
        "i": [probe_request("POST", "/auth/users/", body=signup_body(s)) for s in ("1", "2")],
    }
    plan = {
        "results_survey": results.pk,
        "results_responses": results.responses.count(),
        "results_questions": results.questions.count(),
        "detail_survey": detail.pk,
        "respond_surveys": [survey.pk for survey in measured],
        "respond_requests": len(measured) * len(respondents),
        "owner_authorization": token[owner.pk],
        "seed_password": SEED_PASSWORD,
        "hasher": hasher.algorithm,
        "accounts": User.objects.count(),
        "probes": probes,
        "seconds": round(time.monotonic() - started, 1),
    }
    (arguments.out / "plan.json").write_text(json.dumps(plan, indent=2) + "\n")
    say(f"ready in {plan['seconds']} s: {plan['accounts']} accounts, requests in {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
