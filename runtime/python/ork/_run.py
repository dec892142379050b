"""The runner `ork exec` starts for a python task:

    PY -c "import ork._run as r; r.main()"

with the project root as working directory (so sys.path[0] == '' and
``from src.data_ops import ...`` works) and this package on PYTHONPATH.

Environment (set by `ork exec`):
    ORK_FILE        task file, relative to the project root, or
    ORK_MODULE      dotted module name
    ORK_FUNCTION    function to call (default main; "Class.method" works)
    ORK_INPUT       path of the input JSON (without it: read stdin)
    ORK_OUTPUT      where the output JSON goes (without it: stdout)
    ORK_ERROR_FILE  on failure: {"message": str, "details": any,
                    "retryable": bool}, then exit status 1
    ORK_RUN_ID ORK_WORKFLOW ORK_TASK ORK_ATTEMPT ORK_MAX_ATTEMPTS ORK_RUN_DIR
    ORK_METRICS ORK_PARALLEL_INDEX ORK_PARALLEL_COUNT ORK_PARAMS  (the Context)

Calling rules, Ork's (its run_task.py), decided from the signature:
  * a parameter annotated Context (or named ctx/context, unannotated) gets
    the Context and is not counted below;
  * no parameters: f();
  * more than one parameter, or **kwargs: keyword arguments, each
    parameter the input key of its name, converted to its annotation; a
    missing key with no default is an error naming it; **kwargs takes the
    keys left over; keys no parameter takes are named in the log;
  * exactly one parameter: keyword style when the input is an object with
    a key of its name (f(bigquery_job: dict) gets input["bigquery_job"]),
    else it gets the whole input, converted to its annotation (a model, a
    dataclass, a TypedDict, dict, or nothing);
  * an @task function gives the whole input to its first parameter (when
    every later one has a default), whatever its name.

Conversion to an annotation: pydantic v2 (model_validate) and v1 (parse_obj)
models, dataclasses (recursively), TypedDict, list/tuple/set/dict generics,
Optional/Union, Literal, Enum, date/datetime/time (ISO 8601), Decimal, UUID,
Path, and strict checks for str/int/float/bool (an int is accepted for a
float).  Any, object, no annotation, or an annotation that cannot be resolved:
the raw JSON value.  Pydantic is never imported here: models are recognised
by their methods.

Output: a pydantic model (v2 model_dump(mode="json"), v1 .json()), a
dataclass (its fields, recursively), dicts, lists; tuples and sets become
lists (sets sorted when they can be), date/datetime/time become ISO 8601,
timedelta becomes seconds (float), Decimal becomes a string (exact),
Enum its value, UUID and paths strings.  NaN/Infinity and anything else
fail the attempt naming the place in the output.  None is written as null.

Printing: whatever the task writes to stdout goes to its log, never into
its output (without ORK_OUTPUT, descriptor 1 itself is pointed at stderr,
for C extensions and child processes too).

Failures: the traceback goes to stderr (the task log) and ORK_ERROR_FILE gets
"ExcType: message"; ork.TaskError gives its own message, details and
retryable.  Errors that another attempt cannot fix (input validation, output
not serialisable, task file or function missing, SyntaxError, missing module)
are written with retryable false.  sys.exit(N) in a task ends the attempt
with exit status N and no error file, like a process (0: success with a null
output), so `retry_on` can name N.
"""

import gc
import os
import sys

import ork

_THIS = __file__


class _Fail(Exception):
    """A failure the runner diagnosed itself: no traceback is printed."""

    def __init__(self, message, details=None, retryable=False):
        Exception.__init__(self, message)
        self.message = message
        self.details = details
        self.retryable = retryable


class _Invalid(Exception):
    """Conversion errors: a list of (path tuple, message)."""

    def __init__(self, errors):
        Exception.__init__(self, errors)
        self.errors = errors


