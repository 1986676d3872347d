"""Schemathesis hooks (SCHEMATHESIS_HOOKS) for tests/external/schemathesis_run.py.

- Generated ids are mostly numbers no row has, so the views would stop at their 404: numeric
  ones are folded onto the seeded rows (CANVASS_SEEDED_IDS), so the operations do their work.
  Negative and non-numeric ids stay as generated and still meet the 404.
- With CANVASS_FRESH_TOKEN_PER_CALL=1 every call gets a token of its own, from a login just
  before it (`refresh_interval=None`): for the operations that end the credential they are
  sent with — a logout ends the session of its token — as a client would log in again.
"""

import json
import os
import urllib.request

import schemathesis

SEEDED_IDS: dict[str, list[int]] = json.loads(os.environ.get("CANVASS_SEEDED_IDS", "{}"))


def seeded_ids(path: str, method: str, name: str) -> list[int]:
    if name == "id" and path.startswith("/auth/users/"):
        return SEEDED_IDS.get("users", [])
    if name == "id" and method == "DELETE":
        return SEEDED_IDS.get("deletable_surveys", [])
    kind = {"id": "surveys", "survey_pk": "surveys", "invitation_pk": "invitations"}
    return SEEDED_IDS.get(kind.get(name, "reviewers"), [])


def as_count(value) -> int | None:
    """A generated id as a non-negative number, or None if it is anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdecimal():  # any script's digits, as `\d` matches
        return int(value)
    return None


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    operation = context.operation
    for name, value in (path_parameters or {}).items():
        number = as_count(value)
        ids = seeded_ids(operation.path, operation.method.upper(), name)
        if number is not None and ids:
            path_parameters[name] = type(value)(ids[number % len(ids)])
    return path_parameters


class FreshTokenPerCall:
    def get(self, case, context):
        login = urllib.request.Request(
            f"{os.environ['CANVASS_BASE_URL']}/auth/token/login/",
            data=json.dumps(
                {"email": os.environ["CANVASS_EMAIL"], "password": os.environ["CANVASS_PASSWORD"]}
            ).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(login, timeout=30) as response:
            return json.load(response)["auth_token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


if os.environ.get("CANVASS_FRESH_TOKEN_PER_CALL") == "1":
    schemathesis.auth(refresh_interval=None)(FreshTokenPerCall)
