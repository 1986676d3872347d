"""djoser's documented URLs, plus the liveness view the bench waits for."""

from django.http import JsonResponse
from django.urls import include, path


def live(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("health/live/", live),
    path("auth/", include("djoser.urls")),
    path("auth/", include("djoser.urls.authtoken")),
    path("auth/", include("djoser.urls.jwt")),
]
