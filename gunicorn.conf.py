"""Gunicorn's settings in the Docker image (gunicorn reads this file from the working folder)."""

from __future__ import annotations

import os

bind = "0.0.0.0:8000"
# A spa's front desk and a few estheticians: three workers answer them with room to spare.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
# Workers' heartbeat files in memory: a container's layered disk can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Nothing uses gunicornc; its socket would go in a home folder the app's user cannot write.
control_socket_disable = True
