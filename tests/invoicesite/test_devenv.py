"""``var/dev.env``, the development file `make run` writes (invoicesite/devenv.py): private, random, kept."""

import os
import stat
from pathlib import Path

from invoicesite.devenv import SECRET_NAMES, load_dev_env, parse_dev_env, write_dev_env

ROOT = Path(__file__).resolve().parents[2]


def test_the_file_is_private_and_its_secrets_long_and_distinct(tmp_path):
    path = tmp_path / "var" / "dev.env"
    assert write_dev_env(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = parse_dev_env(path.read_text(encoding="utf-8"))
    assert values["DEBUG"] == "1"
    secrets = [values[name] for name in SECRET_NAMES]
    assert all(len(secret) >= 48 for secret in secrets)
    assert len(set(secrets)) == len(secrets)
    # Generated, not a constant: another file has other secrets.
    other = tmp_path / "other.env"
    write_dev_env(other)
    assert not set(secrets) & set(parse_dev_env(other.read_text(encoding="utf-8")).values())


def test_an_existing_file_is_kept(tmp_path):
    path = tmp_path / "dev.env"
    write_dev_env(path)
    before = path.read_bytes()
    assert not write_dev_env(path)
    assert path.read_bytes() == before


def test_loading_sets_only_what_the_environment_lacks(tmp_path, monkeypatch):
    path = tmp_path / "dev.env"
    path.write_text("# comment\n\nDEBUG=1\nSECRET_KEY=from-file\nJWT_SIGNING_KEY=a=b\n", encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.delenv("JWT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)

    assert sorted(load_dev_env(path)) == ["DEBUG", "JWT_SIGNING_KEY"]
    assert os.environ["SECRET_KEY"] == "from-env"
    assert os.environ["JWT_SIGNING_KEY"] == "a=b"
    assert os.environ["DEBUG"] == "1"


def test_a_missing_file_sets_nothing(tmp_path):
    assert load_dev_env(tmp_path / "absent.env") == []


def test_the_file_stays_out_of_git_and_the_image():
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()
    assert "var" in (ROOT / ".dockerignore").read_text().splitlines()
