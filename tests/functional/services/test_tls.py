"""``[api] enable_ssl_api``: the API speaks HTTPS with the ``[ssl]`` certificate.

The certificate is made by the test; the client is a real TLS client (requests over
the standard library's ssl) that verifies it.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
import requests

from mistral import exceptions as exc
from mistral.cmd import launch
from tests.functional.services.tls import self_signed


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launcher(tmp_path: Path, text: str) -> launch.Launcher:
    f = tmp_path / "mistral.conf"
    f.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\n[api]\nhost = 127.0.0.1\nport = {_port()}\n" + text)
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    services = launch.load_config(["--config-file", str(f), "--server", "api,engine"], conf)
    return launch.Launcher(conf, services)


def test_https_with_the_configured_certificate(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    launcher = _launcher(tmp_path, f"[api]\nenable_ssl_api = True\n[ssl]\ncert_file = {cert}\nkey_file = {key}\n")
    launcher.start()
    try:
        port = launcher.api_server.server_port
        r = requests.get(f"https://127.0.0.1:{port}/v2/workflows", verify=str(cert), timeout=10)
        assert r.status_code == 200 and r.json() == {"workflows": []}
        # links the API builds say https (wsgi.url_scheme)
        root = requests.get(f"https://127.0.0.1:{port}/", verify=str(cert), timeout=10).json()
        assert "https://" in str(root)
        # a client that does not trust the certificate is refused by its own TLS check
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"https://127.0.0.1:{port}/v2/workflows", timeout=10)
        # plain HTTP on the TLS port gets no HTTP answer, and the server keeps serving
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/v2/workflows", timeout=10)
        ctx = ssl.create_default_context(cafile=str(cert))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                assert tls.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        launcher.stop()


def test_ssl_without_a_certificate_is_a_clear_start_error(tmp_path: Path) -> None:
    launcher = _launcher(tmp_path, "[api]\nenable_ssl_api = True\n")
    try:
        with pytest.raises(exc.ConfigError, match=r"cert_file and key_file"):
            launcher.start()
    finally:
        launcher.stop()
    launcher = _launcher(tmp_path, f"[api]\nenable_ssl_api = True\n[ssl]\ncert_file = {tmp_path}/nope.pem\n"
                                   f"key_file = {tmp_path}/nope.key\n")
    try:
        with pytest.raises(exc.ConfigError, match=r"no such file"):
            launcher.start()
    finally:
        launcher.stop()
