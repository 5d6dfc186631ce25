"""gunicorn settings for `make serve`; each can be overridden from the environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("QUIZAPP_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QUIZAPP_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# gthread keeps connections alive between requests and waits for idle clients without
# holding a worker. Two threads each: the work is Python on the CPU, so one would do for
# speed, but a worker queues every request it accepts behind its busy threads, and a writer
# waiting out a lock held outside the app must leave a thread free for the pages that read.
worker_class = "gthread"
threads = int(os.environ.get("QUIZAPP_THREADS", 2))
timeout = int(os.environ.get("QUIZAPP_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
max_requests = 20000  # recycle workers now and then (reloading the app takes about a second)
max_requests_jitter = 2000
accesslog = os.environ.get("QUIZAPP_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# No control socket: by default gunicorn opens one at $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl,
# one path for every instance a user runs, so a second instance takes it over (and gunicornc then drives the
# wrong server). Signals to the arbiter's pid do the same work.
control_socket_disable = True


def post_worker_init(worker):
    """Once the app is loaded, keep what it built out of the garbage collector's full passes:
    they then scan only what requests made (a 60 ms pause becomes about 1 ms)."""
    gc.freeze()
