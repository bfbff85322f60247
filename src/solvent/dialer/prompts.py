"""The recorded messages the dialer plays: the abandon message and the limited-content voicemail.

Both are spoken by espeak-ng (a Debian package) into WAV files under the prompts folder
(``SOLVENT_PROMPTS_DIR``, default ``VAR_DIR/prompts``) the first time they are needed, then reused.
A person's recording replaces the synthetic voice: a 16-bit WAV (any rate, mono or stereo) named
``abandon.wav`` or ``voicemail.wav`` in that folder is played as it is.

The words are configurable (``SOLVENT_PROMPT_ABANDON_TEXT``, ``SOLVENT_PROMPT_VOICEMAIL_TEXT``) and
their defaults are built from ``SOLVENT_CALLER_BUSINESS_NAME``, ``SOLVENT_CALLER_CONTACT_NAME`` and
``SOLVENT_CALLBACK_NUMBER``:

- the abandon message says who is calling, that nobody was available to take the call, and the
  number to call back (the US Telemarketing Sales Rule's safe harbour asks as much, 16 CFR
  310.4(b)(4)(iii); Ofcom's persistent-misuse policy too);
- the voicemail is Regulation F's limited-content message (12 CFR 1006.2(j)): a business name that
  does not say it collects debts, a request to reply, the name of a person to reply to and a
  telephone number, and nothing else, so it is not a "communication" about the debt if someone
  else hears it.

A changed text makes a new file (the text's hash is in the name), so nobody hears yesterday's words.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from solvent.dialer.sip.wav import read_pcm8k, write_pcm

PROMPT_NAMES = ("abandon", "voicemail")


class PromptError(RuntimeError):
    """A prompt could not be made (espeak-ng missing or failing) and none was on disk."""


def _business() -> str:
    return os.environ.get("SOLVENT_CALLER_BUSINESS_NAME", "Solvent Services")


def _callback() -> str:
    number = os.environ.get("SOLVENT_CALLBACK_NUMBER", "1 800 555 0100")
    # Spoken digit by digit with pauses, as a caller writes a number down.
    return ", ".join(" ".join(group) for group in number.replace("-", " ").split())


def prompt_text(name: str) -> str:
    """The words of prompt ``name`` (``abandon`` or ``voicemail``)."""
    if name == "abandon":
        return os.environ.get("SOLVENT_PROMPT_ABANDON_TEXT") or (
            f"Hello, this is {_business()} calling. We are sorry: nobody was available to "
            f"take your call just now. Please call us back at {_callback()}. Thank you."
        )
    if name == "voicemail":
        contact = os.environ.get("SOLVENT_CALLER_CONTACT_NAME", "Alex Morgan")
        return os.environ.get("SOLVENT_PROMPT_VOICEMAIL_TEXT") or (
            f"Hello, this is {contact} from {_business()}. Please call me back at "
            f"{_callback()}. Thank you."
        )
    raise ValueError(f"no prompt named {name!r}: one of {', '.join(PROMPT_NAMES)}")


def prompts_dir() -> Path:
    configured = os.environ.get("SOLVENT_PROMPTS_DIR")
    if configured:
        return Path(configured).expanduser()
    from django.conf import settings

    return Path(settings.VAR_DIR) / "prompts"


def prompt_path(name: str, directory: Path | None = None) -> Path:
    """The WAV of prompt ``name``: a recorded ``<name>.wav`` when there is one, else the text
    spoken by espeak-ng (made now if it is not on disk yet)."""
    folder = directory or prompts_dir()
    recorded = folder / f"{name}.wav"
    if recorded.exists():
        return recorded
    text = prompt_text(name)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = folder / f"{name}-{digest}.wav"
    if not path.exists():
        write_pcm(path, speak(text))
    return path


def speak(text: str, *, voice: str = "en-us", words_per_minute: int = 150) -> bytes:
    """``text`` spoken by espeak-ng as 8 kHz 16-bit mono samples."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise PromptError("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as folder:
        spoken = Path(folder) / "spoken.wav"
        command = [espeak, "-v", voice, "-s", str(words_per_minute), "-w", str(spoken), text]
        result = subprocess.run(command, capture_output=True, check=False, timeout=60)  # noqa: S603
        if result.returncode != 0 or not spoken.exists():
            raise PromptError(f"espeak-ng failed: {result.stderr.decode(errors='replace')}")
        return read_pcm8k(spoken)
