"""WSGI entry point: `gunicorn settings.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

from settings.env import server_stops_on_refusal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.base")

with server_stops_on_refusal():  # a worker that cannot start stops the whole server
    application = get_wsgi_application()
