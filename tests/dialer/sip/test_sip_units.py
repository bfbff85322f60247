"""The SIP adapter's pieces on their own: G.711, SIP messages, SDP, digest answers, WAV, the
settings from the environment and the prompts' words. Milliseconds each, no network."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

from solvent.dialer.adapters.sip import SipConfig
from solvent.dialer.prompts import prompt_path, prompt_text
from solvent.dialer.sip.digest import challenge_params, digest_authorization
from solvent.dialer.sip.g711 import alaw_decode, alaw_encode, silence, ulaw_decode, ulaw_encode
from solvent.dialer.sip.message import (
    SipMessage,
    header_param,
    response_to,
    uri_host_port,
    uri_of,
)
from solvent.dialer.sip.rtp import _payload
from solvent.dialer.sip.sdp import sdp_offer, sdp_parse
from solvent.dialer.sip.wav import pcm_to_wav, read_pcm8k, resample


def pcm(*samples: int) -> bytes:
    return np.array(samples, dtype="<i2").tobytes()


def test_ulaw_encodes_the_reference_codes_of_g711():
    # Zero is 0xFF, -1 is 0x7F, 1000 is 0xCE, full scale is 0x80 / 0x00 (ITU-T G.711 tables).
    assert ulaw_encode(pcm(0, -1, 1000, -1000, 32767, -32768)) == bytes(
        [0xFF, 0x7F, 0xCE, 0x4E, 0x80, 0x00]
    )
    assert silence(3) == ulaw_encode(pcm(0, 0, 0))


def test_alaw_encodes_the_reference_codes_of_g711():
    # Zero is 0xD5, -1 is 0x55, 1000 is 0xFA, full scale 0xAA / 0x2A (ITU-T G.711, Sun's g711.c).
    assert alaw_encode(pcm(0, -1, 1000, -1000, 32767, -32768)) == bytes(
        [0xD5, 0x55, 0xFA, 0x7A, 0xAA, 0x2A]
    )
    assert np.frombuffer(alaw_decode(bytes([0xD5, 0x55, 0xAA, 0x2A])), dtype="<i2").tolist() == [
        8,
        -8,
        32256,
        -32256,
    ]


@pytest.mark.parametrize("codec", ["ulaw", "alaw"])
def test_a_round_trip_keeps_every_sample_within_half_its_segment_step(codec):
    encode, decode = (ulaw_encode, ulaw_decode) if codec == "ulaw" else (alaw_encode, alaw_decode)
    samples = np.arange(-32768, 32768, 7, dtype="<i2")
    decoded = np.frombuffer(decode(encode(samples.tobytes())), dtype="<i2").astype(np.int64)
    error = np.abs(decoded - samples.astype(np.int64))
    # Logarithmic codes: the step grows with the level, 1/16 of it at most (and 16 near zero).
    assert np.all(error <= np.maximum(np.abs(samples.astype(np.int64)) // 16, 16) + 1)


INVITE = (
    b"INVITE sip:debtor@127.0.0.1:5071 SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfirst;rport\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKsecond, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK3\r\n"
    b'f: "Solvent" <sip:+15555550100@10.0.0.1>;tag=abc\r\n'
    b"t: <sip:debtor@127.0.0.1:5071>\r\n"
    b"i: call-1@10.0.0.1\r\n"
    b"CSeq: 2 INVITE\r\n"
    b"Subject: a folded\r\n  header\r\n"
    b"l: 4\r\n"
    b"\r\n"
    b"v=0\r\nextra bytes after the content length"
)


def test_a_message_is_read_with_compact_names_repeated_and_folded_headers():
    message = SipMessage.parse(INVITE)
    assert message.is_request and message.method == "INVITE"
    assert message.uri == "sip:debtor@127.0.0.1:5071"
    assert message.branch == "z9hG4bKfirst"
    assert len(message.header_all("Via")) == 3
    assert message.call_id == "call-1@10.0.0.1"
    assert message.cseq == (2, "INVITE")
    assert message.header("Subject") == "a folded header"
    assert message.body == b"v=0\r"
    assert header_param(message.header("From"), "tag") == "abc"
    assert uri_of(message.header("From")) == "sip:+15555550100@10.0.0.1"


def test_a_response_copies_the_request_s_vias_and_adds_our_tag_and_its_length():
    request = SipMessage.parse(INVITE)
    response = SipMessage.parse(response_to(request, 486, "Busy Here", to_tag="t1").to_bytes())
    assert (response.status, response.reason, response.method) == (486, "Busy Here", "INVITE")
    assert response.header_all("Via") == request.header_all("Via")
    assert header_param(response.header("To"), "tag") == "t1"
    assert response.header("Content-Length") == "0"


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:debtor@127.0.0.1:5071", ("127.0.0.1", 5071)),
        ("sip:+15555550100@trunk.example.net;user=phone", ("trunk.example.net", 5060)),
        ("sip:[::1]:5080;transport=udp", ("::1", 5080)),
        ("<sip:proxy.example.net;lr>", ("proxy.example.net", 5060)),
    ],
)
def test_a_uri_says_where_to_send(uri, expected):
    assert uri_host_port(uri_of(uri)) == expected


def test_an_sdp_offer_is_read_back_and_an_answer_without_pcmu_is_refused():
    offer = sdp_parse(sdp_offer("192.0.2.10", 40000))
    assert offer is not None and (offer.address, offer.port) == ("192.0.2.10", 40000)
    assert offer.payload_types == (0, 8, 101) and offer.codec() == 0
    answer = sdp_parse(b"v=0\r\nc=IN IP4 10.1.1.1\r\nm=audio 5004 RTP/AVP 8 0\r\n")
    assert answer is not None and answer.address == "10.1.1.1" and answer.codec() == 8
    assert answer.codec(offered=(0,)) == 0
    g722 = sdp_parse(b"v=0\r\nc=IN IP4 10.1.1.1\r\nm=audio 5004 RTP/AVP 9\r\n")
    assert g722 is not None and g722.codec() is None
    refused = sdp_parse(b"v=0\r\nc=IN IP4 10.1.1.1\r\nm=audio 0 RTP/AVP 0\r\n")
    assert refused is not None and refused.codec() is None
    media_level = sdp_parse(
        b"v=0\r\nc=IN IP4 10.1.1.1\r\nm=audio 5004 RTP/AVP 0\r\nc=IN IP4 10.2.2.2\r\n"
    )
    assert media_level is not None and media_level.address == "10.2.2.2"


def test_the_digest_answer_matches_rfc_2617_s_worked_example():
    challenge = (
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    answer = digest_authorization(
        challenge,
        method="GET",
        uri="/dir/index.html",
        username="Mufasa",
        password="Circle Of Life",
        cnonce="0a4f113b",
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in answer
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in answer and "nc=00000001" in answer


def test_a_digest_challenge_without_qop_and_one_in_sha_256_are_answered():
    plain = challenge_params(
        digest_authorization(
            'Digest realm="asterisk", nonce="n1"',
            method="INVITE",
            uri="sip:1@pbx",
            username="dialer",
            password="secret",
        )
    )
    ha1 = hashlib.md5(b"dialer:asterisk:secret").hexdigest()  # noqa: S324
    ha2 = hashlib.md5(b"INVITE:sip:1@pbx").hexdigest()  # noqa: S324
    assert plain["response"] == hashlib.md5(f"{ha1}:n1:{ha2}".encode()).hexdigest()  # noqa: S324
    assert "qop" not in plain
    sha = challenge_params(
        digest_authorization(
            'Digest realm="r", nonce="n", algorithm=SHA-256',
            method="REGISTER",
            uri="sip:r",
            username="u",
            password="p",
        )
    )
    assert sha["algorithm"] == "SHA-256" and len(sha["response"]) == 64


def test_an_rtp_packet_s_payload_skips_csrcs_and_extensions_and_ignores_other_codecs():
    header = bytes([0x91, 0x00]) + bytes(10)  # version 2, an extension, one CSRC, PCMU
    packet = header + bytes(4) + bytes([0xBE, 0xDE, 0x00, 0x01]) + bytes(4) + b"\xff" * 160
    assert _payload(packet) == b"\xff" * 160
    pcma = bytes([0x80, 0x08]) + bytes(10) + b"\xd5" * 160
    assert _payload(pcma) is None  # PCMA while PCMU was chosen
    assert _payload(pcma, payload_type=8) == b"\xd5" * 160
    assert _payload(b"\x00" * 20) is None  # not version 2


def test_a_22khz_wav_is_brought_down_to_8khz_at_the_same_pitch():
    seconds = 0.5
    times = np.arange(int(22050 * seconds)) / 22050
    tone = (np.sin(2 * np.pi * 440 * times) * 10000).astype("<i2").tobytes()
    samples = np.frombuffer(read_pcm8k(pcm_to_wav(tone, 22050)), dtype="<i2")
    assert len(samples) == 4000
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * 8000 / len(samples) - 440) <= 2
    assert len(resample(np.zeros(0), 22050)) == 0


def test_the_settings_come_from_solvent_sip_variables():
    config = SipConfig.from_environment(
        {
            "SOLVENT_SIP_BIND": "192.0.2.5",
            "SOLVENT_SIP_PORT": "5080",
            "SOLVENT_SIP_PUBLIC_HOST": "203.0.113.7",
            "SOLVENT_SIP_DIAL_URI": "sip:{number}@trunk.example.net;user=phone",
            "SOLVENT_SIP_USERNAME": "acct",
            "SOLVENT_SIP_PASSWORD": "pw",
            "SOLVENT_SIP_RTP_PORTS": "10000-10100",
        }
    )
    assert (config.bind_host, config.port, config.public_host) == ("192.0.2.5", 5080, "203.0.113.7")
    assert config.rtp_ports == (10000, 10100)
    assert config.request_uri("+15555550100") == "sip:+15555550100@trunk.example.net;user=phone"
    assert config.request_uri("sip:agent@127.0.0.1:5071") == "sip:agent@127.0.0.1:5071"
    assert SipConfig.from_environment({}).rtp_ports is None
    assert SipConfig.from_environment({}).codecs == (0, 8)
    assert SipConfig.from_environment({}).agent_request_uri("agent-7") is None
    pbx = SipConfig.from_environment({"SOLVENT_SIP_AGENT_URI": "sip:{endpoint}@pbx.example.net"})
    assert pbx.agent_request_uri("agent-7") == "sip:agent-7@pbx.example.net"
    assert pbx.agent_request_uri("sip:1001@10.0.0.9") == "sip:1001@10.0.0.9"
    assert SipConfig.from_environment({"SOLVENT_SIP_CODECS": "pcma, g729"}).codecs == (8,)


def test_the_voicemail_is_a_limited_content_message(monkeypatch):
    monkeypatch.setenv("SOLVENT_CALLER_BUSINESS_NAME", "Harbor Services")
    monkeypatch.setenv("SOLVENT_CALLER_CONTACT_NAME", "Anna Lee")
    monkeypatch.setenv("SOLVENT_CALLBACK_NUMBER", "800-555-0199")
    text = prompt_text("voicemail")
    # 12 CFR 1006.2(j): a business name, a request to reply, a person's name, a number; no debt.
    assert "Harbor Services" in text and "Anna Lee" in text and "call me back" in text
    assert "8 0 0, 5 5 5, 0 1 9 9" in text
    assert not any(word in text.lower() for word in ("debt", "collect", "owe", "payment"))


def test_the_abandon_message_says_who_called_that_nobody_was_free_and_where_to_call_back(
    monkeypatch,
):
    monkeypatch.setenv("SOLVENT_CALLER_BUSINESS_NAME", "Harbor Services")
    text = prompt_text("abandon")
    assert "Harbor Services" in text and "nobody was available" in text and "call us back" in text
    monkeypatch.setenv("SOLVENT_PROMPT_ABANDON_TEXT", "Our own words.")
    assert prompt_text("abandon") == "Our own words."
    with pytest.raises(ValueError, match="no prompt named"):
        prompt_text("greeting")


def test_a_prompt_is_spoken_once_a_changed_text_is_a_new_file_and_a_recording_wins(
    tmp_path, monkeypatch
):
    from tests.dialer.sip.baresip import require_tools

    require_tools()
    monkeypatch.setenv("SOLVENT_PROMPT_ABANDON_TEXT", "Please call us back.")
    spoken = prompt_path("abandon", tmp_path)
    assert spoken.name.startswith("abandon-") and spoken.exists()
    samples = read_pcm8k(spoken)
    assert 0.5 < len(samples) / 16000 < 5
    made_at = spoken.stat().st_mtime_ns
    assert prompt_path("abandon", tmp_path) == spoken and spoken.stat().st_mtime_ns == made_at
    monkeypatch.setenv("SOLVENT_PROMPT_ABANDON_TEXT", "Please call us back soon.")
    assert prompt_path("abandon", tmp_path) != spoken
    (tmp_path / "abandon.wav").write_bytes(pcm_to_wav(bytes(1600)))
    assert prompt_path("abandon", tmp_path) == tmp_path / "abandon.wav"


def test_without_baresip_the_loopback_test_skips_but_fails_under_ci(monkeypatch):
    from tests.dialer.sip import baresip

    monkeypatch.setattr(shutil, "which", lambda tool: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="baresip, espeak-ng not installed"):
        baresip.require_tools()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        baresip.require_tools()
