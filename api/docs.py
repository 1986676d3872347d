"""The API docs pages (Swagger UI, ReDoc), locked to assets the service serves itself.

Both run under the site's Content-Security-Policy (django-csp, settings/base.py), widened only
for what their bundles do: inject styles, show data:/blob: images and fonts, and (ReDoc) run a
blob: worker. Swagger UI's start-up script is served as a file of its own (the split view), so
no inline script runs. The sidecar bundles still name one CDN image (ReDoc's "Redocly" logo);
the policy allows only this origin, so the browser never fetches it.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace, csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

# Added to the site's directives.
DOCS_SOURCES = {
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "worker-src": [SELF, "blob:"],
}
# Replaced: with a nonce beside it, browsers would ignore 'unsafe-inline'.
DOCS_STYLES = {"style-src": [SELF, UNSAFE_INLINE]}


docs_policy = method_decorator(
    [csp_replace(DOCS_STYLES), csp_update(DOCS_SOURCES)], name="dispatch"
)


@docs_policy
class SwaggerView(SpectacularSwaggerSplitView):
    pass


@docs_policy
class RedocView(SpectacularRedocView):
    pass
