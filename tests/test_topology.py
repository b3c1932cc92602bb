"""The two ways Stagegate runs, started as they are started: the demo (Procfile.demo) and production (Procfile).

Each test starts real processes on loopback (a Celery worker on the demo's broker folder; gunicorn, a
worker and beat under honcho) against this run's test database, acts as a person would, and stops them.
"""

import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection

from portal.celery import app as celery_app
from signoff import services
from signoff.models import Packet
from tests import factories
from tests.broker import reset_broker_connections, wait_for
from tests.signoff.helpers import supply_evidence

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    """This environment without the run's broker, with the test database and media, and `extra`."""
    keep = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_DIR", "PYTEST_XDIST_WORKER")}
    return (
        keep
        | {
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": _test_database_url(),
            "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        | extra
    )


@contextmanager
def _running(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Start `command` in its own process group; stop the whole group afterwards, whatever happened."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _submitted_stage_one_request(owner):
    """A stage-1 request: approved on submission, its packet rendered by a task after the commit."""
    use_case = factories.UseCaseFactory(
        slug="support-summaries", title="Support ticket summaries", technical_owner=owner
    )
    supply_evidence(use_case, 1)
    request = services.readiness_request_create(use_case=use_case, actor=owner, target_stage=1)
    return services.readiness_request_submit(request=request, actor=owner)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_worker_renders_packets_from_a_broker_folder_without_redis(tmp_path, erin):
    broker_dir = tmp_path / "broker"
    env = _env(CELERY_BROKER_DIR=str(broker_dir))
    options = {"data_folder_in": str(broker_dir / "queue"), "data_folder_out": str(broker_dir / "queue")}
    for folder in ("queue", "control"):
        (broker_dir / folder).mkdir(parents=True)
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    # This process sends as the demo's web server does: to the folder, not to Redis and not eagerly.
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = "filesystem://localhost/", options, False
    reset_broker_connections()
    command = [str(BIN / "celery"), "--app", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    try:
        request = _submitted_stage_one_request(erin)
        # Sent, not run: the message waits in the folder until a worker takes it.
        assert not Packet.objects.filter(request=request).exists()
        assert len(list((broker_dir / "queue").iterdir())) >= 1
        with _running(command, env, tmp_path / "worker.log"):
            wait_for(lambda: Packet.objects.filter(request=request).exists(), timeout=90)
    finally:
        conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
        reset_broker_connections()
    packet = Packet.objects.get(request=request)
    assert (Path(django_settings.MEDIA_ROOT) / packet.file.name).read_bytes()[:5] == b"%PDF-"
    log = (tmp_path / "worker.log").read_text()
    assert re.search(r"Task signoff\.tasks\.render_packet\[[0-9a-f-]+\] succeeded", log), log


@contextmanager
def _production_redis() -> Iterator[str]:
    """A Redis database of its own (15), one run at a time: the topology's worker takes whatever is queued there."""
    base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    url = f"{base}/15"
    lock = Path(tempfile.gettempdir()) / "stagegate-topology-redis.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        subprocess.run([sys.executable, "-c", f"import redis; redis.Redis.from_url({url!r}).flushdb()"], check=True)
        yield url


def _sign_in(http: httpx.Client, user) -> None:
    # The server hashes as production does; this run's fast test hasher is not among its hashers.
    user.password = PBKDF2PasswordHasher().encode(factories.PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    form = http.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token is not None, form.text[:500]
    answer = http.post(
        "/accounts/login/",
        data={"username": user.username, "password": factories.PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{http.base_url}accounts/login/"},
    )
    assert (answer.status_code, answer.headers.get("location")) == (302, "/")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_production_topology_serves_pages_and_its_worker_renders_packets(tmp_path, erin):
    port = _free_port()
    static_root = tmp_path / "static"
    with _production_redis() as redis_url:
        env = _env(
            DEBUG="0",
            SECRET_KEY="a-key-for-this-test-only-" + "k" * 30,
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            REDIS_URL=redis_url,
            BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="2",
            CELERY_CONCURRENCY="1",
            CELERY_BEAT_SCHEDULE=str(tmp_path / "beat-schedule"),
            STATIC_ROOT=str(static_root),
            ALLOWED_HOSTS="127.0.0.1",
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        log = tmp_path / "honcho.log"
        with _running([str(BIN / "honcho"), "--procfile", "Procfile", "start"], env, log):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                wait_for(lambda: _answers(http), timeout=60)
                assert http.get("/healthz").json()["status"] == "ok"
                _sign_in(http, erin)
                home = http.get("/")
                assert home.status_code == 200
                assert "Erin" in home.text
                # Static files come from the collected, hashed copies, with a long cache lifetime.
                css = re.search(r'href="(/static/css/stagegate\.[0-9a-f]{12}\.css)"', home.text)
                assert css is not None
                assert "max-age=315360000" in http.get(css.group(1)).headers["cache-control"]

                # A pipeline asks through the web process, which hands the packet to the worker over Redis.
                use_case = factories.UseCaseFactory(slug="support-summaries", technical_owner=erin)
                supply_evidence(use_case, 1)
                created = http.post(
                    "/api/v1/readiness-requests/",
                    json={"use_case": use_case.slug, "target_stage": 1, "justification": "Pilot", "submit": True},
                    headers={"Authorization": f"Bearer {_token(erin)}"},
                )
                assert created.status_code == 201, created.text
                assert created.json()["state"] == "approved"
                request_id = created.json()["id"]
                wait_for(lambda: Packet.objects.filter(request_id=request_id).exists(), timeout=90)
                page = http.get(f"/signoff/requests/{request_id}/")
                assert page.status_code == 200
                assert Packet.objects.get(request_id=request_id).packet_id in page.text
            wait_for(lambda: "beat: Starting" in log.read_text(), timeout=30)
    said = log.read_text()
    assert re.search(r"web\.1 .*Booting worker with pid", said), said
    assert re.search(r"worker\.1 .*Task signoff\.tasks\.render_packet\[[0-9a-f-]+\] succeeded", said), said


def _token(user) -> str:
    out = StringIO()
    call_command("issue_token", user.username, "--name", "topology", stdout=out)
    return out.getvalue().strip()


def _answers(http: httpx.Client) -> bool:
    try:
        return http.get("/healthz").status_code == 200
    except httpx.TransportError:
        time.sleep(0.2)
        return False
