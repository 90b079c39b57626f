# syntax=docker/dockerfile:1
#
# Minzheng production image: gunicorn by default; the same image runs the
# Celery worker and beat (see docker-compose.yml).
#
#   docker build -t minzheng .
#   docker run --env-file .env -e DATABASE_URL=... -e REDIS_URL=... -p 8000:8000 minzheng
#
# Three stages: front-end libraries from npm (package-lock.json), a build stage
# with gettext that installs the project, compiles translations and collects
# static files, and a slim runtime that runs as an unprivileged user.

############################################################ front-end assets
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# Exactly what the lock file says; no install scripts are needed for dist files.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

###################################################################### build
FROM python:3.11-slim AS build
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# gettext provides msgfmt for compilemessages; it stays in this stage only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
WORKDIR /app

# Dependencies first (from pyproject.toml), so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(chr(10).join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

COPY . .
COPY --from=assets /build/node_modules ./node_modules
RUN pip install . && rm -rf build ./*.egg-info

# Translations and static files, with production settings and a throwaway
# secret that exists only for these two commands (nothing connects to the
# database or the broker here).
RUN export DJANGO_ENV=production \
           DJANGO_SECRET_KEY=build-only-not-a-secret-000000000000000000000000000000000 \
    && python manage.py compilemessages --ignore=node_modules \
    && python manage.py collectstatic --noinput

#################################################################### runtime
FROM python:3.11-slim AS runtime
LABEL org.opencontainers.image.title="minzheng" \
      org.opencontainers.image.description="Minzheng: web portal for a city civil-affairs bureau"

# PYTHONPATH: the source tree in /app comes before the copy pip installed into
# the venv, so BASE_DIR (templates, locale, staticfiles) is always /app.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    DJANGO_ENV=production \
    DOCUMENT_ROOT=/srv/documents

# /srv/documents: uploaded evidence (private, mounted as a volume).
# /srv/static: the copy of the collected static files that nginx serves (a
# volume shared with nginx; the web service refreshes it at start).
RUN groupadd --system --gid 10001 minzheng \
    && useradd --system --uid 10001 --gid minzheng --home-dir /app --no-create-home \
               --shell /usr/sbin/nologin minzheng \
    && mkdir -p /srv/documents /srv/static \
    && chown minzheng:minzheng /srv/documents /srv/static \
    && chmod 0750 /srv/documents

COPY --from=build /opt/venv /opt/venv
# Code stays owned by root: the application user can read it, not change it.
COPY --from=build /app /app
WORKDIR /app

USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "civil_affairs.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "120", "--access-logfile", "-"]
