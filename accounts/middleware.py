"""A browser session's `last_seen_at` in the registry, written at most once a minute."""

from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from accounts import services
from accounts.sessions import LAST_SEEN_EVERY

# When this browser session last wrote its row: kept in the session, so a request that is not
# due costs no query.
SEEN_AT = "_canvass_last_seen"


class BrowserSessionSeenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and session.get(SESSION_KEY) is not None:
            now = timezone.now()
            seen = session.get(SEEN_AT)
            if seen is None or now.timestamp() - seen >= LAST_SEEN_EVERY.total_seconds():
                services.browser_session_seen(session_key=session.session_key, now=now)
                session[SEEN_AT] = now.timestamp()
        return self.get_response(request)
