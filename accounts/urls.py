"""Account routes: djoser under /auth/, dj-rest-auth under /dj-rest-auth/, allauth pages."""

urlpatterns: list = []
