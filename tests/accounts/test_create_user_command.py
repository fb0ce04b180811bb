import pytest
from django.core.management import CommandError, call_command

from accounts.models import User


def test_create_user_reads_the_password_file(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("a sturdy passphrase 77\n")

    call_command("create_user", "Op@Example.com", "--password-file", str(secret), "--staff")

    user = User.objects.get(email="op@example.com")
    assert user.is_staff
    assert user.check_password("a sturdy passphrase 77")


def test_create_user_prompts_for_the_password(db, monkeypatch):
    answers = iter(["prompted passphrase 12", "prompted passphrase 12"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    call_command("create_user", "prompt@example.com")

    assert User.objects.get(email="prompt@example.com").check_password("prompted passphrase 12")


def test_create_user_refuses_a_weak_password(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("123\n")

    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_user", "weak@example.com", "--password-file", str(secret))
    assert not User.objects.filter(email="weak@example.com").exists()


def test_create_user_refuses_a_duplicate(make_user, tmp_path):
    make_user("dup@example.com")
    secret = tmp_path / "pw"
    secret.write_text("a sturdy passphrase 77\n")

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", "DUP@example.com", "--password-file", str(secret))


def test_create_user_refuses_an_invalid_email(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("a sturdy passphrase 77\n")

    with pytest.raises(CommandError, match="not a valid email"):
        call_command("create_user", "not-an-email", "--password-file", str(secret))


def test_createsuperuser_works_with_email_as_login(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "super passphrase 99")

    call_command("createsuperuser", "--no-input", "--email", "boss@example.com")

    boss = User.objects.get(email="boss@example.com")
    assert boss.is_superuser
    assert boss.is_staff
