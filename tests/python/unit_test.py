"""Unit tests of the ork package and the runner's pieces, without a task
process: python3 unit_test.py (with runtime/python on PYTHONPATH).
Prints one line per test and exits 1 when any failed."""
import datetime
import decimal
import enum
import io
import json
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, List, NewType, Optional, Tuple, Union

import ork
import ork._convert as c
import ork._run as r

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def invalid(fn):
    """The (path, message) list of the _Invalid that fn() raises."""
    try:
        fn()
    except r._Invalid as e:
        return [(c._path_str(p), m) for p, m in e.errors]
    raise AssertionError("no _Invalid raised")


def fails(fn, exc=Exception):
    try:
        fn()
    except exc as e:
        return str(e)
    raise AssertionError("no %s raised" % exc.__name__)


class without_json_accelerator:
    """Make `import _json` fail, to test the fallbacks."""

    def __enter__(self):
        self.saved = sys.modules.get("_json")
        sys.modules["_json"] = None

    def __exit__(self, *a):
        if self.saved is None:
            del sys.modules["_json"]
        else:
            sys.modules["_json"] = self.saved


# ---- JSON in and out

@test
def loads_basics():
    assert r._loads(b' \n{"a": [1, 2.5, "\\u00e9", null, true]}\r\n') == \
        {"a": [1, 2.5, "\u00e9", None, True]}
    assert r._loads("\ufeff[1]") == [1]
    assert r._loads(b"\xef\xbb\xbf[1]") == [1]
    assert r._loads("12345678901234567890") == 12345678901234567890
    assert r._loads('"x"') == "x"


@test
def loads_rejects():
    for bad in ['{"a": 1} x', '{"a": ', 'NaN', '[Infinity]', '', '{} {}',
                "{'a': 1}"]:
        fails(lambda: r._loads(bad), ValueError)


@test
def loads_fallback():
    with without_json_accelerator():
        assert r._loads(b'{"a": [1, "b"]}') == {"a": [1, "b"]}
        fails(lambda: r._loads("[NaN]"), ValueError)
        fails(lambda: r._loads("[1] 2"), ValueError)


@test
def dumps_values():
    out = r._dumps({"t": (1, 2), "s": {"b", "a"}, "d": datetime.date(2026, 1, 2),
                    "dec": decimal.Decimal("0.1"), "u": "caf\u00e9",
                    "k": {1: "int key"}})
    assert out == ('{"t":[1,2],"s":["a","b"],"d":"2026-01-02","dec":"0.1",'
                   '"u":"caf\u00e9","k":{"1":"int key"}}'), out


@test
def dumps_fallback_same_text():
    v = {"a": [1, 2.5, None, "x\ny"], "d": datetime.datetime(2026, 1, 2, 3, 4)}
    fast = r._dumps(v)
    with without_json_accelerator():
        assert r._dumps(v) == fast


@test
def dumps_errors_name_the_place():
    m = fails(lambda: r._dumps({"a": [0, {"b": float("inf")}]}), r._Fail)
    assert m == ("output is not JSON-serialisable: output.a[1].b: float inf "
                 "is not valid JSON"), m
    m = fails(lambda: r._dumps([b"raw"]), r._Fail)
    assert m.startswith("output is not JSON-serialisable: output[0]: bytes"), m
    m = fails(lambda: r._dumps({(1, 2): 3}), r._Fail)
    assert "output: a key of type tuple" in m, m
    loop = []
    loop.append(loop)
    m = fails(lambda: r._dumps(loop), r._Fail)
    assert "nested too deeply" in m, m
    m = fails(lambda: r._dumps(decimal.Decimal("NaN")), r._Fail)
    assert "Decimal NaN is not valid JSON" in m, m


@test
def dumps_dataclass_nested():
    @dataclass
    class In:
        when: datetime.date

    @dataclass
    class Out:
        items: List[In]
        extra: Dict[str, Any] = field(default_factory=dict)

    assert json.loads(r._dumps(Out([In(datetime.date(2020, 5, 6))]))) == \
        {"items": [{"when": "2020-05-06"}], "extra": {}}


# ---- conversion to annotations

@test
def convert_scalars():
    assert r._convert(3, int, ()) == 3
    assert r._convert(3.0, int, ()) == 3
    assert type(r._convert(3, float, ())) is float
    assert invalid(lambda: r._convert(True, int, ("n",))) == \
        [("n", "expected int, got bool")]
    assert invalid(lambda: r._convert(None, str, ("s",))) == \
        [("s", "expected str, got null")]
    assert invalid(lambda: r._convert(1, bool, ())) == \
        [("input", "expected bool, got int")]
    assert r._convert({"any": 1}, Any, ()) == {"any": 1}
    assert r._convert([1], None, ()) == [1]


