"""Concurrent sign-ups of one address (mixed case, both routes) make exactly one account;
concurrent submissions of one email-change key change the address once; concurrent uses of
one sign-in code sign in once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import PendingEmailChange, TokenSession, User
from accounts.services import account_confirm, email_change_request
from tests.accounts.conftest import ROUTE_SETS, link_from_last_mail
from tests.factories import UserFactory

SPELLINGS = ["Race@Example.org", "race@example.org", "RACE@EXAMPLE.ORG", "rAcE@eXample.org"]
THREADS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_sign_ups_of_one_address_make_one_account(settings, password):
    framework = dict(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {
        **framework["DEFAULT_THROTTLE_RATES"],
        "registration": "1000/min",
    }
    settings.REST_FRAMEWORK = framework
    settings.MAIL_CAP_PER_HOUR = THREADS  # every attempt is mailed: the count shows each one
    start = threading.Barrier(THREADS)

    def sign_up(number: int) -> tuple[int, bytes]:
        routes = ROUTE_SETS[number % 2]
        client = APIClient(raise_request_exception=False)
        payload = routes.register_payload(SPELLINGS[number % len(SPELLINGS)], password)
        start.wait()
        try:
            response = client.post(routes.register, payload, format="json")
            return response.status_code, response.content
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(sign_up, range(THREADS)))

    assert [status for status, _body in answers] == [HTTPStatus.CREATED] * THREADS
    assert User.objects.with_email("race@example.org").count() == 1
    assert User.objects.count() == 1
    subjects = [message.subject for message in mail.outbox]
    assert subjects.count("Confirm your Canvass account") == 1
    assert subjects.count("Someone tried to sign up with your address") == THREADS - 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_email_change_key_change_the_address_once(rates):
    rates(email_change=None)
    user = UserFactory(email="ann@example.org", is_active=False)
    account_confirm(user=user)
    email_change_request(user=user, new_email="raced@example.org")
    key = link_from_last_mail("raced@example.org", "/email/change/confirm/").split("/")[-1]
    submissions = 10
    start = threading.Barrier(submissions)

    def confirm(_number: int) -> int:
        client = APIClient(raise_request_exception=False)
        start.wait()
        try:
            return client.post("/auth/users/set_email/confirm/", {"key": key}).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(submissions) as pool:
        answers = list(pool.map(confirm, range(submissions)))

    assert sorted(answers) == [HTTPStatus.NO_CONTENT] + [HTTPStatus.BAD_REQUEST] * (submissions - 1)
    assert User.objects.get(pk=user.pk).email == "raced@example.org"
    assert not PendingEmailChange.objects.exists()
    changed = [m for m in mail.outbox if m.subject == "Your Canvass address was changed"]
    assert len(changed) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_uses_of_one_sign_in_code_sign_in_once(rates, settings):
    rates(login=None)
    settings.AXES_FAILURE_LIMIT = 100
    user = UserFactory(email="ann@example.org", is_active=False)
    account_confirm(user=user)
    APIClient().post("/auth/login/code/", {"email": user.email}, format="json")
    [code] = [line for line in mail.outbox[-1].body.splitlines() if len(line) == 8]
    submissions = 10
    start = threading.Barrier(submissions)

    def confirm(_number: int) -> int:
        client = APIClient(raise_request_exception=False)
        start.wait()
        try:
            payload = {"email": user.email, "code": code}
            return client.post("/auth/login/code/confirm/", payload, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(submissions) as pool:
        statuses = list(pool.map(confirm, range(submissions)))

    assert sorted(statuses) == [HTTPStatus.OK] + [HTTPStatus.BAD_REQUEST] * (submissions - 1)
    assert TokenSession.objects.filter(user=user).count() == 1
