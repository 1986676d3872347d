"""The `console:` transport: each message as a person reads it, not as MIME."""

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends import console

RULE = "-" * 79


def html_summary(html: str) -> str:
    """One line in place of an HTML part: the text part already says the same."""
    size = len(html.encode())
    return f"[HTML part: {size} bytes]" if size < 1000 else f"[HTML part: {size / 1000:.1f} kB]"


class EmailBackend(console.EmailBackend):
    """Django's console backend, printing the subject and addresses decoded, the text part in
    full and the HTML part as one line, so an emailed link is easy to find in a terminal."""

    def write_message(self, message: EmailMessage) -> None:
        text, html = str(message.body), ""
        if message.content_subtype == "html":
            text, html = "", text
        if isinstance(message, EmailMultiAlternatives):
            html = next(
                (
                    str(content)
                    for content, mimetype in message.alternatives
                    if mimetype == "text/html"
                ),
                html,
            )
        lines = [f"Subject: {message.subject}", f"From: {message.from_email}"]
        lines += [
            f"{name}: {', '.join(addresses)}"
            for name, addresses in (
                ("To", message.to),
                ("Cc", message.cc),
                ("Bcc", message.bcc),
                ("Reply-To", message.reply_to),
            )
            if addresses
        ]
        lines.append("")
        if text:
            lines.append(text.rstrip("\n"))
        if html:
            lines.append(html_summary(html))
        self.stream.write("\n".join(lines) + "\n" + RULE + "\n")
