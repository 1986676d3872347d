"""Account routes (README "Accounts"): /auth/, /dj-rest-auth/, /accounts/, link pages."""

from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from dj_rest_auth.views import UserDetailsView
from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt import views as jwt_views

from accounts import (
    code_login_pages,
    entrance,
    pages,
    provider_pages,
    provider_views,
    two_factor_views,
    views,
)

router = DefaultRouter()
router.register("users", views.AccountViewSet, basename="user")
router.register("sessions", views.SessionViewSet, basename="session")

# djoser's documented paths; its username-reset actions are not routed (accounts.views).
auth_patterns = [
    *router.urls,
    re_path(r"^token/login/?$", views.TokenLoginView.as_view(), name="login"),
    re_path(r"^token/logout/?$", views.TokenLogoutView.as_view(), name="logout"),
    re_path(r"^jwt/create/?$", views.JWTCreateView.as_view(), name="jwt-create"),
    re_path(r"^jwt/refresh/?$", jwt_views.TokenRefreshView.as_view(), name="jwt-refresh"),
    re_path(r"^jwt/verify/?$", jwt_views.TokenVerifyView.as_view(), name="jwt-verify"),
    re_path(r"^login/code/?$", views.LoginCodeRequestView.as_view(), name="login-code"),
    re_path(
        r"^login/code/confirm/?$",
        views.LoginCodeConfirmView.as_view(),
        name="login-code-confirm",
    ),
]

# dj-rest-auth's documented paths, listed one by one: its own url modules also name
# `account_confirm_email` (a template-less page) and match any path that merely ends alike.
rest_auth_patterns = [
    re_path(r"^login/?$", views.RestAuthLoginView.as_view(), name="rest_login"),
    re_path(r"^logout/?$", views.RestAuthLogoutView.as_view(), name="rest_logout"),
    re_path(r"^user/?$", UserDetailsView.as_view(), name="rest_user_details"),
    re_path(
        r"^password/change/?$",
        views.RestAuthPasswordChangeView.as_view(),
        name="rest_password_change",
    ),
    re_path(
        r"^password/reset/?$", views.RestAuthPasswordResetView.as_view(), name="rest_password_reset"
    ),
    re_path(
        r"^password/reset/confirm/?$",
        views.RestAuthPasswordResetConfirmView.as_view(),
        name="rest_password_reset_confirm",
    ),
    re_path(r"^registration/?$", views.RestAuthRegisterView.as_view(), name="rest_register"),
    re_path(
        r"^registration/verify-email/?$",
        views.RestAuthVerifyEmailView.as_view(),
        name="rest_verify_email",
    ),
    re_path(
        r"^registration/resend-email/?$",
        views.RestAuthResendEmailView.as_view(),
        name="rest_resend_email",
    ),
    # Sign-in with an OpenID Connect provider (configured by OIDC_PROVIDERS).
    re_path(
        r"^oidc/(?P<provider_id>[-\w]+)/?$",
        provider_views.ProviderLoginView.as_view(),
        name="oidc_login",
    ),
    re_path(
        r"^oidc/(?P<provider_id>[-\w]+)/connect/?$",
        provider_views.ProviderConnectView.as_view(),
        name="oidc_connect",
    ),
    re_path(
        r"^socialaccounts/?$",
        provider_views.SocialAccountListView.as_view(),
        name="social_account_list",
    ),
    re_path(
        r"^socialaccounts/(?P<pk>[0-9]+)/disconnect/?$",
        provider_views.SocialAccountDisconnectView.as_view(),
        name="social_account_disconnect",
    ),
    # dj-rest-auth 7.2's two-factor paths, over allauth.mfa's store (accounts.two_factor_views).
    re_path(r"^mfa/status/?$", two_factor_views.MFAStatusView.as_view(), name="mfa_status"),
    re_path(
        r"^mfa/totp/activate/?$",
        two_factor_views.TOTPActivateView.as_view(),
        name="mfa_totp_activate",
    ),
    re_path(
        r"^mfa/totp/deactivate/?$",
        two_factor_views.TOTPDeactivateView.as_view(),
        name="mfa_totp_deactivate",
    ),
    re_path(
        r"^mfa/recovery-codes/?$",
        two_factor_views.RecoveryCodesView.as_view(),
        name="mfa_recovery_codes",
    ),
    re_path(
        r"^mfa/recovery-codes/regenerate/?$",
        two_factor_views.RecoveryCodesRegenerateView.as_view(),
        name="mfa_recovery_codes_regenerate",
    ),
    re_path(r"^mfa/verify/?$", two_factor_views.MFAVerifyView.as_view(), name="mfa_verify"),
]

# allauth's own pages needed for session login, confirmation and social callbacks. Its
# sign-up, password and address-management pages are not mounted: in their place (and under
# their names, which allauth's templates link to) Canvass's pages call the API's services.
allauth_patterns = [
    path("login/", allauth_views.login, name="account_login"),
    path("signup/", entrance.sign_up, name="account_signup"),
    path("password/reset/", entrance.password_reset, name="account_reset_password"),
    path(
        "resend-confirmation/",
        entrance.resend_confirmation,
        name="account_resend_confirmation",
    ),
    path("logout/", allauth_views.logout, name="account_logout"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path(
        "confirm-email/",
        allauth_views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    re_path(
        r"^confirm-email/(?P<key>[-:\w]+)/$",
        allauth_views.confirm_email,
        name="account_confirm_email",
    ),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    # The login page's "Email me a sign-in code" (Canvass's pages, accounts.code_login_pages).
    path("login/code/", code_login_pages.code_request, name="account_login_code"),
    path("login/code/confirm/", code_login_pages.code_entry, name="account_login_code_confirm"),
    # Sign-in with an OpenID Connect provider (allauth's pages, under allauth's names).
    path("oidc/<str:provider_id>/login/", provider_pages.login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        provider_pages.callback,
        name="openid_connect_callback",
    ),
    # The second page of a browser login with two-factor authentication on.
    path("2fa/authenticate/", mfa_views.authenticate, name="mfa_authenticate"),
]

# The pages emailed links open ({FRONTEND_URL}/…; a trailing slash is accepted too).
link_patterns = [
    re_path(r"^activate/(?P<uid>[^/]+)/(?P<token>[^/]+)/?$", pages.activate, name="activate"),
    re_path(r"^verify-email/(?P<key>[^/]+)/?$", pages.verify_email, name="verify_email"),
    re_path(
        r"^password/reset/confirm/(?P<uid>[^/]+)/(?P<token>[^/]+)/?$",
        pages.password_reset_confirm,
        name="password_reset_confirm",
    ),
    re_path(
        r"^email/change/confirm/(?P<key>[^/]+)/?$",
        pages.email_change_confirm,
        name="email_change_confirm",
    ),
    re_path(r"^login/code/(?P<key>[^/]+)/?$", pages.login_code_link, name="login_code_link"),
]

urlpatterns = [
    path("auth/", include(auth_patterns)),
    path("dj-rest-auth/", include(rest_auth_patterns)),
    path("accounts/", include(allauth_patterns)),
    re_path(r"^api-token-auth/?$", views.ObtainTokenView.as_view(), name="api-token-auth"),
    *link_patterns,
]
