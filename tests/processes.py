"""Helpers for tests that run Insyn in a process of its own: the ``insyn`` command on a
test's database, measured (wall time and the child's own peak resident memory) or stopped
midway."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import TEST_CONFIG

#: The ``insyn`` console script beside the interpreter running the tests.
INSYN = str(Path(sys.executable).with_name("insyn"))
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Finished:
    code: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str


def child_env(database_url: str, **settings: str) -> dict:
    """The environment of a child process working on ``database_url`` (with ``INSYN_*``
    settings), with the tests' secret key."""
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONUNBUFFERED="1")
    env.pop("INSYN_ENV", None)
    env["INSYN_SECRET_KEY"] = TEST_CONFIG["SECRET_KEY"]
    env.update({f"INSYN_{name}": value for name, value in settings.items()})
    return env


#: Runs its arguments as a child and writes that child's peak resident memory (KB) to the file
#: named first. A child forked straight from the test process would count the test process's
#: own memory in its peak (Linux keeps the high-water mark of the memory it had before exec);
#: forked from this small interpreter, it counts only a few MB before its own.
_MEASURE = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(process.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(argv: list[str], env: dict, timeout: float = 120) -> Finished:
    """Run ``argv`` to its end: its exit code, wall seconds, its own peak resident memory in
    MB (``wait4``'s rusage of that child alone), and its output.

    Raises:
        subprocess.TimeoutExpired: it ran past ``timeout`` seconds (it is killed).
    """
    with tempfile.TemporaryDirectory() as folder:
        peak = Path(folder) / "peak"
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", _MEASURE, str(peak), *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.perf_counter() - started
        peak_kb = int(peak.read_text()) if peak.exists() else 0
    return Finished(
        result.returncode,
        seconds,
        peak_kb / 1024,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def cpu_seconds(pid: int) -> float:
    """The CPU time a running process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ledger_csv(path: Path, rows: int) -> int:
    """A ledger of ``rows`` invoices as Swedish CSV; returns its total in öre."""
    total = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Leverantör;Fakturanummer;Fakturadatum;Belopp\n")
        for number in range(rows):
            ore = (number * 7919) % 9_999_900 + 100
            total += ore
            kronor, rest = divmod(ore, 100)
            handle.write(
                f"Leverantör {number % 300} AB;F-{number};"
                f"20{10 + number % 10}-{number % 12 + 1:02d}-{number % 28 + 1:02d};"
                f"{kronor},{rest:02d}\n"
            )
    return total


def one_line_csv(path: Path) -> Path:
    """5 MB in one line: 2.6 million fields (a file saved with no line ends)."""
    path.write_bytes(b"a;" * 2_600_000)
    return path


def wide_csv(path: Path) -> Path:
    """A header of 100,000 columns (each named), then two rows of as many."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(";".join(f"k{i}" for i in range(100_000)) + "\n")
        for _ in range(2):
            handle.write(";".join("1" for _ in range(100_000)) + "\n")
    return path


#: The bound the refusals are asked to keep: seconds and MB of resident memory.
REFUSAL_SECONDS, REFUSAL_MB = 10, 200
