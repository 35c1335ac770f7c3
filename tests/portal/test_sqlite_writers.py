"""The demo runs the task worker beside the web server: two processes writing one SQLite file.
A save must wait for the other's write, never fail with "database is locked"."""

import textwrap
from pathlib import Path

from tests.portal.test_settings import run_python

# A request's transaction reads, then writes, while the worker process writes in between.
SAVE_WHILE_ANOTHER_PROCESS_WRITES = textwrap.dedent(
    """
    import sqlite3, sys, threading, time
    import django
    django.setup()
    from django.db import connection, transaction

    path = sys.argv[1]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE queue (n integer)")
    read_done = threading.Event()

    def worker():
        other = sqlite3.connect(path, timeout=20, isolation_level=None)
        read_done.wait()
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO queue VALUES (1)")
        time.sleep(0.5)
        other.execute("COMMIT")

    thread = threading.Thread(target=worker)
    thread.start()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM queue")
            read_done.set()
            time.sleep(0.2)
            cursor.execute("INSERT INTO queue VALUES (2)")
    thread.join()
    print("saved")
    """
)


def test_a_save_waits_for_another_process_writing_the_same_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "portal.sqlite3"
    result = run_python(
        f"import sys; sys.argv = ['probe', {str(path)!r}]; "
        f"exec({SAVE_WHILE_ANOTHER_PROCESS_WRITES!r})",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{path}",
    )
    assert result.returncode == 0, result.stderr[-600:]
    assert result.stdout.strip() == "saved"
