"""Test clients that check CSRF as a browser does."""

import re
from http import HTTPStatus

from django.test import Client

from tests.conftest import CommitEachRequestMixin

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser(CommitEachRequestMixin, Client):
    """A client that checks CSRF like a browser session would be checked."""

    def __init__(self):
        super().__init__(enforce_csrf_checks=True)

    def submit(self, path: str, data: dict | None = None):
        """GET the page, then POST its form with the CSRF token it carries."""
        page = self.get(path)
        assert page.status_code == HTTPStatus.OK, page.content
        (token,) = CSRF_FIELD.findall(page.content.decode())
        return self.post(path, {**(data or {}), "csrfmiddlewaretoken": token})
