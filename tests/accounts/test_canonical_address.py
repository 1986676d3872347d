"""One canonical address: spellings that reach one mailbox are one account, one lockout counter."""

import importlib
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.addresses import canonical_email
from accounts.models import User
from tests.accounts.conftest import DJOSER, REST_AUTH, links_in, mail_to
from tests.accounts.logins import API_LOGINS, LOCKOUT_LIMIT, attempt
from tests.conftest import CommittingAPIClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KELVIN = "\u212a"  # KELVIN SIGN, NFKC-equal to K
# (the address an account has, another spelling of the same mailbox)
SPELLINGS = {
    "dotted capital I": ("ian@example.org", "\u0130an@example.org"),
    "Kelvin sign": ("kate@example.org", f"{KELVIN}ate@example.org"),
    "long s": ("sam@example.org", "\u017fam@example.org"),
    "IDN and punycode": ("kate@ex\u00e4mple.org", "kate@xn--exmple-cua.org"),
    "punycode and upper-case IDN": ("kate@xn--exmple-cua.org", "KATE@EX\u00c4MPLE.ORG"),
}
REFUSED = {
    "quoted local part": '"kate"@example.org',
    "undecodable domain": "kate@\u2603.org",
}
ALREADY_REGISTERED = "Someone tried to sign up with your address"


@pytest.mark.parametrize(("first", "second"), SPELLINGS.values(), ids=SPELLINGS)
def test_canonical_email_is_one_form_for_both_spellings_and_stable(first, second):
    assert canonical_email(first) == canonical_email(second)
    assert canonical_email(canonical_email(first)) == canonical_email(first)
    assert canonical_email(first).isascii()


def test_provider_rules_are_not_applied():
    forms = {canonical_email(a) for a in ("ann@x.org", "a.nn@x.org", "ann+tag@x.org")}
    assert len(forms) == 3


@pytest.mark.parametrize(("first", "second"), SPELLINGS.values(), ids=SPELLINGS)
def test_a_second_spelling_signs_up_like_a_new_address_but_creates_no_account(
    api_client, routes, password, mailoutbox, first, second
):
    api_client.post(routes.register, routes.register_payload(first, password))
    owner = User.objects.get()
    mailoutbox.clear()

    known = api_client.post(routes.register, routes.register_payload(second, password))

    assert User.objects.get() == owner
    assert [message.subject for message in mail_to(owner.email)] == [ALREADY_REGISTERED]
    assert len(mailoutbox) == 1
    owner.delete()
    new = api_client.post(routes.register, routes.register_payload(second, password))
    assert (known.status_code, known.content) == (new.status_code, new.content)


@pytest.mark.parametrize(("first", "second"), SPELLINGS.values(), ids=SPELLINGS)
def test_both_spellings_signing_up_confirm_one_account_without_an_error(
    api_client, routes, password, mailoutbox, first, second
):
    for address in (second, first):
        api_client.post(routes.register, routes.register_payload(address, password))

    answers = []
    for message in list(mailoutbox):
        for path in links_in(message):
            if path.startswith(routes.link_prefix):
                confirm = routes.confirm_payload(path)
                answers.append(api_client.post(routes.confirm, confirm).status_code)

    assert answers == [routes.confirmed_status]
    assert User.objects.get().is_active is True


@pytest.mark.parametrize("route", API_LOGINS)
@pytest.mark.parametrize(("first", "second"), SPELLINGS.values(), ids=SPELLINGS)
def test_any_spelling_logs_in_to_the_one_account(route, password, first, second):
    UserFactory(email=first)
    path, payload, key = API_LOGINS[route]

    for address in (first, second):
        response = CommittingAPIClient().post(path, payload(address, password), format="json")
        assert response.status_code == HTTPStatus.OK, (address, response.content[:200])
        assert key in response.json()


# The Kelvin sign is left out: Python's lower() already gave it the account's counter.
LOCKOUT_SPELLINGS = {name: pair for name, pair in SPELLINGS.items() if name != "Kelvin sign"}


@pytest.mark.parametrize("route", ["djoser-token", "dj-rest-auth", "api-token-auth", "allauth"])
@pytest.mark.parametrize(("first", "second"), LOCKOUT_SPELLINGS.values(), ids=LOCKOUT_SPELLINGS)
def test_failures_spread_over_spellings_lock_the_account(lockout, route, password, first, second):
    UserFactory(email=first)
    spellings = [second, first.upper(), second]
    assert len(spellings) == LOCKOUT_LIMIT

    for address in spellings:
        attempt(route, address, "not the password")

    response = attempt(route, first, password)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, response.content[:200]


