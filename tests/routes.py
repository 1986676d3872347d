"""The API routes the tests walk: one list of every documented path, and which tests post to it."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Route:
    path: str
    # Who the error tests post bad bodies as; None: no such test posts to it.
    post: Literal["anonymous", "signed in"] | None = None
    # The input-limits tests send it every oversized, deep or malformed body.
    body_limits: bool = False


# The account routes (djoser, dj-rest-auth, DRF's token) and the surveys API, each once.
ROUTES = [
    Route("/auth/users/", post="anonymous", body_limits=True),
    Route("/auth/users/{id}/"),
    Route("/auth/users/me/"),
    Route("/auth/users/activation/", post="anonymous"),
    Route("/auth/users/resend_activation/", post="anonymous"),
    Route("/auth/users/set_password/", post="signed in"),
    Route("/auth/users/reset_password/", post="anonymous"),
    Route("/auth/users/reset_password_confirm/", post="anonymous"),
    Route("/auth/users/set_email/", post="signed in"),
    Route("/auth/users/set_email/confirm/", post="anonymous"),
    Route("/auth/users/me/export/", post="signed in"),
    Route("/auth/token/login/", post="anonymous", body_limits=True),
    Route("/auth/token/logout/", post="signed in"),
    Route("/auth/jwt/create/", post="anonymous", body_limits=True),
    Route("/auth/jwt/refresh/", post="anonymous", body_limits=True),
    Route("/auth/jwt/verify/", post="anonymous"),
    Route("/auth/login/code/", post="anonymous", body_limits=True),
    Route("/auth/login/code/confirm/", post="anonymous", body_limits=True),
    Route("/auth/sessions/"),
    Route("/auth/sessions/{id}/"),
    Route("/auth/sessions/end_others/"),
    Route("/dj-rest-auth/login/", post="anonymous", body_limits=True),
    Route("/dj-rest-auth/logout/", post="anonymous"),
    Route("/dj-rest-auth/user/"),
    Route("/dj-rest-auth/password/change/", post="signed in"),
    Route("/dj-rest-auth/password/reset/", post="anonymous", body_limits=True),
    Route("/dj-rest-auth/password/reset/confirm/", post="anonymous"),
    Route("/dj-rest-auth/registration/", post="anonymous", body_limits=True),
    Route("/dj-rest-auth/registration/verify-email/", post="anonymous"),
    Route("/dj-rest-auth/registration/resend-email/", post="anonymous"),
    Route("/dj-rest-auth/mfa/status/"),
    Route("/dj-rest-auth/mfa/totp/activate/", post="signed in"),
    Route("/dj-rest-auth/mfa/totp/deactivate/", post="signed in"),
    Route("/dj-rest-auth/mfa/recovery-codes/", post="signed in"),
    Route("/dj-rest-auth/mfa/recovery-codes/regenerate/", post="signed in"),
    Route("/dj-rest-auth/mfa/verify/", post="anonymous", body_limits=True),
    Route("/api-token-auth/", post="anonymous", body_limits=True),
    Route("/api/surveys/", body_limits=True),
    Route("/api/surveys/{id}/"),
    Route("/api/surveys/{id}/publish/"),
    Route("/api/surveys/{id}/close/"),
    Route("/api/surveys/{id}/results/"),
    Route("/api/surveys/{survey_pk}/responses/"),
    Route("/api/surveys/{survey_pk}/invitations/"),
    Route("/api/surveys/{survey_pk}/invitations/{invitation_pk}/"),
    Route("/api/surveys/{survey_pk}/reviewers/"),
    Route("/api/surveys/{survey_pk}/reviewers/{reviewer_pk}/"),
]

CONTRACT_PATHS = {route.path for route in ROUTES}
ANONYMOUS_POST_ROUTES = [route.path for route in ROUTES if route.post == "anonymous"]
AUTHENTICATED_POST_ROUTES = [route.path for route in ROUTES if route.post == "signed in"]
BODY_LIMIT_ROUTES = [route.path for route in ROUTES if route.body_limits]
