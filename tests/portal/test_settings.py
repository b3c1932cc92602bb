"""Production settings, checked the way they run: a fresh process with the production environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], **env_overrides: str) -> subprocess.CompletedProcess:
    # A production process starts clean: nothing the test run itself set (e.g. DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
        and not (k.startswith("DJANGO_") and k != "DJANGO_SETTINGS_MODULE")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("debug", ["0", "false"])
def test_check_deploy_is_clean_in_production(debug, tmp_path):
    result = _run(
        ["check", "--deploy"],
        DEBUG=debug,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="stagegate.bank.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert (result.stdout, result.stderr) == ("System check identified no issues (0 silenced).\n", "")


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = _run(
        ["check"],
        DEBUG="0",
        ALLOWED_HOSTS="stagegate.bank.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 1
    assert result.stderr.endswith(
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off.\n"
    )


def test_development_defaults_need_no_environment(tmp_path):
    result = _run(["check"], DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"
