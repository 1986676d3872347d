"""Admin for the email user: search by address and name, filter by status."""

from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.contrib.sites.models import Site
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken import admin as _drf_token_admin  # noqa: F401
from rest_framework.authtoken.models import TokenProxy

from accounts import services, two_factor
from accounts.devices import device_label
from accounts.models import AuditEvent, TokenSession, User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PasswordChangeAdminForm(AdminPasswordChangeForm):
    """The admin's "change password" form, through the same service as the API: the account's
    other credentials end, its owner is told, and the audit log records who did it."""

    def save(self, commit: bool = True) -> User:
        if commit and self.cleaned_data.get("set_usable_password", True):
            services.password_change(user=self.user, new_password=self.cleaned_data["password1"])
            return self.user
        user = super().save(commit=commit)
        if commit:  # password login switched off for this account
            services.credentials_revoke(user=user)
        return user


class EmailAddressInline(admin.TabularInline):
    """allauth's copy of the address, kept in step by accounts.signals (read-only here)."""

    model = EmailAddress
    fields = ("email", "verified", "primary")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    change_password_form = PasswordChangeAdminForm
    inlines = (EmailAddressInline,)
    add_form = UserCreationAdminForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "date_joined")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ("reset_two_factor",)

    @admin.action(
        description=_("Turn two-factor authentication off (lost authenticator)"),
        permissions=("change",),
    )
    def reset_two_factor(self, request, queryset) -> None:
        """For an owner who lost their authenticator and their recovery codes: audited with
        the staff member as actor, and the owner is mailed."""
        reset = sum(two_factor.totp_deactivate(user=user, actor=request.user) for user in queryset)
        self.message_user(
            request, _("Two-factor authentication turned off: %(count)d.") % {"count": reset}
        )

    def save_model(self, request, obj, form, change) -> None:
        """Deactivating an account here is `account_deactivate`: its credentials end too."""
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.account_deactivate(user=obj)

    def delete_model(self, request, obj) -> None:
        services.account_delete(user=obj)


# allauth.mfa's own admin would delete authenticators without the notice and the audit event
# (UserAdmin.reset_two_factor does both), and shows their encrypted data.
admin.site.unregister(Authenticator)

# DRF's token admin would create keys stored in the clear; token sessions replace it. Its
# module is imported here, so it has registered before it is taken away.
admin.site.unregister(TokenProxy)


@admin.register(TokenSession)
class TokenSessionAdmin(admin.ModelAdmin):
    """The session registry: a token's short key prefix, never a key (only its digest is
    stored). Deleting a session of any kind ends it at once, on every worker
    (services.session_end); keys come from logins and `manage.py drf_create_token` only."""

    list_display = (
        "key_prefix",
        "user_id",
        "kind",
        "device",
        "source",
        "created_at",
        "last_seen_at",
    )
    list_filter = ("kind", "source")
    search_fields = ("key_prefix", "user__email", "ip_address")
    fields = (
        "user",
        "kind",
        "source",
        "key_prefix",
        "created_at",
        "last_seen_at",
        "ip_address",
        "user_agent",
    )
    readonly_fields = fields
    raw_id_fields = ("user",)
    show_full_result_count = False
    actions = ("end_sessions",)

    @admin.display(description=_("device"))
    def device(self, obj: TokenSession) -> str:
        return device_label(obj.user_agent)

    @admin.action(description=_("End the selected sessions"), permissions=("delete",))
    def end_sessions(self, request, queryset) -> None:
        """The same service as `DELETE /auth/sessions/<id>/`: JWT and browser sessions end too."""
        ended = 0
        for session in queryset:
            services.session_end(session=session)
            ended += 1
        self.message_user(request, _("Sessions ended: %(count)d.") % {"count": ended})

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        services.session_end(session=obj)  # a JWT or browser session ends with its row

    def delete_queryset(self, request, queryset) -> None:
        for session in queryset:
            services.session_end(session=session)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: rows leave only through `manage.py purge_audit_events`."""

    list_display = (
        "created_at",
        "event",
        "outcome",
        "actor_email",
        "target",
        "route",
        "ip_address",
    )
    list_filter = ("event", "outcome", "created_at")
    search_fields = ("target", "actor_email", "ip_address", "detail")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "event",
        "outcome",
        "actor",
        "actor_email",
        "target",
        "detail",
        "route",
        "ip_address",
        "user_agent",
    )
    readonly_fields = fields
    raw_id_fields = ("actor",)
    show_full_result_count = False  # no COUNT(*) over a large log on every page

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- the admin index: one "Accounts" section, nothing that is always empty ---
# axes' tables stay empty — failed logins are counted in the counter cache (accounts.lockout)
# and recorded in the audit log above.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


def off_the_index(model, shown: Callable[[], bool]) -> None:
    """Keep `model`'s admin pages, but list its section on the index only while `shown()`."""
    registered = type(admin.site._registry[model])

    class Listed(registered):  # type: ignore[valid-type,misc]
        def has_module_permission(self, request) -> bool:
            return shown() and super().has_module_permission(request)

    admin.site.unregister(model)
    admin.site.register(model, Listed)


def social_providers_configured() -> bool:
    """Sign-in providers are set up (OIDC_PROVIDERS); read defensively, it may be unset."""
    return bool(getattr(settings, "OIDC_PROVIDERS", None))


# allauth's EmailAddress would be a second "Accounts" section: its rows are on each user's page
# (read-only), its list stays at /admin/account/emailaddress/.
off_the_index(EmailAddress, shown=lambda: False)
for _model in (Site, SocialApp, SocialAccount, SocialToken):
    if admin.site.is_registered(_model):
        off_the_index(_model, shown=social_providers_configured)
