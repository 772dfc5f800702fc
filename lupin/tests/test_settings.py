"""Start-up refuses unsafe or malformed settings, naming the variable; production passes --deploy.

Each case runs `lupin check` in a fresh process with a clean environment, because settings are
read once, at import.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET_KEY = "k3Y-for-tests-only-" + "x7Rq9" * 8  # 59 characters

# The production settings README.md documents (section "Production").
PRODUCTION = {
    "LUPIN_DEBUG": "0",
    "LUPIN_SECRET_KEY": SECRET_KEY,
    "LUPIN_ALLOWED_HOSTS": "lupin.example.no",
    "LUPIN_SITE_URL": "https://lupin.example.no",
    "LUPIN_PROXY_COUNT": "1",
    "LUPIN_SEALING_KEY": base64.b64encode(bytes(range(32))).decode(),
}


def lupin(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LUPIN_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "lupin", *args],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_development_mode_passes_the_checks(tmp_path: Path) -> None:
    result = lupin(tmp_path, "check", LUPIN_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_with_nothing_set_lupin_is_in_production_mode_and_refuses_to_start(tmp_path: Path) -> None:
    # Secure by default: a forgotten LUPIN_DEBUG must not start with development keys.
    result = lupin(tmp_path, "check")
    assert result.returncode != 0
    assert "LUPIN_SECRET_KEY" in result.stderr
    assert "LUPIN_DEBUG=1" in result.stderr  # what a developer should do


def test_production_refuses_a_missing_secret_key(tmp_path: Path) -> None:
    result = lupin(tmp_path, "check", LUPIN_DEBUG="0", LUPIN_ALLOWED_HOSTS="lupin.example.no")
    assert result.returncode != 0
    assert "LUPIN_SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = lupin(
        tmp_path,
        "check",
        LUPIN_DEBUG="0",
        LUPIN_SECRET_KEY="too-short",
        LUPIN_ALLOWED_HOSTS="lupin.example.no",
    )
    assert result.returncode != 0
    assert "LUPIN_SECRET_KEY" in result.stderr


def test_production_refuses_missing_allowed_hosts(tmp_path: Path) -> None:
    result = lupin(tmp_path, "check", LUPIN_DEBUG="0", LUPIN_SECRET_KEY=SECRET_KEY)
    assert result.returncode != 0
    assert "LUPIN_ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LUPIN_DEBUG", "maybe"),
        ("LUPIN_UPLOAD_MAX_MB", "abc"),
        ("LUPIN_UPLOAD_MAX_MB", "0"),
        ("LUPIN_LOGIN_FAILURE_LIMIT", "many"),
        ("LUPIN_HTTPS", "sometimes"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    env = {"LUPIN_DEBUG": "1", name: value}  # development mode, so only the bad value fails
    result = lupin(tmp_path, "check", **env)
    assert result.returncode != 0
    assert name in result.stderr
    assert "ImproperlyConfigured" in result.stderr
    assert "Traceback" not in result.stderr  # one line that names the variable, not a stack


def test_documented_production_settings_pass_the_deploy_checks(tmp_path: Path) -> None:
    result = lupin(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_every_variable_is_documented_in_env_example_and_readme() -> None:
    # Every variable any module reads through the settings helpers (settings.py, serve,
    # scheduler, …), found by scanning the source rather than listed by hand.
    read = set()
    for path in (BASE_DIR / "lupin").rglob("*.py"):
        if "tests" in path.parts:
            continue
        source = path.read_text()
        read |= set(re.findall(r'env_\w+\(\s*"((?:LUPIN|DATABASE)_[A-Z0-9_]+)"', source))
        read |= set(re.findall(r'environ(?:\.get)?\(\s*"((?:LUPIN|DATABASE)_[A-Z0-9_]+)"', source))
    assert {"LUPIN_DEBUG", "LUPIN_PORT", "LUPIN_SCHEDULER_SECONDS"} <= read  # the scan works
    env_example = (BASE_DIR / ".env.example").read_text()
    readme = (BASE_DIR / "README.md").read_text()

    for name in sorted(read):
        assert re.search(rf"^#? ?{name}=", env_example, re.MULTILINE), f"{name} not in .env.example"
        assert f"| `{name}` |" in readme, f"{name} not in README.md's table of settings"


def test_production_refuses_to_start_without_a_sealing_key(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "LUPIN_SEALING_KEY"}
    result = lupin(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "LUPIN_SEALING_KEY" in result.stderr


def test_without_a_site_url_links_go_to_the_port_lupin_serves_on(tmp_path: Path) -> None:
    show = ("shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SITE_URL)")

    def site_url(**env: str) -> str:
        return lupin(tmp_path, *show, LUPIN_DEBUG="1", **env).stdout.strip()

    assert site_url(LUPIN_PORT="8080") == "http://127.0.0.1:8080"
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(LUPIN_PORT="8080", LUPIN_SITE_URL="https://x.no") == "https://x.no"
