"""`manage.py webhook_endpoint add URL --events a,b|'*'` / `list` / `remove ID`."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webhooks import services
from webhooks.guard import RefusedURL
from webhooks.models import Endpoint


class Command(BaseCommand):
    help = "Add, list or remove webhook endpoints (docs/webhooks.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add an endpoint; prints its id and secret (once)")
        add.add_argument("url")
        add.add_argument("--events", required=True, help="EVENT[,EVENT…], or '*' for every event")
        add.add_argument("--description", default="")
        actions.add_parser("list", help="every endpoint, without its secret")
        remove = actions.add_parser("remove", help="remove an endpoint and its delivery log")
        remove.add_argument("id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        if action == "add":
            self.add(options["url"], options["events"], options["description"])
        elif action == "list":
            for endpoint in Endpoint.objects.order_by("pk"):
                state = "enabled" if endpoint.enabled else "disabled"
                events = ",".join(endpoint.events)
                self.stdout.write(f"{endpoint.pk}\t{state}\t{endpoint.url}\t{events}")
        elif not services.endpoint_remove(pk=options["id"]):
            raise CommandError(f"no webhook endpoint has the id {options['id']}")
        else:
            self.stdout.write(f"removed {options['id']}")

    def add(self, url: str, events: str, description: str) -> None:
        try:
            endpoint = services.endpoint_create(url=url, events=events, description=description)
        except (RefusedURL, ValueError) as error:
            raise CommandError(f"refused: {error}") from None
        self.stdout.write(f"id: {endpoint.pk}\nsecret: {endpoint.secret}")