def _say(msg):
    sys.stderr.write("ork: %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------- loading


def _dotted_name(path):
    """'tasks/fetch.py' -> 'tasks.fetch' when the file is importable under
    that name from the project root; None otherwise."""
    rel = os.path.relpath(path)
    if rel.startswith(os.pardir) or os.path.isabs(rel):
        return None
    base, ext = os.path.splitext(rel)
    if ext != ".py":
        return None
    parts = base.split(os.sep)
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    import keyword
    if any(keyword.iskeyword(p) for p in parts):
        return None
    return ".".join(parts)


def _import_dotted(name, path):
    """Import the file under its dotted name, so that `from tasks.fetch
    import X` elsewhere gets the same module and multiprocessing's spawn
    finds it; None when that name means some other file."""
    if name in sys.modules:
        mod = sys.modules[name]
        origin = getattr(mod, "__file__", None)
        if origin and os.path.realpath(origin) == os.path.realpath(path):
            return mod
        return None
    import importlib
    import importlib.machinery   # not importlib.util: it costs ~4 ms
    parent, _, _ = name.rpartition(".")
    try:
        if parent:   # as importing tasks.fetch would: import tasks first
            where = getattr(importlib.import_module(parent), "__path__", None)
            if where is None:
                return None
        elif name in sys.builtin_module_names:
            return None
        else:
            where = None   # sys.path
        spec = importlib.machinery.PathFinder.find_spec(name, where)
    except Exception:
        return None
    if spec is None or not spec.origin or \
            os.path.realpath(spec.origin) != os.path.realpath(path):
        return None
    return importlib.import_module(name)


def _load_file(path):
    if not os.path.isfile(path):
        raise _Fail("task file not found: %s (working directory %s)"
                    % (path, os.getcwd()))
    # Like `python tasks/x.py`, the file's own directory is searched too
    # (after everything else) for sibling modules.
    d = os.path.dirname(os.path.abspath(path))
    if d not in sys.path:
        sys.path.append(d)
    name = _dotted_name(path)
    if name:
        mod = _import_dotted(name, path)
        if mod is not None:
            return mod
    import importlib.machinery
    import importlib.util
    rel = os.path.relpath(path)
    if rel.startswith(os.pardir):
        rel = os.path.abspath(path)
    name = "_ork_task_" + "".join(
        c if c.isalnum() else "_" for c in os.path.splitext(rel)[0])
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    mod = importlib.util.module_from_spec(spec)
    # Registered before running it: dataclasses and pickle look it up there.
    sys.modules[name] = mod
    try:
        loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod


def _load_module(name):
    import importlib
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and (name == e.name or name.startswith(e.name + ".")):
            raise _Fail("module not found: %s (sys.path: %s)"
                        % (name, sys.path)) from None
        raise


def _find_function(mod, where):
    fname = os.environ.get("ORK_FUNCTION") or "main"
    obj = mod
    for part in fname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            break
    if obj is not None:
        if not callable(obj):
            raise _Fail("%s in %s is not a function (%s)"
                        % (fname, where, type(obj).__name__))
        return obj
    marked = sorted(k for k, v in vars(mod).items()
                    if callable(v) and getattr(v, "__ork_task__", False)
                    and getattr(v, "__module__", None) == mod.__name__)
    if fname == "main" and len(marked) == 1:
        _say("no function 'main' in %s; running its @task function '%s'"
             % (where, marked[0]))
        return getattr(mod, marked[0])
    funcs = sorted(k for k, v in vars(mod).items()
                   if callable(v) and not k.startswith("_")
                   and getattr(v, "__module__", None) == mod.__name__)
    hint = ""
    if marked:
        hint = " (@task functions there: %s)" % ", ".join(marked)
    elif funcs:
        hint = " (defined there: %s)" % ", ".join(funcs)
    raise _Fail("no function '%s' in %s%s" % (fname, where, hint))


# ---------------------------------------------------------------- signature


class _Param:
    __slots__ = ("name", "kind", "has_default", "default", "ann")

    def __init__(self, name, kind, has_default, default, ann):
        self.name = name
        self.kind = kind          # "posonly" | "pos" | "kwonly"
        self.has_default = has_default
        self.default = default
        self.ann = ann            # None when not annotated


def _signature(fn):
    """(params, varkw name or None, annotations' owner) without importing
    inspect for ordinary functions."""
    target = fn
    seen = 0
    while hasattr(target, "__wrapped__") and seen < 100 \
            and not hasattr(target, "__signature__"):
        target = target.__wrapped__
        seen += 1
    skip = 0
    if hasattr(target, "__func__") and hasattr(target, "__self__"):
        skip = 1          # bound method
        target = target.__func__
    code = getattr(target, "__code__", None)
    if code is None or not hasattr(target, "__defaults__") \
            or hasattr(target, "__signature__"):
        return _signature_inspect(fn)
    nargs = code.co_argcount
    nkw = code.co_kwonlyargcount
    nposonly = getattr(code, "co_posonlyargcount", 0)
    names = code.co_varnames
    defaults = target.__defaults__ or ()
    kwdefaults = target.__kwdefaults__ or {}
    anns = _annotations(target)
    params = []
    first_default = nargs - len(defaults)
    for i in range(nargs):
        name = names[i]
        has = i >= first_default
        params.append(_Param(name, "posonly" if i < nposonly else "pos", has,
                             defaults[i - first_default] if has else None,
                             anns.get(name)))
    for i in range(nargs, nargs + nkw):
        name = names[i]
        params.append(_Param(name, "kwonly", name in kwdefaults,
                             kwdefaults.get(name), anns.get(name)))
    varkw = None
    if code.co_flags & 0x08:
        varkw = names[nargs + nkw + (1 if code.co_flags & 0x04 else 0)]
    return params[skip:], varkw


def _signature_inspect(fn):
    import inspect
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return [], None
    hints = {}
    try:
        hints = _annotations(fn.__call__ if not inspect.isroutine(fn)
                             and not isinstance(fn, type) else fn)
    except Exception:
        pass
    kinds = {inspect.Parameter.POSITIONAL_ONLY: "posonly",
             inspect.Parameter.POSITIONAL_OR_KEYWORD: "pos",
             inspect.Parameter.KEYWORD_ONLY: "kwonly"}
    params, varkw = [], None
    for p in sig.parameters.values():
        if p.kind == p.VAR_KEYWORD:
            varkw = p.name
            continue
        if p.kind not in kinds:
            continue
        ann = hints.get(p.name, p.annotation)
        if ann is p.empty:
            ann = None
        has = p.default is not p.empty
        params.append(_Param(p.name, kinds[p.kind], has,
                             p.default if has else None, ann))
    return params, varkw


def _annotations(obj):
    """The annotations with strings (PEP 563, forward references) resolved
    where they can be; an unresolvable one stays a string."""
    anns = dict(getattr(obj, "__annotations__", None) or {})
    if not any(isinstance(a, str) for a in anns.values()):
        return anns
    try:
        import typing
        return typing.get_type_hints(obj)
    except Exception:
        pass
    glb = getattr(obj, "__globals__", None)
    if glb is None:
        mod = sys.modules.get(getattr(obj, "__module__", None) or "")
        glb = vars(mod) if mod else {}
    for k, a in anns.items():
        if isinstance(a, str):
            try:
                anns[k] = eval(a, glb)  # what get_type_hints does, one by one
            except Exception as e:
                if k != "return":
                    _say("cannot resolve the annotation %r of %s (%s: %s); "
                         "it gets the raw JSON value"
                         % (a, k, type(e).__name__, e))
    return anns


def _is_context(p):
    a = p.ann
    if isinstance(a, type):
        return issubclass(a, ork.Context)
    if isinstance(a, str):
        return a in ("Context", "ork.Context")
    return a is None and p.name in ("ctx", "context")


def _style(fn, others, varkw, data):
    """How to call fn: "none" (no input parameter), "whole" (the first of
    `others` gets the whole input) or "keywords" (each parameter the input
    key of its name), with Ork's rule (run_task.py) for plain functions:

      * keywords when there is more than one parameter (or **kwargs);
      * with exactly one, keywords when the input is an object holding a
        key of its name, else the whole input;
      * an @task function gives the whole input to its first parameter
        when every later one has a default.

    Context parameters (see _is_context) take no part in this."""
    if getattr(fn, "__ork_task__", False) and others and varkw is None \
            and all(p.has_default for p in others[1:]):
        return "whole"
    if varkw is not None or len(others) > 1:
        return "keywords"
    if not others:
        return "none"
    if isinstance(data, dict) and others[0].name in data:
        return "keywords"
    return "whole"


def _conversions():
    """ork._convert, imported the first time it is needed."""
    from ork import _convert
    return _convert


def _convert(v, ann, path):
    """v converted to the annotation ann, or _Invalid.  The common cases
    need no conversion module, and give what it would: no annotation (or
    one that names nothing), object, and a JSON value of exactly the
    annotated builtin type (str, int, float, bool; dict and list copied)."""
    if ann is None or ann is object or isinstance(ann, str):
        return v
    t = type(v)
    if ann is t:
        if t in (str, int, float, bool):
            return v
        if t in (dict, list):
            return t(v)
    return _conversions()._convert(v, ann, path)


def _default(o):
    """json's hook for values it does not know (see ork._convert)."""
    return _conversions()._default(o)


def _bind_whole(fn, p, data, marked):
    try:
        return _convert(data, p.ann, ())
    except _Invalid as e:
        errors = e.errors
    why = None
    if not marked and p.name != "input":  # say why it got the whole input
        keys = ", ".join(sorted(data)) if isinstance(data, dict) else None
        why = "%s takes the whole input as '%s': no input key is named " \
            "'%s'%s" % (_fn_name(fn), p.name, p.name,
                        " (input keys: %s)" % keys if keys else "")
    raise _conversions()._invalid_fail(errors, why)


def _bind_keywords(fn, others, varkw, data, values):
    """Fill values from the input's keys; returns the keys left over."""
    if not isinstance(data, dict):
        raise _Fail("input must be a JSON object to fill the parameters "
                    "of %s (%s), got %s" % (
                        _fn_name(fn), ", ".join(p.name for p in others),
                        _conversions()._jtype(data)))
    errors, missing = [], []
    for p in others:
        if p.name in data:
            try:
                values[p.name] = _convert(data[p.name], p.ann, (p.name,))
            except _Invalid as e:
                errors.extend(e.errors)
        elif not p.has_default:
            missing.append(p.name)
    if errors or missing:
        what = None
        if missing:
            what = "missing required parameter%s %s of %s (input keys: %s)" \
                % ("s" if len(missing) > 1 else "",
                   ", ".join("'%s'" % m for m in missing), _fn_name(fn),
                   ", ".join(sorted(data)) or "none")
            first = others[0]
            structured = _conversions()._is_structured
            if first.name in missing and (first.name == "input"
                                          or structured(first.ann)):
                what += ("; to give '%s' the whole input, decorate %s with "
                         "@ork.task" % (first.name, _fn_name(fn)))
        raise _conversions()._invalid_fail(errors, what, [
            {"loc": m, "msg": "missing required parameter"} for m in missing])
    left = [k for k in data if k not in values]
    if left and varkw is None:
        _say("input key%s not used by %s (no parameter of that name): %s"
             % ("s" if len(left) > 1 else "", _fn_name(fn),
                ", ".join(sorted(left))))
    return left


def _bind(fn, data, ctx):
    """(args, kwargs) to call fn with the input `data` and the Context."""
    params, varkw = _signature(fn)
    others = [p for p in params if not _is_context(p)]
    values = {p.name: ctx for p in params if _is_context(p)}
    style = _style(fn, others, varkw, data)
    left = ()
    if style == "whole":
        values[others[0].name] = _bind_whole(
            fn, others[0], data, getattr(fn, "__ork_task__", False))
    elif style == "keywords":
        left = _bind_keywords(fn, others, varkw, data, values)
    args, kwargs = [], {}
    for p in params:
        if p.kind == "posonly":
            args.append(values[p.name] if p.name in values else p.default)
        elif p.name in values:
            kwargs[p.name] = values[p.name]
    if varkw is not None:
        kwargs.update((k, data[k]) for k in left)
    return args, kwargs


def _fn_name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) \
        or repr(fn)


