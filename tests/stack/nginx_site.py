"""deploy/nginx/chamyeo.conf, made runnable on loopback: the same file with its placeholders
replaced (host name, certificate, directories, listen addresses, upstream servers), inside a
minimal nginx.conf with its own prefix, so it never touches a system nginx or a root port.

``python -m tests.stack.nginx_site`` (``make check``) validates the site with ``nginx -t``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "chamyeo.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UPSTREAM_SERVERS = (
    "    server 127.0.0.1:8001 max_fails=1 fail_timeout=10s;\n"
    "    server 127.0.0.1:8002 max_fails=1 fail_timeout=10s;\n"
)


@dataclass(frozen=True)
class Site:
    prefix: Path  # nginx's prefix: logs, temp files, pid
    https_port: int
    http_port: int
    certificate: Path
    key: Path
    static_root: Path
    media_root: Path
    upstreams: tuple[int, ...]


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:
        raise ValueError(f"deploy/nginx/chamyeo.conf no longer contains {old!r}")
    return text.replace(old, new)


def render_site(site: Site) -> str:
    """The deployed site with this machine's values in place of the placeholders."""
    text = SITE.read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in site.upstreams
    )
    for old, new in (
        (UPSTREAM_SERVERS, servers),
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{site.http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{site.https_port} ssl http2;"),
        (
            "/etc/letsencrypt/live/budget.example.go.kr/fullchain.pem",
            str(site.certificate),
        ),
        ("/etc/letsencrypt/live/budget.example.go.kr/privkey.pem", str(site.key)),
        ("server_name budget.example.go.kr;", "server_name localhost;"),
        ("/srv/chamyeo/app/staticfiles/", f"{site.static_root}/"),
        ("/srv/chamyeo/media/", f"{site.media_root}/"),
        ("/var/cache/nginx/chamyeo", str(site.prefix / "cache")),
        ("/var/log/nginx/", f"{site.prefix}/logs/"),
        ("root /var/www/html;", f"root {site.prefix}/acme;"),
    ):
        text = _replace(text, old, new)
    return text


def write_config(site: Site) -> Path:
    """nginx.conf for ``nginx -p prefix -c conf``: the site inside a minimal http block."""
    for name in ("logs", "cache", "acme", "tmp"):
        (site.prefix / name).mkdir(parents=True, exist_ok=True)
    # As root, nginx's workers would switch to nobody, who cannot read a private temp dir.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = site.prefix / "tmp"
    conf = site.prefix / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 2;\n"
        f"pid {site.prefix}/nginx.pid;\n"
        f"error_log {site.prefix}/logs/error.log warn;\n"
        "events { worker_connections 2048; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        "    tcp_nopush on;\n"
        "    server_tokens off;\n"
        f"    client_body_temp_path {temp}/body;\n"
        f"    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n"
        f"    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"    access_log {site.prefix}/logs/access.log;\n"
        f"{render_site(site)}\n"
        "}\n"
    )
    return conf


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away certificate for localhost (and 127.0.0.1)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "localhost.crt", directory / "localhost.key"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_test(conf: Path, prefix: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [NGINX, "-t", "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )


def main() -> int:
    """``nginx -t`` on the deployed site (make check)."""
    with tempfile.TemporaryDirectory(prefix="chamyeo-nginx-") as tmp:
        prefix = Path(tmp)
        cert, key = self_signed_certificate(prefix / "tls")
        site = Site(
            prefix=prefix,
            https_port=8443,
            http_port=8080,
            certificate=cert,
            key=key,
            static_root=prefix / "static",
            media_root=prefix / "media",
            upstreams=(8001, 8002),
        )
        conf = write_config(site)
        result = nginx_test(conf, prefix)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
