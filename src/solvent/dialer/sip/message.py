"""SIP messages (RFC 3261 section 7): parsing what arrives on the socket and writing what we send.

A message is its start line, its headers in order (a header may repeat: Via, Record-Route) and a
body. Header names are matched case-insensitively and in their compact forms (``v`` for Via, ``i``
for Call-ID ...), as section 7.3.3 requires of a receiver; we always write the long forms.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

_COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "k": "supported",
    "s": "subject",
}
# RFC 3261 8.1.1.7: every branch we make starts with the magic cookie.
BRANCH_COOKIE = "z9hG4bK"


class SipParseError(ValueError):
    """Bytes on the SIP socket that are not a SIP message (ignored by the user agent)."""


@dataclass
class SipMessage:
    start_line: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return not self.start_line.startswith("SIP/2.0 ")

    @property
    def method(self) -> str:
        """A request's method (INVITE, BYE ...); a response's is its CSeq's."""
        if self.is_request:
            return self.start_line.split(" ", 1)[0].upper()
        return self.cseq[1]

    @property
    def uri(self) -> str:
        return self.start_line.split(" ")[1]

    @property
    def status(self) -> int:
        return int(self.start_line.split(" ")[1]) if not self.is_request else 0

    @property
    def reason(self) -> str:
        parts = self.start_line.split(" ", 2)
        return parts[2] if len(parts) > 2 and not self.is_request else ""

    @property
    def cseq(self) -> tuple[int, str]:
        number, method = self.header("CSeq").split()
        return int(number), method.upper()

    @property
    def call_id(self) -> str:
        return self.header("Call-ID")

    @property
    def branch(self) -> str:
        return header_param(self.header("Via"), "branch")

    def header(self, name: str, default: str = "") -> str:
        """The first value of header ``name`` (``default`` when absent)."""
        values = self.header_all(name)
        return values[0] if values else default

    def header_all(self, name: str) -> list[str]:
        """Every value of header ``name``, comma-separated ones split (Via: a, b -> [a, b])."""
        wanted = name.lower()
        found: list[str] = []
        for key, value in self.headers:
            if _COMPACT.get(key.lower(), key.lower()) == wanted:
                found.extend(_split_commas(value) if wanted in _LIST_HEADERS else [value])
        return found

    def to_bytes(self) -> bytes:
        lines = [self.start_line]
        lines.extend(
            f"{name}: {value}" for name, value in self.headers if name.lower() != "content-length"
        )
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body

    @classmethod
    def parse(cls, data: bytes) -> SipMessage:
        head, separator, body = data.partition(b"\r\n\r\n")
        if not separator:
            head, separator, body = data.partition(b"\n\n")
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SipParseError("not UTF-8") from error
        lines = text.replace("\r\n", "\n").split("\n")
        start = lines[0].strip()
        if not (start.startswith("SIP/2.0 ") or start.endswith(" SIP/2.0")):
            raise SipParseError(f"not a SIP start line: {start[:60]!r}")
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:  # a folded continuation line (7.3.1)
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {line.strip()}")
                continue
            name, colon, value = line.partition(":")
            if colon:
                headers.append((name.strip(), value.strip()))
        message = cls(start, headers, body)
        length = message.header("Content-Length")
        if length.isdigit():
            message.body = body[: int(length)]
        return message


_LIST_HEADERS = frozenset({"via", "record-route", "route", "contact"})


def _split_commas(value: str) -> list[str]:
    """Split a header value on commas outside quotes and angle brackets."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for index, char in enumerate(value):
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            depth += 1
        elif not quoted and char == ">":
            depth -= 1
        elif char == "," and not quoted and depth == 0:
            parts.append(value[start:index].strip())
            start = index + 1
    parts.append(value[start:].strip())
    return [part for part in parts if part]


def header_param(value: str, name: str) -> str:
    """A ``;name=value`` parameter of a header value (outside its <URI>), or ""."""
    outside = value.rsplit(">", 1)[-1]
    match = re.search(rf";\s*{re.escape(name)}\s*=\s*([^;,\s]+)", outside, re.IGNORECASE)
    return match.group(1).strip('"') if match else ""


def uri_of(value: str) -> str:
    """The URI of a From/To/Contact/Route value: what is inside <...>, or the bare URI."""
    match = re.search(r"<([^>]*)>", value)
    if match:
        return match.group(1)
    return value.split(";", 1)[0].strip()


def uri_host_port(uri: str, default_port: int = 5060) -> tuple[str, int]:
    """Where a ``sip:`` URI points: its host and port (5060 when none), ``;maddr`` aside."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    rest = rest.split(";", 1)[0].split("?", 1)[0]
    host_port = rest.rsplit("@", 1)[-1]
    if host_port.startswith("["):  # an IPv6 reference
        host, _, port = host_port[1:].partition("]")
        return host, int(port.lstrip(":") or default_port)
    host, _, port = host_port.partition(":")
    return host, int(port or default_port)


def new_branch() -> str:
    return f"{BRANCH_COOKIE}{secrets.token_hex(8)}"


def new_tag() -> str:
    return secrets.token_hex(6)


def new_call_id(host: str) -> str:
    return f"{secrets.token_hex(12)}@{host}"


def response_to(
    request: SipMessage,
    status: int,
    reason: str,
    *,
    to_tag: str = "",
    extra: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> SipMessage:
    """A response to ``request`` (section 8.2.6): its Via, From, To (with our tag), Call-ID, CSeq."""
    headers = [("Via", via) for via in request.header_all("Via")]
    to = request.header("To")
    if to_tag and not header_param(to, "tag"):
        to = f"{to};tag={to_tag}"
    headers += [
        ("From", request.header("From")),
        ("To", to),
        ("Call-ID", request.call_id),
        ("CSeq", request.header("CSeq")),
    ]
    headers += extra or []
    return SipMessage(f"SIP/2.0 {status} {reason}", headers, body)
