"""The deployed stack on loopback, for the stack test and ``make bench-stack``.

nginx (deploy/nginx/chamyeo.conf, TLS with a throw-away certificate) -> N gunicorn processes
(``config.settings.production``, distinct ports) -> the machine's PostgreSQL (a database of the
stack's own) and a private redis-server (deploy/redis/chamyeo.conf, AOF on, a free port, so it
can be stopped) -> Celery workers and one beat. Every process runs in its own session so one can
be killed as a crash would (SIGKILL to its process group). Nothing here touches a system service.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from urllib.parse import urlsplit

from tests.stack.nginx_site import NGINX
from tests.stack.nginx_site import Site
from tests.stack.nginx_site import self_signed_certificate
from tests.stack.nginx_site import write_config

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
REDIS_CONF = ROOT / "deploy" / "redis" / "chamyeo.conf"
SECRET_KEY = "stack-only-secret-key-" + "s" * 50
VOTER_KEY_SECRET = "stack-only-voter-key-secret"


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's smtp backend: every message is written to a file."""

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 stack mail sink")
        while raw := self.rfile.readline():
            command = raw.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self._reply("250 stack")
            elif command == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                self.server.deliver(b"".join(lines))  # type: ignore[attr-defined]
                self._reply("250 queued")
            elif command == "QUIT":
                self._reply("221 bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self._reply("250 ok")


class MailSink(socketserver.ThreadingTCPServer):
    """An SMTP server on a free loopback port that writes each message into ``directory``
    (production refuses the file and console e-mail backends, so the stack sends real SMTP)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, directory: Path) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.directory = directory
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def deliver(self, message: bytes) -> None:
        with self._lock:
            number = next(self._numbers)
        (self.directory / f"{time.time_ns()}-{number}.log").write_bytes(message)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def wait_for_log(path: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    tail = path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"
    raise RuntimeError(f"{path.name}: no {text!r} after {timeout} s\n{tail}")


def admin_url() -> str:
    """The machine's PostgreSQL, database ``postgres`` (DATABASE_URL's server)."""
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    return urlsplit(url)._replace(path="/postgres").geturl()


def database_url(name: str) -> str:
    return urlsplit(admin_url())._replace(path=f"/{name}").geturl()


def recreate_database(name: str, *, template: str | None = None) -> None:
    import psycopg

    if "stack" not in name:
        raise ValueError(f"refusing to recreate {name!r}: a stack database's name has 'stack'")
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(**variables: str) -> dict[str, str]:
    """The parent's environment without any setting of ours, plus production's variables."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "CHAMYEO_", "AWS_", "BENCH_"))
        and name not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"}
    }
    return env | {
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "CHAMYEO_VOTER_KEY_SECRET": VOTER_KEY_SECRET,
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CHAMYEO_TRUSTED_PROXY_COUNT": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        # production needs a mail server; a stack passes its own sink, set-up commands none
        "EMAIL_URL": "smtp://127.0.0.1:25",
        **variables,
    }


def prepare_static(directory: Path) -> Path:
    """collectstatic as a deployment does it (hashed, compressed names), once per directory."""
    if not (directory / "staticfiles.json").exists():
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=base_env(
                DJANGO_STATIC_ROOT=str(directory),
                DATABASE_URL=database_url("postgres"),
                REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
            ),
            check=True,
        )
    return directory


def prepare_template_database(name: str) -> str:
    """A migrated database that each stack copies (CREATE DATABASE ... TEMPLATE)."""
    recreate_database(name)
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=base_env(
            DATABASE_URL=database_url(name), REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"
        ),
        check=True,
    )
    return name


