"""Backups of the whole database, and restoring one.

SQLite: the online backup API copies the live database, page by page, into a new SQLite file:
a consistent copy even while the server goes on writing. PostgreSQL: ``pg_dump`` writes its
custom format, which ``pg_restore`` reads (and an operator can, too, without Insyn); the
tools are looked for beside the server's own major version (``/usr/lib/postgresql/<major>``),
in ``PG_BIN_DIR`` when set, and on the ``PATH``.

Either way the backup holds everything, the audit trail and the schema's revision included.
A file is an Insyn backup when it is one of those two formats and holds Insyn's tables; it is
restored only into the same kind of database, and only when this version of Insyn knows its
schema (a backup from a newer version is refused: upgrade first). A backup from an older
version is restored and then migrated, as an upgrade would.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, with argument lists, no shell
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

#: Tables every Insyn database has had since its first schema: their presence makes a file
#: an Insyn backup.
CORE_TABLES = frozenset({"alembic_version", "vendors", "invoices", "contracts", "audit_events"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup could not be made or restored; the message says why, in plain words.

    Attributes:
        unreadable: the file is not (readable as) an Insyn backup at all.
    """

    def __init__(self, message: str, *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds: the kind of database and its schema's revision."""

    dialect: str  #: "sqlite" or "postgresql"
    revision: str | None


# --- making a backup ---------------------------------------------------------------------------


def write_backup(engine: sa.Engine, target: Path, pg_bin_dir: str = "") -> BackupInfo:
    """Copy the whole database of ``engine`` to ``target`` (replaced only once the copy is
    whole: a ``.partial`` file is written first).

    Raises:
        BackupError: the database holds no Insyn schema, or ``pg_dump`` is missing or failed.
    """
    revision = _current_revision(engine)
    if revision is None:
        raise BackupError("The database holds no Insyn schema: there is nothing to back up.")
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            raw = engine.raw_connection()
            try:
                copy = sqlite3.connect(partial)
                with copy:
                    raw.driver_connection.backup(copy)
                copy.close()
            finally:
                raw.close()
        else:
            tool = pg_tool("pg_dump", engine, pg_bin_dir)
            _run([str(tool), "--format=custom", f"--file={partial}", "--no-password",
                  f"--dbname={_libpq_url(engine)}"], engine, "pg_dump")  # fmt: skip
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(engine.dialect.name, revision)


# --- reading one -------------------------------------------------------------------------------


def read_backup(path: Path, engine: sa.Engine, pg_bin_dir: str = "") -> BackupInfo:
    """What ``path`` holds, after checking that it is an Insyn backup.

    Raises:
        BackupError: (``unreadable``) the file is missing, not a SQLite database or a
            ``pg_dump`` custom-format file, or does not hold Insyn's tables.
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(16)
    except OSError as error:
        raise BackupError(f"{path} cannot be read: {error.strerror}.", unreadable=True) from None
    if head.startswith(_SQLITE_MAGIC):
        tables, revision = _sqlite_contents(path)
        dialect = "sqlite"
    elif head.startswith(_PGDUMP_MAGIC):
        if engine.dialect.name != "postgresql":
            # Read with the server's own tools, which a SQLite installation does not have;
            # it could not be restored here anyway (see check_restorable).
            return BackupInfo("postgresql", None)
        tables, revision = _pgdump_contents(path, engine, pg_bin_dir)
        dialect = "postgresql"
    else:
        raise BackupError(
            f"{path} is not an Insyn backup: it is neither a SQLite database nor a pg_dump file.",
            unreadable=True,
        )
    if not tables >= CORE_TABLES:
        raise BackupError(
            f"{path} is a {_kind(dialect)} backup, but not of Insyn: it lacks Insyn's tables "
            f"({', '.join(sorted(CORE_TABLES - tables))}).",
            unreadable=True,
        )
    return BackupInfo(dialect, revision)


def _sqlite_contents(path: Path) -> tuple[set[str], str | None]:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} cannot be read as a database: {error}.", unreadable=True
        ) from None
    return tables, revision


def _pgdump_contents(path: Path, engine: sa.Engine, pg_bin_dir: str) -> tuple[set[str], str | None]:
    tool = str(pg_tool("pg_restore", engine, pg_bin_dir))
    listing = _run([tool, "--list", str(path)], engine, "pg_restore", unreadable=True)
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE))
    data = _run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)],
                engine, "pg_restore", unreadable=True)  # fmt: skip
    found = re.search(r"^COPY \S*alembic_version .*FROM stdin;\n([^\n\\]+)\n", data, re.MULTILINE)
    return tables, found.group(1).strip() if found else None


def check_restorable(info: BackupInfo, engine: sa.Engine, migrations: Path) -> None:
    """Refuse a backup of another kind of database, or of a schema this version of Insyn does
    not know (a newer one).

    Raises:
        BackupError: with the reason.
    """
    if info.dialect != engine.dialect.name:
        raise BackupError(
            f"This is a backup of a {_kind(info.dialect)} database; this installation runs on "
            f"{_kind(engine.dialect.name)}. Restore it into a {_kind(info.dialect)} "
            "installation."
        )
    scripts = ScriptDirectory(str(migrations))
    known = {script.revision for script in scripts.walk_revisions()}
    if info.revision not in known:
        raise BackupError(
            f"This backup was made by a newer version of Insyn: its database schema "
            f"(revision {info.revision or 'none'}) is unknown to this one. Upgrade Insyn, then "
            "restore it."
        )


# --- restoring ---------------------------------------------------------------------------------


def restore_backup(path: Path, engine: sa.Engine, pg_bin_dir: str = "") -> None:
    """Replace everything in the database of ``engine`` with the backup at ``path`` (checked
    with :func:`read_backup` and :func:`check_restorable` first). The caller migrates the
    restored schema to the current revision afterwards.

    SQLite: the backup API copies the file over the live database in one step. PostgreSQL:
    ``pg_restore --clean`` in a single transaction, so a failure leaves the database as it
    was; tables of a newer schema than the backup's are dropped first.

    Raises:
        BackupError: ``pg_restore`` is missing or failed.
    """
    engine.dispose()  # no pooled connection may hold the old database open
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
            source.close()
        engine.dispose()
        return
    tool = str(pg_tool("pg_restore", engine, pg_bin_dir))
    listing = _run([tool, "--list", str(path)], engine, "pg_restore")
    kept = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE))
    with engine.begin() as connection:
        for table in set(sa.inspect(connection).get_table_names()) - kept:
            connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    _run([tool, "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
          "--no-owner", "--no-password", f"--dbname={_libpq_url(engine)}", str(path)],
         engine, "pg_restore")  # fmt: skip
    engine.dispose()


# --- helpers -----------------------------------------------------------------------------------


def _current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _kind(dialect: str) -> str:
    return "PostgreSQL" if dialect == "postgresql" else "SQLite"


def _libpq_url(engine: sa.Engine) -> str:
    """The database's address as pg_dump reads it, without the password (passed in the
    environment, never on a command line others can see)."""
    url = engine.url.set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False)


def _run(args: list[str], engine: sa.Engine, name: str, *, unreadable: bool = False) -> str:
    environment = {**os.environ}
    if engine.url.password:
        environment["PGPASSWORD"] = str(engine.url.password)
    result = subprocess.run(  # noqa: S603 - a fixed tool, arguments as a list
        args, capture_output=True, text=True, env=environment, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise BackupError(f"{name} failed: {detail}", unreadable=unreadable)
    return result.stdout


def server_major(engine: sa.Engine) -> int:
    """The PostgreSQL server's major version (15 for 15.4)."""
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SHOW server_version_num")).scalar()) // 10000


