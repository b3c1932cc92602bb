"""Gunicorn for Stagegate: a few synchronous workers, each with a few threads, behind a TLS proxy.

Every value can be set from the environment, as the rest of the configuration (README, "Configuration").
"""

import multiprocessing
import os

bind = os.getenv("BIND", "127.0.0.1:8000")
# Requests are short and mostly wait on PostgreSQL: threads let a worker serve others meanwhile.
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.getenv("WEB_THREADS", "4"))
worker_class = "gthread"
# A packet renders in Celery, never in a request: anything slower than this is a fault.
timeout = int(os.getenv("WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows into an outage.
max_requests = int(os.getenv("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The proxy in front says which requests came over TLS (settings.SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.getenv("ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
