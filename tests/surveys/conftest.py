"""Fixtures for the survey tests: the five roles a survey request can come from."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import CommittingAPIClient
from tests.factories import UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.org")


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.org")


@pytest.fixture
def client_for():
    """An API client signed in as the given user (anonymous for None)."""

    def make(user) -> APIClient:
        client = CommittingAPIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def owner_client(owner, client_for) -> APIClient:
    return client_for(owner)
