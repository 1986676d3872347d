"""Survey routes under /api/surveys/ and the survey page."""

urlpatterns: list = []
