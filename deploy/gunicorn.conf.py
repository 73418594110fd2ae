"""gunicorn settings for Jianguan: `gunicorn -c deploy/gunicorn.conf.py jianguan.config.wsgi`.

Every value can be overridden from the environment (GUNICORN_* or the JIANGUAN_* named below).
"""

import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("JIANGUAN_BIND", "127.0.0.1:8000")
# Two workers per core plus one: requests wait on PostgreSQL far more than they compute.
workers = int(os.environ.get("JIANGUAN_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("JIANGUAN_WEB_THREADS", "1"))
timeout = int(os.environ.get("JIANGUAN_WEB_TIMEOUT", "120"))  # a 10,000-record bulk call fits
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then: bounded memory over months
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = '{"remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":"%(b)s","ms":%(M)s}'
forwarded_allow_ips = os.environ.get("JIANGUAN_TRUSTED_PROXIES", "127.0.0.1")
# The application, the complaint classifier and its libraries are loaded once, in the master, and
# shared by the forked workers: a new worker serves at once, and memory is shared copy-on-write.
preload_app = True

# Prometheus counts of all workers, summed at /metrics: one directory shared by the workers,
# emptied when the server starts.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "jianguan-metrics")
)


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def when_ready(server):
    from jianguan.complaints.classifier import warm

    server.log.info("classifier models loaded: %s", ", ".join(warm()) or "none trained")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
