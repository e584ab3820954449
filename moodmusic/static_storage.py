"""Collected static files: WhiteNoise's compressed, fingerprinted storage, with brotli bounded for big files.

Where brotli is installed, its default quality (11) compresses about 1 MB a second: the WebAssembly
runtimes of private mode (9-12 MB each, stored fingerprinted and plain) took collectstatic from seconds
to minutes (3.5 CPU minutes). Above 1 MB, quality 5 is many times faster for a few more bytes
(onnxruntime-web's 12.4 MB: 2.4 MB, 1 s). Without brotli, WhiteNoise writes gzip alone.
"""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

BIG_FILE = 1_000_000
BIG_FILE_QUALITY = 5


class BoundedCompressor(Compressor):
    """Only called where brotli is installed (WhiteNoise writes gzip alone otherwise)."""

    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        import brotli

        return brotli.compress(data, quality=BIG_FILE_QUALITY if len(data) > BIG_FILE else 11)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        return BoundedCompressor(**kwargs)
