"""Sign-up through both routes: one confirmation mail, no enumeration, resend, atomicity."""

import re
from http import HTTPStatus

import pytest
from django.conf import settings

from accounts.models import User
from accounts.services import account_deactivate
from tests.accounts.conftest import DJOSER, REST_AUTH, link_from_last_mail, links_in, mail_to

pytestmark = pytest.mark.django_db


def test_registration_creates_an_unconfirmed_account_and_mails_one_contract_link(
    api_client, routes, password, mailoutbox
):
    response = api_client.post(
        routes.register, routes.register_payload("new@example.org", password)
    )

    assert response.status_code == routes.registered_status
    user = User.objects.get(email="new@example.org")
    assert user.is_active is False
    assert user.emailaddress_set.get().verified is False
    assert len(mailoutbox) == 1
    (url,) = [url for url in mailoutbox[0].body.split() if url.startswith("http")]
    assert url.startswith(f"{settings.FRONTEND_URL}{routes.link_prefix}")
    assert link_from_last_mail("new@example.org", routes.link_prefix)


def test_registration_answers_are_the_documented_ones(api_client, password):
    djoser = api_client.post(DJOSER.register, DJOSER.register_payload("A@example.org", password))
    rest_auth = api_client.post(
        REST_AUTH.register, REST_AUTH.register_payload("b@example.org", password)
    )

    assert djoser.json() == {"email": "A@example.org"}
    assert set(rest_auth.json()) == {"detail"}


@pytest.mark.parametrize("confirmed", [True, False], ids=["confirmed", "unconfirmed"])
@pytest.mark.parametrize("sent", ["owner@example.org", "OWNER@Example.ORG"])
def test_an_existing_address_is_answered_exactly_like_a_new_one(
    api_client, routes, password, mailoutbox, user_factory, confirmed, sent
):
    owner = user_factory(email="owner@example.org", is_active=confirmed)

    known = api_client.post(routes.register, routes.register_payload(sent, password))

    assert User.objects.count() == 1
    assert [message.subject for message in mail_to(owner.email)] == [
        "Someone tried to sign up with your address"
    ]
    assert not [path for path in links_in(mailoutbox[0]) if path.startswith(routes.link_prefix)]
    owner.delete()
    new = api_client.post(routes.register, routes.register_payload(sent, password))
    assert (known.status_code, known.content) == (new.status_code, new.content)
    assert known["Content-Type"] == new["Content-Type"]


def test_registration_checks_the_password_rules_and_creates_nothing(api_client, routes):
    response = api_client.post(routes.register, routes.register_payload("weak@example.org", "123"))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    field = "password" if routes is DJOSER else "password1"
    assert field in response.json()
    assert not User.objects.exists()


def test_djoser_re_password_is_optional_but_must_match(api_client, password):
    payload = {"email": "re@example.org", "password": password, "re_password": "other words"}
    assert api_client.post(DJOSER.register, payload).status_code == HTTPStatus.BAD_REQUEST
    payload["re_password"] = password
    assert api_client.post(DJOSER.register, payload).status_code == HTTPStatus.CREATED


def test_rest_auth_passwords_must_match(api_client, password):
    payload = {"email": "re@example.org", "password1": password, "password2": "other words"}
    assert api_client.post(REST_AUTH.register, payload).status_code == HTTPStatus.BAD_REQUEST
    assert not User.objects.exists()


def test_a_mail_that_cannot_be_queued_leaves_no_account(api_client, routes, password, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("accounts.notifications.email_send", broken)

    with pytest.raises(RuntimeError, match="outbox unavailable"):
        api_client.post(routes.register, routes.register_payload("atomic@example.org", password))
    assert not User.objects.exists()


@pytest.mark.parametrize("state", ["unknown", "confirmed", "unconfirmed", "deactivated"])
def test_resend_answers_the_same_and_mails_only_an_unconfirmed_account(
    api_client, routes, user_factory, mailoutbox, state
):
    if state != "unknown":
        user = user_factory(email="someone@example.org", is_active=state != "unconfirmed")
        if state == "deactivated":
            account_deactivate(user=user)
    reference = api_client.post(routes.resend, {"email": "nobody@example.org"})

    response = api_client.post(routes.resend, {"email": "SOMEONE@example.org"})

    assert response.status_code == routes.resend_status
    assert response.content == reference.content
    sent = mail_to("someone@example.org")
    if state == "unconfirmed":
        assert link_from_last_mail("someone@example.org", routes.link_prefix)
    else:
        assert sent == []


def test_resend_links_of_either_route_confirm_an_account_of_the_other(
    api_client, routes, other_routes, password
):
    api_client.post(routes.register, routes.register_payload("cross@example.org", password))

    api_client.post(other_routes.resend, {"email": "cross@example.org"})
    link = link_from_last_mail("cross@example.org", other_routes.link_prefix)
    response = api_client.post(other_routes.confirm, other_routes.confirm_payload(link))

    assert response.status_code == other_routes.confirmed_status
    assert User.objects.confirmed().filter(email="cross@example.org").exists()


ACCOUNT_PREFIXES = ("/auth/", "/dj-rest-auth/", "/api-token-auth/")
KNOWLEDGE_BASED = re.compile(r"hint|question|answer|secret|memorable", re.IGNORECASE)


def test_no_route_asks_for_a_password_hint_or_a_secret_question(client):
    """ASVS 5.0 6.4.2: no account route takes, and no account keeps, a hint or a secret
    question and answer; a forgotten password is recovered through the emailed link only."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    bodies = {
        media["schema"]["$ref"].rsplit("/", 1)[-1]
        for path, operations in schema["paths"].items()
        if path.startswith(ACCOUNT_PREFIXES)
        for operation in operations.values()
        for media in operation.get("requestBody", {}).get("content", {}).values()
    }
    fields = {name for body in bodies for name in components[body].get("properties", {})}
    fields |= {field.name for field in User._meta.get_fields()}

    assert {"email", "password", "password1", "new_password", "old_password"} <= fields
    assert not [name for name in fields if KNOWLEDGE_BASED.search(name)]
