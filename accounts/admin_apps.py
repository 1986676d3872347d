"""django.contrib.admin's app config with Canvass's site (a module of its own: Django reads it
while the app registry is filling, before any model can be imported)."""

from django.contrib.admin.apps import AdminConfig


class AccountAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.AccountAdminSite"
