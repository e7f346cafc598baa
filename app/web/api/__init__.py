"""Insyn's API, ``/api/v1``: the records, the reports and the flags as JSON for programs, the
writes a finance system makes, and the OpenAPI document describing all of it.

Views here call the same services (and, for writes, the same forms) as the pages. Reading
needs no account; writing needs an API token with write scope whose owner's role may write.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The views register themselves on ``bp``.
from app.web.api import imports  # noqa: E402, F401
from app.web.api import records  # noqa: E402, F401
from app.web.api import reference  # noqa: E402, F401
from app.web.api import reports  # noqa: E402, F401
from app.web.api import writes  # noqa: E402, F401
