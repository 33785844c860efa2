"""A real S3-protocol server on loopback (moto's standalone server), and the app's storage
pointed at a fresh bucket on it, configured from the environment as production reads it."""

import socket
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from core.storage_config import media_storage

S3_KEY_ID = "chamyeo-test-key"
S3_SECRET = "chamyeo-test-secret"
S3_REGION = "ap-northeast-2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """http://127.0.0.1:<free port>, an S3 server in a thread of this process."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_environment(s3_endpoint):
    """The variables an operator sets for the S3 backend, with a bucket of its own."""
    return {
        "CHAMYEO_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": f"chamyeo-media-{uuid.uuid4().hex[:12]}",
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "AWS_S3_REGION_NAME": S3_REGION,
    }


@pytest.fixture
def s3_bucket(s3_environment):
    """A boto3 client and the (private) bucket's name, created on the server."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_environment["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET,
        region_name=S3_REGION,
    )
    bucket = s3_environment["AWS_STORAGE_BUCKET_NAME"]
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    return client, bucket


@pytest.fixture
def s3_storage(settings, s3_environment, s3_bucket):
    """STORAGES["default"] as the settings build it from ``s3_environment``."""
    default, _origins = media_storage(s3_environment)
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return s3_bucket
