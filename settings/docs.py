"""The API docs pages (Swagger UI, ReDoc), locked to assets the service serves itself.

The sidecar bundles still name one CDN image (ReDoc's "Redocly" logo); a Content-Security-Policy
that allows only this origin keeps the browser from ever fetching it.
"""

from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

SELF_ONLY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Both UIs boot from a small inline script and inject inline styles.
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "frame-ancestors 'none'",
    ]
)


def self_only(view):
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = SELF_ONLY_POLICY
        return response

    return wrapped


@method_decorator(self_only, name="dispatch")
class SwaggerView(SpectacularSwaggerView):
    pass


@method_decorator(self_only, name="dispatch")
class RedocView(SpectacularRedocView):
    pass
