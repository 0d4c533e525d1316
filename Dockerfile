# Spa Planner's image. By default it serves the site with gunicorn on port 8000; the Celery
# worker and beat run the same image with another command (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_MANIFEST=true

WORKDIR /app

# The app runs as its own user, without the right to change its code.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home spa

# Only the runtime packages, each checked against its hash; before the code, so that a code
# change does not reinstall them.
COPY requirements-runtime.lock ./
RUN pip install --require-hashes -r requirements-runtime.lock

COPY . .

# Static files are collected once, here: hashed names and compressed copies for WhiteNoise.
# The key only lets the settings load for this step; the container needs its own SECRET_KEY.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0 \
    && chown -R spa:spa staticfiles

USER spa

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "bin/docker-healthcheck"]
# Bind address and workers are in gunicorn.conf.py (WEB_CONCURRENCY sets the workers).
CMD ["gunicorn", "spa.wsgi:application"]
