"""Testing task functions: run from this directory with

    python3 -m pytest test_orders.py      (pytest runs unittest cases too)
    python3 -m unittest test_orders

with the `ork` package importable (pip install ./runtime/python, or
PYTHONPATH=runtime/python).  No workflow, no `ork exec`.
"""
import unittest

import ork

from tasks.orders import Input, Order, Output, main, scale


class OrdersTest(unittest.TestCase):
    def test_main_as_a_plain_function(self):
        # @task leaves the function as it is: call it with Python objects.
        out = main(Input(orders=[Order("a", 2, 1.5), Order("b", 0, 9.0)]),
                   ork.Context(task_name="orders"))
        self.assertEqual(out, Output(total=3.0, kept=["a"]))

    def test_main_as_ork_calls_it(self):
        # call_task: JSON in, converted by the annotations; JSON out.
        out = ork.call_task(main, {"orders": [{"id": "a", "qty": 2,
                                               "price": 1.5}], "min_qty": 2})
        self.assertEqual(out, {"total": 3.0, "kept": ["a"]})

    def test_main_rejects_a_bad_input(self):
        with self.assertRaises(ValueError) as cm:
            ork.call_task(main, {"orders": [{"id": "a", "qty": "two"}]})
        self.assertIn("orders[0].qty: expected int, got str",
                      str(cm.exception))

    def test_scale_keywords(self):
        self.assertEqual(scale(2.0, factor=1.5), 3.0)
        self.assertEqual(ork.call_task(scale, {"total": 2.0}), 2.0)


if __name__ == "__main__":
    unittest.main()