@dataclass
class Stack:
    """One deployment on loopback. ``start()`` it, ``stop()`` it (also after a failure)."""

    workdir: Path
    database: str
    static_root: Path
    template_database: str | None = None
    web_instances: int = 2
    web_workers: int = 2
    web_threads: int = 8
    celery_workers: int = 2
    beat: bool = True
    worker_settings: str = "config.settings.production"
    extra_env: dict[str, str] = field(default_factory=dict)
    # With S3 storage each gunicorn instance gets a media directory of its own, to prove that
    # nothing the nodes share lives on a local disk.
    media_per_web_instance: bool = False
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.redis_port = free_port()
        self.web_ports = [free_port() for _ in range(self.web_instances)]
        self.https_port = free_port()
        self.http_port = free_port()
        self.mail_dir = self.workdir / "mail"
        self.media_root = self.workdir / "media"
        self.logs = self.workdir / "logs"
        for directory in (self.mail_dir, self.media_root, self.logs, self.workdir / "redis"):
            directory.mkdir(parents=True, exist_ok=True)
        self.mail_sink = MailSink(self.mail_dir)

    # --- addresses and environment ---------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def certificate(self) -> Path:
        return self.workdir / "tls" / "localhost.crt"

    @property
    def env(self) -> dict[str, str]:
        return base_env(
            DATABASE_URL=database_url(self.database),
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            EMAIL_URL=f"smtp://127.0.0.1:{self.mail_sink.port}",
            DJANGO_MEDIA_ROOT=str(self.media_root),
            CHAMYEO_MEDIA_ACCEL_REDIRECT="/_media/",
            DJANGO_STATIC_ROOT=str(self.static_root),
            **self.extra_env,
        )

    # --- processes -------------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603
            argv,
            cwd=ROOT,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_redis(self) -> None:
        redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self._spawn(
            "redis",
            [
                redis_server,
                str(REDIS_CONF),
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.workdir / "redis"),
                "--logfile",
                "",
                "--pidfile",
                str(self.workdir / "redis" / "redis.pid"),
                "--supervised",
                "no",
                "--maxmemory",
                "256mb",
            ],
        )
        wait_for_port(self.redis_port)

    def stop_redis(self) -> None:
        """A clean shutdown (SIGTERM): Redis writes its append-only file and exits."""
        self.terminate("redis")

    def start_web(self, index: int) -> None:
        env = self.env
        if self.media_per_web_instance:
            env["DJANGO_MEDIA_ROOT"] = str(self.workdir / f"media-web{index}")
            Path(env["DJANGO_MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
        self._spawn(
            f"web{index}",
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_ports[index]}",
                "--workers",
                str(self.web_workers),
                "--threads",
                str(self.web_threads),
                "--worker-class",
                "gthread",
                "--keep-alive",
                "30",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--no-control-socket",  # several instances on one machine
            ],
            env,
        )

    def start_worker(self, index: int) -> None:
        self._spawn(
            f"worker{index}",
            [
                # as deploy/systemd/chamyeo-worker@.service: Nice=10 (``nice`` execs celery in
                # its own process, so killing the pid kills the worker)
                "nice",
                "-n",
                "10",
                str(BIN / "celery"),
                "-A",
                "config.celery_app",
                "worker",
                "--hostname",
                f"worker{index}@stack",
                "--concurrency",
                "1",
                "--prefetch-multiplier",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            env=self.env | {"DJANGO_SETTINGS_MODULE": self.worker_settings},
        )

    def start_beat(self) -> None:
        self._spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config.celery_app",
                "beat",
                "--schedule",
                str(self.workdir / "celerybeat-schedule"),
                "--loglevel",
                "INFO",
            ],
        )

    def start_nginx(self) -> None:
        cert, key = self_signed_certificate(self.workdir / "tls")
        prefix = self.workdir / "nginx"
        site = Site(
            prefix=prefix,
            https_port=self.https_port,
            http_port=self.http_port,
            certificate=cert,
            key=key,
            static_root=self.static_root,
            media_root=self.media_root,
            upstreams=tuple(self.web_ports),
        )
        conf = write_config(site)
        self._spawn(
            "nginx",
            [
                NGINX,
                "-p",
                str(prefix),
                "-e",
                str(prefix / "logs" / "error.log"),
                "-c",
                str(conf),
                "-g",
                "daemon off;",
            ],
        )
        wait_for_port(self.https_port)

    def start(self) -> Stack:
        recreate_database(self.database, template=self.template_database)
        self.start_redis()
        if self.template_database is None:
            subprocess.run(  # noqa: S603
                [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=ROOT,
                env=self.env,
                check=True,
            )
        for index in range(self.web_instances):
            self.start_web(index)
        for index in range(self.celery_workers):
            self.start_worker(index)
        if self.beat:
            self.start_beat()
        self.start_nginx()
        for port in self.web_ports:
            wait_for_port(port)
        for index in range(self.celery_workers):
            wait_for_log(self.logs / f"worker{index}.log", "ready.")
        return self

    def kill(self, name: str) -> None:
        """A crash: SIGKILL to the process and every child (its process group)."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def terminate(self, name: str, timeout: float = 30) -> None:
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def stop(self, *, drop: bool = True) -> None:
        for name in list(self.processes):
            if name.startswith(("worker", "beat")):
                self.kill(name)  # nothing of theirs must outlive the test
        for name in list(self.processes):
            self.terminate(name, timeout=15)
        self.mail_sink.stop()
        if drop:
            drop_database(self.database)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- running code in the stack's environment -------------------------------------------------
    def run_script(self, script: str, *, timeout: float = 120) -> object:
        """Run ``script`` (Django set up, production settings) in a fresh interpreter on the
        stack's database; it prints one JSON value as its last line, which is returned."""
        code = "import django\ndjango.setup()\n" + script
        result = subprocess.run(  # noqa: S603
            [PYTHON, "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"stack script failed:\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""
