"""The admin's index: one "Accounts" section, no always-empty or unused sections."""

import re
from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, user_factory):
    client.force_login(user_factory(email="root@example.org", is_staff=True, is_superuser=True))
    return client


def sections(admin_client) -> list[str]:
    page = admin_client.get("/admin/").content.decode()
    return re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', page)


def test_there_is_one_accounts_section(admin_client):
    assert sections(admin_client).count("Accounts") == 1


def test_the_axes_tables_nobody_fills_are_hidden(admin_client):
    assert "Axes" not in sections(admin_client)
    assert admin_client.get("/admin/axes/accessfailurelog/").status_code == HTTPStatus.NOT_FOUND


def test_sites_and_social_accounts_are_hidden_without_providers(admin_client, settings):
    settings.OIDC_PROVIDERS = []

    shown = sections(admin_client)

    assert "Sites" not in shown
    assert "Social Accounts" not in shown


def test_sites_and_social_accounts_appear_once_providers_are_configured(admin_client, settings):
    settings.OIDC_PROVIDERS = [{"id": "example", "name": "Example"}]

    shown = sections(admin_client)

    assert "Sites" in shown
    assert "Social Accounts" in shown


def test_the_outbox_lists_recipients_as_written(admin_client, mailoutbox):
    from django.core.mail import send_mail

    send_mail("Hello", "Body", None, ["ada@example.org", "bob@example.org"])

    page = admin_client.get("/admin/emails/outboundemail/").content.decode()

    assert "ada@example.org, bob@example.org" in page
    assert "[&#x27;ada@example.org" not in page
