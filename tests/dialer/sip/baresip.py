"""Real SIP user agents for the tests: baresip (a Debian package) processes on 127.0.0.1.

Each ``Baresip`` is one process with its own configuration folder: one account (auto-answering or
not), a WAV file as its microphone (``aufile``: when the file ends, baresip hangs up; that is how
a debtor or an agent hangs up in the tests) and baresip's ``sndfile`` filter keeping what it heard
(``dump-<time>-dec.wav``), so a test can check the audio that reached the far end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import wave
from pathlib import Path

import pytest

from tests.servers import free_port

# Ports handed out in this process: baresip also binds SIP/TLS on port + 1, and a port freed by
# free_port() could otherwise be handed to the next agent as that + 1 (seen: "Address already in use").
_HANDED_OUT: set[int] = set()


def _sip_port() -> int:
    """A port p such that p and p + 1 are both free now and neither was handed out before."""
    for _ in range(200):
        port = free_port()
        wanted = {port - 1, port, port + 1, port + 2}
        if wanted & _HANDED_OUT or not _bindable(port + 1):
            continue
        _HANDED_OUT.update((port, port + 1))
        return port
    raise AssertionError("no pair of free ports for a baresip agent in 200 tries")


def _bindable(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _modules() -> Path:
    """Where Debian (or a local build) put baresip's modules."""
    candidates = [
        Path("/usr/lib/baresip/modules"),
        *sorted(Path("/usr/lib").glob("*/baresip/modules")),
        Path("/usr/local/lib/baresip/modules"),
    ]
    return next((path for path in candidates if (path / "g711.so").exists()), candidates[0])


MODULES = _modules()


def require_tools() -> None:
    """Skip without baresip and espeak-ng (fail under CI, which installs both)."""
    missing = [tool for tool in ("baresip", "espeak-ng") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install baresip espeak-ng)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {message}")
        pytest.skip(message)


class Baresip:
    def __init__(
        self,
        folder: Path,
        name: str,
        microphone: Path,
        *,
        answer: bool = True,
        max_calls: int = 4,
    ) -> None:
        self.name = name
        self.folder = folder / name
        self.port = _sip_port()
        self.heard_dir = self.folder / "heard"
        self.heard_dir.mkdir(parents=True)
        self.log = self.folder / "baresip.log"
        answermode = "auto" if answer else "manual"
        (self.folder / "accounts").write_text(
            f"<sip:{name}@127.0.0.1:{self.port}>;answermode={answermode};regint=0\n"
        )
        (self.folder / "config").write_text(
            "\n".join(
                [
                    "poll_method\t\tepoll",
                    f"sip_listen\t\t127.0.0.1:{self.port}",
                    f"audio_source\t\taufile,{microphone}",
                    "audio_alert\t\taufile,/dev/null",
                    f"call_max_calls\t\t{max_calls}",
                    f"module_path\t\t{MODULES}",
                    "module_app\t\taccount.so",
                    "module\t\t\tg711.so",
                    "module\t\t\taufile.so",
                    "module\t\t\tsndfile.so",
                    f"snd_path\t\t{self.heard_dir}",
                    "",
                ]
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"sip:{self.name}@127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [shutil.which("baresip") or "baresip", "-f", str(self.folder), "-v"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_ready(self, deadline: float) -> None:
        while "baresip is ready" not in self.log_text():
            assert self.process is not None
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"baresip {self.name} did not start:\n{self.log_text()}")
            time.sleep(0.02)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def heard(self, timeout: float = 5.0) -> bytes:
        """The audio this user agent received in its (only) call, once baresip has closed the
        file (8 kHz 16-bit samples)."""
        deadline = time.monotonic() + timeout
        while True:
            for path in sorted(self.heard_dir.glob("dump-*-dec.wav")):
                try:
                    with wave.open(str(path), "rb") as file:
                        frames = file.readframes(file.getnframes())
                        if file.getnframes() > 0:
                            return frames
                except (EOFError, wave.Error):
                    pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} kept no audio:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
