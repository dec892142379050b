"""ork: the Python side of orkc tasks.

    from ork import task, Context, TaskError

    @task
    def main(input: Input, ctx: Context) -> Output:
        ctx.log.info("fetching %s", input.url)
        ctx.metrics.record("bytes", 1234, labels={"host": "example"})
        ...

`ork exec` runs a task through ``ork._run`` (see that module for the calling
conventions).  This module is imported by every task, so it must stay cheap:
it imports nothing beyond ``os``, ``sys`` and ``time`` (all loaded by Python's
own start-up or built in); everything else is imported lazily, inside the
function that needs it.

The task's context also lives in the environment, for code that has no
``ctx`` parameter (and for process tasks):

    ORK_RUN_ID ORK_WORKFLOW ORK_TASK ORK_ATTEMPT ORK_MAX_ATTEMPTS ORK_RUN_DIR
    ORK_METRICS ORK_PARALLEL_INDEX ORK_PARALLEL_COUNT ORK_PARAMS (JSON object)

``get_context()`` builds a Context from it.

In a unit test, call a task function directly (``@task`` leaves it a plain
function), or through ``call_task(fn, input)`` to get what `ork exec` would
make of it: the input bound by the calling rules and converted to the
annotations, the output as the JSON data downstream tasks receive.
"""

import os
import sys
import time

__all__ = ["task", "Context", "TaskError", "get_context", "call_task"]
__version__ = "0.1.0"


def task(fn=None):
    """Mark a function as the task's entry point: ``@task`` or ``@task()``.

    The function is returned unchanged (still callable, picklable and
    testable as a plain function); the runner only reads the mark to choose
    the calling style: an @task function gets the whole input as its first
    parameter, whatever that parameter's name.
    """
    if fn is None:
        return task
    if not callable(fn):
        raise TypeError("@task decorates a function, not %r" % (fn,))
    try:
        fn.__ork_task__ = True
    except (AttributeError, TypeError):
        pass  # builtins and the like cannot carry attributes; harmless
    return fn


class TaskError(Exception):
    """Fail the attempt with a message and optional JSON-able details.

    ``retryable=False`` tells the runtime not to retry, whatever the task's
    ``retries`` say (for errors that another attempt cannot fix).
    """

    def __init__(self, message, details=None, retryable=True):
        Exception.__init__(self, message)
        self.message = str(message)
        self.details = details
        self.retryable = bool(retryable)

    def __str__(self):
        return self.message


def _now():
    """Current UTC time as ISO 8601 with milliseconds, like the journal."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (
        int(t * 1000) % 1000)


class Log:
    """Timestamped lines on stderr, which is the task's log."""

    def __init__(self, stream=None):
        self._stream = stream

    def _write(self, level, msg, args):
        if args:
            try:
                msg = msg % args
            except (TypeError, ValueError):
                msg = "%s %r" % (msg, args)
        stream = self._stream or sys.stderr
        prefix = "%s %-7s " % (_now(), level)
        text = str(msg)
        if "\n" in text:  # continuation lines stay aligned under the text
            text = text.replace("\n", "\n" + " " * len(prefix))
        stream.write(prefix + text + "\n")
        stream.flush()

    def debug(self, msg, *args):
        self._write("DEBUG", msg, args)

    def info(self, msg, *args):
        self._write("INFO", msg, args)

    def warning(self, msg, *args):
        self._write("WARNING", msg, args)

    warn = warning

    def error(self, msg, *args):
        self._write("ERROR", msg, args)


