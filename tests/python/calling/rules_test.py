"""The calling rules in one process: python3 -m unittest rules_test (with
runtime/python on PYTHONPATH and this directory as working directory)."""
import unittest
from typing import TypedDict

import ork
import ork._run as r


def call(fn, data):
    args, kwargs = r._bind(fn, data, ork.Context(task_name="t"))
    return fn(*args, **kwargs)


def style(fn, data):
    params, varkw = r._signature(fn)
    others = [p for p in params if not r._is_context(p)]
    return r._style(fn, others, varkw, data)


class P(TypedDict):
    x: int


class Rules(unittest.TestCase):
    def test_no_parameter(self):
        def f():
            return "called"
        self.assertEqual(style(f, {"a": 1}), "none")
        self.assertEqual(call(f, {"a": 1}), "called")

    def test_only_context(self):
        def f(ctx):
            return ctx.task_name
        self.assertEqual(style(f, {"ctx": 1}), "none")
        self.assertEqual(call(f, {"ctx": 1}), "t")

    def test_one_parameter(self):
        def f(data):
            return data
        self.assertEqual(style(f, {"a": 1}), "whole")
        self.assertEqual(style(f, {"data": 1}), "keywords")
        self.assertEqual(style(f, [1]), "whole")
        self.assertEqual(style(f, "data"), "whole")
        self.assertEqual(call(f, {"data": 1, "b": 2}), 1)
        self.assertEqual(call(f, None), None)

    def test_one_parameter_and_context(self):
        def f(p: P, ctx: ork.Context):
            return (p, ctx.task_name)
        self.assertEqual(call(f, {"x": 1}), ({"x": 1}, "t"))
        self.assertEqual(call(f, {"p": {"x": 2}}), ({"x": 2}, "t"))

    def test_more_than_one(self):
        def f(a, b=2):
            return (a, b)
        self.assertEqual(style(f, {}), "keywords")
        self.assertEqual(call(f, {"a": 1}), (1, 2))

    def test_var_keywords(self):
        def f(**kw):
            return kw
        self.assertEqual(style(f, {"a": 1}), "keywords")
        self.assertEqual(call(f, {"a": 1}), {"a": 1})

    def test_task_decorator_takes_the_whole_input(self):
        @ork.task
        def f(x, verbose=False):
            return x
        self.assertEqual(style(f, {"x": 1}), "whole")
        self.assertEqual(call(f, {"x": 1}), {"x": 1})

        @ork.task
        def g(x, y):   # a later parameter without default: Ork's rule
            return (x, y)
        self.assertEqual(call(g, {"x": 1, "y": 2}), (1, 2))

    def test_task_decorator_leaves_a_plain_function(self):
        @ork.task
        def f(x: int) -> int:
            return x + 1
        self.assertEqual(f(1), 2)
        self.assertEqual(f.__name__, "f")


class CallTask(unittest.TestCase):
    def test_json_out(self):
        import dataclasses
        import datetime

        @dataclasses.dataclass
        class Out:
            day: datetime.date
            n: int

        def f(day: datetime.date, n: int = 1):
            return Out(day + datetime.timedelta(days=n), n)
        self.assertEqual(ork.call_task(f, {"day": "2026-02-28"}),
                         {"day": "2026-03-01", "n": 1})

    def test_bad_input_and_output(self):
        def f(a: int, b: int):
            return float("nan")
        with self.assertRaises(ValueError) as cm:
            ork.call_task(f, {"a": "1"})
        self.assertEqual(str(cm.exception), "input validation failed: "
                         "a: expected int, got str; missing required "
                         "parameter 'b' of CallTask.test_bad_input_and_output"
                         ".<locals>.f (input keys: a)")
        with self.assertRaises(ValueError) as cm:
            ork.call_task(f, {"a": 1, "b": 2})
        self.assertIn("float nan is not valid JSON", str(cm.exception))

    def test_context(self):
        def f(ctx):
            return [ctx.task_name, ork.get_context() is ctx]
        mine = ork.Context(task_name="mine")
        self.assertEqual(ork.call_task(f, None, mine), ["mine", True])
        self.assertIsNot(ork.get_context(), mine)


if __name__ == "__main__":
    unittest.main()
