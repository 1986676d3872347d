"""Two Canvass nodes behind HAProxy share one state: one PostgreSQL, one Redis, two Celery
workers (tests/cluster.py). A session ended through one node is refused by the other at once,
failed logins on both count toward one lockout, a queued mail is sent exactly once, and when a
node dies under load the other keeps serving and no sign-up is lost."""

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.models import User
from accounts.services import account_confirm
from settings.celery import app
from tests.cluster import Node, celery_workers, haproxy, node
from tests.conftest import ON_POSTGRES
from tests.factories import UserFactory
from tests.smtp import SmtpSink

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not (ON_POSTGRES and os.environ.get("REDIS_URL")),
        reason="nodes in other processes need a database they can open (PostgreSQL) and Redis",
    ),
]

EMAIL = "nodes@example.org"
LOCKOUT_AFTER = 4  # AXES_FAILURE_LIMIT: the 4th failed attempt is refused
SIGN_UP_PASSWORD = "a-long-Passphrase-9"


def call(base: str, path: str, *, credential: str = "", body: dict | None = None, method=None):
    """(status, JSON answer or None); status None when the connection itself failed."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if credential:
        headers["Authorization"] = credential
    data = json.dumps(body).encode() if body is not None else None
    outgoing = urllib.request.Request(f"{base}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(outgoing, timeout=30) as response:
            content = response.read()
            return response.status, json.loads(content) if content else None
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return None, None


def database_url_of_the_test_db() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Cluster:
    a: Node
    b: Node
    proxy: str
    sink: SmtpSink


@pytest.fixture
def cluster(transactional_db, tmp_path):
    sink = SmtpSink().start()
    app.control.purge()  # tasks an earlier run left behind point at rows that are gone
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "two-nodes-test-secret-key-long-enough-0123456789abcdefghijkl",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url_of_the_test_db(),
        "EMAIL_URL": f"{sink.url}?timeout=5",
        "CONN_MAX_AGE": "60",
        "TOKEN_CACHE_SECONDS": "300",
        "TRUSTED_PROXY_COUNT": "1",
        "AXES_FAILURE_LIMIT": str(LOCKOUT_AFTER),
        "THROTTLE_LOGIN": "100000/min",
        "THROTTLE_REGISTRATION": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    with ExitStack() as stack:
        stack.callback(sink.stop)
        a = stack.enter_context(node("a", environment))
        b = stack.enter_context(node("b", environment))
        proxy = stack.enter_context(haproxy([a, b]))
        stack.enter_context(celery_workers(environment, 2, tmp_path))
        yield Cluster(a, b, proxy, sink)


@pytest.fixture
def account(transactional_db, password):
    # The nodes run the production hashers (the suite's fast MD5 is not among them).
    user = UserFactory(email=EMAIL, is_active=False)
    account_confirm(user=user)
    user.password = make_password(password, hasher="argon2")
    user.save(update_fields=["password"])
    return user


def login(base: str, password: str) -> tuple[int | None, str]:
    status, answer = call(
        base, "/auth/token/login/", body={"email": EMAIL, "password": password}, method="POST"
    )
    return status, f"Token {answer['auth_token']}" if answer else ""


def test_a_session_ended_through_one_node_is_refused_by_the_other_at_once(
    cluster, account, password
):
    status, token = login(cluster.a.url, password)
    assert status == HTTPStatus.OK
    # Node B has served (and cached) the session before it ends.
    assert call(cluster.b.url, "/auth/users/me/", credential=token)[0] == HTTPStatus.OK

    status, _ = call(cluster.a.url, "/auth/token/logout/", credential=token, method="POST")
    assert status == HTTPStatus.NO_CONTENT

    after = [call(cluster.b.url, "/auth/users/me/", credential=token)[0] for _ in range(5)]
    through_proxy = [call(cluster.proxy, "/auth/users/me/", credential=token)[0] for _ in range(4)]
    assert set(after) == set(through_proxy) == {HTTPStatus.UNAUTHORIZED}


def test_failed_logins_on_both_nodes_count_toward_one_lockout(cluster, account, password):
    # A, B, A: neither node alone sees the limit's number of failures.
    nodes = [cluster.a, cluster.b, cluster.a][: LOCKOUT_AFTER - 1]
    failures = [login(item.url, "not-the-password")[0] for item in nodes]
    assert failures == [HTTPStatus.BAD_REQUEST] * (LOCKOUT_AFTER - 1)

    # The limit-th attempt, on B (which saw one failure), is refused, and so is the right
    # password on either node from then on: the two nodes kept one count.
    assert login(cluster.b.url, "not-the-password")[0] == HTTPStatus.TOO_MANY_REQUESTS
    assert login(cluster.b.url, password)[0] == HTTPStatus.TOO_MANY_REQUESTS
    assert login(cluster.a.url, password)[0] == HTTPStatus.TOO_MANY_REQUESTS


def sign_up(base: str, email: str) -> int | None:
    body = {"email": email, "password": SIGN_UP_PASSWORD, "re_password": SIGN_UP_PASSWORD}
    return call(base, "/auth/users/", body=body, method="POST")[0]


def test_mail_queued_on_one_node_is_sent_exactly_once_with_two_workers(cluster):
    addresses = [f"queued{number}@example.org" for number in range(6)]
    for address in addresses:
        assert sign_up(cluster.a.url, address) == HTTPStatus.CREATED

    cluster.sink.wait_for(len(addresses), timeout=90)
    time.sleep(3)  # time for a second delivery, if one worker repeated another's

    assert Counter(address for [address] in cluster.sink.recipients) == dict.fromkeys(addresses, 1)


def test_killing_a_node_under_load_leaves_the_other_serving_and_loses_no_sign_up(cluster):
    clients = 4
    outcomes: list[tuple[float, str, int | None]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def keep_signing_up(number: int) -> None:
        sequence = 0
        while not stop.is_set():
            sequence += 1
            address = f"load{number}-{sequence}@example.org"
            status = sign_up(cluster.proxy, address)
            with lock:
                outcomes.append((time.monotonic(), address, status))

    threads = [threading.Thread(target=keep_signing_up, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    killed_at = time.monotonic()
    cluster.a.kill()
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    failed = [outcome for outcome in outcomes if outcome[2] != HTTPStatus.CREATED]
    created = [address for _, address, status in outcomes if status == HTTPStatus.CREATED]
    # At most the requests node A had in flight (one per client at most) failed, all at the
    # moment it died; everything sent once the balancer noticed went to node B and succeeded.
    assert len(failed) <= clients, failed
    assert all(moment - killed_at < 2 for moment, _, _ in failed), failed
    assert len([moment for moment, _, _ in outcomes if moment > killed_at + 2]) > 0
    assert len(created) > 2 * clients
    # No sign-up that was answered 201 is missing, and each one's mail is sent once.
    assert set(User.objects.filter(email__in=created).values_list("email", flat=True)) == set(
        created
    )
    cluster.sink.wait_for(len(created), timeout=120)
    received = Counter(address for [address] in cluster.sink.recipients)
    assert all(received[address] == 1 for address in created)