# ---------------------------------------------------------------- input


# JSON through the C accelerator that the json package wraps: json itself
# imports re and enum, ~10 ms on an interpreter that has not loaded them,
# which is most of this runner's cost for a small task.  Whatever goes wrong
# with the private interface falls back to json.

class _ScanContext:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    def parse_constant(name):  # NaN, Infinity: not JSON
        raise ValueError("%s is not valid JSON" % name)


_WS = " \t\n\r"


def _loads(raw):
    """JSON text (bytes or str) -> value; ValueError when it is not JSON."""
    text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
    if text.startswith("\ufeff"):   # a byte order mark
        text = text[1:]
    try:
        import _json
        scan = _json.make_scanner(_ScanContext)
    except Exception:
        scan = None
    if scan is not None:
        n = len(text)
        i = 0
        while i < n and text[i] in _WS:
            i += 1
        try:
            value, end = scan(text, i)
        except (StopIteration, ValueError):
            value, end = None, -1
        while end >= 0 and end < n and text[end] in _WS:
            end += 1
        if end == n:
            return value
    import json   # the error message, or no accelerator
    return json.loads(text, parse_constant=_ScanContext.parse_constant)


def _encoder(allow_nan=False):
    try:
        import _json
        enc = _json.make_encoder({}, _default, _json.encode_basestring, None,
                                 ":", ",", False, False, allow_nan)
        return lambda o: "".join(enc(o, 0))
    except Exception:
        import json
        return json.JSONEncoder(default=_default, ensure_ascii=False,
                                allow_nan=allow_nan,
                                separators=(",", ":")).encode


