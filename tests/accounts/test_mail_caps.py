"""Per-recipient mail caps: at most MAIL_CAP_PER_HOUR mails of one kind reach an address an
hour, whoever asks and from wherever; the answers never change."""

from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine

from accounts.mail_caps import mail_cap_allows
from accounts.services import token_session_start
from tests.accounts.conftest import DJOSER, ROUTE_SETS, RouteSet, mail_to, token_client
from tests.conftest import CommittingAPIClient

pytestmark = pytest.mark.django_db

CAP = 3


@pytest.fixture(autouse=True)
def cap(settings, rates):
    """The default cap; the per-client throttles out of the way (they are not what is tested)."""
    settings.MAIL_CAP_PER_HOUR = CAP
    rates(registration=None, activation=None, password_reset=None, email_change=None)


@pytest.fixture
def clock_cache(settings):
    """Counters in the database cache, whose entries expire on the Python clock that
    time-machine moves; Redis expires keys on its own clock."""
    settings.CACHES = {**settings.CACHES, "default": settings.CACHES["database"]}


def from_address(number: int) -> CommittingAPIClient:
    """A client of its own, from its own address (REMOTE_ADDR)."""
    return CommittingAPIClient(REMOTE_ADDR=f"198.51.100.{number}")


def reset(routes: RouteSet, email: str, number: int):
    return from_address(number).post(routes.reset, {"email": email}, format="json")


def resend(routes: RouteSet, email: str, number: int):
    return from_address(number).post(routes.resend, {"email": email}, format="json")


def register(routes: RouteSet, email: str, number: int):
    payload = routes.register_payload(email, "a-long-Passphrase-9")
    return from_address(number).post(routes.register, payload, format="json")


REQUESTS = {"reset": reset, "resend": resend, "register": register}


@pytest.fixture
def addressee(request, confirmed_user, unconfirmed_user):
    """The account each request mails: resets go to a confirmed account, resends to one that
    awaits confirmation, a sign-up with a taken address to its owner."""
    return unconfirmed_user if request.param == "resend" else confirmed_user


def answer(response) -> tuple[int, bytes]:
    return response.status_code, response.content


@pytest.mark.parametrize("routes", ROUTE_SETS, ids=lambda routes: routes.name)
@pytest.mark.parametrize(
    ("kind", "addressee"), [(kind, kind) for kind in REQUESTS], indirect=["addressee"]
)
def test_the_fourth_mail_of_an_hour_is_not_sent_and_the_answer_is_the_same(routes, kind, addressee):
    send = REQUESTS[kind]
    answers = [answer(send(routes, addressee.email, number)) for number in range(1, CAP + 1)]
    assert len(mail_to(addressee.email)) == CAP

    fourth = send(routes, addressee.email, CAP + 1)

    assert answer(fourth) == answers[0]
    assert len(mail_to(addressee.email)) == CAP


@pytest.mark.parametrize(
    ("kind", "addressee"), [(kind, kind) for kind in REQUESTS], indirect=["addressee"]
)
def test_both_route_sets_and_every_client_address_share_one_cap(kind, addressee):
    send = REQUESTS[kind]
    for number in range(2 * CAP):
        routes = ROUTE_SETS[number % 2]
        send(routes, addressee.email.upper() if number == 1 else addressee.email, number)

    assert len(mail_to(addressee.email)) == CAP


def test_each_kind_of_mail_has_a_cap_of_its_own(confirmed_user):
    for number in range(CAP):
        reset(DJOSER, confirmed_user.email, number)
        register(DJOSER, confirmed_user.email, number)

    subjects = [message.subject for message in mail_to(confirmed_user.email)]
    assert len(subjects) == 2 * CAP
    assert len(set(subjects)) == 2


def test_mail_flows_again_an_hour_after_the_last_one(clock_cache, confirmed_user):
    with time_machine.travel(datetime(2030, 1, 1, 12, 0), tick=False) as clock:
        for number in range(CAP + 1):
            reset(DJOSER, confirmed_user.email, number)
            clock.shift(timedelta(minutes=10))
        assert len(mail_to(confirmed_user.email)) == CAP

        clock.shift(timedelta(minutes=40, seconds=1))  # an hour since the last mail (12:20)
        reset(DJOSER, confirmed_user.email, 9)

    assert len(mail_to(confirmed_user.email)) == CAP + 1


def test_refused_requests_do_not_push_the_window_back(clock_cache, confirmed_user):
    with time_machine.travel(datetime(2030, 1, 1, 12, 0), tick=False) as clock:
        for number in range(CAP):
            reset(DJOSER, confirmed_user.email, number)
        for number in range(5):
            clock.shift(timedelta(minutes=10))
            reset(DJOSER, confirmed_user.email, number)
        assert len(mail_to(confirmed_user.email)) == CAP

        clock.shift(timedelta(minutes=10, seconds=1))
        reset(DJOSER, confirmed_user.email, 9)

    assert len(mail_to(confirmed_user.email)) == CAP + 1


def test_email_change_mails_are_capped_per_recipient(confirmed_user, password, user_factory):
    """The link to the new address, the notice to the current one, and the notice to a new
    address that is taken: each recipient gets at most the cap an hour."""
    taken = user_factory(email="taken@example.org")
    client = token_client(token_session_start(user=confirmed_user).key)
    for new_email in ["new@example.org"] * (CAP + 1) + [taken.email] * (CAP + 1):
        response = client.post(
            "/auth/users/set_email/", {"current_password": password, "new_email": new_email}
        )
        assert response.status_code == HTTPStatus.NO_CONTENT

    assert len(mail_to("new@example.org")) == CAP
    assert len(mail_to(taken.email)) == CAP
    assert len(mail_to(confirmed_user.email)) == CAP


def test_a_cap_of_zero_turns_the_cap_off(settings):
    settings.MAIL_CAP_PER_HOUR = 0

    assert all(mail_cap_allows(kind="password_reset", email="a@example.org") for _ in range(10))


def test_the_cap_counts_every_spelling_of_an_address_as_one():
    for spelling in ("ann@exämple.org", " Ann@Exämple.ORG ", "ann@xn--exmple-cua.org"):
        assert mail_cap_allows(kind="password_reset", email=spelling)

    assert not mail_cap_allows(kind="password_reset", email="ann@EXÄMPLE.org")
    assert mail_cap_allows(kind="confirmation", email="ann@exämple.org")
