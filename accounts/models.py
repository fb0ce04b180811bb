"""Users log in with their email address; there is no username."""

from typing import Any, ClassVar

from babel import Locale
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from invoices.i18n.locales import DEFAULT_LANGUAGE, LANGUAGES, MAX_TAG_LENGTH, LocaleError, parse_locale

# The catalog languages an account may read its emails in, named in English for the admin's list.
LANGUAGE_CHOICES = [(code, Locale.parse(code.replace("-", "_")).get_display_name("en")) for code in LANGUAGES]


def validate_locale(tag: str) -> None:
    """An account's default invoice locale must be one an invoice can be written in."""
    try:
        parse_locale(tag)
    except LocaleError as exc:
        raise ValidationError(str(exc)) from None


def normalize_email(email: str) -> str:
    """One spelling per address, so 'Ann@Example.com' and 'ann@example.com' are the same account."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalize_email(username or ""))

    def _create(self, email: str, password: str | None, **fields: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Designates whether the user can sign in to the admin site."
    )
    is_active = models.BooleanField(
        default=True, help_text="Unselect this instead of deleting accounts: issued invoices are kept."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        max_length=7,
        choices=LANGUAGE_CHOICES,
        default=DEFAULT_LANGUAGE,
        help_text="The language of the emails the service sends this account.",
    )
    locale = models.CharField(
        max_length=MAX_TAG_LENGTH,
        blank=True,
        validators=[validate_locale],
        help_text=(
            "The locale (BCP 47, such as de-CH) of this account's invoices when an upload names none; "
            "blank: from the invoice's language and the buyer's country."
        ),
    )

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email
