"""Reading an uploaded import file within its cap, and holding it between its dry run and the user's
confirmation.

The file is written under UPLOAD_DIR with a random token kept in the user's session, so a confirmation
can only use a file this session uploaded. Unconfirmed files older than a day are cleared.
"""

import logging
import time
import uuid
from pathlib import Path

from django.conf import settings

from jushi.lib.tabular import MB, TableError, format_of

logger = logging.getLogger(__name__)


def read_upload(upload, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file, refused (TableError) by its name and declared size before a byte
    is read into memory: Django spools a large upload to disk, `upload.read()` would load it whole."""
    limit = settings.JUSHI_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    format_of(upload.name)
    if upload.size > limit:
        raise TableError(f"文件大小 {upload.size / MB:.1f} MB,超过上限 {limit / MB:.1f} MB")
    return upload.read(limit + 1)  # never more than the cap, whatever the size claimed


def _path(token: str, filename: str) -> Path:
    return Path(settings.UPLOAD_DIR) / f"{token}.{format_of(filename)}"


class StorageError(TableError):
    """The upload folder cannot take the file (disk full, not writable, not a folder): nothing was kept.
    A TableError, so an import page that shows file errors shows this one; any other page gets the
    message from jushi.core.middleware (507)."""


STORAGE_MESSAGE = "导入文件未保存:服务器存储空间不足或上传目录不可写,请联系系统管理员;本次没有导入任何内容"


def stash(request, key: str, data: bytes, filename: str, options: dict) -> str:
    token = uuid.uuid4().hex
    folder = Path(settings.UPLOAD_DIR)
    path = _path(token, filename)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - 86400
        for stale in folder.iterdir():
            if stale.is_file() and stale.stat().st_mtime < cutoff:
                stale.unlink(missing_ok=True)
        path.write_bytes(data)
    except OSError as exc:  # ENOSPC, EACCES, EROFS, ENOTDIR: say so, keep no partial file
        logger.error("import file not stashed in %s: %s", folder, exc)
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        raise StorageError(STORAGE_MESSAGE) from None
    request.session.setdefault(key, {})[token] = {"filename": filename, **options}
    request.session.modified = True
    return token


def unstash(request, key: str, token: str) -> tuple[bytes, dict] | None:
    info = request.session.get(key, {}).get(token)
    if not info:
        return None
    path = _path(token, info["filename"])
    if not path.exists():
        return None
    return path.read_bytes(), info


def drop(request, key: str, token: str) -> None:
    info = request.session.get(key, {}).pop(token, None)
    request.session.modified = True
    if info:
        _path(token, info["filename"]).unlink(missing_ok=True)


def stashed_path(token: str, filename: str) -> Path:
    """Where a stashed file lives, for a background job that has the token but no session (the job's
    params carry both; the page that started the job checked the session)."""
    if not token.isalnum():
        raise ValueError("bad upload token")
    return _path(token, filename)
