"""The Celery app (`settings.celery:app`); configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery, Task
from celery.signals import task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.base")

app = Celery("canvass")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def reuse_database_connections_like_a_request(*, task: Task, **kwargs) -> None:
    """Apply Django's per-request connection rules (CONN_MAX_AGE, health checks) to each task.

    Celery's Django fix-up would otherwise open a new database connection for every task
    (see CELERY_DB_REUSE_MAX in settings/tasks.py), which costs more than most tasks here.
    """
    if not getattr(task.request, "is_eager", False):
        close_old_connections()
