"""`make stack` keeps the other processes running when one exits, and restarts that one."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.notifications.live_stack import wait_until

ROOT = Path(__file__).resolve().parents[2]
KEEP_RUNNING = ROOT / "bin" / "keep-running"


def test_make_stack_runs_every_procfile_process_under_keep_running():
    plan = subprocess.run(["make", "-n", "stack"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    (generate,) = [line for line in plan.splitlines() if "var/Procfile.stack" in line and line.startswith("sed")]
    stack = subprocess.run(
        ["bash", "-c", generate.split(" > ")[0]], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    procfile = (ROOT / "Procfile").read_text()
    assert [line.split(": ", 1)[0] for line in stack.splitlines()] == [
        line.split(": ", 1)[0] for line in procfile.splitlines()
    ]
    assert all(line.split(": ", 1)[1].startswith("bin/keep-running ") for line in stack.splitlines())
    assert "honcho --procfile var/Procfile.stack" in plan


def test_a_process_that_exits_is_restarted_and_the_others_keep_running(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    record = "import pathlib, sys, os; pathlib.Path(sys.argv[1], str(os.getpid())).touch()"
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        f"crashes: {KEEP_RUNNING} {sys.executable} -c '{record}; sys.exit(3)' {runs}/crashes\n"
        f"steady: {KEEP_RUNNING} {sys.executable} -c '{record}; import time; time.sleep(120)' {runs}/steady\n"
    )
    (runs / "crashes").mkdir()
    (runs / "steady").mkdir()
    honcho = subprocess.Popen(
        [Path(sys.executable).parent / "honcho", "--procfile", procfile, "--app-root", tmp_path, "start"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        # Restarted after 1 s, then 2 s: three runs while the other process runs on.
        restarted = wait_until(lambda: len(list((runs / "crashes").iterdir())) >= 3, timeout=30)
        alive = honcho.poll() is None
        steady_runs = len(list((runs / "steady").iterdir()))
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            output, _ = honcho.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            output, _ = honcho.communicate()
    assert restarted and alive, output
    assert steady_runs == 1, output
    assert "exited with status 3; starting it again" in output
    assert honcho.returncode is not None  # SIGTERM ends the loops too: no process left behind
