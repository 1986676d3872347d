"""Admin for the email user: search by address and name, filter by status."""

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from accounts import services
from accounts.models import User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


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

    def save_model(self, request, obj, form, change) -> None:
        """Deactivating an account here also revokes its tokens (accounts.services)."""
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.credentials_revoke(user=obj)

    def delete_model(self, request, obj) -> None:
        services.account_delete(user=obj)


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class AccountTokenAdmin(TokenAdmin):
    """DRF's token admin, picking the user by id: a select of every account does not scale."""

    raw_id_fields = ["user"]
    autocomplete_fields = ()
