"""Housekeeping: the retention commands, once a day from Celery beat (settings/tasks.py)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.management import call_command

logger = logging.getLogger(__name__)


@shared_task(name="canvass.housekeeping", ignore_result=True)
def housekeeping() -> None:
    """Run every command of HOUSEKEEPING_COMMANDS; one that fails does not stop the others."""
    for command in settings.HOUSEKEEPING_COMMANDS:
        try:
            call_command(command)
        except Exception:
            logger.exception("housekeeping: %s failed", command)
