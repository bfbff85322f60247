"""The Twilio adapter against a fake Twilio REST API on loopback, and the console adapter."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from solvent.contact.adapters.sms_console import ConsoleSmsSender
from solvent.contact.adapters.sms_twilio import TwilioSmsSender
from solvent.contact.ports import OutgoingMessage, PermanentProviderError, ProviderError


class FakeTwilio(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, object]] = []
        self.reply: tuple[int, bytes] = (201, b"")


class _Handler(BaseHTTPRequestHandler):
    server: FakeTwilio

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.requests.append(
            {"path": self.path, "form": form, "auth": self.headers["Authorization"]}
        )
        status, body = self.server.reply
        if not body and status == 201:
            body = json.dumps(
                {"sid": f"SM{len(self.server.requests):032d}", "status": "queued"}
            ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    server = FakeTwilio()
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _sender(server: FakeTwilio) -> TwilioSmsSender:
    return TwilioSmsSender(
        account_sid="AC123",
        auth_token="secret",
        from_number="+18005550100",
        api_base=f"http://127.0.0.1:{server.server_address[1]}",
        status_callback="https://solvent.example/contact/webhooks/twilio/status",
        timeout=2,
    )


MESSAGE = OutgoingMessage(
    idempotency_key="k-1",
    message_id="<k-1@outbox.solvent>",
    channel="sms",
    to="+15185550001",
    subject="",
    body="This is a debt collector. Reply STOP to opt out.",
)


def test_a_text_is_posted_to_the_messages_resource(twilio) -> None:
    receipt = _sender(twilio).send(MESSAGE)
    [request] = twilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["form"] == {
        "To": "+15185550001",
        "From": "+18005550100",
        "Body": MESSAGE.body,
        "StatusCallback": "https://solvent.example/contact/webhooks/twilio/status?key=k-1",
    }
    assert request["auth"] == "Basic " + base64.b64encode(b"AC123:secret").decode()
    assert receipt.provider_message_id.startswith("SM")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, b'{"code": 21211, "message": "Invalid To"}', PermanentProviderError),
        (429, b'{"code": 20429, "message": "Too many requests"}', ProviderError),
        (503, b"<html>down</html>", ProviderError),
        (201, b"this is not json", ProviderError),
        (201, b'{"status": "queued"}', ProviderError),
        (201, b"[1, 2]", ProviderError),
    ],
)
def test_provider_errors_and_malformed_responses_become_provider_errors(
    twilio, status, body, error
) -> None:
    twilio.reply = (status, body)
    with pytest.raises(error) as caught:
        _sender(twilio).send(MESSAGE)
    if error is ProviderError:
        assert not isinstance(caught.value, PermanentProviderError)


def test_an_unreachable_api_is_a_provider_error() -> None:
    from tests.servers import free_port

    sender = TwilioSmsSender(
        account_sid="AC1",
        auth_token="x",
        from_number="+1",
        api_base=f"http://127.0.0.1:{free_port()}",
        timeout=1,
    )
    with pytest.raises(ProviderError):
        sender.send(MESSAGE)


def test_the_console_adapter_writes_json_lines(tmp_path) -> None:
    spool = tmp_path / "sms.jsonl"
    sender = ConsoleSmsSender(path=spool)
    sender.open()
    sender.send(MESSAGE)
    sender.send(MESSAGE)
    lines = [json.loads(line) for line in spool.read_text().splitlines()]
    assert [line["idempotency_key"] for line in lines] == ["k-1", "k-1"]
    assert lines[0]["to"] == "+15185550001"
