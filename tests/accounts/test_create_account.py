"""`manage.py create_account EMAIL [--staff] [--password-stdin]`: a confirmed account at once."""

import io
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.accounts.logins import API_LOGINS, api_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough passphrase"


def create_account(monkeypatch, *args: str, stdin: str = f"{PASSWORD}\n") -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("create_account", *args, "--password-stdin", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("route", sorted(API_LOGINS))
def test_the_account_is_confirmed_and_logs_in_at_once(monkeypatch, api_client, route, mailoutbox):
    out = create_account(monkeypatch, "Ada@Example.org")

    user = User.objects.get()
    assert out.startswith(f"Created the confirmed account {user.email} (id {user.pk}).")
    assert user.is_active and not user.is_staff
    assert EmailAddress.objects.get(user=user).verified
    response = api_login(api_client, route, "ada@example.org", PASSWORD)
    assert response.status_code == HTTPStatus.OK
    assert mailoutbox == []  # no confirmation mail: the operator vouches for the address


def test_staff_flag_makes_a_staff_account(monkeypatch, client):
    create_account(monkeypatch, "grace@example.org", "--staff")

    user = User.objects.get()
    assert user.is_staff and not user.is_superuser
    client.post("/admin/login/", {"username": "grace@example.org", "password": PASSWORD})
    assert client.get("/admin/").status_code == HTTPStatus.OK


@pytest.mark.parametrize("spelling", ["ada@example.org", "ADA@EXAMPLE.ORG", "ada@EXAMPLE.org"])
def test_an_address_with_an_account_is_refused_in_any_spelling(monkeypatch, spelling):
    UserFactory(email="Ada@example.org")

    with pytest.raises(CommandError, match=r"^[^\n]*: This address already has an account\.$"):
        create_account(monkeypatch, spelling)

    assert User.objects.count() == 1


@pytest.mark.parametrize("weak", ["short", "password123", "ada@example.org", "x" * 129])
def test_a_password_the_validators_refuse_is_refused(monkeypatch, weak):
    with pytest.raises(CommandError, match=r"^[^\n]+$"):
        create_account(monkeypatch, "ada@example.org", stdin=f"{weak}\n")

    assert not User.objects.exists()


def test_an_invalid_address_is_refused(monkeypatch):
    with pytest.raises(CommandError):
        create_account(monkeypatch, "not-an-address")

    assert not User.objects.exists()


def test_the_prompt_asks_twice_and_refuses_two_different_passwords(monkeypatch):
    answers = iter([PASSWORD, "something else entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match=r"^The two passwords differ\.$"):
        call_command("create_account", "ada@example.org")

    assert not User.objects.exists()


def test_the_prompt_creates_the_account_when_both_entries_match(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)

    call_command("create_account", "ada@example.org", stdout=io.StringIO())

    assert User.objects.get().check_password(PASSWORD)


def test_the_command_exits_1_with_one_line(monkeypatch, capsys):
    UserFactory(email="ada@example.org")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))

    with pytest.raises(SystemExit) as exit_:
        from django.core.management import execute_from_command_line

        execute_from_command_line(
            ["manage.py", "create_account", "ADA@example.org", "--password-stdin"]
        )

    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "CommandError: ADA@example.org: This address already has an account."
    ]
