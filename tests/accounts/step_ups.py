"""The routes that ask for the current password (a step-up), and the body each takes."""

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from tests.accounts.conftest import NEW_PASSWORD


@dataclass(frozen=True)
class StepUpRoute:
    method: str
    path: str
    payload: Callable[[str], dict[str, Any]]
    done: HTTPStatus


STEP_UP_ROUTES = {
    "djoser-set-password": StepUpRoute(
        "post",
        "/auth/users/set_password/",
        lambda current: {"current_password": current, "new_password": NEW_PASSWORD},
        HTTPStatus.NO_CONTENT,
    ),
    "dj-rest-auth-password-change": StepUpRoute(
        "post",
        "/dj-rest-auth/password/change/",
        lambda current: {
            "old_password": current,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        HTTPStatus.OK,
    ),
    "djoser-delete": StepUpRoute(
        "delete",
        "/auth/users/me/",
        lambda current: {"current_password": current},
        HTTPStatus.NO_CONTENT,
    ),
    "djoser-set-email": StepUpRoute(
        "post",
        "/auth/users/set_email/",
        lambda current: {"current_password": current, "new_email": "next@example.org"},
        HTTPStatus.NO_CONTENT,
    ),
    "djoser-export": StepUpRoute(
        "post",
        "/auth/users/me/export/",
        lambda current: {"current_password": current},
        HTTPStatus.OK,
    ),
}
