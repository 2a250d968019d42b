"""Browser tests: a real server (migrate, collectstatic, demo data, gunicorn) and Debian's Chromium.

The server runs in its own process on its own database (a fresh SQLite file, or a fresh
PostgreSQL database next to the one in DATABASE_URL), exactly as `make run` would start it.
Without Chromium these tests are skipped with a visible reason, unless MOWAKABA_REQUIRE_BROWSER
is set (CI sets it), in which case a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "_artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
PASSWORD = "demo-Mowakaba-2026"
# The environment of the running server (its database, its settings), for `server_shell`.
SERVER_ENV: dict[str, str] = {}


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    reason = "no chromium on this machine (apt-get install chromium): browser tests skipped"
    if os.environ.get("MOWAKABA_REQUIRE_BROWSER"):
        pytest.fail(reason.replace("skipped", "required by MOWAKABA_REQUIRE_BROWSER"))
    pytest.skip(reason)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def _database_url(tmp: Path) -> tuple[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}", None
    import psycopg

    name = f"mowakaba_browser_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.rsplit("/", 1)[0] + "/" + name, drop


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium()
    tmp = tmp_path_factory.mktemp("server")
    db_url, drop = _database_url(tmp)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"TASKS_BACKEND", "MOWAKABA_PLAIN_STATIC"}}
    env.update({"DJANGO_SETTINGS_MODULE": "mowakaba.settings", "DATABASE_URL": db_url, "HTTPS": "0",
                "MOWAKABA_VAR": str(tmp), "SECRET_KEY": "browser-tests-" + "x" * 40, "PORT": str(port)})
    SERVER_ENV.clear()
    SERVER_ENV.update(env)
    run = [sys.executable, "-m", "mowakaba"]
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["demo", "--scale", "small"],
                 ["vigilance", "tick"]):
        subprocess.run(run + args, env=env, check=True, capture_output=True)
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen([*run, "serve", "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.terminate()
        raise RuntimeError("the server did not start: " + (tmp / "server.log").read_text()[-3000:])
    yield base
    proc.terminate()
    proc.wait(timeout=15)
    log.close()
    if drop:
        drop()


def server_shell(code: str) -> str:
    """Run Python in a Django shell on the server's own database (to find, or prepare, what a
    test needs there) and return what it printed. Only while the `server` fixture is up."""
    assert SERVER_ENV, "server_shell needs the server fixture"
    done = subprocess.run([sys.executable, "-m", "mowakaba", "shell", "-v0", "-c", code], env=SERVER_ENV,
                          check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Session:
    """A browser tab with helpers, which records every URL the page asks for."""

    def __init__(self, browser: Any, base: str, width: int = 1280, height: int = 860) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.go("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form.form button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.base) and not u.startswith("data:")]


@pytest.fixture
def tab(browser: Any, server: str) -> Iterator[Session]:
    s = Session(browser, server)
    yield s
    s.context.close()


@pytest.fixture
def phone(browser: Any, server: str) -> Iterator[Session]:
    s = Session(browser, server, width=390, height=844)
    yield s
    s.context.close()
