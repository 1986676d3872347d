"""The caller's provider links: list, connect, disconnect (never the last way to sign in), and
a first password set through the reset flow by an account a provider created."""

import time
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import AuditEvent, User
from tests.accounts.conftest import NEW_PASSWORD, link_from_last_mail, mail_to, token_client
from tests.accounts.logins import api_login
from tests.oidc_provider import REDIRECT_URI

pytestmark = pytest.mark.django_db
LIST = "/dj-rest-auth/socialaccounts/"


def disconnect(client, link_id: int):
    return client.post(f"/dj-rest-auth/socialaccounts/{link_id}/disconnect/")


def provider_account(api_client, oidc, sub: str, email: str):
    """Sign in through the provider as `sub`; (the account, a client signed in as it)."""
    oidc.user_set(sub, email=email, email_verified=True)
    code = oidc.code_for(sub)
    response = api_client.post(
        "/dj-rest-auth/oidc/acme/", {"code": code, "redirect_uri": REDIRECT_URI}
    )
    assert response.status_code == HTTPStatus.OK, response.content
    return User.objects.get(email_canonical=email), token_client(response.json()["key"])


def test_the_list_shows_the_callers_links_only(api_client, oidc, user):
    _account, client = provider_account(api_client, oidc, "list-1", "lister@example.org")
    SocialAccount.objects.create(user=user, provider="acme", uid="someone-else")

    response = client.get(LIST)

    assert response.status_code == HTTPStatus.OK
    assert [(link["provider"], link["uid"]) for link in response.json()] == [("acme", "list-1")]


def test_the_last_way_to_sign_in_cannot_be_disconnected(api_client, oidc):
    account, client = provider_account(api_client, oidc, "last-1", "last@example.org")
    link = SocialAccount.objects.get(user=account)

    response = disconnect(client, link.pk)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "account" in response.json()
    assert SocialAccount.objects.filter(pk=link.pk).exists()


def test_a_link_goes_when_another_link_is_left(api_client, oidc):
    account, client = provider_account(api_client, oidc, "two-1", "two@example.org")
    other = SocialAccount.objects.create(user=account, provider="acme", uid="two-2")

    assert disconnect(client, other.pk).status_code == HTTPStatus.NO_CONTENT
    assert disconnect(client, SocialAccount.objects.get(user=account).pk).status_code == 400


def test_a_link_goes_when_the_account_has_a_password(api_client, oidc, user, password):
    oidc.user_set("pw-1", email=user.email, email_verified=True)
    code = oidc.code_for("pw-1")
    api_client.post("/dj-rest-auth/oidc/acme/", {"code": code, "redirect_uri": REDIRECT_URI})
    key = api_login(api_client, "dj-rest-auth", user.email, password).json()["key"]
    link = SocialAccount.objects.get(user=user)

    response = disconnect(token_client(key), link.pk)

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not SocialAccount.objects.exists()
    assert AuditEvent.objects.filter(event=AuditEvent.Event.PROVIDER_UNLINK).exists()


def test_another_accounts_link_is_404(api_client, oidc, auth_client):
    account, _client = provider_account(api_client, oidc, "theirs-1", "theirs@example.org")

    response = disconnect(auth_client, SocialAccount.objects.get(user=account).pk)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert SocialAccount.objects.filter(user=account).exists()


def test_a_signed_in_account_connects_a_provider_account(oidc, auth_client, user):
    oidc.user_set("connect-1", email="a.different.address@example.org")  # unverified is fine
    code = oidc.code_for("connect-1")

    response = auth_client.post(
        "/dj-rest-auth/oidc/acme/connect/", {"code": code, "redirect_uri": REDIRECT_URI}
    )

    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["uid"] == "connect-1"
    assert SocialAccount.objects.get(uid="connect-1").user == user
    assert any("linked" in message.subject for message in mail_to(user.email))


def test_a_provider_account_linked_elsewhere_is_not_connected(api_client, oidc, auth_client):
    account, _client = provider_account(api_client, oidc, "taken-1", "taken@example.org")
    code = oidc.code_for("taken-1")

    response = auth_client.post(
        "/dj-rest-auth/oidc/acme/connect/", {"code": code, "redirect_uri": REDIRECT_URI}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert SocialAccount.objects.get(uid="taken-1").user == account


def test_connect_needs_a_signed_in_caller(api_client, oidc):
    response = api_client.post(
        "/dj-rest-auth/oidc/acme/connect/", {"code": "x", "redirect_uri": REDIRECT_URI}
    )

    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_an_account_a_provider_made_sets_its_first_password_by_reset(api_client, oidc):
    account, _client = provider_account(api_client, oidc, "reset-1", "resetter@example.org")
    assert not account.has_usable_password()

    api_client.post("/auth/users/reset_password/", {"email": account.email})
    path = link_from_last_mail(account.email, "/password/reset/confirm/")
    uid, token = path.rstrip("/").split("/")[-2:]
    response = api_client.post(
        "/auth/users/reset_password_confirm/",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == HTTPStatus.NO_CONTENT, response.content
    assert api_login(api_client, "djoser-token", account.email, NEW_PASSWORD).status_code == 200


def test_the_browser_connections_page_keeps_the_last_way_to_sign_in(api_client, oidc, client):
    account, _client = provider_account(api_client, oidc, "page-1", "page@example.org")
    link = SocialAccount.objects.get(user=account)
    client.force_login(account)

    page = client.get("/accounts/3rdparty/")
    refused = client.post("/accounts/3rdparty/", {"account": link.pk})

    assert page.status_code == HTTPStatus.OK
    assert "page-1" in page.content.decode() or "Acme ID" in page.content.decode()
    assert refused.status_code == HTTPStatus.OK  # the form again; a removal redirects
    assert SocialAccount.objects.filter(pk=link.pk).exists()


def test_the_browser_connects_a_provider_account_with_the_same_mail(oidc, client, user):
    oidc.user_set("page-connect-1", email="elsewhere@example.org")
    client.force_login(user)
    # allauth's reauthentication check: the account signed in moments ago.
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email}
    ]
    session.save()

    leave = client.post("/accounts/oidc/acme/login/?process=connect")
    answer = oidc.authorize(leave["Location"], "page-connect-1")
    callback = urlsplit(answer["location"])
    back = client.get(f"{callback.path}?{callback.query}")

    assert back.status_code == HTTPStatus.FOUND, back.content[:300]
    assert SocialAccount.objects.get(uid="page-connect-1").user == user
    assert any("linked" in message.subject for message in mail_to(user.email))
