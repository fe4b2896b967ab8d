"""The real Slurm cluster of the scheduler tests (tests/compute/slurm_cluster.py)."""

import pytest

from tests.compute import slurm_cluster


@pytest.fixture(scope="session")
def slurm():
    """Started once per test process; the Slurm tests share one xdist group so only one process starts it.

    When Slurm cannot start, every test that needs it errors with the reason: it never skips.
    """
    cluster = slurm_cluster.start()
    yield cluster
    slurm_cluster.stop(cluster)


@pytest.fixture
def slurm_settings(settings, slurm):
    """The platform's Slurm commands pointed at the test cluster."""
    settings.COMPUTE_SLURM_CONF = str(slurm.conf)
    return settings
