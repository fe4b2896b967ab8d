"""A real single-node Slurm (munged, its own MariaDB, slurmdbd, slurmctld, slurmd) for the tests.

Everything lives under one temporary directory and every daemon runs in the foreground as a
child of the test process, so stopping the children and removing the directory leaves nothing
behind. Debian 12's packages (Slurm 22.05) work as root without systemd given the settings
below; the ports are fixed (CI runs one copy of the suite per machine).
"""

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CLUSTER = "ci"
PARTITION = "debug"
CPUS = 256  # declared, not real (config_overrides): lets a 2-core machine run "wide" short jobs
PORTS = {"slurmctld": 6817, "slurmd": 6818, "slurmdbd": 6819, "mariadb": 3310}
PACKAGES = ("slurmctld", "slurmd", "slurmdbd", "munged", "mariadbd", "mariadb-install-db", "sacctmgr")
START_DEADLINE = 60


class SlurmUnavailable(RuntimeError):
    pass


@dataclass
class SlurmCluster:
    root: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def conf(self) -> Path:
        return self.root / "etc" / "slurm.conf"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def run(self, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
        """A Slurm command run the way the platform runs it (SLURM_CONF pointing at this cluster)."""
        result = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr}{result.stdout}")
        return result

    def mariadb(self, sql: str) -> str:
        """Reach into slurmdbd's own database: the way an upstream correction is simulated."""
        result = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.root / 'mysql' / 'mysqld.sock'}", "-u", "root",
             "-N", "-B", "slurm_acct_db", "-e", sql],
            capture_output=True, text=True, timeout=30, check=True)
        return result.stdout

    def log(self, name: str) -> str:
        path = self.root / "log" / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)

    def start_slurmdbd(self) -> None:
        self._spawn("slurmdbd", ["slurmdbd", "-D"])
        self._until(lambda: self.run("sacctmgr", "-n", "show", "cluster", check=False,
                                     timeout=10).returncode == 0, "slurmdbd")

    def start_slurmctld(self) -> None:
        self._spawn("slurmctld", ["slurmctld", "-D", "-c", "-f", str(self.conf)])
        # Registered with slurmdbd (it knows the controller's address): jobs run before that reach the
        # accounting without their account or eligible time, and sacct's time windows miss them.
        self._until(lambda: self.run("sacctmgr", "-n", "-P", "show", "cluster", CLUSTER, "format=ControlHost",
                                     check=False).stdout.strip() != "", "slurmctld")

    def warm_up(self) -> None:
        """Run jobs until one is found by a time-window query in the accounting, as the platform queries it.

        Job records reach slurmdbd asynchronously, and right after slurmctld starts it took several
        jobs before one was found (a row seen earlier lacked its account and eligible time, which the
        windows select on). With --state, sacct also needs an explicit --endtime to find anything.
        """
        self.run("sacctmgr", "-i", "add", "account", "warmup", f"cluster={CLUSTER}")
        self.run("sacctmgr", "-i", "add", "user", "root", "account=warmup", f"cluster={CLUSTER}")

        def counted():
            self.run("srun", "-A", "warmup", "-t", "1", "true")
            return self.accounted("warmup")

        self._until(counted, "slurmctld")

    def accounted(self, account: str) -> list[str]:
        """Ids of the account's completed jobs that a time window in the accounting finds (last day)."""
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - 86400))
        return self.run("sacct", "-a", "-X", "-n", "-P", f"--accounts={account}", "--state=COMPLETED",
                        "-S", since, "-E", "now", "-o", "JobID").stdout.split()

    def _spawn(self, name: str, args: list[str], **kwargs) -> None:
        log = open(self.root / "log" / f"{name}.out", "ab")  # noqa: SIM115 - kept open for the daemon
        self.processes[name] = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True, **kwargs)

    def _until(self, ready, name: str, deadline: float = START_DEADLINE) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                raise SlurmUnavailable(f"{name} exited ({process.returncode}): {self.log(name)}"
                                       f"{(self.root / 'log' / f'{name}.out').read_text(errors='replace')}")
            if ready():
                return
            time.sleep(0.2)
        raise SlurmUnavailable(f"{name} was not ready within {deadline} s: {self.log(name)}")


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.write_text(text)
    path.chmod(mode)


