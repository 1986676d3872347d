"""`manage.py create_account EMAIL [--staff] [--password-stdin]`: a confirmed account, at once.

For operators: the first staff account of a deployment, or an account for a colleague, without
the sign-up mail. It goes through `accounts.services.account_create_confirmed`, so the address
and password rules are the API's.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.exceptions import AddressTakenError


class Command(BaseCommand):
    help = "Create a confirmed account that can log in at once (no confirmation mail)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="the account's address")
        parser.add_argument("--staff", action="store_true", help="may use the admin (is_staff)")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input instead of a prompt",
        )

    def handle(self, *args, email: str, staff: bool, password_stdin: bool, **options) -> None:
        password = self.read_password(from_stdin=password_stdin)
        try:
            user = services.account_create_confirmed(email=email, password=password, is_staff=staff)
        except AddressTakenError as error:
            raise CommandError(f"{email}: {error.message}") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        kind = "staff account" if staff else "account"
        self.stdout.write(f"Created the confirmed {kind} {user.email} (id {user.pk}).")

    def read_password(self, *, from_stdin: bool) -> str:
        if from_stdin:
            # Exactly as typed (passwords are never trimmed), without the line's end.
            return sys.stdin.readline().rstrip("\r\n")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
