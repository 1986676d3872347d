"""Sign-in with an OpenID Connect provider over the API, against a real provider process."""

from http import HTTPStatus

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail

from accounts.models import AuditEvent, TokenSession, User
from accounts.services import account_deactivate
from tests.accounts.conftest import mail_to, token_client
from tests.accounts.logins import LOCKOUT_LIMIT, api_login
from tests.accounts.two_factor import enrol, verify
from tests.oidc_provider import REDIRECT_URI

LOGIN = "/dj-rest-auth/oidc/acme/"
pytestmark = pytest.mark.django_db


def provider_login(api_client, oidc, sub: str, headers: dict | None = None, **extra):
    code = oidc.code_for(sub)
    payload = {"code": code, "redirect_uri": REDIRECT_URI, **extra}
    return api_client.post(LOGIN, payload, **(headers or {}))


def test_a_new_verified_address_gets_a_confirmed_account_without_a_password(api_client, oidc):
    oidc.user_set("new-1", email="Newcomer@Example.org", email_verified=True)

    response = provider_login(api_client, oidc, "new-1")

    assert response.status_code == HTTPStatus.OK, response.content
    user = User.objects.get(email_canonical="newcomer@example.org")
    assert user.is_active
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).uid == "new-1"
    session = TokenSession.objects.get(user=user)
    assert session.method == TokenSession.Method.PROVIDER
    assert token_client(response.json()["key"]).get("/auth/users/me/").status_code == 200


def test_the_same_provider_account_signs_in_again(api_client, oidc):
    oidc.user_set("again-1", email="again@example.org", email_verified=True)
    first = provider_login(api_client, oidc, "again-1")
    second = provider_login(api_client, oidc, "again-1")

    assert first.status_code == second.status_code == HTTPStatus.OK
    assert first.json()["key"] != second.json()["key"]
    assert User.objects.filter(email_canonical="again@example.org").count() == 1


def test_jwt_clients_get_a_pair(api_client, oidc):
    oidc.user_set("jwt-1", email="jwt.person@example.org", email_verified=True)

    response = provider_login(api_client, oidc, "jwt-1", credential="jwt")

    assert response.status_code == HTTPStatus.OK
    assert set(response.json()) == {"access", "refresh"}
    session = TokenSession.objects.get(user__email_canonical="jwt.person@example.org")
    assert session.kind == TokenSession.Kind.JWT
    assert session.method == TokenSession.Method.PROVIDER


def test_a_verified_address_signs_into_its_account_and_links_it(api_client, oidc, user):
    oidc.user_set("link-1", email=user.email.upper(), email_verified=True)

    response = provider_login(api_client, oidc, "link-1")

    assert response.status_code == HTTPStatus.OK
    assert SocialAccount.objects.get(uid="link-1").user == user
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert user.has_usable_password()  # a confirmed account keeps its password
    [linked] = [m for m in mail_to(user.email) if "linked" in m.subject]
    assert "Acme ID" in linked.subject
    assert AuditEvent.objects.filter(event=AuditEvent.Event.PROVIDER_LINK).exists()


def test_an_unconfirmed_account_loses_its_password_before_the_provider_confirms_it(
    api_client, oidc, unconfirmed_user, password
):
    """Someone may have registered the address before its owner came with a provider."""
    oidc.user_set("owner-1", email=unconfirmed_user.email, email_verified=True)

    response = provider_login(api_client, oidc, "owner-1")

    assert response.status_code == HTTPStatus.OK
    unconfirmed_user.refresh_from_db()
    assert unconfirmed_user.is_active
    assert not unconfirmed_user.has_usable_password()
    password_login = api_login(api_client, "djoser-token", unconfirmed_user.email, password)
    assert password_login.status_code != HTTPStatus.OK


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unknown"])
def test_an_unverified_address_never_signs_in_and_answers_alike(api_client, oidc, registered):
    email = "maybe@example.org"
    if registered:
        User.objects.create_user(email=email, password="x" * 20)
    oidc.user_set(f"unverified-{registered}", email=email, email_verified=False)

    response = provider_login(api_client, oidc, f"unverified-{registered}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": UNVERIFIED_ANSWER}
    assert not SocialAccount.objects.exists()
    assert not TokenSession.objects.exists()
    [sent] = mail_to(email)
    if registered:
        assert "already" in sent.body.lower()
    else:
        assert "/verify-email/" in sent.body
        assert not User.objects.get(email_canonical=email).has_usable_password()


UNVERIFIED_ANSWER = (
    "This sign-in could not be completed. If the provider did not confirm your address, "
    "check your mailbox for a message from us."
)


def test_a_provider_without_email_verified_counts_as_unverified(api_client, oidc, user):
    oidc.user_set("silent-1", email=user.email)

    response = provider_login(api_client, oidc, "silent-1")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not SocialAccount.objects.exists()


def test_a_deactivated_account_gets_nothing(api_client, oidc, user):
    oidc.user_set("gone-1", email=user.email, email_verified=True)
    assert provider_login(api_client, oidc, "gone-1").status_code == HTTPStatus.OK
    account_deactivate(user=user)

    response = provider_login(api_client, oidc, "gone-1")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not TokenSession.objects.filter(user=user).exists()


