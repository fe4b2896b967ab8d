"""The real Slurm cluster of the scheduler tests (tests/compute/slurm_cluster.py)."""

import pytest

from tests.compute import slurm_cluster


@pytest.fixture(scope="session")
def slurm():
    """Started once per test process, by the one worker that runs tests/compute/test_scheduler.py.

    When Slurm cannot start, or another process already runs the test cluster, every test that
    needs it errors with the reason: it never skips.
    """
    with slurm_cluster.machine_lock():
        cluster = slurm_cluster.start()
        yield cluster
        slurm_cluster.stop(cluster)


@pytest.fixture
def slurm_settings(settings, slurm):
    """The platform's Slurm commands pointed at the test cluster."""
    settings.COMPUTE_SLURM_CONF = str(slurm.conf)
    return settings
