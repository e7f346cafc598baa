"""The public's heaviest pages, computed once and served again for a few seconds.

After a news story the public arrives all at once, asking for the same few reports: the
front page, the pivot, the totals and the balance, as pages and as JSON. Each costs tens to
hundreds of milliseconds to compute, the same for everyone who is not signed in, and while
clerks are saving the figures change every few seconds, so a copy kept until the next change
would hardly ever be served. So an anonymous request for one of them is answered from a copy
made for an earlier one in the same language, when that copy is at most
``PUBLIC_CACHE_SECONDS`` old (10 by default): what the public sees may lag a save by that
long, as with the micro-caching of a reverse proxy; every signed-in account sees each save at
once.

The same holds for the lists and the records' pages the public reads most (invoices,
vendors, contracts, fee income). Only for the public: a signed-in account sees names the
public does not, and always gets its own answer. Never a response that sets a cookie or
carries a flashed message. Each server process keeps its own copies, at most
``MAX_ENTRIES`` of them and ``MAX_TOTAL_BYTES`` in all.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Flask
from flask import Response
from flask import g
from flask import request
from flask import session
from flask_login import current_user

from app.i18n import select_locale

#: The pages and JSON answers kept: each the same for every reader who is not signed in.
#: (Not the downloads, whose names and "Om data" sheet carry the time they were made.)
CACHED = frozenset(
    {
        "main.index",
        "reports.index",
        "reports.totals",
        "reports.totals_json",
        "reports.pivot_json",
        "reports.balance_view",
        "reports.balance_json",
        "invoices.index",
        "invoices.detail",
        "vendors.index",
        "vendors.detail",
        "contracts.index",
        "contracts.detail",
        "income.index",
        "income.detail",
    }
)
#: At most this many copies, and this many bytes of them, in each server process.
MAX_ENTRIES = 2048
MAX_TOTAL_BYTES = 64 * 1024 * 1024
#: Larger answers are not kept.
MAX_BYTES = 8 * 1024 * 1024
#: How long a request waits for another's copy of the same page before making its own.
WAIT_SECONDS = 10
#: Headers a copy keeps; the rest (dates, security headers) are made afresh each time.
_KEPT_HEADERS = ("Content-Type", "Vary")


class _Copies:
    """The copies, newest use last; safe for the threads of one process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict = OrderedDict()
        self.size = 0
        #: Copies being made, by key: a crowd asking at once for a page no copy holds waits
        #: for the first request's answer instead of each computing it.
        self.making: dict = {}

    def claim(self, key) -> threading.Event | None:
        """``None`` when this request is to make the copy of ``key`` (then :meth:`release`
        it); else the event to wait on while another request makes it."""
        with self.lock:
            pending = self.making.get(key)
            if pending is None:
                self.making[key] = threading.Event()
            return pending

    def release(self, key) -> None:
        with self.lock:
            pending = self.making.pop(key, None)
        if pending is not None:
            pending.set()

    def get(self, key, max_age: float):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > max_age:
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return found[1:]

    def put(self, key, body: bytes, status: int, headers: list) -> None:
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic(), body, status, headers)
            self.size += len(body)
            while len(self.entries) > MAX_ENTRIES or self.size > MAX_TOTAL_BYTES:
                self._drop(next(iter(self.entries)))

    def _drop(self, key) -> None:
        self.size -= len(self.entries.pop(key)[1])


def register(app: Flask) -> None:
    """Serve and keep copies (when ``PUBLIC_CACHE_SECONDS`` is more than 0)."""
    max_age = float(app.config["PUBLIC_CACHE_SECONDS"])
    if max_age <= 0:
        return
    copies = _Copies()
    app.extensions["insyn_public_cache"] = copies

    @app.before_request
    def _serve_a_copy():
        if (
            request.method != "GET"
            or request.endpoint not in CACHED
            or current_user.is_authenticated
            or "_flashes" in session
        ):
            return None
        key = (request.full_path, select_locale())
        found = copies.get(key, max_age)
        if found is None:
            pending = copies.claim(key)
            if pending is None:
                g.public_copy_key = key  # this request makes the copy
                return None
            pending.wait(timeout=WAIT_SECONDS)
            found = copies.get(key, max_age)
            if found is None:  # the other's answer could not be kept: make one's own
                return None
        body, status, headers = found
        return Response(body, status=status, headers=headers)

    @app.after_request
    def _keep_a_copy(response: Response) -> Response:
        key = g.get("public_copy_key")
        if (
            key is not None
            and response.status_code == 200
            and not response.is_streamed
            and "Set-Cookie" not in response.headers
            and "_flashes" not in session
        ):
            body = response.get_data()
            if len(body) <= MAX_BYTES:
                headers = [(k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS]
                copies.put(key, body, response.status_code, headers)
        return response

    @app.teardown_request
    def _done(_error=None) -> None:
        key = g.pop("public_copy_key", None)
        if key is not None:
            copies.release(key)  # made, or failed: those waiting go on either way
