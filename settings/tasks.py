"""Celery configuration (the app itself is `settings.celery:app`)."""

from settings.env import REDIS_URL, env

# --- Celery --- https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# Without a broker, tasks run in-process (the embedded default: README "Environment").
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fix-up closes the database connection before and after every task unless this
# is set; connections are instead kept and checked per task as Django does per request
# (settings/celery.py), and the fix-up still recycles them every 1000 tasks.
CELERY_DB_REUSE_MAX = 1000

# --- beat --- https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
# The outbox sweep: re-queues due retries, lost tasks and rows of dead workers (emails/tasks.py).
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=30)
# Retention (accounts/tasks.py): what has outlived its use, each with its own default age.
# Deployments without beat run the same commands daily from cron (README "Housekeeping").
HOUSEKEEPING_COMMANDS = [
    "purge_outbox",  # sent and failed mail, OUTBOX_PURGE_AFTER_DAYS
    "purge_webhook_deliveries",  # delivered and failed webhooks, WEBHOOKS_PURGE_AFTER_DAYS
    "purge_audit_events",  # AUDIT_RETENTION_DAYS
    "purge_ended_jwt_sessions",  # logouts whose tokens have all expired
    "purge_token_sessions",  # TOKEN_IDLE_DAYS / TOKEN_MAX_AGE_DAYS
    "purge_known_devices",  # devices unused for 90 days (the new sign-in notice)
    "purge_login_codes",  # emailed sign-in codes past their ten minutes
    "flushexpiredtokens",  # simplejwt's outstanding and blacklisted refresh tokens
    "clearsessions",  # Django's expired sessions
]
CELERY_BEAT_SCHEDULE = {
    "emails-sweep-outbox": {"task": "emails.sweep_outbox", "schedule": OUTBOX_SWEEP_SECONDS},
    # The same sweep for webhook deliveries (webhooks/tasks.py).
    "webhooks-sweep": {"task": "webhooks.sweep_deliveries", "schedule": OUTBOX_SWEEP_SECONDS},
    "canvass-housekeeping": {"task": "canvass.housekeeping", "schedule": 24 * 3600},
}
