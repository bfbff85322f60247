"""The agent's screen beside each recorded call of the demo history (issue 16: "replays an agent's
screen next to it").

The desk's recorder sends rrweb events while an agent works; the history's calls are in the past,
so for each call with audio the demo sends what the recorder would have sent: the account screen as
rrweb's full snapshot (the account, the debtor, the call panel), the agent's mouse, a note typed and
the disposition clicked, through the screen-recording services (so the server masks the debtor's
personal data exactly as it does for a live recording). The recording is then tied to its call,
as the recorder ties a live one when the call is on the line (audited: the demo's own fiction).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from solvent.audit.services import audit_record
from solvent.core.domain.errors import DomainError
from solvent.dialer.models import Call, Recording
from solvent.portfolio.models import Account, Debtor
from solvent.screen_recording.models import ScreenRecording
from solvent.screen_recording.services import screen_chunk_append, screen_recording_start

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2530}"
    "header{background:#1d3557;color:#fff;padding:12px 20px;font-weight:600}"
    "main{display:flex;gap:16px;padding:16px}section{background:#fff;border:1px solid #d5dbe3;"
    "border-radius:6px;padding:12px 16px;flex:1}h2{font-size:16px;margin:0 0 8px}"
    "button{margin:4px;padding:6px 10px}textarea{width:100%;height:60px}"
)


class _Nodes:
    """rrweb snapshot nodes with ids in document order."""

    def __init__(self) -> None:
        self.next_id = 1

    def take(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def text(self, value: str) -> dict[str, Any]:
        return {"type": 3, "textContent": value, "id": self.take()}

    def element(
        self, tag: str, children: list[dict[str, Any]], **attributes: str
    ) -> dict[str, Any]:
        node_id = self.take()
        return {
            "type": 2,
            "tagName": tag,
            "attributes": {key.rstrip("_"): value for key, value in attributes.items()},
            "childNodes": children,
            "id": node_id,
        }


def _snapshot(
    account: Account, debtor: Debtor, call: Call
) -> tuple[dict[str, Any], dict[str, int]]:
    nodes = _Nodes()
    document_id = nodes.take()
    doctype = {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": nodes.take()}
    ids: dict[str, int] = {}
    note = nodes.element("textarea", [], name="note", **{"aria-label": "Note"})
    ids["note"] = note["id"]
    promise = nodes.element("button", [nodes.text("Promise to pay")], type="button")
    ids["promise"] = promise["id"]
    call_panel = nodes.element(
        "section",
        [
            nodes.element("h2", [nodes.text("Call in progress")]),
            nodes.element(
                "p", [nodes.text(f"Dialled {call.phone} at {call.started_at:%H:%M} UTC")]
            ),
            nodes.element("p", [nodes.text("Right party verified: name and date of birth")]),
            note,
            nodes.element("div", [promise, nodes.element("button", [nodes.text("No answer")])]),
        ],
    )
    ids["panel"] = call_panel["id"]
    body = nodes.element(
        "body",
        [
            nodes.element("header", [nodes.text("Solvent · Account")]),
            nodes.element(
                "main",
                [
                    nodes.element(
                        "section",
                        [
                            nodes.element("h2", [nodes.text(f"Account {account.account_number}")]),
                            nodes.element("p", [nodes.text(debtor.full_name)]),
                            nodes.element(
                                "p", [nodes.text(f"Date of birth {debtor.date_of_birth}")]
                            ),
                            nodes.element(
                                "p",
                                [nodes.text(f"Balance {account.balance:,.2f} {account.currency}")],
                            ),
                            nodes.element(
                                "p", [nodes.text(f"Creditor {account.original_creditor}")]
                            ),
                        ],
                    ),
                    call_panel,
                ],
            ),
        ],
    )
    head = nodes.element("head", [nodes.element("style", [], _cssText=_STYLE)])
    html = nodes.element("html", [head, body], lang="en")
    root = {"type": 0, "childNodes": [doctype, html], "id": document_id}
    ids["next"] = nodes.next_id
    return root, ids


def _events(account: Account, debtor: Debtor, call: Call, start: datetime) -> list[dict[str, Any]]:
    root, ids = _snapshot(account, debtor, call)
    at = int(start.timestamp() * 1000)
    events: list[dict[str, Any]] = [
        {
            "type": 4,
            "data": {"href": f"/accounts/{account.pk}/", "width": 1366, "height": 768},
            "timestamp": at,
        },
        {
            "type": 2,
            "data": {"node": root, "initialOffset": {"left": 0, "top": 0}},
            "timestamp": at + 5,
        },
    ]
    step = 1_500
    for number, (x, y) in enumerate(((300, 200), (520, 260), (760, 300), (820, 360))):
        events.append(
            {
                "type": 3,
                "data": {
                    "source": 1,
                    "positions": [{"x": x, "y": y, "id": ids["panel"], "timeOffset": 0}],
                },
                "timestamp": at + step * (number + 1),
            }
        )
    typed = "Lost hours at work; agreed an amount that fits the budget."
    events.extend(
        {
            "type": 3,
            "data": {"source": 5, "text": typed[:length], "isChecked": False, "id": ids["note"]},
            "timestamp": at + 8_000 + length * 120,
        }
        for length in range(10, len(typed) + 1, 12)
    )
    clicked = at + 8_000 + len(typed) * 120 + 2_000
    events.append(
        {
            "type": 3,
            "data": {"source": 2, "type": 2, "id": ids["promise"], "x": 830, "y": 420},
            "timestamp": clicked,
        }
    )
    added = {
        "type": 2,
        "tagName": "p",
        "attributes": {"role": "status"},
        "childNodes": [],
        "id": ids["next"],
    }
    events.append(
        {
            "type": 3,
            "data": {
                "source": 0,
                "texts": [],
                "attributes": [],
                "removes": [],
                "adds": [
                    {"parentId": ids["panel"], "nextId": None, "node": added},
                    {
                        "parentId": ids["next"],
                        "nextId": None,
                        "node": {
                            "type": 3,
                            "textContent": "Promise recorded",
                            "id": ids["next"] + 1,
                        },
                    },
                ],
            },
            "timestamp": clicked + 400,
        }
    )
    return events


def demo_screens_create() -> int:
    """A screen recording beside every recorded call of the demo history that has none."""
    made = 0
    calls = Call.objects.filter(
        pk__in=Recording.objects.filter(deleted_at__isnull=True).values("call_id"),
        detail="demo history",
    ).order_by("pk")
    for call in calls:
        if ScreenRecording.objects.filter(call=call).exists() or call.agent_id is None:
            continue
        agent = User.objects.get(pk=call.agent_id)
        account = Account.objects.get(pk=call.account_id)
        debtor = Debtor.objects.get(pk=call.debtor_id)
        start = call.connected_at or call.started_at
        events = _events(account, debtor, call, start)
        try:
            recording = screen_recording_start(
                user=agent, account_id=account.pk, page=f"/accounts/{account.pk}/", now=start
            )
            screen_chunk_append(
                user=agent,
                recording_id=recording.pk,
                sequence=0,
                events=events,
                size_bytes=len(str(events)),
                now=start
                + timedelta(milliseconds=events[-1]["timestamp"] - events[0]["timestamp"] + 1_000),
            )
        except DomainError:
            continue
        ScreenRecording.objects.filter(pk=recording.pk).update(call=call)
        audit_record(
            action="demo.screen_recording_tied",
            object_type="screen_recording.screenrecording",
            object_id=recording.pk,
            data={"call_id": call.pk},
            system="solvent demo: the agent's screen beside a recorded past call",
        )
        made += 1
    return made
