"""Webhooks (docs/webhooks.md): which URLs may receive them, and how deliveries are retried."""

from settings.env import REDIS_URL, env

# --- webhooks --- docs/webhooks.md
# Development only: http:// URLs, and URLs that resolve to loopback, private or link-local
# addresses (refused by default so an endpoint cannot reach into the operator's network).
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# One attempt waits this long for the connection and for each read of the answer.
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10)
# Attempt n waits between half and all of min(base * 2^(n-1), max): 10 s, 20 s … 6 h.
WEBHOOKS_RETRY_BASE_SECONDS = env.float("WEBHOOKS_RETRY_BASE_SECONDS", default=10)
WEBHOOKS_RETRY_MAX_SECONDS = env.float("WEBHOOKS_RETRY_MAX_SECONDS", default=6 * 3600)
# A delivery is retried this long after its event; an endpoint that has failed every attempt
# for this long is disabled and the ADMINS are mailed.
WEBHOOKS_RETRY_FOR_SECONDS = env.int("WEBHOOKS_RETRY_FOR_SECONDS", default=3 * 24 * 3600)
# A delivery `sending` this long belonged to a dead worker; a dispatched task this old was lost.
WEBHOOKS_STUCK_AFTER_SECONDS = env.int("WEBHOOKS_STUCK_AFTER_SECONDS", default=300)
WEBHOOKS_SWEEP_BATCH = env.int("WEBHOOKS_SWEEP_BATCH", default=1000)
WEBHOOKS_TASK_BATCH = env.int("WEBHOOKS_TASK_BATCH", default=20)
WEBHOOKS_PURGE_AFTER_DAYS = env.int("WEBHOOKS_PURGE_AFTER_DAYS", default=30)
# Who is mailed when an endpoint is disabled (Django's ADMINS: "Name <address>,…").
ADMINS = [("", address) for address in env.list("ADMINS", default=[])]
# Seconds every emit may answer "which endpoints subscribe" from the cache (webhooks/
# endpoint_cache.py; 0: a query each time). Every endpoint change ends the entry at once; this
# bounds only changes made behind Django's back (raw SQL) and a change that committed while the
# cache was unreachable (nothing retries its invalidation yet). Off unless asked for: with it
# on, such a change could keep events from a new endpoint for that long. Only with Redis.
WEBHOOKS_ENDPOINT_CACHE_SECONDS = (
    env.int("WEBHOOKS_ENDPOINT_CACHE_SECONDS", default=0) if REDIS_URL else 0
)