def pg_tool(name: str, engine: sa.Engine, configured_dir: str = "") -> Path:
    """``pg_dump`` or ``pg_restore`` able to talk to the server: from ``configured_dir`` if
    given, else the server's own major version's (``/usr/lib/postgresql/<major>/bin``), else
    a newer installed one, else one on the ``PATH`` whose version is not older than the
    server's.

    Raises:
        BackupError: none found, with how to install one or point Insyn at it.
    """
    major = server_major(engine)
    candidates: list[Path] = []
    if configured_dir:
        candidates.append(Path(configured_dir) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / name)
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    candidates += [p for p in installed if p.parts[-3].isdigit() and int(p.parts[-3]) >= major]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            version = _tool_major(candidate)
            if version is not None and version >= major:
                return candidate
    raise BackupError(
        f"{name} for PostgreSQL {major} (or newer) was not found. Install the PostgreSQL "
        f"client tools of that version (Debian: apt-get install postgresql-client-{major}), "
        "or set INSYN_PG_BIN_DIR to the folder that holds them."
    )


def _tool_major(tool: Path) -> int | None:
    try:
        result = subprocess.run(  # noqa: S603 - a fixed tool, arguments as a list
            [str(tool), "--version"], capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", result.stdout)
    return int(found.group(1)) if found else None