class Metrics:
    """``record(name, value, labels=None)``: one JSON line per call in the
    file named by $ORK_METRICS (the run's metrics.jsonl)."""

    def __init__(self, ctx):
        self._ctx = ctx

    def record(self, name, value, labels=None):
        import math

        if not isinstance(name, str) or not name:
            raise ValueError("metric name must be a non-empty string")
        if isinstance(value, bool):
            value = int(value)
        elif not isinstance(value, (int, float)):
            try:
                value = float(value)  # Decimal, numpy scalars, ...
            except (TypeError, ValueError):
                raise TypeError("metric %r: value must be a number, not %s"
                                % (name, type(value).__name__)) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("metric %r: value must be finite, not %r"
                             % (name, value))
        if labels is None:
            labels = {}
        elif not hasattr(labels, "items"):
            raise TypeError("metric %r: labels must be a dict" % (name,))
        else:
            labels = {str(k): str(v) for k, v in labels.items()}
        ctx = self._ctx
        q = _json_string()
        line = '{"time":%s,"task":%s,"attempt":%d,"name":%s,"value":%s,' \
            '"labels":{%s}}\n' % (
                q(_now()), q(ctx.task_name), ctx.attempt, q(name),
                repr(value) if isinstance(value, float) else str(int(value)),
                ",".join("%s:%s" % (q(k), q(v)) for k, v in labels.items()))
        path = os.environ.get("ORK_METRICS")
        if not path:  # not under ork: keep the metric visible in the log
            sys.stderr.write("%s METRIC  %s" % (_now(), line))
            return
        # One write(2) on an O_APPEND descriptor: lines from parallel tasks
        # never interleave.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def _json_string():
    """The function that writes a str as a JSON string (json's own C
    helper when there is one: importing json costs ~10 ms)."""
    try:
        from _json import encode_basestring
        return encode_basestring
    except ImportError:
        import json
        return lambda s: json.dumps(s, ensure_ascii=False)


def _int_env(name, default):
    try:
        return int(os.environ.get(name, ""))
    except ValueError:
        return default


class Context:
    """What a task knows about its run.  Built from the environment that
    `ork exec` sets; every field has a sensible default outside ork."""

    def __init__(self, run_id=None, task_name=None, workflow_name=None,
                 attempt=None, max_attempts=None, parallel_index=None,
                 parallel_count=None, params=None, run_dir=None):
        env = os.environ
        self.run_id = run_id if run_id is not None else env.get(
            "ORK_RUN_ID", "local")
        self.task_name = task_name if task_name is not None else env.get(
            "ORK_TASK", "")
        self.workflow_name = workflow_name if workflow_name is not None \
            else env.get("ORK_WORKFLOW", "")
        self.attempt = attempt if attempt is not None else _int_env(
            "ORK_ATTEMPT", 1)
        self.max_attempts = max_attempts if max_attempts is not None \
            else _int_env("ORK_MAX_ATTEMPTS", 1)
        self.parallel_index = parallel_index if parallel_index is not None \
            else _int_env("ORK_PARALLEL_INDEX", 0)
        self.parallel_count = parallel_count if parallel_count is not None \
            else _int_env("ORK_PARALLEL_COUNT", 1)
        self.run_dir = run_dir if run_dir is not None else env.get(
            "ORK_RUN_DIR", "")
        self._params = params
        self.log = Log()
        self.metrics = Metrics(self)

    @property
    def params(self):
        """The run's parameters (dict), from $ORK_PARAMS, parsed on first use."""
        if self._params is None:
            raw = os.environ.get("ORK_PARAMS", "")
            if raw.strip():
                import json
                self._params = json.loads(raw)
            else:
                self._params = {}
        return self._params

    @params.setter
    def params(self, value):
        self._params = value

    @property
    def is_last_attempt(self):
        return self.attempt >= self.max_attempts

    def __repr__(self):
        return ("Context(workflow_name=%r, task_name=%r, run_id=%r, "
                "attempt=%d, parallel_index=%d, parallel_count=%d)"
                % (self.workflow_name, self.task_name, self.run_id,
                   self.attempt, self.parallel_index, self.parallel_count))


_current = None


def get_context():
    """The running task's Context (the one the runner passes to the task, or
    one built from the environment when called outside the runner)."""
    global _current
    if _current is None:
        _current = Context()
    return _current


def call_task(fn, input=None, ctx=None):
    """Call ``fn`` as `ork exec` would and return its output as JSON data.

    ``input`` (JSON-able: dict, list, ...; default {}) is bound by the
    calling rules and converted to the annotations; ``ctx`` (default: a
    Context built from the environment) goes to a Context parameter.  The
    result goes through the runner's JSON encoding and back, so models,
    dataclasses and dates come back as dicts and strings.  An input that
    does not fit the function, or an output that is not JSON, raises
    ValueError with the message `ork exec` would fail the attempt with.
    """
    global _current
    from . import _run
    if input is None:
        input = {}
    if ctx is None:
        ctx = Context()
    saved, _current = _current, ctx
    try:
        try:
            args, kwargs = _run._bind(fn, input, ctx)
        except _run._Fail as e:
            raise ValueError(e.message) from None
        result = _run._call(fn, args, kwargs)
        try:
            return _run._loads(_run._dumps(result))
        except _run._Fail as e:
            raise ValueError(e.message) from None
    finally:
        _current = saved
