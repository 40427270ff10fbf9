"""The Celery app the real-Celery tests run (`celery -A celeryapp_for_tests worker|beat`).

Configured from the environment the test fixture sets: BRAIN_TEST_REDIS_SOCKET (the
broker), BRAIN_SOCKET (the brain), BRAIN_TEST_BEAT_FILE (beat's schedule file).
"""
import os
import time

from celery import Celery
from celery.schedules import crontab

import brain_client.celery

app = Celery("brainapp", broker=f"redis+socket://{os.environ['BRAIN_TEST_REDIS_SOCKET']}")
app.conf.update(
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_prefetch_multiplier=1,
    timezone="UTC",
    beat_schedule={
        "tick": {"task": "brainapp.add", "schedule": 1.0, "args": (1, 1), "kwargs": {"api_token": "s3cr3t-tick"}},
        "nightly": {"task": "brainapp.add", "schedule": crontab(minute=30, hour=3, day_of_week="mon-fri"),
                    "args": (2, 2)},
        "first-week": {"task": "brainapp.add", "schedule": crontab(minute=0, hour=[9, 17], day_of_month="1-7"),
                       "args": (3, 3)},
    },
    beat_schedule_filename=os.environ.get("BRAIN_TEST_BEAT_FILE", "celerybeat-schedule"),
    beat_max_loop_interval=1,
)
if not os.environ.get("BRAIN_TEST_NO_ADAPTER"):  # set: a worker "you cannot modify" (monitor mode)
    brain_client.celery.install(app)


@app.task(name="brainapp.add")
def add(x, y, **kwargs):
    return x + y


@app.task(name="brainapp.boom")
def boom(message, **kwargs):
    raise ValueError(message)


@app.task(name="brainapp.flaky", bind=True, max_retries=3)
def flaky(self, **kwargs):
    """Fails its first attempt with a retry, succeeds on the second."""
    if self.request.retries == 0:
        raise self.retry(exc=ConnectionError("the first attempt fails"), countdown=0.2)
    return "second time lucky"


@app.task(name="brainapp.sleepy")
def sleepy(seconds):
    time.sleep(seconds)
    return seconds