def _read_input():
    path = os.environ.get("ORK_INPUT")
    try:
        if path:
            with open(path, "rb") as f:
                raw = f.read()
        else:
            raw = sys.stdin.buffer.read() if sys.stdin else b""
    except OSError as e:
        raise _Fail("cannot read the input: %s" % e, retryable=True) from None
    if not raw.strip():
        return {}
    try:
        return _loads(raw)
    except ValueError as e:
        raise _Fail("the input is not valid JSON: %s" % e) from None


# ---------------------------------------------------------------- output


def _dumps(obj):
    try:
        return _encoder()(obj)
    except (TypeError, ValueError, RecursionError) as e:
        first = e
    where = _conversions()._find_bad(obj, (), 0)
    if where is None:
        where = "%s: %s" % (type(first).__name__, first)
    raise _Fail("output is not JSON-serialisable: %s" % where)


def _write_atomic(path, data):
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _mask_secrets(doc):
    """The error file lands in the run directory: no secret's value in it,
    raw or JSON-escaped (ork exec names the task's secret variables in
    ORK_SECRET_VARS and masks the rest of what the task writes)."""
    import json
    names = os.environ.get("ORK_SECRET_VARS", "")
    for var in filter(None, names.split(",")):
        value = os.environ.get(var, "")
        if len(value.encode("utf-8", "replace")) < 4:
            continue
        for form in (json.dumps(value)[1:-1],
                     json.dumps(value, ensure_ascii=False)[1:-1], value):
            doc = doc.replace(form, "***")
    return doc


