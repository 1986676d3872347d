"""A message with every part the outbox must keep, for the outbox tests."""

from django.core.mail import EmailMultiAlternatives

LINK = "http://localhost:8000/activate/MQ/abc-123"


def full_message(to: str = "ada@example.org", **overrides) -> EmailMultiAlternatives:
    fields = {
        "subject": "Activate your account",
        "body": f"Open {LINK}\n",
        "from_email": "Canvass <no-reply@example.org>",
        "to": [to],
        "cc": ["cc@example.org"],
        "bcc": ["bcc@example.org"],
        "reply_to": ["help@example.org"],
        "headers": {"X-Canvass-Flow": "activation"},
        **overrides,
    }
    message = EmailMultiAlternatives(**fields)
    message.attach_alternative(f'<p><a href="{LINK}">Activate</a></p>', "text/html")
    return message
