"""Both stacks' account mail leaves through the emails app with the one Canvass layout."""

import pytest
from allauth.account.adapter import get_adapter

pytestmark = pytest.mark.django_db
LAYOUT_MARK = 'role="presentation"'  # emails/_layout/base.html


def html_of(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.mark.parametrize(
    ("prefix", "context", "subject"),
    [
        (
            "account/email/email_confirmation_signup",
            {"activate_url": "http://localhost:8000/verify-email/k"},
            "Confirm your Canvass account",
        ),
        (
            "account/email/account_already_exists",
            {},
            "Someone tried to sign up with your address",
        ),
        (
            "account/email/unknown_account",
            {"signup_url": "http://localhost:8000/signup"},
            "Unknown Account",
        ),
    ],
)
def test_allauths_mail_is_rendered_by_canvass(
    django_capture_on_commit_callbacks, mailoutbox, prefix, context, subject
):
    with django_capture_on_commit_callbacks(execute=True):
        get_adapter().send_mail(prefix, "someone@example.org", context)

    (message,) = mailoutbox
    assert subject in message.subject
    assert LAYOUT_MARK in html_of(message)
    for url in context.values():
        assert url in message.body
