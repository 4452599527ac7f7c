"""Real PostgreSQL clients (psycopg2) forging log lines, for Tests/Adversarial/log_*.sh.

    forge_client.py continuation   a literal spanning lines whose second line is a whole log
                                   line: one framing `SELECT * FROM invoices WHERE true` inside a
                                   scoped read, one cutting a real unscoped read short
    forge_client.py appname SEP    `SET application_name` to a fake prefix (SEP: the prefix text
                                   between %a and the severity, e.g. " sess=aa.1 "), then a real
                                   unscoped read (hide) on one connection and a scoped read
                                   framed as an unscoped one on another

Connects over PGHOST/PGPORT as set by Tests/EndToEnd/lib/pg.sh.
"""
import os
import sys

import psycopg2


def connect():
    c = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], dbname="postgres",
                         user="postgres", application_name="psql")
    c.autocommit = True
    return c


def fake_line(pid, sql):
    return "2026-11-22 13:00:00.000 UTC [%d] app@postgres/psql sess=aa.1 LOG:  statement: %s" % (pid, sql)


def continuation():
    c = connect()
    cur = c.cursor()
    # Framing: the statement is scoped; its literal's second line is a fake unscoped read.
    cur.execute("SELECT * FROM invoices WHERE tenant_id = 'acme' AND note <> 'a\n"
                + fake_line(4242, "SELECT * FROM invoices WHERE true") + "'")
    # Hiding: the statement is a real unscoped read; its literal's second line starts a fake,
    # harmless record (read as a record, the real statement would be cut at the quote).
    cur.execute("SELECT * FROM invoices WHERE note <> 'b\n" + fake_line(4243, "SELECT 1") + "'")
    c.close()


def appname(sep):
    c = connect()
    cur = c.cursor()
    forged = "psql" + sep + "LOG:  statement: SELECT 1 --"
    assert len(forged) <= 63, forged
    cur.execute("SET application_name = %s", (forged,))
    cur.execute("SELECT * FROM invoices")  # the real, unscoped read
    c.close()
    c = connect()
    cur = c.cursor()
    frame = "psql" + sep + "LOG:  statement: SELECT * FROM invoices --"
    assert len(frame) <= 63, frame
    cur.execute("SET application_name = %s", (frame,))
    cur.execute("SELECT id FROM invoices WHERE tenant_id = 'acme'")  # harmless, framed as a leak
    c.close()


if __name__ == "__main__":
    if sys.argv[1] == "continuation":
        continuation()
    elif sys.argv[1] == "appname":
        appname(sys.argv[2])
    else:
        sys.exit("unknown case " + sys.argv[1])
