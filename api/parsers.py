"""Request body parsers for the API: strict UTF-8, and no input that can crash the parser."""

import codecs
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]  # not in the stubs

# Deeper than any Canvass payload (a survey is five levels) and far below the depth at which
# Python's own JSON parser gives up with a RecursionError (a 500 in DRF's parser).
MAX_JSON_DEPTH = 32


def require_utf8(parser_context: dict | None) -> None:
    """JSON is UTF-8 (RFC 8259), and so is every form Canvass serves: another declared charset
    is refused rather than guessed at."""
    if codecs.lookup(get_encoding(parser_context or {})).name != "utf-8":
        raise ParseError(_("The request body must be encoded as UTF-8."))


def json_depth(data: Any) -> int:
    """How deeply `data` nests, found without recursion."""
    depth, level = 0, [data]
    while level:
        depth += 1
        nested: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                nested.extend(value for value in item.values() if isinstance(value, dict | list))
            elif isinstance(item, list):
                nested.extend(value for value in item if isinstance(value, dict | list))
        level = nested
    return depth


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, UTF-8 only, refusing nesting deeper than MAX_JSON_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        require_utf8(parser_context)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON parse error - nested too deeply.")) from error
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON parse error - nested too deeply."))
        return data


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing bytes that are not UTF-8 instead of replacing them (a
    password would otherwise be stored with U+FFFD where the client sent something else)."""

    def parse(self, stream, media_type=None, parser_context=None):
        require_utf8(parser_context)
        body = stream.read()
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ParseError(_("The request body must be encoded as UTF-8.")) from error
        return QueryDict(body, encoding="utf-8")
