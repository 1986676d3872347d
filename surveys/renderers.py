"""CSV for the responses export: the `?format=csv` renderer and the streaming writer behind it."""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

# Spreadsheets run a cell starting with one of these as a formula (CSV injection); such a cell
# gets a leading apostrophe, which spreadsheets show as plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Lines are sent in pieces of about this size: one socket write per row would be slow.
STREAM_PIECE_SIZE = 64 * 1024


def spreadsheet_safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_PREFIXES) else cell


class _LineBuffer:
    """A file-like object whose write() hands back the line (Django's streaming CSV recipe)."""

    def write(self, line: str) -> str:
        return line


def csv_pieces(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """CSV text (RFC 4180 quoting, CRLF line ends) for `rows`, in pieces of bounded size."""
    writer = csv.writer(_LineBuffer())
    piece: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
        piece.append(line)
        size += len(line)
        if size >= STREAM_PIECE_SIZE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


def csv_streaming_response(
    rows: Iterable[Sequence[str]], *, filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_pieces(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVRenderer(BaseRenderer):
    """Lets content negotiation pick CSV (`?format=csv`, `Accept: text/csv`).

    The export itself streams (see csv_streaming_response); render() serves the rare caller that
    hands DRF a list of rows instead.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = data if isinstance(data, list) else []
        return "".join(csv_pieces(rows)).encode(self.charset)
