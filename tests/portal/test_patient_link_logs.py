"""Patient-link tokens never reach a log: not Django's (whatever DEBUG says) and not
gunicorn's access log, where they would sit in the request line and in the Referer."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "SomePatientsToken_0123-x"
SETTINGS_ENV = ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "LOG_LEVEL"]


def environment(**env: str) -> dict[str, str]:
    """This machine's environment without the portal's settings, plus `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    return {**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env}


def test_django_logs_redact_patient_links_in_development_too() -> None:
    """With DEBUG on, Django's own console handler used to print every 404 path as is."""
    code = (
        "import django; django.setup(); from django.test import Client; "
        f"Client().get('/p/{TOKEN}/no-such-page/')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment(DEBUG="1", ALLOWED_HOSTS="testserver", DATABASE_URL="sqlite:///:memory:"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Not Found: /p/[redacted]/no-such-page/" in output
    assert TOKEN not in output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start listening")


def get(port: int, path: str, **headers: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_gunicorn_with_the_shipped_config_redacts_tokens_in_its_access_log(tmp_path: Path) -> None:
    port, access_log = free_port(), tmp_path / "access.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
        ],
        cwd=ROOT,
        env=environment(DEBUG="1", ALLOWED_HOSTS="127.0.0.1", DATABASE_URL="sqlite:///:memory:"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(port, server)
        base = f"http://127.0.0.1:{port}"
        assert get(port, f"/p/{TOKEN}/no-such-page/") == 404
        # A patient page's stylesheet, logo or next page is asked for with the page's address.
        assert get(port, "/login/", Referer=f"{base}/p/{TOKEN}/") == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
    log = access_log.read_text()
    assert '"GET /p/[redacted]/no-such-page/ HTTP/1.1" 404' in log
    assert f'"{base}/p/[redacted]/"' in log
    assert TOKEN not in log
    assert TOKEN not in output  # gunicorn's error log and Django's own log lines