def _write_error(message, details, retryable):
    path = os.environ.get("ORK_ERROR_FILE")
    if not path:
        return
    dumps = _encoder()
    try:
        dumps(details)
    except Exception:
        details = repr(details)
    doc = dumps({"message": message, "details": details,
                 "retryable": bool(retryable)})
    doc = _mask_secrets(doc)
    try:
        _write_atomic(path, (doc + "\n").encode("utf-8", "replace"))
    except OSError as e:
        _say("cannot write %s: %s" % (path, e))


def _encode(text):
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:   # lone surrogates: escape them instead
        import json
        return json.dumps(json.loads(text)).encode("ascii")


# ---------------------------------------------------------------- main


def _call(fn, args, kwargs):
    result = fn(*args, **kwargs)
    if hasattr(result, "__await__"):
        import asyncio
        if not asyncio.iscoroutine(result):
            aw = result

            async def _wait():
                return await aw
            result = _wait()
        result = asyncio.run(result)
    return result


def _noise(filename):
    """Frames of the runner and of the import machinery, not the task's."""
    return filename == _THIS or filename.startswith("<frozen importlib") or \
        filename.endswith(os.sep + os.path.join("importlib", "__init__.py"))


def _print_tb(e):
    import traceback
    te = traceback.TracebackException(type(e), e, e.__traceback__)
    te.stack[:] = [f for f in te.stack if not _noise(f.filename)]
    sys.stderr.write("".join(te.format()))
    sys.stderr.flush()


def _fail(message, details=None, retryable=True):
    _write_error(message, details, retryable)
    return 1


