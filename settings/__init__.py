"""Canvass project package: settings, URLs, WSGI/ASGI entry points and the Celery app."""

# Loaded with Django so that `shared_task` binds to Canvass's app (and its broker settings).
from settings.celery import app as celery_app

__all__ = ["celery_app"]
