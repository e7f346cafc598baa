"""Fuzz Insyn's API from its own OpenAPI document with schemathesis: no server error, no answer
outside the document.

A server is started on 127.0.0.1 (a free port) over a fresh SQLite database holding the demo
data, and schemathesis runs twice against /api/v1/openapi.json, bounded in examples and time:

1. anonymously: every operation (the writes answer 401, as documented);
2. with a write token of a clerk: reads as staff, and the writes themselves.

Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance and response_schema_conformance. Prints schemathesis's summary of
each run and exits non-zero when a check failed.

    .venv/bin/python bench/api_fuzz.py                       # 25 examples, 120 s per run
    .venv/bin/python bench/api_fuzz.py --examples 50 --max-time 300
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def _app(folder: Path):
    """An app over a new SQLite database with the demo data, and a clerk's write token."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services.accounts import create_user
    from app.services.demo import load_demo
    from app.services.tokens import create_token
    from app.settings import password_policy

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'fuzz.sqlite3'}",
            "SECRET_KEY": "fuzzing-only",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "RATELIMIT_ENABLED": False,
            "IMPORT_JOBS_INLINE": True,
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        clerk = create_user(
            {
                "email": "fuzz@kommun.example",
                "name": "Fuzz",
                "role": "clerk",
                "password": "korrekt häst batteri häftklammer",
            },
            policy=password_policy(),
        )
        _token, secret = create_token(clerk, {"name": "schemathesis", "scope": "write"}, clerk)
        db.session.commit()
    return app, secret


def _run(base: str, examples: int, max_time: int, headers: list[str]) -> int:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        str(examples),
        "--max-time",
        str(max_time),
        "--seed",
        "15",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-allow-x00",
        "false",
        "--warnings",
        "off",
    ]
    for header in headers:
        command += ["--header", header]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="examples per operation")
    parser.add_argument("--max-time", type=int, default=120, help="seconds per run at most")
    args = parser.parse_args()
    from werkzeug.serving import make_server

    # Schemathesis reports what matters; the server's line per request would drown it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as folder:
        app, secret = _app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            print(f"== anonymous, {base}", flush=True)
            anonymous = _run(base, args.examples, args.max_time, [])
            print("== with a clerk's write token", flush=True)
            token = _run(base, args.examples, args.max_time, [f"Authorization: Bearer {secret}"])
        finally:
            server.shutdown()
    print(f"== exit codes: anonymous {anonymous}, with token {token}")
    return 1 if anonymous or token else 0


if __name__ == "__main__":
    sys.exit(main())
