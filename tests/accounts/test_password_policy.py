"""One password policy on every route that sets a password (NIST SP 800-63B, ASVS 5.0 V6.2)."""

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator

from accounts.models import User
from accounts.services import token_session_start
from accounts.tokens import encode_uid, password_reset_tokens
from settings import base
from tests.accounts.conftest import token_client
from tests.accounts.logins import API_LOGINS, api_login, session_login
from tests.conftest import CommittingAPIClient, CommittingClient
from tests.processes import run_python

pytestmark = pytest.mark.django_db

NEWCOMER = "newcomer@example.org"


@dataclass(frozen=True)
class PasswordRoute:
    """A route that sets a password: how to submit one for `account` (registration routes
    create NEWCOMER instead), and the status that says it was set."""

    name: str
    submit: Callable[[User, str], object]
    accepted: HTTPStatus
    registers: bool = False

    def owner_email(self, account: User) -> str:
        return NEWCOMER if self.registers else account.email

    def password_is(self, account: User, password: str) -> bool:
        owner = User.objects.with_email(self.owner_email(account)).first()
        return owner is not None and owner.check_password(password)


def signed_in_client(account: User) -> CommittingAPIClient:
    return token_client(token_session_start(user=account).key)


def reset_link(account: User) -> tuple[str, str]:
    """The uid and token a reset mail would carry (both routes mail the same format)."""
    return encode_uid(account.pk), password_reset_tokens.make_token(account)


def api_post(path: str, payload: dict):
    return CommittingAPIClient().post(path, payload, format="json")


def reset_page(account: User, password: str):
    uid, token = reset_link(account)
    form = {"new_password1": password, "new_password2": password}
    return CommittingClient().post(f"/password/reset/confirm/{uid}/{token}/", form)


PASSWORD_ROUTES = [
    PasswordRoute(
        "djoser-register",
        lambda _account, new: api_post("/auth/users/", {"email": NEWCOMER, "password": new}),
        HTTPStatus.CREATED,
        registers=True,
    ),
    PasswordRoute(
        "dj-rest-auth-register",
        lambda _account, new: api_post(
            "/dj-rest-auth/registration/",
            {"email": NEWCOMER, "password1": new, "password2": new},
        ),
        HTTPStatus.CREATED,
        registers=True,
    ),
    PasswordRoute(
        "djoser-change",
        lambda account, new: signed_in_client(account).post(
            "/auth/users/set_password/",
            {"current_password": ACCOUNT_PASSWORD, "new_password": new},
            format="json",
        ),
        HTTPStatus.NO_CONTENT,
    ),
    PasswordRoute(
        "dj-rest-auth-change",
        lambda account, new: signed_in_client(account).post(
            "/dj-rest-auth/password/change/",
            {"old_password": ACCOUNT_PASSWORD, "new_password1": new, "new_password2": new},
            format="json",
        ),
        HTTPStatus.OK,
    ),
    PasswordRoute(
        "djoser-reset",
        lambda account, new: api_post(
            "/auth/users/reset_password_confirm/",
            dict(zip(("uid", "token"), reset_link(account), strict=True), new_password=new),
        ),
        HTTPStatus.NO_CONTENT,
    ),
    PasswordRoute(
        "dj-rest-auth-reset",
        lambda account, new: api_post(
            "/dj-rest-auth/password/reset/confirm/",
            dict(
                zip(("uid", "token"), reset_link(account), strict=True),
                new_password1=new,
                new_password2=new,
            ),
        ),
        HTTPStatus.OK,
    ),
    PasswordRoute("reset-page", reset_page, HTTPStatus.OK),
]
ACCOUNT_PASSWORD = "correct horse battery staple"

UNICODE_PASSWORDS = {
    "emoji": "🦄🌈🔑🐉🍀🎲🚀🌙",
    "cjk": "長頸鹿在月光下跳舞",
    "combining": "e\u0301a\u0300o\u0302u\u0308i\u0303n\u0303",
    "arabic": "كلمة السر الطويلة",
    "spaces kept": "  spaced out passphrase  ",
}
ACCEPTED = {
    "exactly the minimum": "Zq8!wLmP",
    "exactly the maximum": ("plum orchard lantern " * 7)[:128],
    "digits only": "83920175469321",
    "lower case only": "quietly purple lanterns",
    **UNICODE_PASSWORDS,
}
REFUSED: dict[str, Callable[[str], str]] = {
    "one under the minimum": lambda _email: "Zq8!wLm",
    "one over the maximum": lambda _email: ("plum orchard lantern " * 7)[:129],
    "common": lambda _email: "iloveyou123",
    "like the address": lambda email: email,
}


@pytest.fixture
def account(confirmed_user, rates):
    rates(registration=None, password_reset=None)
    return confirmed_user