@test
def convert_unions():
    assert r._convert(None, Optional[int], ()) is None
    assert r._convert("1", Union[int, str], ()) == "1"
    assert r._convert(1, Union[str, int], ()) == 1
    assert invalid(lambda: r._convert([], Optional[int], ("x",))) == \
        [("x", "expected int | None, got list")]


@test
def convert_containers():
    assert r._convert([1, 2], List[int], ()) == [1, 2]
    assert invalid(lambda: r._convert([1, "b", None], List[int], ("xs",))) == \
        [("xs[1]", "expected int, got str"), ("xs[2]", "expected int, got null")]
    assert r._convert({"1": "a"}, Dict[int, str], ()) == {1: "a"}
    assert r._convert([1, "a"], Tuple[int, str], ()) == (1, "a")
    assert invalid(lambda: r._convert([1], Tuple[int, str], ())) == \
        [("input", "expected 2 items, got 1")]
    assert r._convert([1, 2, 3], Tuple[int, ...], ()) == (1, 2, 3)
    if sys.version_info >= (3, 9):
        assert r._convert({"a": [1]}, dict[str, list[int]], ()) == {"a": [1]}


@test
def convert_classes():
    class Color(enum.Enum):
        RED = "red"

    assert r._convert("red", Color, ()) is Color.RED
    assert invalid(lambda: r._convert("blue", Color, ("c",))) == \
        [("c", "expected one of 'red', got 'blue'")]
    dt = r._convert("2026-11-26T08:00:00Z", datetime.datetime, ())
    assert dt == datetime.datetime(2026, 11, 26, 8,
                                   tzinfo=datetime.timezone.utc), dt
    assert r._convert("2026-11-26", datetime.date, ()) == \
        datetime.date(2026, 11, 26)
    assert invalid(lambda: r._convert("26/11/2026", datetime.date, ("d",))) \
        == [("d", "expected an ISO 8601 date, got '26/11/2026'")]
    assert r._convert("1.10", decimal.Decimal, ()) == decimal.Decimal("1.10")
    UserId = NewType("UserId", int)
    assert r._convert(5, UserId, ()) == 5
    if sys.version_info >= (3, 9):
        from typing import Annotated
        assert invalid(lambda: r._convert("x", Annotated[int, "meta"], ())) \
            == [("input", "expected int, got str")]


@test
def convert_dataclass_post_init():
    @dataclass
    class Pos:
        n: int

        def __post_init__(self):
            if self.n < 0:
                raise ValueError("n must be >= 0")

    assert r._convert({"n": 1, "ignored": 2}, Pos, ()) == Pos(1)
    assert invalid(lambda: r._convert({"n": -1}, Pos, ("p",))) == \
        [("p", "ValueError: n must be >= 0")]


@test
def pydantic_models():
    try:
        import pydantic
    except ImportError:
        return "SKIP no pydantic"
    models = [pydantic.BaseModel]
    if not pydantic.VERSION.startswith("1."):
        try:   # pydantic 2 ships the v1 API too
            import pydantic.v1
            models.append(pydantic.v1.BaseModel)
        except Exception:
            pass
    for Base in models:
        class Inner(Base):
            when: datetime.date

        class M(Base):
            inner: Inner
            n: int = 0

        m = r._convert({"inner": {"when": "2026-01-02"}}, M, ())
        assert isinstance(m, M) and m.inner.when == datetime.date(2026, 1, 2)
        assert json.loads(r._dumps(m)) == {"inner": {"when": "2026-01-02"},
                                           "n": 0}
        errs = invalid(lambda: r._convert({"inner": {}}, M, ("arg",)))
        assert [p for p, _ in errs] == ["arg.inner.when"], errs
    return "%d model APIs" % len(models)


# ---- signatures and call styles

def bind(fn, data):
    ctx = ork.Context()
    args, kwargs = r._bind(fn, data, ctx)
    return fn(*args, **kwargs)


