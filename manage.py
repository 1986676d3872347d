#!/usr/bin/env python
"""Django's command-line utility for Canvass."""

import os
import re
import sys

# PostgreSQL's refusal when DATABASE_URL names a database nobody created yet.
MISSING_DATABASE = re.compile(r'database "([^"]+)" does not exist')


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.base")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as error:
        missing = MISSING_DATABASE.search(str(error))
        if missing is None:
            raise
        # One line an operator can act on, instead of a driver's traceback.
        name = missing.group(1)
        sys.stderr.write(
            f'Canvass cannot start: the database "{name}" does not exist; '
            f"create it first (createdb {name}), then run migrate again\n"
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
