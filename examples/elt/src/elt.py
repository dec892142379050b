"""A small ELT pipeline on SQLite: bronze (raw loads), silver (joined and
cleaned), gold (aggregates).

Plain functions in Ork's keyword style: each parameter is an input key of
the same name, and the return value is the task's output.  Nothing here
imports ork or pydantic; the types the workflow declares are checked by
orkc at compile time and by ork on every output at run time.
"""
import csv
import json
import sqlite3
from datetime import date, datetime, timezone


def _connect(db_path):
    # Three loads write to one database at the same time; SQLite lets one
    # writer in at a time, so the others wait instead of failing.
    return sqlite3.connect(db_path, timeout=30)


def _replace_table(db, table, columns, rows):
    db.execute('DROP TABLE IF EXISTS "%s"' % table)
    db.execute('CREATE TABLE "%s" (%s)' % (table, ", ".join(
        '"%s"' % c for c in columns)))
    db.executemany('INSERT INTO "%s" VALUES (%s)' % (
        table, ", ".join("?" for _ in columns)), rows)


def _loaded(table, n):
    return {"table": table, "rows": n,
            "loaded_at": datetime.now(timezone.utc)}


def load_csv(path: str, table: str, db_path: str) -> dict:
    """Bronze: a CSV file into a table of text columns, as it is."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        columns = next(reader)
        rows = [r for r in reader if r]
    with _connect(db_path) as db:
        _replace_table(db, table, columns, rows)
    return _loaded(table, len(rows))


def load_json(path: str, table: str, db_path: str) -> dict:
    """Bronze: a JSON list of flat objects into a table."""
    with open(path, encoding="utf-8") as f:
        items = json.load(f)
    columns = list(items[0]) if items else ["value"]
    rows = [[item.get(c) for c in columns] for item in items]
    with _connect(db_path) as db:
        _replace_table(db, table, columns, rows)
    return _loaded(table, len(rows))


def transform(db_path: str, load_customers: dict, load_orders: dict,
              load_products: dict) -> dict:
    """Silver: orders joined with their customer and product, typed;
    orders whose customer or product is unknown are counted, not kept."""
    with _connect(db_path) as db:
        db.execute("DROP TABLE IF EXISTS silver_orders")
        db.execute("""
            CREATE TABLE silver_orders AS
            SELECT CAST(o.order_id AS INTEGER) AS order_id,
                   c.country AS country,
                   CAST(o.quantity AS INTEGER) * p.price AS amount,
                   substr(o.ordered_at, 1, 10) AS day
            FROM "%s" o
            JOIN "%s" c ON c.id = o.customer_id
            JOIN "%s" p ON p.id = CAST(o.product_id AS INTEGER)
        """ % (load_orders["table"], load_customers["table"],
               load_products["table"]))
        kept = db.execute("SELECT count(*) FROM silver_orders").fetchone()[0]
    return {"table": "silver_orders", "rows": kept,
            "rejected": load_orders["rows"] - kept}


def aggregate(db_path: str, silver_table: str, expected_rows: int,
              min_orders: int) -> dict:
    """Gold: revenue per country, biggest first."""
    with _connect(db_path) as db:
        n = db.execute('SELECT count(*) FROM "%s"' % silver_table).fetchone()[0]
        if n != expected_rows:
            raise RuntimeError("%s has %d rows, transform reported %d"
                               % (silver_table, n, expected_rows))
        rows = db.execute("""
            SELECT country, count(*), round(sum(amount), 2)
            FROM "%s" GROUP BY country HAVING count(*) >= ?
            ORDER BY sum(amount) DESC, country
        """ % silver_table, (min_orders,)).fetchall()
        last = db.execute('SELECT max(day) FROM "%s"' % silver_table).fetchone()[0]
    by_country = [{"country": c, "orders": k, "revenue": r} for c, k, r in rows]
    return {"by_country": by_country,
            "total_revenue": round(sum(r for _, _, r in rows), 2),
            "as_of": date.fromisoformat(last)}
