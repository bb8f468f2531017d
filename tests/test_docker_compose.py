"""Checks docker-compose.yml, the Dockerfile and .dockerignore as text: no Docker engine needed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
HEALTHY = {"condition": "service_healthy"}


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@dataclass
class Stage:
    """One FROM … stage of the Dockerfile: its base image, name and instructions in order."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, instruction: str) -> list[str]:
        return [arguments for name, arguments in self.instructions if name == instruction]


def dockerfile_stages() -> list[Stage]:
    """The Dockerfile's stages, with continuation lines joined and comments dropped as Docker does."""
    logical_lines, pending = [], ""
    for raw_line in (ROOT / "Dockerfile").read_text().splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical_lines.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in logical_lines:
        instruction, _, arguments = line.partition(" ")
        instruction, arguments = instruction.upper(), " ".join(arguments.split())
        if instruction == "FROM":
            words = arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        else:
            stages[-1].instructions.append((instruction, arguments))
    return stages


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_defines_exactly_the_six_services():
    # Given the compose file
    services = compose()["services"]

    # Then it runs the database, the broker, the three processes of the app and nginx
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "proxy"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["proxy"]["image"] == "nginx:1.27"


def test_web_worker_and_beat_run_the_same_build_of_this_dockerfile():
    # Given the three services of the app
    services = compose()["services"]

    # When their builds and image tags are compared
    builds = [services[name]["build"] for name in APP_SERVICES]
    images = [services[name]["image"] for name in APP_SERVICES]

    # Then they are one image, built from this repository's Dockerfile
    assert builds == [{"context": ".", "dockerfile": "Dockerfile"}] * 3
    assert len(set(images)) == 1
    assert (ROOT / "Dockerfile").is_file()


