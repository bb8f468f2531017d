# The Flowbuilder image: Django app, Celery worker and beat, and the built frontend.
# One image serves all three; docker-compose.yml picks the command.

# --- Frontend: built with Node; only its dist/ reaches the final image --------------------------
FROM node:20 AS frontend
WORKDIR /frontend
# The lockfile alone decides node_modules, so this layer is reused until dependencies change.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- Application ---------------------------------------------------------------------------------
FROM python:3.11-slim

# pyproject.toml installs the dependencies only (it declares no packages): the code runs from
# /app, on PYTHONPATH for gunicorn, celery and manage.py alike.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    PYTHONPATH=/app \
    VAR_DIR=/app/var

# Dependencies before the code: this layer is rebuilt only when pyproject.toml changes. The
# build happens outside /app so its build/ and egg-info leftovers stay out of the image.
WORKDIR /tmp/flowbuilder
COPY pyproject.toml ./
RUN pip install . && rm -rf /tmp/flowbuilder

WORKDIR /app
RUN groupadd --system --gid 10001 flowbuilder \
    && useradd --system --uid 10001 --gid flowbuilder --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin flowbuilder

# The code stays owned by root, so the app cannot rewrite it. Only var/ is writable: settings
# create var/static at import and celery beat keeps its schedule there.
COPY . .
COPY --from=frontend /frontend/dist ./frontend/dist
RUN mkdir -p /app/var && chown flowbuilder:flowbuilder /app/var

USER flowbuilder
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--access-logfile", "-"]
