"""Slurm's command-line tools, run the one safe way: argument lists, bounded waits, every run audited.

Names reach Slurm only after `check_name`; no command is ever a shell string. Each attempt is
written to `SchedulerCommand` (the audit log operators and staff read) as it happens.
"""

import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from apps.compute.models import (
    SLURM_NAME,
    SLURM_USERNAME,
    Grant,
    Resource,
    SchedulerCommand,
)

NAME, USERNAME = re.compile(SLURM_NAME), re.compile(SLURM_USERNAME)
OUTPUT_KEPT = 4000
RAN = "RUNNING,COMPLETED,CANCELLED,FAILED,TIMEOUT,NODE_FAIL,OUT_OF_MEMORY,PREEMPTED,DEADLINE,BOOT_FAIL"
# Failures worth another attempt: the daemon is down, restarting or slow. Anything else (a refused
# name, a missing parent) would fail the same way again.
TRANSIENT = ("Connection refused", "Unable to contact", "Socket timed out", "slurm_persist_conn_open",
             "Problem talking to the database", "Zero Bytes were transmitted", "Connection reset")


class SchedulerError(Exception):
    """A Slurm command failed or timed out; the message is what operators see on the grant."""


class SchedulerUnavailable(SchedulerError):
    """Slurm did not answer, or answered that it is down: worth trying again later."""


def check_name(value: str, *, username: bool = False) -> str:
    if not (USERNAME if username else NAME).match(value or ""):
        raise SchedulerError(_("“%s” is not a name the platform passes to Slurm.") % value)
    return value


def call_account(call_id: int) -> str:
    return check_name(f"{settings.COMPUTE_SLURM_ACCOUNT_PREFIX}c{call_id}")


def grant_account(grant_id: int) -> str:
    return check_name(f"{settings.COMPUTE_SLURM_ACCOUNT_PREFIX}g{grant_id}")


def limit_minutes(units: Decimal) -> int:
    """A grant's units are hours of the resource's TRES; Slurm limits count whole minutes of it."""
    return int((units * 60).to_integral_value(rounding=ROUND_CEILING))


@dataclass
class Association:
    """One row of `sacctmgr show assoc`: an account (user "") or a user's association under it."""

    account: str
    user: str
    parent: str
    grp_tres_mins: dict[str, int] = field(default_factory=dict)
    grp_submit_jobs: int | None = None


def _tres(text: str) -> dict[str, int]:
    """`cpu=60,gres/gpu=4` → {"cpu": 60, "gres/gpu": 4} (unparseable counts are skipped)."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name: int(count) for name, count in pairs if count.isdigit()}


class Slurm:
    """The cluster of one resource, as the platform talks to it on behalf of `actor` (None: a task)."""

    def __init__(self, resource: Resource, *, purpose: str, actor=None, grant: Grant | None = None):
        self.resource, self.purpose, self.actor, self.grant = resource, purpose, actor, grant
        self.cluster = check_name(resource.slurm_cluster)

    def _env(self) -> dict[str, str]:
        # Times in UTC both ways: `sacct` prints and parses local time, and days are counted in UTC.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "LC_ALL": "C"}
        if settings.COMPUTE_SLURM_CONF:
            env["SLURM_CONF"] = settings.COMPUTE_SLURM_CONF
        return env

    def _once(self, args: list[str]) -> tuple[int | None, str, bool]:
        """(exit code or None, output, whether trying again may help)."""
        started = time.monotonic()
        try:
            result = subprocess.run(args, env=self._env(), capture_output=True, text=True,
                                    timeout=settings.COMPUTE_SLURM_TIMEOUT_SECONDS, check=False)
            returncode, output = result.returncode, result.stdout + result.stderr
            transient = returncode != 0 and any(marker in output for marker in TRANSIENT)
        except subprocess.TimeoutExpired:
            returncode, output = None, _("No answer within %s s.") % settings.COMPUTE_SLURM_TIMEOUT_SECONDS
            transient = True
        except OSError as error:  # the tools are not installed here: a configuration error, not an outage
            returncode, output, transient = None, str(error), False
        SchedulerCommand.objects.create(
            resource=self.resource, grant=self.grant, actor=self.actor, purpose=self.purpose, args=args,
            returncode=returncode, output=output[-OUTPUT_KEPT:],
            duration_ms=int((time.monotonic() - started) * 1000))
        return returncode, output, transient

    def run(self, *args: str) -> str:
        """Run one command, retrying transient failures with exponential backoff; its output or an error."""
        args = list(args)
        attempts = settings.COMPUTE_SLURM_ATTEMPTS
        for attempt in range(attempts):
            returncode, output, transient = self._once(args)
            if returncode == 0:
                return output
            if not transient or attempt == attempts - 1:
                break
            time.sleep(settings.COMPUTE_SLURM_BACKOFF_SECONDS * 2 ** attempt)
        summary = output.strip().splitlines()[-1] if output.strip() else _("exit code %s") % returncode
        error = SchedulerUnavailable if transient else SchedulerError
        raise error(_("%(command)s failed: %(error)s") % {"command": args[0], "error": summary})

    def sacctmgr(self, *args: str) -> str:
        return self.run("sacctmgr", "--immediate", "--noheader", "--parsable2", *args)

    def associations(self, *, accounts: list[str] | None = None) -> list[Association]:
        """The associations of the cluster (or of `accounts` only), accounts and users alike."""
        where = [f"cluster={self.cluster}"]
        if accounts:
            where.append("accounts=" + ",".join(check_name(a) for a in accounts))
        output = self.sacctmgr("show", "associations", *where,
                               "format=Account,User,ParentName,GrpTRESMins,GrpSubmitJobs")
        rows = []
        for line in output.splitlines():
            cells = line.split("|")
            if len(cells) < 5:
                continue
            account, user, parent, tres, submit = cells[:5]
            rows.append(Association(account=account, user=user, parent=parent, grp_tres_mins=_tres(tres),
                                    grp_submit_jobs=int(submit) if submit.isdigit() else None))
        return rows

    def jobs(self, *, accounts: list[str], start: str, end: str) -> list[dict[str, str]]:
        """Allocations (not steps) of `accounts` that ran between `start` and `end` (UTC, ISO)."""
        output = self.run(
            "sacct", "--noheader", "--parsable2", "--allocations", "--allusers", f"--clusters={self.cluster}",
            "--accounts=" + ",".join(check_name(a) for a in accounts), f"--starttime={start}", f"--endtime={end}",
            # With states, the window selects jobs running or ending in it; without, sacct selects by
            # eligible time, which batch jobs may lack.
            f"--state={RAN}", "--format=JobID,Account,Start,End,AllocTRES,State")
        keys = ("job", "account", "start", "end", "tres", "state")
        return [dict(zip(keys, line.split("|"), strict=False)) for line in output.splitlines() if "|" in line]


def tres_count(alloc_tres: str, tres: str) -> int:
    return _tres(alloc_tres).get(tres, 0)
