"""ASGI entry point: `settings.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

from settings.env import server_stops_on_refusal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.base")

with server_stops_on_refusal():  # a worker that cannot start stops the whole server
    application = get_asgi_application()