ANONYMOUS_ADDRESS_ROUTES = {
    "djoser register": (DJOSER.register, DJOSER.register_payload, "email"),
    "dj-rest-auth register": (REST_AUTH.register, REST_AUTH.register_payload, "email"),
    "djoser reset": (DJOSER.reset, lambda e, p: {"email": e}, "email"),
    "dj-rest-auth reset": (REST_AUTH.reset, lambda e, p: {"email": e}, "email"),
    "djoser resend": (DJOSER.resend, lambda e, p: {"email": e}, "email"),
    "dj-rest-auth resend": (REST_AUTH.resend, lambda e, p: {"email": e}, "email"),
    "dj-rest-auth login": (REST_AUTH.login, lambda e, p: {"email": e, "password": p}, "email"),
}


@pytest.mark.parametrize("address", REFUSED.values(), ids=REFUSED)
@pytest.mark.parametrize(
    ("path", "payload", "field"), ANONYMOUS_ADDRESS_ROUTES.values(), ids=ANONYMOUS_ADDRESS_ROUTES
)
def test_an_address_without_a_canonical_form_is_refused_on_its_field(
    api_client, password, mailoutbox, address, path, payload, field
):
    response = api_client.post(path, payload(address, password), format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == [field]
    assert User.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("address", REFUSED.values(), ids=REFUSED)
def test_an_email_change_to_an_address_without_a_canonical_form_is_refused(
    password, confirmed_user, address
):
    client = CommittingAPIClient()
    client.force_authenticate(confirmed_user)

    response = client.post(
        "/auth/users/set_email/", {"current_password": password, "new_email": address}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["new_email"]


def test_a_change_to_another_spelling_of_the_own_address_is_refused(password):
    user = UserFactory(email="kate@ex\u00e4mple.org")
    client = CommittingAPIClient()
    client.force_authenticate(user)

    response = client.post(
        "/auth/users/set_email/",
        {"current_password": password, "new_email": "KATE@xn--exmple-cua.org"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(response.json()) == ["new_email"]


def test_the_address_is_kept_as_typed_and_its_canonical_form_beside_it():
    user = User.objects.create_user(email=f"{KELVIN}ate@EX\u00c4MPLE.org", password="x")

    assert user.email == f"{KELVIN}ate@ex\u00e4mple.org"
    assert User.objects.get(email_canonical="kate@xn--exmple-cua.org") == user


MIGRATION = importlib.import_module("accounts.migrations.0006_canonical_email")
BEFORE = [("accounts", "0005_pending_email_change")]
AFTER = [("accounts", "0006_canonical_email")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_on_accounts_sharing_a_canonical_address_and_merges_nothing():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_user = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    ann = old_user.objects.create(email="ann@example.org", password="!")
    kate = old_user.objects.create(email="kate@ex\u00e4mple.org", password="!")
    kate_puny = old_user.objects.create(email="kate@xn--exmple-cua.org", password="!")
    quoted = old_user.objects.create(email='"bo"@example.org', password="!")
    try:
        executor = MigrationExecutor(connection)
        with pytest.raises(MIGRATION.CanonicalEmailConflict) as stopped:
            executor.migrate(AFTER)

        message = str(stopped.value)
        assert "\n" not in message
        assert message.startswith(
            f"Canonical addresses: accounts {kate.pk}, {kate_puny.pk} share one address; "
            f"accounts {quoted.pk} have no canonical address. Nothing was merged"
        )
        assert old_user.objects.count() == 4

        # Resolved as the README says: one address changed, the quoted one corrected.
        old_user.objects.filter(pk=kate_puny.pk).update(email="kate2@example.org")
        old_user.objects.filter(pk=quoted.pk).update(email="bo@example.org")
        MigrationExecutor(connection).migrate(AFTER)
        assert dict(User.objects.values_list("pk", "email_canonical")) == {
            ann.pk: "ann@example.org",
            kate.pk: "kate@xn--exmple-cua.org",
            kate_puny.pk: "kate2@example.org",
            quoted.pk: "bo@example.org",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        User.objects.all().delete()
