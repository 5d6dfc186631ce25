"""gunicorn settings for `make serve`; each can be overridden from the environment."""

import gc
import multiprocessing
import os
import resource

bind = os.environ.get("QUIZAPP_BIND", "127.0.0.1:8000")
# One worker a core. The work is Python on the CPU against a database on the same machine, so more workers
# than cores only take turns on them: measured side by side on 2 cores, 2 workers against gunicorn's usual
# 2 x cores + 1 served the same load with a lower p99 as learners saw it in 11 of 12 pairs and a little less
# CPU a request (README, Performance). More are worth it only when requests wait on a distant database.
workers = int(os.environ.get("QUIZAPP_WORKERS", multiprocessing.cpu_count()))
# gthread keeps connections alive between requests and waits for idle clients without
# holding a worker. Two threads each: the work is Python on the CPU, so one would do for
# speed, but a worker queues every request it accepts behind its busy threads, and a writer
# waiting out a lock held outside the app must leave a thread free for the pages that read.
worker_class = "gthread"
threads = int(os.environ.get("QUIZAPP_THREADS", 2))
timeout = int(os.environ.get("QUIZAPP_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Connections each worker keeps open (gunicorn's default is 1,000): a class starting an exam together holds
# one each, and with one worker a core a few thousand learners would otherwise wait to be accepted.
worker_connections = int(os.environ.get("QUIZAPP_WORKER_CONNECTIONS", 5000))
# QUIZAPP_PRELOAD=true builds the app once, in the arbiter, and forks every worker from it: a worker recycled after
# max_requests (or replaced after a crash) then serves at once, where loading the app anew takes about a second of
# CPU while the requests sent to that worker wait (bench/recycling.py). It is off by default: side by side with
# nothing recycled, p99 was higher with forked workers in 8 of 9 pairs at the same CPU a request (README,
# Performance). With it, a new release needs a restart (or USR2), not HUP: HUP re-forks the code already loaded.
preload_app = os.environ.get("QUIZAPP_PRELOAD", "false").lower() in ("1", "true", "yes")
max_requests = int(os.environ.get("QUIZAPP_MAX_REQUESTS", 20000))  # recycle workers now and then
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("QUIZAPP_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# No control socket: by default gunicorn opens one at $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl,
# one path for every instance a user runs, so a second instance takes it over (and gunicornc then drives the
# wrong server). Signals to the arbiter's pid do the same work.
control_socket_disable = True


def on_starting(server):
    """Each connection is a file descriptor: lift the soft limit on them (often 1,024) towards the hard one,
    before the workers are forked, so that each can hold its ``worker_connections``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = worker_connections + 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def pre_fork(server, worker):
    """With the app preloaded, what the arbiter built stays out of the garbage collector's passes in the
    workers, so that they do not write to (and so copy) the memory pages they share with it: Python's advice
    for forking (gc.freeze)."""
    if server.cfg.preload_app:
        gc.freeze()


def post_fork(server, worker):
    """The worker must not use the arbiter's database connections (a fork shares their sockets and files):
    forget them without closing them, and let the worker open its own."""
    if not server.cfg.preload_app:
        return
    from quizapp.models import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def post_worker_init(worker):
    """Once the app is loaded, keep what it built out of the garbage collector's full passes:
    they then scan only what requests made (a 60 ms pause becomes about 1 ms)."""
    gc.freeze()
