"""A provider that is down, answers garbage or signs nothing it should: a clear JSON answer, and
nothing created."""

from http import HTTPStatus

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import TokenSession, User
from tests.gunicorn import free_port
from tests.oidc_provider import (
    REDIRECT_URI,
    garbage,
    id_token_signature_flipped,
    provider_entry,
    provider_settings,
    relay,
    unchanged,
)

LOGIN = "/dj-rest-auth/oidc/acme/"
UNREACHABLE = "The identity provider could not be reached. Try again later."
pytestmark = pytest.mark.django_db


def configure(settings, url: str) -> None:
    for name, value in provider_settings([provider_entry("acme", url)]).items():
        setattr(settings, name, value)


def assert_nothing_created() -> None:
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    assert not TokenSession.objects.exists()


def test_a_provider_that_is_down_is_a_502(api_client, settings):
    configure(settings, f"http://127.0.0.1:{free_port()}")

    response = api_client.post(LOGIN, {"code": "abc", "redirect_uri": REDIRECT_URI})

    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert response.json() == {
        "detail": "The identity provider could not be reached. Try again later."
    }
    assert_nothing_created()


def test_a_provider_answering_garbage_is_a_502(api_client, settings, oidc_provider_process):
    """Its token endpoint answers 200 with a body that is not JSON."""
    oidc_provider_process.user_set("garbage-1", email="garbage@example.org", email_verified=True)
    code = oidc_provider_process.code_for("garbage-1")
    with relay(oidc_provider_process.url, garbage) as url:
        configure(settings, url)

        response = api_client.post(LOGIN, {"code": code, "redirect_uri": REDIRECT_URI})

    assert response.status_code == HTTPStatus.BAD_GATEWAY, response.content
    assert response.json() == {"detail": UNREACHABLE}
    assert_nothing_created()


def test_a_discovery_document_that_is_not_json_is_a_502(
    api_client, settings, oidc_provider_process
):
    with relay(oidc_provider_process.url, lambda path, body: b"not json") as url:
        configure(settings, url)

        response = api_client.post(LOGIN, {"code": "abc", "redirect_uri": REDIRECT_URI})

    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert_nothing_created()


def test_an_id_token_whose_signature_does_not_match_is_refused(
    api_client, settings, oidc_provider_process
):
    oidc_provider_process.user_set("forged-1", email="forged@example.org", email_verified=True)
    code = oidc_provider_process.code_for("forged-1")
    with relay(oidc_provider_process.url, id_token_signature_flipped) as url:
        configure(settings, url)

        response = api_client.post(LOGIN, {"code": code, "redirect_uri": REDIRECT_URI})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "code" in response.json()
    assert_nothing_created()


def test_an_unsigned_id_token_is_refused(api_client, settings, oidc_provider_process):
    def unsigned(path: str, body: bytes) -> bytes:
        import base64
        import json

        if not path.startswith("/oauth2/token"):
            return body
        answer = json.loads(body)
        _header, payload, _signature = answer["id_token"].split(".")
        none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
        answer["id_token"] = f"{none}.{payload}."
        return json.dumps(answer).encode()

    oidc_provider_process.user_set("none-1", email="none@example.org", email_verified=True)
    code = oidc_provider_process.code_for("none-1")
    with relay(oidc_provider_process.url, unsigned) as url:
        configure(settings, url)

        response = api_client.post(LOGIN, {"code": code, "redirect_uri": REDIRECT_URI})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert_nothing_created()


def test_a_code_from_another_client_is_refused(api_client, oidc):
    """The provider binds a code to the client it was issued to."""
    oidc.user_set("other-client-1", email="other@example.org", email_verified=True)
    code = oidc.authorize(oidc.authorize_url(client_id="someone-else"), "other-client-1")["code"]

    response = api_client.post(LOGIN, {"code": code, "redirect_uri": REDIRECT_URI})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert_nothing_created()


@pytest.mark.parametrize(
    "payload",
    [{}, {"code": "x"}, {"redirect_uri": REDIRECT_URI}, {"code": "x" * 5000, "redirect_uri": "y"}],
)
def test_incomplete_or_oversized_input_is_a_400(api_client, oidc, payload):
    response = api_client.post(LOGIN, payload, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert_nothing_created()


def test_the_pkce_verifier_goes_to_the_providers_token_endpoint(
    api_client, settings, oidc_provider_process
):
    """What a provider that enforces PKCE checks (oidc-provider-mock does not check it)."""
    oidc_provider_process.user_set("pkce-1", email="pkce@example.org", email_verified=True)
    code = oidc_provider_process.code_for(
        "pkce-1",
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method="S256",
    )
    seen: list[tuple[str, bytes]] = []
    with relay(oidc_provider_process.url, unchanged, seen) as url:
        configure(settings, url)

        response = api_client.post(
            LOGIN,
            {
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUFU1mXiJiwdeCFZKYc5M",
            },
        )

    assert response.status_code == HTTPStatus.OK
    [token_request] = [body for path, body in seen if path.startswith("/oauth2/token")]
    assert b"code_verifier=dBjftJeZ4CVP-mB92K27uhbUFU1mXiJiwdeCFZKYc5M" in token_request
