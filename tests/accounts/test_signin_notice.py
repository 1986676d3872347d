"""The new sign-in notice: a login from a device (user agent and client address) the account
has not used in 90 days mails it the device, address and time; a known device, the first
login after confirming, a failed login and NEW_SIGNIN_EMAIL=0 send none; the caps hold."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from accounts.devices import device_label
from accounts.models import KnownDevice
from emails.models import OutboundEmail
from tests.accounts.conftest import LINK, link_from_last_mail, mail_to
from tests.accounts.logins import LOGIN_ROUTES, attempt, signed_in
from tests.conftest import CommittingClient
from tests.factories import DEFAULT_PASSWORD
from tests.smtp import mime_parts

pytestmark = pytest.mark.django_db

SUBJECT = "New sign-in to your Canvass account"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
HOME = {"HTTP_USER_AGENT": FIREFOX, "REMOTE_ADDR": "198.51.100.1"}
NEW_DEVICE = {"HTTP_USER_AGENT": "curl/8.5.0", "REMOTE_ADDR": "203.0.113.7"}
LOGIN_TIME = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_login_throttle(rates, settings):
    rates(login=None)
    settings.NEW_SIGNIN_EMAIL = True


@pytest.fixture
def account(confirmed_user):
    """A confirmed account that may also sign in to the admin."""
    confirmed_user.is_staff = True
    confirmed_user.save(update_fields=["is_staff"])
    return confirmed_user


def log_in(route: str, email: str, password: str = DEFAULT_PASSWORD, **device) -> None:
    response = attempt(route, email, password, **device)
    assert signed_in(route, response), (route, response.status_code)


def notices(email: str) -> list:
    return [message for message in mail_to(email) if message.subject == SUBJECT]


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_the_first_login_after_confirming_sends_no_notice(route, account):
    log_in(route, account.email, **HOME)

    assert notices(account.email) == []
    assert KnownDevice.objects.filter(user=account).count() == 1


def test_signing_up_confirming_and_logging_in_sends_no_notice(api_client, routes, password):
    email = "new@example.org"
    api_client.post(routes.register, routes.register_payload(email, password), format="json")
    link = link_from_last_mail(email, routes.link_prefix)
    response = api_client.post(routes.confirm, routes.confirm_payload(link), format="json")
    assert response.status_code == routes.confirmed_status

    log_in("djoser-token", email, password, **NEW_DEVICE)

    assert notices(email) == []
    log_in("dj-rest-auth", email, password, **HOME)
    assert len(notices(email)) == 1


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_a_second_login_from_the_same_device_sends_none(route, account):
    log_in(route, account.email, **HOME)
    log_in(route, account.email, **HOME)

    assert notices(account.email) == []


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_a_login_from_a_new_device_mails_the_device_address_and_time(route, account):
    log_in("djoser-token", account.email, **HOME)

    with time_machine.travel(LOGIN_TIME, tick=False):
        log_in(route, account.email, **NEW_DEVICE)

    [notice] = notices(account.email)
    assert notice.to == [account.email]
    assert device_label("curl/8.5.0") in notice.body
    assert "203.0.113.7" in notice.body
    assert "2026-03-04 05:06 UTC" in notice.body
    assert "POST /auth/sessions/end_others/" in notice.body
    assert "password reset" in notice.body
    # No credential and no link that works as one: only the site's front page.
    assert set(LINK.findall(notice.body)) == {settings.FRONTEND_URL}
    assert DEFAULT_PASSWORD not in notice.body


@pytest.mark.parametrize(
    "device",
    [
        {**HOME, "HTTP_USER_AGENT": "curl/8.5.0"},
        {**HOME, "REMOTE_ADDR": "203.0.113.7"},
    ],
    ids=["new-user-agent", "new-address"],
)
def test_either_half_of_the_pair_being_new_makes_a_new_device(device, account):
    log_in("djoser-token", account.email, **HOME)
    log_in("djoser-token", account.email, **device)
    log_in("djoser-token", account.email, **device)

    assert len(notices(account.email)) == 1


def test_the_device_is_known_to_every_route_alike(account):
    log_in("djoser-token", account.email, **HOME)
    for route in LOGIN_ROUTES:
        log_in(route, account.email, **HOME)

    assert notices(account.email) == []


def test_new_signin_email_0_sends_none_but_still_records_the_device(settings, account):
    settings.NEW_SIGNIN_EMAIL = False
    log_in("djoser-token", account.email, **HOME)
    log_in("djoser-token", account.email, **NEW_DEVICE)

    assert notices(account.email) == []
    assert KnownDevice.objects.filter(user=account).count() == 2


@pytest.mark.parametrize(("days", "notified"), [(89, 0), (91, 1)])
def test_a_device_last_seen_more_than_90_days_ago_is_new_again(days, notified, account):
    with time_machine.travel(LOGIN_TIME - timedelta(days=days), tick=False):
        log_in("djoser-token", account.email, **HOME)
        log_in("djoser-token", account.email, **NEW_DEVICE)
    mail.outbox.clear()

    with time_machine.travel(LOGIN_TIME, tick=False):
        log_in("djoser-token", account.email, **NEW_DEVICE)

    assert len(notices(account.email)) == notified


def test_the_notices_count_against_the_per_recipient_cap(settings, account):
    settings.MAIL_CAP_PER_HOUR = 2
    log_in("djoser-token", account.email, **HOME)
    for number in range(4):
        log_in("djoser-token", account.email, **{**HOME, "REMOTE_ADDR": f"203.0.113.{number}"})

    assert len(notices(account.email)) == 2
    assert KnownDevice.objects.filter(user=account).count() == 5


@pytest.mark.parametrize("route", LOGIN_ROUTES)
def test_a_failed_login_from_a_new_device_sends_nothing_and_records_nothing(route, account):
    log_in("djoser-token", account.email, **HOME)

    response = attempt(route, account.email, "not the password", **NEW_DEVICE)

    assert not signed_in(route, response)
    assert notices(account.email) == []
    assert KnownDevice.objects.filter(user=account).count() == 1


def test_a_login_with_no_request_behind_it_records_no_device(account):
    log_in("djoser-token", account.email, **HOME)

    CommittingClient().force_login(account)

    # Queued mail counts too: outside a request nothing commits, so nothing would be delivered.
    assert not OutboundEmail.objects.filter(subject=SUBJECT).exists()
    assert KnownDevice.objects.filter(user=account).count() == 1


def test_the_purge_deletes_devices_unused_for_90_days_but_an_accounts_latest(account, user_factory):
    other = user_factory()
    with time_machine.travel(LOGIN_TIME - timedelta(days=200), tick=False):
        log_in("djoser-token", account.email, **HOME)
        log_in("djoser-token", other.email, **HOME)
    with time_machine.travel(LOGIN_TIME - timedelta(days=91), tick=False):
        log_in("djoser-token", account.email, **NEW_DEVICE)
    with time_machine.travel(LOGIN_TIME, tick=False):
        call_command("purge_known_devices")

    # The account keeps only its latest device; the other account its only one, however old.
    assert list(KnownDevice.objects.values_list("user", flat=True).order_by("user")) == [
        account.pk,
        other.pk,
    ]
    mail.outbox.clear()
    with time_machine.travel(LOGIN_TIME, tick=False):
        log_in("djoser-token", account.email, **HOME)
    # A dormant account coming back from an old device is told: it is not a first login.
    assert len(notices(account.email)) == 1


def test_the_device_label_names_the_browser_and_the_system():
    assert device_label(FIREFOX) == "Firefox on Linux"
    assert device_label("") == "Unknown device"


def test_the_notice_arrives_over_smtp_in_text_and_html(smtp_transport, account):
    log_in("djoser-token", account.email, **HOME)
    log_in("dj-rest-auth", account.email, **NEW_DEVICE)

    [received] = smtp_transport.wait_for(1)
    assert smtp_transport.recipients == [[account.email]]
    assert received["Subject"] == SUBJECT
    parts = mime_parts(received)
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "203.0.113.7" in body
        assert device_label("curl/8.5.0") in body
        assert "UTC" in body
    assert DEFAULT_PASSWORD not in received.as_string()


def test_a_login_from_a_known_device_reads_and_updates_its_row_only(
    confirmed_user, django_assert_num_queries
):
    from django.utils import timezone

    from accounts.services import known_device_record

    known_device_record(user=confirmed_user, user_agent=FIREFOX, ip_address="198.51.100.1")
    ten_days_ago = timezone.now() - timedelta(days=10)
    KnownDevice.objects.update(last_seen_at=ten_days_ago)
    KnownDevice.objects.create(user=confirmed_user, digest="another device")

    # One read and one update: a device seen lately needs no transaction (there were a
    # savepoint and its release around them before).
    with django_assert_num_queries(2):
        known_device_record(user=confirmed_user, user_agent=FIREFOX, ip_address="198.51.100.1")

    assert KnownDevice.objects.filter(last_seen_at=ten_days_ago).count() == 0
    assert KnownDevice.objects.count() == 2
    assert OutboundEmail.objects.count() == 0
