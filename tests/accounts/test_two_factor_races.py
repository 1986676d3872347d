"""One code under concurrent requests: however many logins wait for it, it passes once."""

import json
import time
from http import HTTPStatus

import pyotp
import pytest

from accounts.two_factor import challenge_start
from tests.accounts.two_factor import VERIFY, enrol
from tests.gunicorn import request
from tests.threads import at_once

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_verifies_with_one_code_let_one_login_through(live_server, confirmed_user):
    enrolment = enrol(confirmed_user)
    tokens = [
        challenge_start(user=confirmed_user, route="token", method="password")
        for _ in range(THREADS)
    ]
    # The step after the one that turned TOTP on: accepted within the one step of drift.
    code = pyotp.TOTP(enrolment.secret).at(time.time() + 30)
    url = f"{live_server.url}{VERIFY}"

    statuses = at_once(
        THREADS,
        lambda n: request(url, json.dumps({"ephemeral_token": tokens[n], "code": code}).encode()),
    )

    assert statuses.count(HTTPStatus.OK) == 1, statuses
    assert statuses.count(HTTPStatus.BAD_REQUEST) == THREADS - 1, statuses