def test_app_services_get_the_production_environment_and_require_the_secrets():
    # Given the three services of the app
    services = compose()["services"]

    # Then each runs in production on the compose database and broker, secrets required
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_ENV"] == "production", name
        assert (
            environment["DATABASE_URL"]
            == "postgres://flowbuilder:flowbuilder@postgres:5432/flowbuilder"
        ), name
        assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0", name
        # `:?` makes `docker compose up` stop with the message when the variable is unset.
        assert environment["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY}", name
        assert environment["CREDENTIAL_KEYS"] == "${CREDENTIAL_KEYS:?set CREDENTIAL_KEYS}", name
        assert environment["ALLOWED_HOSTS"] == "${ALLOWED_HOSTS:-localhost,127.0.0.1}", name
        # Behind nginx: the client's address is the one nginx appends to X-Forwarded-For.
        assert environment["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}", name
        assert environment["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-true}", name
    assert (
        services["web"]["environment"]
        == services["worker"]["environment"]
        == services["beat"]["environment"]
    )


def test_database_and_broker_have_healthchecks():
    # Given the database and the broker
    services = compose()["services"]

    # Then each says when it accepts connections, which the app's services wait for
    assert services["postgres"]["healthcheck"]["test"] == [
        "CMD-SHELL",
        "pg_isready -U flowbuilder -d flowbuilder",
    ]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_web_starts_only_once_postgres_and_redis_are_healthy():
    # Given the web service
    depends_on = compose()["services"]["web"]["depends_on"]

    # Then it waits for a healthy database and broker, not merely started ones
    assert depends_on == {"postgres": HEALTHY, "redis": HEALTHY}


def test_web_migrates_then_serves_gunicorn_on_port_8000_to_nginx_only():
    # Given the web service
    web = compose()["services"]["web"]

    # Then it migrates (the cache table included) before serving, unpublished, on port 8000
    command = " ".join(web["command"])
    assert command.index("python manage.py migrate --noinput &&") < command.index(
        "exec gunicorn config.wsgi --bind 0.0.0.0:8000"
    )
    assert "ports" not in web
    assert web["expose"] == ["8000"]


def test_nginx_is_the_only_published_port_with_the_repositorys_config():
    # Given the services
    services = compose()["services"]

    # Then nginx alone is published, running deploy/nginx.conf as its site, in front of web
    published = {name for name, service in services.items() if "ports" in service}
    assert published == {"proxy"}
    proxy = services["proxy"]
    assert proxy["ports"] == ["${HTTP_PORT:-8000}:80"]
    assert proxy["volumes"] == ["./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert proxy["depends_on"] == ["web"]
    assert (ROOT / "deploy" / "nginx.conf").is_file()


def nginx_directives() -> dict[str, list[str]]:
    """deploy/nginx.conf's simple directives, by name, comments dropped."""
    directives: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / "nginx.conf").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.fullmatch(r"([a-z_0-9]+)\s+(.+);", line)
        if match:
            directives.setdefault(match.group(1), []).append(match.group(2))
    return directives


def test_nginx_buffers_requests_with_timeouts_and_the_apps_body_limit():
    # Given nginx's configuration
    directives = nginx_directives()

    # Then it passes whole requests to web, drops clients too slow to send one, and refuses a
    # body over the app's own limit (API_MAX_REQUEST_BYTES, 10 MB by default)
    assert directives["server"] == ["web:8000"]
    assert directives["proxy_pass"] == ["http://flowbuilder"]
    assert directives["proxy_request_buffering"] == ["on"]
    assert directives["proxy_buffering"] == ["on"]
    assert directives["client_header_timeout"] == ["10s"]
    assert directives["client_body_timeout"] == ["10s"]
    (body_size,) = directives["client_max_body_size"]
    assert body_size == "10m"
    assert int(body_size.removesuffix("m")) * 1024 * 1024 == settings.API_MAX_REQUEST_BYTES
    assert directives["proxy_set_header"] == [
        'Connection ""',
        "Host $host",
        "X-Forwarded-For $proxy_add_x_forwarded_for",
        "X-Forwarded-Proto $forwarded_proto",
    ]


def test_every_long_running_service_is_restarted_when_it_exits():
    # Given the services
    services = compose()["services"]

    # Then a process that dies (a worker after a broker outage, say) is started again
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
    # And the worker says whether it still answers the broker
    assert services["worker"]["healthcheck"]["test"] == [
        "CMD-SHELL",
        "celery -A config inspect ping --destination celery@$$HOSTNAME --timeout 10",
    ]


def test_worker_and_beat_run_celery_on_the_config_app():
    # Given the worker and beat services
    services = compose()["services"]

    # Then both run Celery on config's app
    assert services["worker"]["command"] == ["celery", "-A", "config", "worker", "--loglevel=INFO"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    # The app's user may write only to var/: beat's schedule must be kept there.
    assert "--schedule=/app/var/celerybeat-schedule" in services["beat"]["command"]


# --- Dockerfile --------------------------------------------------------------------------------


def test_dockerfile_final_stage_runs_as_a_created_non_root_user():
    # Given the stage that becomes the image
    final = dockerfile_stages()[-1]

    # Then its last USER is a user the stage creates, not root
    users = final.arguments("USER")
    assert users, "the final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert any("useradd" in run and user in run for run in final.arguments("RUN"))


def test_dockerfile_builds_the_frontend_in_a_node_stage_with_npm_ci():
    # Given the Dockerfile's stages
    stages = dockerfile_stages()

    # Then a Node stage installs from the lockfile and builds, and the image takes its dist/
    frontend = next(stage for stage in stages if stage.base == "node:20")
    assert frontend.name is not None
    runs = frontend.arguments("RUN")
    assert runs[0].startswith("npm ci")
    assert runs[-1] == "npm run build"
    assert f"--from={frontend.name} /frontend/dist ./frontend/dist" in stages[-1].arguments("COPY")


def test_dockerfile_installs_the_project_with_pip_and_serves_gunicorn_in_production():
    # Given the stage that becomes the image
    final = dockerfile_stages()[-1]

    # Then it installs pyproject.toml's dependencies with pip and serves gunicorn in production
    assert final.base == "python:3.11-slim"
    assert any(run.startswith("pip install .") for run in final.arguments("RUN"))
    environment = " ".join(final.arguments("ENV")).split()
    assert "DJANGO_ENV=production" in environment
    # pyproject.toml declares no packages: the code is found on PYTHONPATH, not site-packages.
    assert "PYTHONPATH=/app" in environment
    command = json.loads(final.arguments("CMD")[-1])  # the exec form is a JSON array
    assert command[:4] == ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000"]


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    # Given the patterns left out of the build context
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    # Then var/ holds the locally generated SECRET_KEY and CREDENTIAL_KEYS.
    assert {"var", ".venv", ".git", "frontend/node_modules", "frontend/dist"} <= ignored
