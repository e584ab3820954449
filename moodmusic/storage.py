"""What a failing picture store (local disk or S3-compatible bucket) means, in words an operator and a person read.

Django's storage API raises ``OSError`` for a local disk and botocore's errors for a bucket; both backends'
faults are told apart here once, for the capture API (507 or 503) and ``/health/``. ``PictureStorage`` is the
bucket backend (AWS_STORAGE_BUCKET_NAME).
"""

import errno
from contextlib import closing
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
FULL_S3_CODES = {"QuotaExceeded", "EntityTooLarge", "InsufficientStorage", "XMinioStorageFull"}


@dataclass(frozen=True)
class StorageFault:
    status: int  # 507 when the store is full, 503 when it cannot be reached or refuses
    code: str
    detail: str  # for the person
    cause: str  # for the operator (/health/, logs)


def storage_fault(exc: BaseException) -> StorageFault:
    if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
        return StorageFault(507, "storage_full", "MoodMusic has no room to store your picture right now; nothing was "
                            "kept. Please try again later.", f"the media disk is full ({exc.strerror})")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        if code in FULL_S3_CODES:
            return StorageFault(507, "storage_full", "MoodMusic has no room to store your picture right now; "
                                "nothing was kept. Please try again later.", f"the bucket is full ({code})")
        cause = {"NoSuchBucket": "the bucket does not exist", "AccessDenied": "access to the bucket is denied",
                 "InvalidAccessKeyId": "the access key is not known to the object store",
                 "SignatureDoesNotMatch": "the secret key does not match the access key"}.get(
            code, f"the object store answered {code or 'an error'}")
        return _unavailable(f"{cause}: {error.get('Message', '')}".rstrip(": "))
    if isinstance(exc, EndpointConnectionError):
        return _unavailable(f"the object store cannot be reached ({exc.kwargs.get('endpoint_url', '')})")
    if isinstance(exc, BotoCoreError):
        return _unavailable(f"the object store failed: {exc}")
    if isinstance(exc, PermissionError):
        return _unavailable(f"the media directory cannot be written ({exc.strerror})")
    if isinstance(exc, OSError):
        return _unavailable(f"the media disk failed ({exc.strerror or exc})")
    return _unavailable(str(exc))


def _unavailable(cause: str) -> StorageFault:
    return StorageFault(503, "storage_unavailable", "MoodMusic cannot store your picture right now; nothing was kept. "
                        "Please try again in a moment.", cause)


def _not_found(err: ClientError) -> bool:
    return err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404


class PictureStorage(S3Storage):
    """django-storages' S3 backend, one plain client request for each read, write and delete of a picture.

    Pictures are small (at most CAPTURE_MAX_BYTES), so the multipart machinery of ``S3File`` and s3transfer is
    not needed: it costs a read two extra HEAD requests and about three times the CPU (measured against
    SeaweedFS: save 2.8 → 1.1 ms, open and read 4.0 → 1.1 ms); S3Storage deletes through boto3's resource
    layer (2.4 ms of CPU a delete, the client call alone about half that). Everything else (listdir, signed
    URLs) is S3Storage's own. A missing object is ``FileNotFoundError``, as for a local disk.
    """

    def _open(self, name, mode="rb"):
        if "w" in mode:
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as err:
            if _not_found(err):
                raise FileNotFoundError(f"File does not exist: {key}") from err
            raise
        with closing(answer["Body"]) as body:
            return ContentFile(body.read(), name=name)

    def _save(self, name, content):
        cleaned = clean_name(name)
        key = self._normalize_name(cleaned)
        if hasattr(content, "seek"):
            content.seek(0)
        self.connection.meta.client.put_object(Bucket=self.bucket_name, Key=key, Body=content.read(),
                                               **self._get_write_parameters(key, content))
        return cleaned

    def delete(self, name):
        key = self._normalize_name(clean_name(name))
        try:
            self.connection.meta.client.delete_object(Bucket=self.bucket_name, Key=key)
        except ClientError as err:
            if not _not_found(err):  # already gone is fine, as on a local disk
                raise
