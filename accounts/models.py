"""The email-based user: the address is the identity, unique in its canonical form."""

from contextlib import suppress
from datetime import timedelta
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.addresses import AddressError, canonical_email, validate_canonical_email

EMAIL_TAKEN = _("An account with this email address already exists.")


class CanonicalEmailField(models.CharField):
    """The row's `email` in canonical form (accounts.addresses), computed on every write that
    goes through the model (save, bulk_create); an address without one raises AddressError."""

    def pre_save(self, model_instance, add):
        value = canonical_email(model_instance.email)
        setattr(model_instance, self.attname, value)
        return value


class UserQuerySet(models.QuerySet):
    def with_email(self, email: str) -> "UserQuerySet":
        """The account `email` names in any spelling: the one whose canonical address
        (accounts.addresses) is `email`'s; none for an address without a canonical form."""
        try:
            return self.filter(email_canonical=canonical_email(email))
        except AddressError:
            return self.none()

    def confirmed(self) -> "UserQuerySet":
        """Accounts that confirmed their address (see accounts.policy for the one definition)."""
        return self.filter(is_active=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        # Login forms and authenticate() pass the address as typed; match any spelling of it.
        return self.with_email(username).get()

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).strip(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_active", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    # As the owner typed it (domain lower-cased): shown and mailed to.
    email = models.EmailField(
        _("email address"), max_length=254, unique=True, validators=[validate_canonical_email]
    )
    # The identity: every lookup and uniqueness check goes through it (accounts.addresses).
    email_canonical = CanonicalEmailField(_("canonical address"), max_length=254, editable=False)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["email_canonical"],
                name="accounts_user_email_canonical_unique",
                violation_error_message=EMAIL_TAKEN,
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email).strip()
        with suppress(AddressError):  # reported by the field's validator
            self.email_canonical = canonical_email(self.email)
            # Forms leave the (non-editable) canonical field out of their constraint checks.
            others = type(self)._default_manager.exclude(pk=self.pk)
            if others.filter(email_canonical=self.email_canonical).exists():
                raise ValidationError({"email": EMAIL_TAKEN}, code="unique")

    def save(self, *args, **kwargs) -> None:
        # A save of the address saves its canonical form too (CanonicalEmailField).
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_canonical"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class AuditEvent(models.Model):
    """One security-relevant account event: who did what, from where, and how it ended.

    Written by accounts.audit only, never changed afterwards; `manage.py purge_audit_events`
    removes rows past their retention. No field holds a password, token, key or link: the
    route is a view name (link paths carry tokens), and `target`/`detail` hold addresses.
    """

    class Event(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        CONFIRMATION = "confirmation", _("address confirmed")
        LOGIN = "login", _("login")
        LOGOUT = "logout", _("logout")
        LOCKOUT = "lockout", _("lockout")
        PASSWORD_CHANGE = "password_change", _("password change")
        PASSWORD_RESET_REQUEST = "password_reset_request", _("password reset requested")
        PASSWORD_RESET = "password_reset", _("password reset")
        LOGIN_CODE_REQUEST = "login_code_request", _("sign-in code requested")
        EMAIL_CHANGE_REQUEST = "email_change_request", _("email change requested")
        EMAIL_CHANGE = "email_change", _("email change")
        CREDENTIALS_REVOKED = "credentials_revoked", _("credentials revoked")
        DEACTIVATION = "deactivation", _("deactivation")
        DELETION = "deletion", _("deletion")
        PROVIDER_LINK = "provider_link", _("identity provider linked")
        PROVIDER_UNLINK = "provider_unlink", _("identity provider unlinked")
        MFA_ENABLED = "mfa_enabled", _("two-factor authentication on")
        MFA_DISABLED = "mfa_disabled", _("two-factor authentication off")
        MFA_RECOVERY_CODES_REGENERATED = "mfa_codes_regenerated", _("recovery codes regenerated")
        MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("recovery code used")
        MFA_CODE = "mfa_code", _("two-factor code")
        DATA_EXPORT = "data_export", _("personal data exported")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's address when the event happened: kept after the account is deleted.
    actor_email = models.CharField(_("actor's address"), max_length=254, blank=True)
    target = models.CharField(_("target"), max_length=254, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    route = models.CharField(_("route"), max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["target", "-created_at"], name="accounts_audit_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event} {self.outcome} {self.target}"


class EndedJwtSession(models.Model):
    """A JWT session ended by a logout: no token carrying its id (the `sid` claim every pair
    issued by `/auth/jwt/create/` holds, kept through refresh rotation) is accepted again.

    Written by `accounts.services.jwt_session_end`, read by JWT authentication (folded into the
    user's query), refresh and verify. `expires_at` is when every token the session could have
    issued has expired; `manage.py purge_ended_jwt_sessions` removes the rows past it.
    """

    sid = models.CharField(_("session id"), max_length=64, unique=True)
    ended_at = models.DateTimeField(_("ended"), default=timezone.now)
    expires_at = models.DateTimeField(_("kept until"), db_index=True)

    class Meta:
        verbose_name = _("ended JWT session")
        verbose_name_plural = _("ended JWT sessions")

    def __str__(self) -> str:
        return self.sid


class PendingEmailChange(models.Model):
    """An account's requested address change, waiting for the link mailed to the new address.

    Written by `accounts.services.email_change_request` (one per account: a newer request
    replaces it) and spent by `email_change_confirm`. A password change or reset, a
    deactivation or a deletion removes it (`credentials_revoke`), so a link requested by
    someone who once knew the password dies with that password. Only the SHA-256 digest of the
    link's random key is stored: the table does not hold a usable link.
    """

    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="pending_email_change",
    )
    new_email = models.EmailField(_("new address"), max_length=254)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        verbose_name = _("pending email change")
        verbose_name_plural = _("pending email changes")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.new_email}"


class Counter(models.Model):
    """A throttle or failed-login counter kept in the database (accounts.counters), when there is
    no Redis or it cannot be reached: one row per key, changed by single statements only, so
    concurrent workers never lose a count. A row past `expires_at` counts as absent."""

    key = models.CharField(_("key"), max_length=255, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)
    # Seconds since the epoch: compared with the Python clock in one statement on every backend.
    expires_at = models.FloatField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class TokenSession(models.Model):
    """One login of the account, of any kind: the session registry (`GET /auth/sessions/`).

    A `token` session is an API credential: a random key the client sends as `Authorization:
    Token <key>`, of which only the SHA-256 digest is stored (the table holds no usable key).
    A `jwt` session is a JWT login's `sid` (accounts.jwt_sessions), a `browser` session a
    Django session key: `session_key` holds it (neither is a credential on its own; Django's
    session table holds the key in the clear too) so ending the row can end that session, and
    `key_digest` its digest, one unique column for every kind.

    Every login on a token route starts one (accounts.sessions); a logout ends only its own, a
    password change the others, a reset, deactivation or deletion all of them. It ends by
    itself after TOKEN_IDLE_DAYS unused (`last_seen_at`, written at most once a minute) or
    TOKEN_MAX_AGE_DAYS after `created_at`; JWT and browser sessions live as long as their
    refresh token or cookie (accounts.selectors.sessions_of).
    """

    class Kind(models.TextChoices):
        TOKEN = "token", _("API token")
        JWT = "jwt", _("JWT session")
        BROWSER = "browser", _("browser session")

    class Source(models.TextChoices):
        LOGIN = "login", _("login")
        COMMAND = "command", _("drf_create_token")
        MIGRATION = "migration", _("DRF token before sessions")

    class Method(models.TextChoices):
        """How the account proved who it is at this login (before any second factor)."""

        PASSWORD = "password", _("password")
        CODE = "code", _("emailed code")
        PROVIDER = "provider", _("identity provider")

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="token_sessions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TOKEN)
    source = models.CharField(
        _("started by"), max_length=16, choices=Source.choices, default=Source.LOGIN
    )
    method = models.CharField(
        _("signed in with"), max_length=16, choices=Method.choices, default=Method.PASSWORD
    )
    # When this login last passed the second factor (two-factor authentication); None: never.
    second_factor_at = models.DateTimeField(_("second factor passed"), null=True, blank=True)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True)
    # The key's first characters, for telling sessions apart; never enough to use it.
    key_prefix = models.CharField(_("key prefix"), max_length=8, blank=True)
    session_key = models.CharField(_("session id"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("token session")
        verbose_name_plural = _("token sessions")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.kind})"


