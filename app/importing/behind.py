"""A write that runs behind the reading: one database write at a time on a thread of its own,
while the import reads and checks the file's next chunk on the caller's.

On PostgreSQL an import's ``COPY`` of a chunk is work for the server, in a process of its
own: into a table of a million invoices it puts each row into the table's indexes while this
process could be reading on. Run on the import's own thread, each chunk's ``COPY`` waits for
the server before the next chunk is read, and the two take turns instead of sharing the
machine's cores. (On SQLite the database's work runs in this process, and its driver takes
Python's lock back after every row, so the import writes there on its own thread.)

The import's connection is one: nothing else may use it while a write is under way. The
caller calls :meth:`WriteBehind.wait` before any statement of its own, and
:meth:`WriteBehind.abandon` when it stops on an error, so that rolling back never meets a
write still running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class WriteBehind:
    """Runs each write handed to :meth:`submit` on a thread, one after the other."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, work: Callable[[], None]) -> None:
        """Start ``work`` once the write before it has ended (its error, if any, raised here)."""
        self.wait()
        self._thread = threading.Thread(
            target=self._run, args=(work,), name="insyn-import-write", daemon=True
        )
        self._thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as error:  # told on the caller's thread, by wait()
            self._error = error

    def wait(self) -> None:
        """Block until the write under way (if any) has ended.

        Raises:
            BaseException: whatever that write raised, on the caller's thread.
        """
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def abandon(self) -> None:
        """Let the write under way end and forget its outcome: the caller is failing already,
        with an error of its own to tell."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._error = None
