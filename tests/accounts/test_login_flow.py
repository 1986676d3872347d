"""accounts.login_flow: the one place every API login hands out its credential."""

from http import HTTPStatus

import pytest
from django.test import RequestFactory

from accounts.login_flow import LoginRoute, login_finish
from accounts.models import TokenSession
from tests.accounts.conftest import DJOSER, token_client

pytestmark = pytest.mark.django_db

ANSWERS = {
    LoginRoute.TOKEN: {"auth_token"},
    LoginRoute.REST_AUTH: {"key"},
    LoginRoute.OBTAIN: {"token"},
    LoginRoute.JWT: {"access", "refresh"},
}


@pytest.mark.parametrize("route", list(LoginRoute))
def test_each_route_gets_its_librarys_answer_and_a_session_recording_the_method(
    route, confirmed_user
):
    request = RequestFactory().post("/", HTTP_USER_AGENT="curl/8")

    body = login_finish(
        request=request, user=confirmed_user, route=route, method=TokenSession.Method.CODE
    )

    assert set(body) == ANSWERS[route]
    [session] = TokenSession.objects.filter(user=confirmed_user)
    assert session.method == TokenSession.Method.CODE
    assert session.kind == (TokenSession.Kind.JWT if route == LoginRoute.JWT else "token")
    assert session.second_factor_at is None
    credential = body.get("access") or next(iter(body.values()))
    scheme = "Bearer" if route == LoginRoute.JWT else "Token"
    assert token_client(credential, scheme).get(DJOSER.profile).status_code == HTTPStatus.OK