class KnownDevice(models.Model):
    """A (user agent, client address) pair an account has logged in from, kept as a digest:
    a login from a pair not seen in KNOWN_DEVICE_DAYS mails the account a new sign-in notice
    (accounts.services.known_device_record). Rows outlive the sessions; purge_known_devices
    deletes them after KNOWN_DEVICE_DAYS."""

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="known_devices",
    )
    digest = models.CharField(_("device digest"), max_length=64)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="known_device_user_digest")
        ]

    def __str__(self) -> str:
        return f"{self.digest[:8]}… ({self.last_seen_at:%Y-%m-%d})"


class LoginCode(models.Model):
    """An account's emailed sign-in code and its link, waiting to be used (accounts.code_login).

    One per account: a newer request replaces it. It ends when used (by the code or the link),
    after `accounts.login_codes.MAX_WRONG_TRIES` wrong codes, or at `expires_at`. Neither the
    code nor the link key is stored, only their digests (accounts.login_codes). `sent_to` is
    the canonical address the mail went to: a code stops working if the account's address
    changes.
    """

    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="login_code",
    )
    code_digest = models.CharField(_("code digest"), max_length=64)
    key_digest = models.CharField(_("link key digest"), max_length=64, unique=True)
    sent_to = models.CharField(_("sent to"), max_length=254)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"), db_index=True)
    # Codes compared against this one so far (each counted before it is compared).
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")

    def __str__(self) -> str:
        return f"{self.user_id} (until {self.expires_at:%H:%M})"


class SecondFactorChallenge(models.Model):
    """A login whose first factor passed and whose account has two-factor authentication on:
    the ephemeral token the client must bring back with a code (accounts.two_factor).

    Only the token's digest is stored. The row is bound to the route that started the login
    and to how the first factor was proved; it ends on success, after `MAX_FAILURES` wrong
    codes, or `LIFETIME` after it was made."""

    LIFETIME = timedelta(minutes=5)
    MAX_FAILURES = 5

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    route = models.CharField(_("login route"), max_length=16)
    method = models.CharField(
        _("signed in with"), max_length=16, choices=TokenSession.Method.choices
    )
    failures = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("second-factor challenge")
        verbose_name_plural = _("second-factor challenges")

    def __str__(self) -> str:
        return f"{self.route} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def expired(self) -> bool:
        return timezone.now() - self.created_at > self.LIFETIME
