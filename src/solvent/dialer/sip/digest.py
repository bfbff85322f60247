"""HTTP digest authentication for SIP (RFC 3261 22.4, RFC 2617, RFC 8760): answering a carrier's or
a PBX's 401/407 challenge with the trunk's credentials.

MD5 is what nearly every carrier and Asterisk still ask for; SHA-256 (RFC 8760) is answered too.
The hash here proves knowledge of a shared password to the server, nothing more: it is not our
own security (hence ``usedforsecurity=False``).
"""

from __future__ import annotations

import hashlib
import re
import secrets

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def challenge_params(challenge: str) -> dict[str, str]:
    """``Digest realm="x", nonce="y", qop="auth"`` -> {"realm": "x", ...} (names lower-cased)."""
    scheme, _, rest = challenge.strip().partition(" ")
    if scheme.lower() != "digest":
        raise ValueError(f"not a digest challenge: {scheme}")
    return {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _PARAM.finditer(rest)
    }


def _hash(algorithm: str, text: str) -> str:
    if algorithm.upper().startswith("SHA-256"):
        return hashlib.sha256(text.encode()).hexdigest()
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_authorization(
    challenge: str,
    *,
    method: str,
    uri: str,
    username: str,
    password: str,
    nonce_count: int = 1,
    cnonce: str | None = None,
) -> str:
    """The Authorization (or Proxy-Authorization) header value answering ``challenge``."""
    params = challenge_params(challenge)
    realm = params.get("realm", "")
    nonce = params.get("nonce", "")
    algorithm = params.get("algorithm", "MD5")
    ha1 = _hash(algorithm, f"{username}:{realm}:{password}")
    ha2 = _hash(algorithm, f"{method}:{uri}")
    qops = [q.strip() for q in params.get("qop", "").split(",") if q.strip()]
    fields = [
        f'username="{username}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f"algorithm={algorithm}",
    ]
    if "auth" in qops:
        cnonce = cnonce or secrets.token_hex(8)
        nc = f"{nonce_count:08x}"
        response = _hash(algorithm, f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        fields += [f'response="{response}"', "qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    else:
        fields.append(f'response="{_hash(algorithm, f"{ha1}:{nonce}:{ha2}")}"')
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)
