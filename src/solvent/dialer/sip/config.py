"""The SIP adapter's settings: ``SipConfig``, read from ``SOLVENT_SIP_*`` environment variables
(docs/dialer-telephony.md lists them), and how numbers and agents' endpoints become SIP URIs."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from solvent.dialer.sip.message import uri_host_port, uri_of
from solvent.dialer.sip.sdp import CODEC_TYPES

_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class SipConfig:
    """Where and how the dialer speaks SIP (all from ``SOLVENT_SIP_*``; see from_environment)."""

    bind_host: str = "127.0.0.1"
    port: int = 5060
    public_host: str = ""  # the address written in Via/Contact/SDP (NAT: the public one)
    dial_uri: str = "sip:{number}@127.0.0.1"  # how a number becomes a Request-URI
    outbound_proxy: str = ""  # every request goes there first (an SBC), e.g. sip:sbc.example:5060
    username: str = ""  # digest credentials, answered to a 401/407 challenge
    password: str = ""
    registrar: str = ""  # when set, the dialer registers (trunks with registration)
    register_aor: str = ""  # default sip:<username>@<registrar host>
    register_expires: int = 600
    caller_name: str = ""  # the display name in From (carriers mostly ignore it)
    assert_identity: bool = False  # also send the caller ID as P-Asserted-Identity (RFC 3325)
    rtp_ports: tuple[int, int] | None = None  # e.g. (10000, 20000); none: any free port
    codecs: tuple[int, ...] = (0, 8)  # offered in this order: PCMU (0), PCMA (8)
    agent_uri: str = ""  # how an agent endpoint that is not a URI ("agent-7") becomes one
    agent_ring_seconds: int = 20  # how long an agent's softphone may ring before connect fails
    detection_grace_seconds: float = 2.0  # after AMD's total time with no verdict: unknown

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> SipConfig:
        env = os.environ if environ is None else environ
        ports = env.get("SOLVENT_SIP_RTP_PORTS", "")
        low, _, high = ports.partition("-")
        names = [name.strip().upper() for name in env.get("SOLVENT_SIP_CODECS", "").split(",")]
        codecs = tuple(CODEC_TYPES[name] for name in names if name in CODEC_TYPES)
        return cls(
            bind_host=env.get("SOLVENT_SIP_BIND", cls.bind_host),
            port=int(env.get("SOLVENT_SIP_PORT", cls.port)),
            public_host=env.get("SOLVENT_SIP_PUBLIC_HOST", ""),
            dial_uri=env.get("SOLVENT_SIP_DIAL_URI", cls.dial_uri),
            outbound_proxy=env.get("SOLVENT_SIP_OUTBOUND_PROXY", ""),
            username=env.get("SOLVENT_SIP_USERNAME", ""),
            password=env.get("SOLVENT_SIP_PASSWORD", ""),
            registrar=env.get("SOLVENT_SIP_REGISTRAR", ""),
            register_aor=env.get("SOLVENT_SIP_REGISTER_AOR", ""),
            register_expires=int(env.get("SOLVENT_SIP_REGISTER_EXPIRES", cls.register_expires)),
            caller_name=env.get("SOLVENT_SIP_CALLER_NAME", ""),
            assert_identity=env.get("SOLVENT_SIP_ASSERT_IDENTITY", "").lower() in _TRUE,
            rtp_ports=(int(low), int(high)) if low and high else None,
            codecs=codecs or cls.codecs,
            agent_uri=env.get("SOLVENT_SIP_AGENT_URI", ""),
            agent_ring_seconds=int(
                env.get("SOLVENT_SIP_AGENT_RING_SECONDS", cls.agent_ring_seconds)
            ),
        )

    def agent_request_uri(self, endpoint: str) -> str | None:
        """An agent's endpoint as a Request-URI: a ``sip:`` URI as it is, a name ("agent-7",
        "1001") through ``agent_uri`` ("sip:{endpoint}@pbx.example.net"); None without one."""
        if endpoint.startswith(("sip:", "sips:")):
            return endpoint
        return self.agent_uri.format(endpoint=endpoint) if self.agent_uri else None

    def request_uri(self, number: str) -> str:
        """A number's Request-URI; a ``sip:`` URI (an extension, a test's user agent) as it is."""
        if number.startswith(("sip:", "sips:")):
            return number
        return self.dial_uri.format(number=number)


def reachable_address(config: SipConfig) -> str:
    """The address to write in Via, Contact and SDP when none is configured: the bind address,
    or, bound to every interface, the local address the system routes to the trunk from."""
    if config.bind_host not in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        return config.bind_host
    next_hop = config.outbound_proxy or config.request_uri("0")
    host, port = uri_host_port(uri_of(next_hop))
    family = socket.AF_INET6 if config.bind_host == "::" else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((host, port))  # UDP: no packet is sent, the route is chosen
            return str(probe.getsockname()[0])
    except OSError:
        return "::1" if family == socket.AF_INET6 else "127.0.0.1"
