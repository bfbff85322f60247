"""The recording store: connected calls' audio as WAV files under the var directory.

``LocalRecordingStore`` implements ``ports.RecordingStore``. A reference is opaque and made here
(``new_ref``): the day, the call's reference and a random token, letters, digits and hyphens only.
A reference that does not have that shape is refused before any file is touched, so no reference
(one kept on an Interaction, one sent in a request) can name a path outside the store. Files live
under ``SOLVENT_RECORDINGS_DIR`` when set, else ``VAR_DIR/recordings``, one folder per day, and are
written whole to a temporary name and renamed, so a reader never sees half a recording.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from solvent.core import clock
from solvent.dialer.ports import RecordingStore

# "20261202-call-42-<32 hex>": the day (the store's folder), the call, a token nobody can guess.
_REF = re.compile(r"^(?P<day>\d{8})-[a-z0-9-]{1,80}-(?P<token>[0-9a-f]{32})$")
_UNSAFE = re.compile(r"[^a-z0-9-]+")


class RecordingRefError(ValueError):
    """A reference this store did not make (it could name a path elsewhere): refused."""


class LocalRecordingStore:
    """Recordings as files under ``root`` (``root/<day>/<ref>.wav``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def new_ref(self, call_ref: str) -> str:
        name = _UNSAFE.sub("-", call_ref.lower()).strip("-")[:80] or "call"
        return f"{clock.now():%Y%m%d}-{name}-{secrets.token_hex(16)}"

    def path(self, ref: str) -> Path:
        """The file of ``ref`` (RecordingRefError for a reference this store did not make)."""
        match = _REF.fullmatch(ref)
        if match is None:
            raise RecordingRefError(f"not a recording reference: {ref!r}")
        return self.root / match.group("day") / f"{ref}.wav"

    def write(self, ref: str, data: bytes) -> int:
        target = self.path(ref)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        with partial.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(target)
        return len(data)

    def open(self, ref: str) -> BinaryIO:
        return self.path(ref).open("rb")

    def size(self, ref: str) -> int:
        """The stored file's size in bytes (FileNotFoundError when it was deleted)."""
        return self.path(ref).stat().st_size

    def delete(self, ref: str) -> None:
        self.path(ref).unlink(missing_ok=True)


def recordings_root() -> Path:
    """``SOLVENT_RECORDINGS_DIR`` (a setting or the environment), else ``VAR_DIR/recordings``."""
    configured = getattr(settings, "SOLVENT_RECORDINGS_DIR", "") or os.environ.get(
        "SOLVENT_RECORDINGS_DIR", ""
    )
    if configured:
        return Path(configured).expanduser()
    return Path(settings.VAR_DIR) / "recordings"


def recording_store() -> RecordingStore:
    """The configured recording store (local files; another store would be chosen here)."""
    return LocalRecordingStore(recordings_root())
