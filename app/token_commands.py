"""``insyn tokens``: API tokens from the command line (made for any account by whoever runs
the server; the secret is printed once)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli_support import as_command
from app.cli_support import service_call
from app.cli_support import user_by_email

tokens_cli = AppGroup("tokens", help="API tokens: create, list, revoke.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for (shown in the history).")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The last day it works, YYYY-MM-DD (default: a year from today).",
)
@as_command("tokens create")
def tokens_create(email: str, name: str, scope: str, expires) -> None:
    """Make an API token for the account EMAIL and print its secret, this once."""
    from app.services.tokens import create_token

    user = user_by_email(email)
    data = {"name": name, "scope": scope, "expires_on": expires.date() if expires else None}
    token, secret = service_call(lambda: create_token(user, data, None))
    click.echo(f"Token {token.id} ({token.name}, {token.scope.value}, until {token.expires_on}):")
    click.echo(secret)
    click.echo("Keep it now: Insyn stores only its hash and cannot show it again.", err=True)


@tokens_cli.command("list")
@click.argument("email", required=False)
def tokens_list(email: str | None) -> None:
    """List the tokens (of EMAIL, or everyone's): id, owner, name, scope, state."""
    from app.extensions import db
    from app.models.base import utcnow
    from app.services.tokens import all_tokens
    from app.services.tokens import tokens_of

    query = tokens_of(user_by_email(email)) if email else all_tokens()
    today = utcnow().date()
    for token in db.session.scalars(query):
        if token.revoked_at:
            state = "revoked"
        elif token.expires_on < today:
            state = "expired"
        else:
            state = f"until {token.expires_on}"
        used = token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never"
        click.echo(
            f"{token.id:>5} {token.user.email:<32} {token.prefix}… {token.scope.value:<5} "
            f"{state:<17} used {used:<16} {token.name}"
        )


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
@as_command("tokens revoke")
def tokens_revoke(token_id: int) -> None:
    """Stop the token TOKEN_ID from working, at once."""
    from app.extensions import db
    from app.models import ApiToken
    from app.services.tokens import revoke_token

    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token has the id {token_id}.")
    service_call(lambda: revoke_token(token))
    click.echo(f"Token {token.id} ({token.name}) revoked.")
