"""The `console:` transport prints a message as a person reads it (README "Email delivery")."""

import pytest
from django.core.mail import EmailMessage

from emails.console import EmailBackend, html_summary
from tests.emails.messages import LINK, full_message


def printed(message: EmailMessage, capsys) -> str:
    assert EmailBackend().send_messages([message]) == 1
    return capsys.readouterr().out


def test_the_console_shows_subject_addresses_and_the_text_part(capsys):
    out = printed(full_message(), capsys)
    assert out.splitlines()[:5] == [
        "Subject: Activate your account",
        "From: Canvass <no-reply@example.org>",
        "To: ada@example.org",
        "Cc: cc@example.org",
        "Bcc: bcc@example.org",
    ]
    assert f"Open {LINK}\n" in out


def test_the_html_part_is_summarised_in_one_line(capsys):
    message = full_message()
    html = message.alternatives[0][0]
    out = printed(message, capsys)
    assert "<a href" not in out
    assert out.count(LINK) == 1
    assert html_summary(str(html)) in out.splitlines()
    assert html_summary("x" * 2300) == "[HTML part: 2.3 kB]"


@pytest.mark.parametrize("subject", ["Bestätigen Sie Ihre Adresse", "Confirm — ✓ your address"])
def test_subjects_are_printed_as_written_not_mime_encoded(capsys, subject):
    out = printed(full_message(subject=subject), capsys)
    assert f"Subject: {subject}" in out
    assert "=?utf-8?" not in out.lower()


def test_an_html_only_message_is_summarised_too(capsys):
    message = EmailMessage(subject="Hi", body="<p>hello</p>", to=["ada@example.org"])
    message.content_subtype = "html"
    out = printed(message, capsys)
    assert "<p>hello</p>" not in out
    assert "[HTML part: 12 bytes]" in out
