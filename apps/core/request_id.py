"""One id per request, on every log line it causes, in this process and in the tasks it enqueues.

The id comes from the balancer's `X-Request-ID` header (HAProxy sets one per request) or is
made here; it goes back in the response, into the headers of each Celery task published
while the request runs, and from there onto the worker's log lines for that task.
"""

import contextlib
import contextvars
import logging
import re
import uuid

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# What a proxy may hand us: ids only, never text to smuggle into log lines.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

logger = logging.getLogger("community.requests")
task_logger = logging.getLogger("community.tasks")


@contextlib.contextmanager
def request_id_bound(request_id: str):
    token = current_request_id.set(request_id)
    try:
        yield request_id
    finally:
        current_request_id.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        with request_id_bound(offered if _VALID.match(offered) else uuid.uuid4().hex) as request_id:
            response = self.get_response(request)
            match = request.resolver_match
            logger.info("%s %s %s", request.method, match.view_name if match else "unmatched",
                        response.status_code)
        response[HEADER] = request_id
        return response


def install_log_record_factory() -> None:
    """Every log record carries `request_id` (empty outside a request or task), whatever handler formats it."""
    make_record = logging.getLogRecordFactory()

    def record_with_request_id(*args, **kwargs):
        record = make_record(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    logging.setLogRecordFactory(record_with_request_id)


def carry_into_celery_tasks() -> None:
    """Publish the id in each task's headers; a worker binds it while the task runs."""
    from celery import signals

    def publish(headers=None, **kwargs):
        request_id = current_request_id.get()
        if request_id and headers is not None:
            headers[TASK_HEADER] = request_id

    tokens: dict[str, contextvars.Token] = {}

    def started(task_id=None, task=None, **kwargs):
        request_id = getattr(task.request, TASK_HEADER, None) or ""
        tokens[task_id] = current_request_id.set(request_id)
        task_logger.info("task %s started", task.name)

    def finished(task_id=None, task=None, state=None, **kwargs):
        task_logger.info("task %s %s", task.name, "succeeded" if state == "SUCCESS" else (state or "ended").lower())
        token = tokens.pop(task_id, None)
        if token is not None:
            current_request_id.reset(token)

    signals.before_task_publish.connect(publish, weak=False)
    signals.task_prerun.connect(started, weak=False)
    signals.task_postrun.connect(finished, weak=False)
