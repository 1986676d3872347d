"""Seed realistic survey data for the benchmark: accounts, published surveys and many responses."""

import json
import random
import time
from itertools import islice

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from accounts.models import User
from surveys.models import (
    DEFAULT_SCALE_MAX,
    MAX_CHOICES,
    Answer,
    AnswerChoice,
    Choice,
    Question,
    Response,
    Survey,
)

# How often an optional question is left out.
SKIP_OPTIONAL = 0.3
KINDS = [kind for kind, _ in Question.Kind.choices]
PHRASES = [
    "Works well for me.",
    "Could be faster, honestly.",
    'The "new" layout, I like it',
    "No opinion, sorry",
    "Please keep Friday lunches!",
    "Más café, por favor ☕",
    "=not a formula, just text",
]


def batched(items, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = (
        "Create seed accounts (one password for all), published public surveys with questions of "
        "every kind, and responses from distinct accounts, with bulk inserts in batches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--users", type=int, default=100, help="accounts (raised to --responses)"
        )
        parser.add_argument("--surveys", type=int, default=1)
        parser.add_argument("--questions", type=int, default=10, help="per survey, kinds in turn")
        parser.add_argument("--choices", type=int, default=4, help="per choice question (2-50)")
        parser.add_argument("--responses", type=int, default=100, help="per survey")
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="responses per insert round"
        )
        parser.add_argument("--email-domain", default="seed.canvass.test")
        parser.add_argument("--password", default="seed-password-123")
        parser.add_argument("--seed", type=int, default=1, help="random seed: same data each run")
        parser.add_argument("--json", action="store_true", help="print one JSON summary line only")

    def handle(self, *args, **options) -> None:
        if not 2 <= options["choices"] <= MAX_CHOICES:
            raise CommandError(f"--choices must be between 2 and {MAX_CHOICES}.")
        if options["questions"] < 1 or options["surveys"] < 1 or options["responses"] < 0:
            raise CommandError("--questions and --surveys must be positive, --responses >= 0.")
        started = time.monotonic()
        self.random = random.Random(options["seed"])  # noqa: S311  # nosec B311  # test data, not secrets
        self.quiet = options["json"]
        domain = options["email_domain"]
        owner = self._owner(domain, options["password"])
        respondents = self._accounts(
            max(options["users"], options["responses"]), domain, options["password"]
        )
        survey_ids = []
        for number in range(1, options["surveys"] + 1):
            survey = self._survey(owner, number, options["questions"], options["choices"])
            self._responses(survey, respondents[: options["responses"]], options["batch_size"])
            survey_ids.append(survey.pk)
            self._say(f"survey {survey.pk}: {options['responses']} responses")
        self._analyze()
        summary = {
            "surveys": survey_ids,
            "owner": owner.email,
            "password": options["password"],
            "users": len(respondents),
            "seconds": round(time.monotonic() - started, 1),
        }
        self.stdout.write(json.dumps(summary) if self.quiet else f"done: {summary}")

    def _say(self, message: str) -> None:
        if not self.quiet:
            self.stdout.write(message)

    def _owner(self, domain: str, password: str) -> User:
        owner, created = User.objects.get_or_create(
            email=f"seed-owner@{domain}", defaults={"is_active": True}
        )
        if created:
            owner.set_password(password)
            owner.save(update_fields=["password"])
        return owner

    def _accounts(self, count: int, domain: str, password: str) -> list[int]:
        """Ids of `count` confirmed seed accounts, created as needed with one shared hash."""
        hashed = make_password(password)
        emails = (f"seed-user-{number}@{domain}" for number in range(count))
        for batch in batched(emails, 5000):
            User.objects.bulk_create(
                [User(email=email, password=hashed, is_active=True) for email in batch],
                ignore_conflicts=True,
            )
        accounts = User.objects.filter(email__startswith="seed-user-", email__endswith=f"@{domain}")
        ids = list(accounts.order_by("id").values_list("id", flat=True)[:count])
        self._say(f"{len(ids)} seed accounts ready")
        return ids

    @transaction.atomic
    def _survey(self, owner: User, number: int, questions: int, choices: int) -> Survey:
        survey = Survey.objects.create(
            owner=owner,
            title=f"Seeded survey {number}",
            description="Generated by manage.py seed_surveys.",
            status=Survey.Status.PUBLISHED,
        )
        created = Question.objects.bulk_create(
            Question(
                survey=survey,
                position=position,
                text=f"Question {position}: what do you think?",
                kind=KINDS[(position - 1) % len(KINDS)],
                # Every fifth question is optional and sometimes left out.
                required=position % 5 != 0,
                scale_max=DEFAULT_SCALE_MAX
                if KINDS[(position - 1) % len(KINDS)] == Question.Kind.RATING
                else None,
            )
            for position in range(1, questions + 1)
        )
        Choice.objects.bulk_create(
            Choice(question=question, position=position, text=f"Option {position}")
            for question in created
            if question.has_choices
            for position in range(1, choices + 1)
        )
        return survey

    def _responses(self, survey: Survey, respondents: list[int], batch_size: int) -> None:
        questions = list(survey.questions.prefetch_related("choices"))
        choice_ids = {q.pk: [c.pk for c in q.choices.all()] for q in questions}
        for batch in batched(respondents, batch_size):
            with transaction.atomic():
                responses = Response.objects.bulk_create(
                    Response(survey=survey, respondent_id=person) for person in batch
                )
                answers: list[Answer] = []
                chosen: list[list[int]] = []
                for response in responses:
                    for question in questions:
                        if not question.required and self.random.random() < SKIP_OPTIONAL:
                            continue
                        answer, picks = self._answer(question, choice_ids[question.pk])
                        answer.response_id = response.pk
                        answers.append(answer)
                        chosen.append(picks)
                Answer.objects.bulk_create(answers, batch_size=5000)
                AnswerChoice.objects.bulk_create(
                    (
                        AnswerChoice(answer_id=answer.pk, choice_id=choice)
                        for answer, picks in zip(answers, chosen, strict=True)
                        for choice in picks
                    ),
                    batch_size=10000,
                )

    def _answer(self, question: Question, options: list[int]) -> tuple[Answer, list[int]]:
        pick = self.random
        if question.kind == Question.Kind.SINGLE_CHOICE:
            # Skewed towards the first options, as real answers are.
            return Answer(question_id=question.pk), [
                options[int(len(options) * pick.random() ** 2)]
            ]
        if question.kind == Question.Kind.MULTIPLE_CHOICE:
            return Answer(question_id=question.pk), sorted(pick.sample(options, pick.randint(1, 3)))
        if question.kind == Question.Kind.RATING:
            rating = min(
                question.scale_max or DEFAULT_SCALE_MAX, max(1, round(pick.gauss(3.6, 1.1)))
            )
            return Answer(question_id=question.pk, rating=rating), []
        return Answer(question_id=question.pk, text=pick.choice(PHRASES)), []

    def _analyze(self) -> None:
        """Fresh planner statistics and visibility maps, as a long-running database has."""
        if connection.vendor != "postgresql":
            return
        tables = [model._meta.db_table for model in (Response, Answer, AnswerChoice, Choice)]
        # VACUUM (for index-only scans) cannot run inside a transaction, e.g. under a test.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'{command} "{table}"')
