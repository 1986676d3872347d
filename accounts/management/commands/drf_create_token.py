"""`manage.py drf_create_token EMAIL [-r]`: DRF's command over token sessions — print the key of
a new one (`-r` first ends the earlier ones this command made)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import TokenSession, User


class Command(BaseCommand):
    help = "Start a token session for an account and print its key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", type=str, help="the account's address")
        parser.add_argument(
            "-r",
            "--reset",
            action="store_true",
            dest="reset_token",
            help="first end the token sessions this command made earlier for the account",
        )

    def handle(self, *args, username: str, reset_token: bool, **options) -> None:
        user = User.objects.with_email(username).first()
        if user is None:
            raise CommandError(f"Cannot create the Token: user {username} does not exist")
        if reset_token:
            TokenSession.objects.filter(user=user, source=TokenSession.Source.COMMAND).delete()
        issued = services.token_session_start(user=user, source=TokenSession.Source.COMMAND)
        self.stdout.write(f"Generated token {issued.key} for user {username}")
