"""The profile: one serializer for both route sets, names editable, deletion."""

from http import HTTPStatus

import pytest
from rest_framework import serializers

from accounts.models import TokenSession, User
from accounts.serializers import ProfileSerializer
from tests.accounts.conftest import DJOSER, login, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(api_client, confirmed_user, password):
    return token_client(
        login(api_client, DJOSER, confirmed_user.email, password).json()["auth_token"]
    )


def test_both_routes_answer_the_same_profile(account, routes, confirmed_user):
    response = account.get(routes.profile)

    assert response.status_code == HTTPStatus.OK
    assert set(response.json()) == {"id", "email", "first_name", "last_name", "date_joined"}
    assert response.json()["id"] == confirmed_user.pk


def test_names_change_through_both_routes(account, routes, confirmed_user):
    response = account.patch(routes.profile, {"first_name": "Grace", "last_name": "Hopper"})

    assert response.status_code == HTTPStatus.OK
    assert response.json()["first_name"] == "Grace"
    confirmed_user.refresh_from_db()
    assert confirmed_user.get_full_name() == "Grace Hopper"


def test_read_only_fields_stay_as_they_are(account, routes, confirmed_user):
    joined = confirmed_user.date_joined

    response = account.patch(routes.profile, {"id": 999, "date_joined": "2000-01-01T00:00:00Z"})

    assert response.json()["id"] == confirmed_user.pk
    confirmed_user.refresh_from_db()
    assert confirmed_user.date_joined == joined


def test_the_profile_costs_few_queries(account, routes, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert account.get(routes.profile).status_code == HTTPStatus.OK


def test_deleting_the_account_needs_the_current_password(account, confirmed_user):
    response = account.delete(DJOSER.profile, {"current_password": "wrong"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert User.objects.filter(pk=confirmed_user.pk).exists()


def test_deleting_the_account_removes_it_and_its_credentials(
    api_client, account, confirmed_user, password
):
    pair = api_client.post(
        "/auth/jwt/create/", {"email": confirmed_user.email, "password": password}
    )

    response = account.delete(DJOSER.profile, {"current_password": password})

    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not User.objects.filter(pk=confirmed_user.pk).exists()
    assert not TokenSession.objects.exists()
    assert account.get(DJOSER.profile).status_code == HTTPStatus.UNAUTHORIZED
    refreshed = api_client.post("/auth/jwt/refresh/", {"refresh": pair.json()["refresh"]})
    assert refreshed.status_code == HTTPStatus.UNAUTHORIZED


def test_users_list_shows_only_oneself(account, confirmed_user, user_factory):
    user_factory()

    response = account.get("/auth/users/")

    assert [item["email"] for item in response.json()["results"]] == [confirmed_user.email]


def test_the_profile_reads_as_its_declared_fields_would(user_factory):
    user = user_factory(first_name="Ada", last_name="Lovelace")
    serializer = ProfileSerializer(user)
    # The hand-written read (a fast path) against DRF's generic one over the declared fields.
    generic = serializers.Serializer.to_representation(serializer, user)

    assert serializer.data == generic
    assert list(serializer.data) == list(serializer.fields)
