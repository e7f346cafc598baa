"""Helpers for the API's tests: tokens for accounts, and requests made with them."""

from __future__ import annotations


def make_token(db, make_user, role: str = "clerk", scope: str = "write", **data):
    """A committed token for a new account of ``role``: ``(token, secret)``."""
    from app.services.tokens import create_token

    user = make_user(role)
    token, secret = create_token(user, {"name": f"{role} {scope}", "scope": scope, **data}, user)
    db.session.commit()
    return token, secret


def bearer(secret: str, **headers) -> dict:
    return {"Authorization": f"Bearer {secret}", **headers}