@test
def call_styles():
    def noarg():
        return "none"

    def whole(input):
        return input

    def kw(a, b=2, *, c):
        return (a, b, c)

    def with_ctx(context, x: int):
        return (isinstance(context, ork.Context), x)

    @ork.task
    def decorated(payload, ctx):
        return payload

    assert bind(noarg, {"a": 1}) == "none"
    assert bind(whole, [1, 2]) == [1, 2]
    assert bind(kw, {"a": 1, "c": 3, "z": 0}) == (1, 2, 3)
    assert bind(with_ctx, {"x": 5}) == (True, 5)
    assert bind(decorated, {"p": 1}) == {"p": 1}
    m = fails(lambda: bind(kw, {"b": 1}), r._Fail)
    assert m == ("input validation failed: missing required parameters "
                 "'a', 'c' of call_styles.<locals>.kw (input keys: b)"), m
    m = fails(lambda: bind(kw, [1]), r._Fail)
    assert m.startswith("input must be a JSON object"), m


@test
def call_styles_objects():
    import functools

    class Callable:
        def __call__(self, x: int, ctx: ork.Context):
            return x

    def base(a, b):
        return a - b

    def deco(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)
        return wrapper

    assert bind(Callable(), {"x": 4}) == 4
    assert bind(functools.partial(base, b=1), {"a": 5}) == 4
    assert bind(deco(base), {"a": 5, "b": 2}) == 3


@test
def task_decorator_forms():
    def f():
        pass
    assert ork.task(f) is f and f.__ork_task__ is True

    @ork.task()
    def g():
        pass
    assert g.__ork_task__ is True
    fails(lambda: ork.task(3), TypeError)


# ---- the package

@test
def context_defaults_and_env():
    saved = dict(os.environ)
    try:
        for k in list(os.environ):
            if k.startswith("ORK_"):
                del os.environ[k]
        c = ork.Context()
        assert (c.run_id, c.task_name, c.attempt, c.parallel_index,
                c.parallel_count, c.params) == ("local", "", 1, 0, 1, {})
        os.environ.update(ORK_ATTEMPT="3", ORK_MAX_ATTEMPTS="3",
                          ORK_PARAMS='{"d": "x"}', ORK_PARALLEL_INDEX="junk")
        c = ork.Context()
        assert c.attempt == 3 and c.is_last_attempt and c.params == {"d": "x"}
        assert c.parallel_index == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)


@test
def task_error():
    e = ork.TaskError("no", details=[1], retryable=False)
    assert (str(e), e.message, e.details, e.retryable) == ("no", "no", [1],
                                                           False)
    assert ork.TaskError("x").retryable is True


@test
def log_lines():
    buf = io.StringIO()
    log = ork.Log(buf)
    log.info("a %s %d", "b", 1)
    log.warning("two\nlines")
    log.info("100%")          # no args: no formatting
    log.error("bad %d", "args")   # wrong args: still logged
    lines = buf.getvalue().splitlines()
    assert lines[0].endswith("Z INFO    a b 1"), lines
    assert lines[1].endswith("Z WARNING two"), lines
    assert lines[2] == " " * 33 + "lines", lines
    assert lines[3].endswith("INFO    100%"), lines
    assert "bad %d ('args',)" in lines[4], lines


@test
def metrics_lines():
    saved = os.environ.get("ORK_METRICS")
    d = tempfile.mkdtemp()
    path = os.path.join(d, "m.jsonl")
    os.environ["ORK_METRICS"] = path
    try:
        m = ork.Context(task_name='t"1', attempt=2).metrics
        m.record("rows", 3, labels={"a\nb": 'q"uote', "n": 1})
        m.record("flag", True)
        m.record("dec", decimal.Decimal("2.5"))
        m.record("big", 1e300)
        fails(lambda: m.record("bad", float("nan")), ValueError)
        fails(lambda: m.record("bad", "x"), TypeError)
        fails(lambda: m.record("", 1), ValueError)
        with open(path) as f:
            rows = [json.loads(line) for line in f]
        assert [(x["name"], x["value"]) for x in rows] == \
            [("rows", 3), ("flag", 1), ("dec", 2.5), ("big", 1e300)], rows
        assert rows[0]["labels"] == {"a\nb": 'q"uote', "n": "1"}
        assert rows[0]["task"] == 't"1' and rows[0]["attempt"] == 2
    finally:
        if saved is None:
            del os.environ["ORK_METRICS"]
        else:
            os.environ["ORK_METRICS"] = saved


def main():
    failed = 0
    for t in TESTS:
        try:
            note = t()
            if isinstance(note, str) and note.startswith("SKIP"):
                print("skip %s: %s" % (t.__name__, note[5:]))
            else:
                print("ok   %s%s" % (t.__name__, " (%s)" % note if note else ""))
        except Exception:
            failed += 1
            print("FAIL %s" % t.__name__)
            traceback.print_exc(file=sys.stdout)
    print("%d tests, %d failed" % (len(TESTS), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