def test_a_deactivated_account_is_not_linked_by_its_address(api_client, oidc, user):
    account_deactivate(user=user)
    oidc.user_set("gone-2", email=user.email, email_verified=True)

    response = provider_login(api_client, oidc, "gone-2")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not SocialAccount.objects.exists()


def test_a_locked_account_is_refused_as_a_password_login_would_be(api_client, oidc, user, lockout):
    for _ in range(LOCKOUT_LIMIT):
        api_login(api_client, "djoser-token", user.email, "wrong password")
    oidc.user_set("locked-1", email=user.email, email_verified=True)

    response = provider_login(api_client, oidc, "locked-1")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Retry-After" in response.headers
    assert not SocialAccount.objects.exists()


def test_a_redirect_uri_not_listed_is_refused(api_client, oidc):
    oidc.user_set("redirect-1", email="redirect@example.org", email_verified=True)
    code = oidc.code_for("redirect-1", redirect_uri="https://evil.example/cb")

    response = api_client.post(LOGIN, {"code": code, "redirect_uri": "https://evil.example/cb"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "redirect_uri" in response.json()
    assert not User.objects.exists()


def test_a_used_or_made_up_code_is_refused(api_client, oidc):
    oidc.user_set("code-1", email="code@example.org", email_verified=True)
    code = oidc.code_for("code-1")
    assert api_client.post(LOGIN, {"code": code, "redirect_uri": REDIRECT_URI}).status_code == 200

    for attempt in (code, "made-up"):
        response = api_client.post(LOGIN, {"code": attempt, "redirect_uri": REDIRECT_URI})
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "code" in response.json()


def test_a_nonce_other_than_the_one_sent_is_refused(api_client, oidc):
    oidc.user_set("nonce-1", email="nonce@example.org", email_verified=True)
    code = oidc.code_for("nonce-1", nonce="the-clients-nonce")

    response = api_client.post(
        LOGIN, {"code": code, "redirect_uri": REDIRECT_URI, "nonce": "another-nonce"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "nonce" in response.json()
    assert not User.objects.exists()


def test_the_nonce_sent_is_accepted(api_client, oidc):
    oidc.user_set("nonce-2", email="nonce2@example.org", email_verified=True)
    code = oidc.code_for("nonce-2", nonce="the-clients-nonce")

    response = api_client.post(
        LOGIN, {"code": code, "redirect_uri": REDIRECT_URI, "nonce": "the-clients-nonce"}
    )

    assert response.status_code == HTTPStatus.OK


def test_an_unknown_provider_is_404(api_client, oidc):
    response = api_client.post(
        "/dj-rest-auth/oidc/nobody/", {"code": "x", "redirect_uri": REDIRECT_URI}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_provider_login_is_logged_and_mails_a_new_device(api_client, oidc, user):
    """The new-sign-in notice and the audit log see a provider login like any other."""
    oidc.user_set("device-1", email=user.email, email_verified=True)
    api_login(api_client, "djoser-token", user.email, "correct horse battery staple")
    mail.outbox.clear()

    response = provider_login(
        api_client, oidc, "device-1", headers={"HTTP_USER_AGENT": "Other Browser/1"}
    )

    assert response.status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(
        event=AuditEvent.Event.LOGIN, actor=user, outcome=AuditEvent.Outcome.SUCCESS
    ).exists()
    assert any("sign-in" in m.subject.lower() for m in mail_to(user.email))


def test_the_login_throttle_applies(api_client, oidc, rates):
    rates(login="1/min")
    oidc.user_set("throttle-1", email="throttle@example.org", email_verified=True)
    provider_login(api_client, oidc, "throttle-1")

    response = provider_login(api_client, oidc, "throttle-1")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_a_linked_provider_login_takes_a_bounded_number_of_queries(
    api_client, oidc, django_assert_max_num_queries
):
    oidc.user_set("queries-1", email="queries@example.org", email_verified=True)
    assert provider_login(api_client, oidc, "queries-1").status_code == HTTPStatus.OK
    code = oidc.code_for("queries-1")

    with django_assert_max_num_queries(30):  # 24 measured on SQLite
        response = api_client.post(LOGIN, {"code": code, "redirect_uri": REDIRECT_URI})

    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("email", ["not-an-address", "a@b@c", '"quoted"@example.org', ""])
def test_a_provider_address_that_is_not_one_signs_nothing_in(api_client, oidc, email):
    oidc.user_set("odd-1", email=email, email_verified=True)

    response = provider_login(api_client, oidc, "odd-1")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_an_account_with_two_factor_authentication_gets_the_second_step(api_client, oidc, user):
    enrolment = enrol(user)
    oidc.user_set("two-factor-1", email=user.email, email_verified=True)

    answer = provider_login(api_client, oidc, "two-factor-1")

    assert answer.status_code == HTTPStatus.OK
    assert set(answer.json()) == {"mfa_required", "ephemeral_token"}
    assert not TokenSession.objects.filter(user=user).exists()
    # The TOTP step of the enrolment is spent: a recovery code is the second factor here.
    done = verify(answer.json()["ephemeral_token"], enrolment.recovery_codes[0])
    assert done.status_code == HTTPStatus.OK
    assert set(done.json()) == {"key"}
    session = TokenSession.objects.get(user=user)
    assert session.method == TokenSession.Method.PROVIDER
    assert session.second_factor_at is not None