def _stdout_to_log(out_path):
    """Keep whatever the task prints out of its output.  With ORK_OUTPUT,
    stdout is the log already (`ork exec` sends it there): line-buffer it
    so print() and the log lines keep their order.  Without, stdout
    carries the output: move the real one to a new descriptor (returned)
    and point descriptor 1 at stderr, so that print(), sys.stdout writes,
    C extensions writing to fd 1 and child processes all write to the log.
    None when that cannot be done (then only sys.stdout is redirected)."""
    if out_path:
        try:
            sys.stdout.reconfigure(line_buffering=True)
        except Exception:
            pass
        return None
    out_fd = None
    try:
        sys.stdout.flush()
        out_fd = os.dup(1)       # not inherited by child processes
        os.dup2(2, 1)
    except (OSError, AttributeError, ValueError):
        if out_fd is not None:
            os.close(out_fd)
        out_fd = None
    sys.stdout = sys.stderr
    return out_fd


def _write_stdout(out_fd, real_stdout, data):
    """The output (bytes) on the real stdout."""
    if out_fd is None:
        real_stdout.flush()
        real_stdout.buffer.write(data)
        real_stdout.flush()
        return
    view = memoryview(data)
    while view:
        view = view[os.write(out_fd, view):]


def main():
    # Everything alive now (the interpreter's start, site's imports, this
    # runner) lives as long as the process: gc.freeze() takes it out of
    # the cycle collector's sight.  Without it, the first pass to reach
    # generation 1, early in a small task, walked all of it again: about
    # 1.7 ms, as much as the rest of this runner's work (bench P1).  What
    # the task's module and function create is collected as usual.
    gc.freeze()
    env = os.environ
    out_path = env.get("ORK_OUTPUT")
    real_stdout = sys.stdout
    out_fd = _stdout_to_log(out_path)
    ctx = ork.Context()
    ork._current = ctx
    where = env.get("ORK_FILE") or env.get("ORK_MODULE") or "?"
    status = 0
    try:
        try:
            if env.get("ORK_FILE"):
                sys.argv = [env["ORK_FILE"]]
                mod = _load_file(env["ORK_FILE"])
            elif env.get("ORK_MODULE"):
                sys.argv = [env["ORK_MODULE"]]
                mod = _load_module(env["ORK_MODULE"])
            else:
                raise _Fail("neither ORK_FILE nor ORK_MODULE is set")
        except (SyntaxError, ModuleNotFoundError) as e:
            _print_tb(e)
            msg = "%s: %s" % (type(e).__name__, e)
            if isinstance(e, ModuleNotFoundError):
                msg += " (python: %s)" % sys.executable
            raise _Fail(msg) from None
        fn = _find_function(mod, where)
        data = _read_input()
        args, kwargs = _bind(fn, data, ctx)
        result = _call(fn, args, kwargs)
        text = _dumps(result)
        if out_path:
            try:
                with open(out_path, "wb") as f:
                    f.write(_encode(text))
            except OSError as e:
                raise _Fail("cannot write the output: %s" % e,
                            retryable=True) from None
        else:
            _write_stdout(out_fd, real_stdout, _encode(text) + b"\n")
    except _Fail as e:
        _say(e.message)
        status = _fail(e.message, e.details, e.retryable)
    except ork.TaskError as e:
        _print_tb(e)
        status = _fail(e.message, e.details, e.retryable)
    except SystemExit as e:
        code = e.code
        if code is None or code == 0:
            if out_path:
                with open(out_path, "wb") as f:
                    f.write(b"null")
            else:
                _write_stdout(out_fd, real_stdout, b"null\n")
        else:
            if not isinstance(code, int):
                sys.stderr.write("%s\n" % (code,))
                code = 1
            # No error file: to ork this is a process that exited with
            # that status (retry_on can name it).
            status = code & 0xff or 1
    except Exception as e:
        _print_tb(e)
        msg = str(e)
        msg = "%s: %s" % (type(e).__name__, msg) if msg else type(e).__name__
        if isinstance(e, ModuleNotFoundError):   # imported in the function
            status = _fail("%s (python: %s)" % (msg, sys.executable), None,
                           False)
        else:
            status = _fail(msg)
    finally:
        sys.stdout = real_stdout
    try:
        sys.stdout.flush()
    except Exception:
        pass
    sys.exit(status)
