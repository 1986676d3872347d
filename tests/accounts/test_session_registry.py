"""The session registry: every kind of login listed with its device, ended one by one or all
but the current one, and a password change keeping the caller's JWT session."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEvent, TokenSession
from tests.accounts.conftest import DJOSER, NEW_PASSWORD, REST_AUTH, token_client
from tests.conftest import CommittingAPIClient, CommittingClient

pytestmark = pytest.mark.django_db

SESSIONS = "/auth/sessions/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)


@pytest.fixture(params=[300, 0], ids=["cache on", "cache off"])
def token_cache(request, settings):
    settings.TOKEN_CACHE_SECONDS = request.param


def token_login(email: str, password: str) -> CommittingAPIClient:
    answer = CommittingAPIClient().post(
        DJOSER.login, {"email": email, "password": password}, format="json", HTTP_USER_AGENT=FIREFOX
    )
    assert answer.status_code == HTTPStatus.OK
    return token_client(answer.json()["auth_token"])


def jwt_login(email: str, password: str) -> tuple[CommittingAPIClient, str]:
    """A client carrying the access token of a new JWT session, and its refresh token."""
    answer = CommittingAPIClient().post(
        "/auth/jwt/create/",
        {"email": email, "password": password},
        format="json",
        HTTP_USER_AGENT=CHROME,
    )
    assert answer.status_code == HTTPStatus.OK
    return token_client(answer.json()["access"], "Bearer"), answer.json()["refresh"]


def browser_login(email: str, password: str) -> CommittingClient:
    browser = CommittingClient(HTTP_USER_AGENT=SAFARI)
    answer = browser.post("/accounts/login/", {"login": email, "password": password})
    assert answer.status_code == HTTPStatus.FOUND
    return browser


def sign_in(kind: str, email: str, password: str):
    if kind == "token":
        return token_login(email, password)
    if kind == "jwt":
        return jwt_login(email, password)[0]
    return browser_login(email, password)


def listed(client) -> list[dict]:
    answer = client.get(SESSIONS)
    assert answer.status_code == HTTPStatus.OK
    return answer.json()


def refused_everywhere(client) -> bool:
    """Both route sets' profiles and the surveys API (creating one) answer 401."""
    profiles = [client.get(path).status_code for path in (DJOSER.profile, REST_AUTH.profile)]
    survey = client.post("/api/surveys/", {"title": "Lunch"}, format="json").status_code
    return [*profiles, survey] == [HTTPStatus.UNAUTHORIZED] * 3


def test_the_list_shows_each_kind_with_its_device_and_marks_the_current_one(
    confirmed_user, password
):
    email = confirmed_user.email
    token = token_login(email, password)
    jwt, _refresh = jwt_login(email, password)
    browser = browser_login(email, password)

    sessions = listed(token)

    assert [s["kind"] for s in sessions] == ["browser", "jwt", "token"]  # newest first
    assert {s["kind"]: s["device"] for s in sessions} == {
        "token": "Firefox on Linux",
        "jwt": "Chrome on Windows",
        "browser": "Safari on Mac OS X",
    }
    assert set(sessions[0]) == {
        "id", "kind", "created", "last_seen", "ip", "user_agent", "device", "current"
    }  # fmt: skip
    assert sessions[0]["ip"] == "127.0.0.1"
    for client, kind in [(token, "token"), (jwt, "jwt"), (browser, "browser")]:
        current = [s["kind"] for s in listed(client) if s["current"]]
        assert current == [kind]


def test_the_list_is_for_signed_in_callers_only(api_client):
    assert api_client.get(SESSIONS).status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("kind", ["token", "jwt", "browser"])
def test_ending_a_session_refuses_it_at_once_on_every_route(
    kind, token_cache, confirmed_user, password
):
    ended = sign_in(kind, confirmed_user.email, password)
    assert ended.get(DJOSER.profile).status_code == HTTPStatus.OK  # cached, where it caches
    caller = token_login(confirmed_user.email, password)
    target = next(s for s in listed(caller) if s["kind"] == kind and not s["current"])

    assert caller.delete(f"{SESSIONS}{target['id']}/").status_code == HTTPStatus.NO_CONTENT

    assert refused_everywhere(ended)
    assert target["id"] not in [s["id"] for s in listed(caller)]
    assert caller.get(DJOSER.profile).status_code == HTTPStatus.OK


def test_an_ended_jwt_session_cannot_refresh(confirmed_user, password):
    _jwt, refresh = jwt_login(confirmed_user.email, password)
    caller = token_login(confirmed_user.email, password)
    target = next(s for s in listed(caller) if s["kind"] == "jwt")

    caller.delete(f"{SESSIONS}{target['id']}/")

    answer = CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": refresh}, format="json")
    assert answer.status_code == HTTPStatus.UNAUTHORIZED


def test_another_accounts_session_is_not_found(confirmed_user, password, user_factory):
    other = user_factory(email="bob@example.org")
    token_login(other.email, password)
    theirs = TokenSession.objects.get(user=other)
    caller = token_login(confirmed_user.email, password)

    answer = caller.delete(f"{SESSIONS}{theirs.pk}/")

    assert answer.status_code == HTTPStatus.NOT_FOUND
    assert TokenSession.objects.filter(pk=theirs.pk).exists()


def test_end_others_keeps_only_the_current_session(token_cache, confirmed_user, password):
    email = confirmed_user.email
    others = [token_login(email, password), jwt_login(email, password)[0]]
    others.append(browser_login(email, password))
    caller = jwt_login(email, password)[0]

    answer = caller.post(f"{SESSIONS}end_others/", {}, format="json")

    assert answer.status_code == HTTPStatus.NO_CONTENT
    assert [(s["kind"], s["current"]) for s in listed(caller)] == [("jwt", True)]
    assert all(refused_everywhere(client) for client in others)