def _configure(root: Path) -> None:
    for sub in ("etc", "log", "state", "spool", "munge", "mysql"):
        (root / sub).mkdir()
    munge_socket = root / "munge" / "munge.socket"
    auth = f"AuthType=auth/munge\nAuthInfo=socket={munge_socket}\n"
    _write(root / "etc" / "slurm.conf", f"""ClusterName={CLUSTER}
SlurmctldHost=localhost
SlurmctldPort={PORTS["slurmctld"]}
SlurmdPort={PORTS["slurmd"]}
SlurmUser=root
SlurmdUser=root
{auth}CredType=cred/munge
StateSaveLocation={root / "state"}
SlurmdSpoolDir={root / "spool"}
SlurmctldPidFile={root / "state" / "slurmctld.pid"}
SlurmdPidFile={root / "spool" / "slurmd.pid"}
SlurmctldLogFile={root / "log" / "slurmctld.log"}
SlurmdLogFile={root / "log" / "slurmd.log"}
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
ReturnToService=2
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort={PORTS["slurmdbd"]}
# The munge socket for slurmdbd: without it the clients look for the system munged.
AccountingStoragePass={munge_socket}
AccountingStorageEnforce=associations,limits,qos,safe
JobCompType=jobcomp/none
# GrpTRESMins is counted by the multifactor plugin; no decay, so a grant's minutes never come back.
PriorityType=priority/multifactor
PriorityDecayHalfLife=0
PriorityUsageResetPeriod=NONE
PriorityCalcPeriod=1
NodeName=localhost NodeAddr=127.0.0.1 CPUs={CPUS} RealMemory=1000 State=UNKNOWN
PartitionName={PARTITION} Nodes=localhost Default=YES MaxTime=INFINITE State=UP
""")
    _write(root / "etc" / "slurmdbd.conf", f"""{auth}DbdHost=localhost
DbdPort={PORTS["slurmdbd"]}
SlurmUser=root
PidFile={root / "state" / "slurmdbd.pid"}
LogFile={root / "log" / "slurmdbd.log"}
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={PORTS["mariadb"]}
StorageUser=root
StorageLoc=slurm_acct_db
""", mode=0o600)
    key = root / "munge" / "munge.key"
    key.write_bytes(os.urandom(128))
    key.chmod(0o400)
    # munged refuses root ("Unauthorized credential for client UID=0"): it runs as munge.
    shutil.chown(root / "munge", "munge", "munge")
    shutil.chown(key, "munge", "munge")
    (root / "munge").chmod(0o755)


@contextlib.contextmanager
def machine_lock():
    """One test cluster per machine (its ports are fixed): a second one fails at once, saying why."""
    with open(Path(tempfile.gettempdir()) / "community-slurm-tests.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise SlurmUnavailable(
                "Another test process runs the Slurm test cluster: keep the tests that need it in "
                "tests/compute/test_scheduler.py and run with --dist loadfile (make test does)") from error
        yield


def start() -> SlurmCluster:
    missing = [name for name in PACKAGES if shutil.which(name) is None and not Path("/usr/sbin", name).exists()]
    if missing:
        raise SlurmUnavailable(
            f"Slurm is not installed (missing {', '.join(missing)}): apt-get install slurm-wlm slurmdbd munge "
            "mariadb-server (.ci/run does it)")
    root = Path(tempfile.mkdtemp(prefix="community-slurm-"))
    root.chmod(0o755)  # munged checks that the directories above its socket are not writable by others
    cluster = SlurmCluster(root)
    try:
        _configure(root)
        munge = root / "munge"
        cluster._spawn("munged", ["munged", "-F", f"--socket={munge / 'munge.socket'}",
                                  f"--key-file={munge / 'munge.key'}", f"--pid-file={munge / 'munged.pid'}",
                                  f"--log-file={root / 'log' / 'munged.log'}", f"--seed-file={munge / 'seed'}"],
                       user="munge", group="munge")
        cluster._until(lambda: (munge / "munge.socket").exists(), "munged")
        mysql = root / "mysql"
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={mysql / 'data'}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       capture_output=True, check=True, timeout=120)
        cluster._spawn("mariadb", ["mariadbd", "--no-defaults", f"--datadir={mysql / 'data'}", "--user=root",
                                   f"--socket={mysql / 'mysqld.sock'}", f"--port={PORTS['mariadb']}",
                                   "--bind-address=127.0.0.1", "--skip-name-resolve",
                                   f"--log-error={root / 'log' / 'mariadb.log'}",
                                   "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M"])
        cluster._until(lambda: subprocess.run(
            ["mariadb-admin", "--no-defaults", f"--socket={mysql / 'mysqld.sock'}", "-u", "root", "ping"],
            capture_output=True, check=False).returncode == 0, "mariadb")
        cluster.start_slurmdbd()
        # slurmdbd must know the cluster before slurmctld registers with it.
        cluster.run("sacctmgr", "-i", "add", "cluster", CLUSTER)
        cluster.start_slurmctld()
        cluster._spawn("slurmd", ["slurmd", "-D", "-N", "localhost", "-f", str(cluster.conf)])
        cluster._until(lambda: cluster.run("sinfo", "-h", "-o", "%t", check=False).stdout.strip() == "idle",
                       "slurmd")
        cluster.warm_up()
    except BaseException:
        cluster.stop_all()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster


def stop(cluster: SlurmCluster) -> None:
    cluster.stop_all()
    shutil.rmtree(cluster.root, ignore_errors=True)
