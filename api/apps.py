"""App config for api: the HTTP plumbing every app's routes share (errors, parsing, docs)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
