"""Every message folder renders its sample context with missing variables made fatal."""

import copy
import re

import pytest
from django.template import engines

from emails.rendering import render_email
from tests.emails.message_templates import (
    SAMPLE_CONTEXT_FILE,
    message_template_folders,
    sample_context,
)

MESSAGES = message_template_folders()
HREF = re.compile(r'href="([^"]*)"')


class MissingVariable(str):
    """TEMPLATES' string_if_invalid that fails the render instead of printing nothing.

    Django formats a string_if_invalid containing "%s" with the variable's name: __mod__ raises.
    """

    def __mod__(self, variable: object) -> str:
        raise AssertionError(f"the template uses {variable!s}, which the context lacks")


@pytest.fixture
def strict_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = MissingVariable("missing: %s")
    settings.TEMPLATES = templates


def test_message_templates_are_discovered():
    assert "survey_invitation" in MESSAGES


@pytest.mark.parametrize(
    "source",
    ["{{ missing }}", "{% load i18n %}{% blocktranslate %}Hi {{ missing }}{% endblocktranslate %}"],
)
def test_a_missing_variable_fails_the_render(strict_templates, source):
    template = engines["django"].from_string(source)
    with pytest.raises(AssertionError, match="missing, which the context lacks"):
        template.render({})


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_renders_its_sample_context_in_text_and_html(name, strict_templates):
    folder = MESSAGES[name]
    for part in ("subject.txt", "body.txt", "body.html"):
        assert (folder / part).is_file(), f"{folder} lacks {part}"
    for body, layout in (("body.txt", "base.txt"), ("body.html", "base.html")):
        source = (folder / body).read_text(encoding="utf-8")
        assert f'{{% extends "emails/_layout/{layout}" %}}' in source, f"{body} skips the layout"
    if not (folder / SAMPLE_CONTEXT_FILE).is_file():
        pytest.fail(f"{folder} has no {SAMPLE_CONTEXT_FILE} (the convention: emails/README.md)")

    rendered = render_email(name, sample_context(folder))

    assert rendered.subject
    assert rendered.text.strip()
    assert "Canvass" in rendered.html
    for part in (rendered.subject, rendered.text, rendered.html):
        assert "{{" not in part and "{%" not in part
    links = HREF.findall(rendered.html)
    for link in links:
        assert link.startswith(("https://", "http://")), f"{link} is not absolute"
        assert link in rendered.text, f"{link} is in the HTML part only"


@pytest.mark.parametrize(
    ("name", "context", "singular", "plural"),
    [
        ("account_password_reset", {"url": "http://x/r", "hours": 1}, "1 hour ", "2 hours "),
        (
            "account_email_change",
            {"url": "http://x/e", "new_email": "a@b.org", "hours": 1},
            "1 hour.",
            "2 hours.",
        ),
        ("account_confirmation", {"url": "http://x/a", "days": 1}, "1 day.", "2 days."),
    ],
)
def test_durations_read_as_words_not_hour_s(name, context, singular, plural):
    one = render_email(name, context)
    many = render_email(
        name, {**context, **{key: 2 for key in ("hours", "days") if key in context}}
    )
    for rendered, expected in ((one, singular), (many, plural)):
        assert f"valid for {expected}" in rendered.text
        assert f"valid for {expected}" in rendered.html
        assert "(s)" not in rendered.text + rendered.html
