"""Render one Canvass message (subject, plain text, HTML) from `emails/templates/emails/<name>/`.

Every message has three templates — `subject.txt`, `body.txt`, `body.html` — and the bodies
extend the one base layout (`emails/_layout/base.txt`, `base.html`), so both account stacks'
mail and Canvass's own read and look the same. Each message folder also ships
`sample_context.json`: a JSON object with every variable its templates use (besides
`site_name` and `frontend_url`), which the test suite renders with missing variables made fatal
(tests/emails/test_templates.py; see emails/README.md).
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def base_context() -> dict[str, Any]:
    """What every template may use: the site name and the origin emailed links point to."""
    return {"site_name": settings.SITE_NAME, "frontend_url": settings.FRONTEND_URL}


def frontend_link(path: str) -> str:
    """An absolute link on FRONTEND_URL (every emailed link is absolute: README "Accounts")."""
    return f"{settings.FRONTEND_URL}/{path.lstrip('/')}"


def render_email(template: str, context: dict[str, Any] | None = None) -> RenderedEmail:
    full_context = {**base_context(), **(context or {})}
    prefix = f"emails/{template}"
    subject = render_to_string(f"{prefix}/subject.txt", full_context)
    return RenderedEmail(
        # A header must be one line, whatever the template's whitespace.
        subject=" ".join(subject.split()),
        text=render_to_string(f"{prefix}/body.txt", full_context).strip() + "\n",
        html=render_to_string(f"{prefix}/body.html", full_context),
    )