def test_a_session_older_than_ten_minutes_must_give_the_password(confirmed_user, password):
    email = confirmed_user.email
    other = token_login(email, password)
    caller = token_login(email, password)
    target = next(s for s in listed(caller) if not s["current"])
    url = f"{SESSIONS}{target['id']}/"

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        without = caller.delete(url)
        wrong = caller.delete(url, {"current_password": "not the password"}, format="json")
        right = caller.delete(url, {"current_password": password}, format="json")

    assert without.status_code == HTTPStatus.BAD_REQUEST
    assert list(without.json()) == ["current_password"]
    assert wrong.status_code == HTTPStatus.BAD_REQUEST
    assert list(wrong.json()) == ["current_password"]
    failed = AuditEvent.objects.filter(
        event=AuditEvent.Event.LOGIN, outcome=AuditEvent.Outcome.FAILURE, target=email
    )
    assert failed.count() == 1
    assert right.status_code == HTTPStatus.NO_CONTENT
    assert refused_everywhere(other)


def test_end_others_after_ten_minutes_needs_the_password(confirmed_user, password):
    other = token_login(confirmed_user.email, password)
    caller = token_login(confirmed_user.email, password)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        without = caller.post(f"{SESSIONS}end_others/", {}, format="json")
        assert other.get(DJOSER.profile).status_code == HTTPStatus.OK
        right = caller.post(f"{SESSIONS}end_others/", {"current_password": password}, format="json")

    assert without.status_code == HTTPStatus.BAD_REQUEST
    assert right.status_code == HTTPStatus.NO_CONTENT
    assert refused_everywhere(other)


def test_a_password_change_over_jwt_keeps_that_sessions_refresh_token(confirmed_user, password):
    caller, refresh = jwt_login(confirmed_user.email, password)
    _other, other_refresh = jwt_login(confirmed_user.email, password)

    changed = caller.post(
        DJOSER.password_change, DJOSER.password_change_payload(password, NEW_PASSWORD)
    )

    assert changed.status_code == HTTPStatus.NO_CONTENT
    refresh_with = CommittingAPIClient().post
    kept = refresh_with("/auth/jwt/refresh/", {"refresh": refresh}, format="json")
    assert kept.status_code == HTTPStatus.OK
    assert token_client(kept.json()["access"], "Bearer").get(DJOSER.profile).status_code == 200
    other = refresh_with("/auth/jwt/refresh/", {"refresh": other_refresh}, format="json")
    assert other.status_code == HTTPStatus.UNAUTHORIZED
    assert [s["kind"] for s in listed(token_client(kept.json()["access"], "Bearer"))] == ["jwt"]


@pytest.mark.parametrize("kind", ["jwt", "browser"])
def test_deleting_a_session_in_the_admin_ends_it(kind, admin_browser, confirmed_user, password):
    ended = sign_in(kind, confirmed_user.email, password)
    session = TokenSession.objects.get(user=confirmed_user, kind=kind)

    answer = admin_browser.post(
        "/admin/accounts/tokensession/",
        {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"},
    )

    assert answer.status_code == HTTPStatus.FOUND
    assert not TokenSession.objects.filter(pk=session.pk).exists()
    assert refused_everywhere(ended)


def test_a_login_of_any_kind_past_the_limit_ends_the_oldest_session(
    settings, confirmed_user, password
):
    settings.SESSIONS_MAX_PER_ACCOUNT = 2
    email = confirmed_user.email
    token = token_login(email, password)
    jwt, refresh = jwt_login(email, password)
    assert token.get(DJOSER.profile).status_code == HTTPStatus.OK

    browser = browser_login(email, password)  # the third: the token session, oldest, ends

    assert refused_everywhere(token)
    assert [s["kind"] for s in listed(browser)] == ["browser", "jwt"]
    assert jwt.get(DJOSER.profile).status_code == HTTPStatus.OK

    token_login(email, password)  # the fourth: the JWT session ends, refresh token and all

    assert refused_everywhere(jwt)
    answer = CommittingAPIClient().post("/auth/jwt/refresh/", {"refresh": refresh}, format="json")
    assert answer.status_code == HTTPStatus.UNAUTHORIZED
    assert browser.get(DJOSER.profile).status_code == HTTPStatus.OK

    jwt_login(email, password)  # the fifth: the browser session ends

    assert browser.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    assert sorted(TokenSession.objects.values_list("kind", flat=True)) == ["jwt", "token"]


def test_a_browser_sessions_last_seen_is_written_at_most_once_a_minute(confirmed_user, password):
    with time_machine.travel("2026-03-01 12:00Z", tick=False) as traveller:
        browser = browser_login(confirmed_user.email, password)
        row = TokenSession.objects.get(user=confirmed_user, kind="browser")
        started = row.last_seen_at

        def seen_after(seconds: int):
            traveller.move_to(started + timedelta(seconds=seconds))
            assert browser.get(DJOSER.profile).status_code == HTTPStatus.OK
            row.refresh_from_db()
            return row.last_seen_at - started

        assert seen_after(0) == timedelta(0)  # the first request writes the login's time
        assert seen_after(30) == timedelta(0)
        assert seen_after(61) == timedelta(seconds=61)
        assert seen_after(90) == timedelta(seconds=61)
        assert seen_after(122) == timedelta(seconds=122)
