"""Reset and resend requests only validate and queue: the address is looked up, and the mail
composed, after the answer (accounts.tasks), so the answer takes as long for any address."""

from http import HTTPStatus

import pytest
from kombu.exceptions import OperationalError

from accounts import tasks
from accounts.models import AuditEvent
from emails import after_response
from emails import tasks as email_tasks
from emails.models import OutboundEmail
from settings.celery import app
from tests.accounts.conftest import ROUTE_SETS, RouteSet, mail_to
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db

ADDRESSES = {
    "unknown": "nobody@example.org",
    "confirmed": "ann@example.org",
    "unconfirmed": "pending@example.org",
}
MAIL_REQUESTS = [
    pytest.param(routes, kind, id=f"{routes.name}-{kind}")
    for routes in ROUTE_SETS
    for kind in ("reset", "resend")
]


def path(routes: RouteSet, kind: str) -> str:
    return routes.reset if kind == "reset" else routes.resend


@pytest.fixture
def accounts(confirmed_user, unconfirmed_user, rates):
    """The throttles off, so a request's own queries are all that is counted."""
    rates(activation=None, password_reset=None)


@pytest.fixture
def deferred(monkeypatch) -> list:
    """What requests leave for after their response, kept here instead of run."""
    calls: list = []
    monkeypatch.setattr(after_response, "defer", lambda call: calls.append(call) or True)
    return calls


@pytest.mark.parametrize(("routes", "kind"), MAIL_REQUESTS)
def test_the_answer_runs_no_query_for_any_address(
    accounts, deferred, django_assert_num_queries, routes, kind
):
    answers = set()
    for email in ADDRESSES.values():
        with django_assert_num_queries(0):
            response = CommittingAPIClient().post(path(routes, kind), {"email": email})
        answers.add((response.status_code, response.content))

    assert len(answers) == 1
    assert len(deferred) == len(ADDRESSES)
    assert mail_to(ADDRESSES["confirmed"]) == mail_to(ADDRESSES["unconfirmed"]) == []


@pytest.mark.parametrize(("routes", "kind"), MAIL_REQUESTS)
def test_the_queued_work_mails_the_account_it_is_meant_for(
    accounts, deferred, django_capture_on_commit_callbacks, routes, kind
):
    for email in ADDRESSES.values():
        CommittingAPIClient().post(path(routes, kind), {"email": email})

    with pytest.MonkeyPatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(after_response, "defer", lambda call: False)
        for call in deferred:
            call()

    mailed = "confirmed" if kind == "reset" else "unconfirmed"
    assert {case: len(mail_to(email)) for case, email in ADDRESSES.items()} == {
        case: int(case == mailed) for case in ADDRESSES
    }


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
def test_a_reset_is_mailed_after_the_answer_through_the_task(accounts, routes):
    response = CommittingAPIClient().post(routes.reset, {"email": "ANN@example.org"})

    assert response.status_code == routes.reset_status
    assert len(mail_to(ADDRESSES["confirmed"])) == 1


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to the broker. Connection refused.")


@pytest.mark.parametrize(("routes", "kind"), MAIL_REQUESTS)
def test_a_broker_outage_neither_fails_the_request_nor_loses_the_mail(
    accounts, monkeypatch, routes, kind
):
    app.conf.task_always_eager = False  # a broker is configured … (the autouse fixture restores)
    for task in (tasks.password_reset_mail, tasks.confirmation_resend_mail):
        monkeypatch.setattr(task, "delay", broker_down)  # … and unreachable
    monkeypatch.setattr(email_tasks.deliver_outbound_emails, "delay", broker_down)
    email = ADDRESSES["confirmed" if kind == "reset" else "unconfirmed"]

    response = CommittingAPIClient().post(path(routes, kind), {"email": email})

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    # Run here instead: the message waits in the outbox for the sweep / send_queued_emails.
    assert OutboundEmail.objects.filter(
        to__icontains=email, status=OutboundEmail.Status.QUEUED
    ).exists()


def test_the_audit_event_of_a_queued_reset_names_the_requests_client(accounts):
    client = CommittingAPIClient(REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="Canvass-test/1.0")
    client.post(ROUTE_SETS[0].reset, {"email": ADDRESSES["confirmed"]})

    event = AuditEvent.objects.get(event=AuditEvent.Event.PASSWORD_RESET_REQUEST)
    assert (event.ip_address, event.user_agent, event.route) == (
        "192.0.2.44",
        "Canvass-test/1.0",
        "user-reset-password",
    )