@pytest.mark.parametrize("route", PASSWORD_ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("password", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_every_route_accepts_the_same_passwords(account, route, password):
    response = route.submit(account, password)

    assert response.status_code == route.accepted, response.content[:300]
    assert route.password_is(account, password)


@pytest.mark.parametrize("route", PASSWORD_ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("make_password", REFUSED.values(), ids=REFUSED.keys())
def test_every_route_refuses_the_same_passwords_and_changes_nothing(account, route, make_password):
    password = make_password(route.owner_email(account))

    response = route.submit(account, password)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not route.password_is(account, password)
    if route.registers:
        assert not User.objects.with_email(NEWCOMER).exists()
    else:
        assert route.password_is(account, ACCOUNT_PASSWORD)


@pytest.mark.parametrize("route", PASSWORD_ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("length", [129, 500_000])
def test_an_overlong_password_is_refused_before_anything_is_hashed(account, hashes, route, length):
    hashes.calls = 0
    response = route.submit(account, "p" * length)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert hashes.calls == 0


@pytest.mark.parametrize("route", API_LOGINS)
def test_an_overlong_password_on_a_login_route_is_refused_before_hashing(
    hashes, account, route, rates
):
    rates(login=None)
    hashes.calls = 0
    response = api_login(CommittingAPIClient(), route, account.email, "p" * 129)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert hashes.calls == 0


@pytest.mark.parametrize("password", UNICODE_PASSWORDS.values(), ids=UNICODE_PASSWORDS.keys())
def test_a_password_logs_in_exactly_as_typed_on_every_route(account, rates, password):
    rates(login=None)
    reset_page(account, password)

    for route in API_LOGINS:
        assert api_login(CommittingAPIClient(), route, account.email, password).status_code == 200
        changed = password.strip() + " " if password.strip() != password else password[:-1]
        refused = api_login(CommittingAPIClient(), route, account.email, changed)
        assert refused.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED), route
    assert session_login(CommittingClient(), "allauth", account.email, password)


MIXED_CASE_PASSWORD = ("Plum Orchard Lantern at Dusk " * 4)[:100]
ALTERED = {
    "lower case": str.lower,
    "upper case": str.upper,
    "swapped case": str.swapcase,
    "first 72 bytes only": lambda password: password[:72],
    "changed after 72 bytes": lambda password: password[:90] + password[90:].swapcase(),
}


@pytest.mark.parametrize("route", [*API_LOGINS, "allauth"])
def test_only_the_password_as_set_logs_in_not_its_case_variants_or_a_truncation(
    account, rates, settings, route
):
    """ASVS 5.0 6.2.8, with the production hashers: no case folding, and nothing ignored past
    72 bytes (where bcrypt would stop reading)."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    rates(login=None)
    account.set_password(MIXED_CASE_PASSWORD)
    account.save(update_fields=["password"])

    def logs_in(password: str) -> bool:
        if route == "allauth":
            return session_login(CommittingClient(), route, account.email, password)
        return api_login(CommittingAPIClient(), route, account.email, password).status_code == 200

    assert logs_in(MIXED_CASE_PASSWORD)
    refused = [name for name, alter in ALTERED.items() if not logs_in(alter(MIXED_CASE_PASSWORD))]
    assert refused == list(ALTERED)


def test_the_common_password_list_covers_at_least_3000_passwords_the_policy_allows():
    """ASVS 5.0 6.2.4: at least the top 3000 passwords that match the length policy."""
    minimum, maximum = settings.PASSWORD_MIN_LENGTH, 128
    listed = CommonPasswordValidator().passwords

    assert sum(minimum <= len(password) <= maximum for password in listed) >= 3000


@pytest.mark.parametrize(("variable", "minimum"), [({}, 8), ({"PASSWORD_MIN_LENGTH": "12"}, 12)])
def test_the_minimum_length_comes_from_the_environment(variable, minimum):
    code = (
        "import django; django.setup(); from django.contrib.auth import password_validation as v; "
        "print(*[getattr(x, 'min_length', '-') for x in v.get_default_password_validators()]); "
        "print(*[type(x).__name__ for x in v.get_default_password_validators()])"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE="settings.test", **variable)

    lengths, names = result.stdout.strip().splitlines()[-2:]
    assert str(minimum) in lengths.split()
    assert names.split() == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "MaximumLengthValidator",
    ]


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/admin/login/", "/password/reset/confirm/{uid}/{token}/"],
)
def test_password_inputs_are_masked_and_allow_paste_and_password_managers(account, path):
    """ASVS 5.0 6.2.6 and 6.2.7: type=password, and nothing that blocks pasting or autofill."""
    uid, token = reset_link(account)

    page = CommittingClient().get(path.format(uid=uid, token=token)).content.decode()

    assert_password_inputs_masked(page)


def assert_password_inputs_masked(page: str) -> None:
    tags = [chunk.split(">")[0] for chunk in page.split("<input")[1:]]
    choices = ('type="submit"', 'type="radio"', 'type="checkbox"')  # buttons, not entries
    inputs = [tag for tag in tags if "password" in tag and not any(c in tag for c in choices)]
    assert inputs
    assert all('type="password"' in tag for tag in inputs)
    assert 'autocomplete="off"' not in page
    assert "onpaste" not in page.lower()


@pytest.mark.parametrize(
    "path",
    [
        "/auth/users/",
        "/auth/users/set_password/",
        "/auth/users/reset_password_confirm/",
        "/auth/users/set_email/",
        "/auth/token/login/",
        "/auth/jwt/create/",
        "/dj-rest-auth/login/",
        "/dj-rest-auth/registration/",
        "/dj-rest-auth/password/change/",
        "/dj-rest-auth/password/reset/confirm/",
        "/admin/password_change/",
        "/admin/accounts/user/add/",
        "/admin/accounts/user/{pk}/password/",
    ],
)
def test_the_browsable_api_and_admin_forms_mask_every_password_input(account, admin_browser, path):
    """ASVS 5.0 6.2.6 and 6.2.7 on the other HTML forms that take a password: the browsable
    API's forms of the account routes and the admin's password forms."""
    response = admin_browser.get(path.format(pk=account.pk), HTTP_ACCEPT="text/html")

    assert response["Content-Type"].startswith("text/html")
    assert_password_inputs_masked(response.content.decode())
