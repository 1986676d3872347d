"""The message folders (`emails/templates/emails/<name>/`) and the sample context each ships."""

import json
from pathlib import Path
from typing import Any

from django.template.autoreload import get_template_directories

SAMPLE_CONTEXT_FILE = "sample_context.json"


def message_template_folders() -> dict[str, Path]:
    """Every message folder `emails/<name>/` in every template directory; `_layout` excluded."""
    return {
        folder.name: folder
        for directory in get_template_directories()
        for folder in sorted((directory / "emails").glob("*/"))
        if folder.is_dir() and not folder.name.startswith("_")
    }


def sample_context(folder: Path) -> dict[str, Any]:
    """The sample context a message folder ships (FileNotFoundError when it ships none)."""
    return json.loads((folder / SAMPLE_CONTEXT_FILE).read_text(encoding="utf-8"))
