"""The scale-out path: the outbox drained by two RQ workers on a real Redis server on loopback."""

from __future__ import annotations

import pytest

from tests.contact.outbox_rig import OutboxRig, wait_on_progress
from tests.contact.smtp_sink import SmtpSink

MESSAGES = 400


@pytest.mark.slow
@pytest.mark.redis
def test_two_rq_workers_send_every_message_once(redis_url) -> None:
    import redis

    # A database of its own on the shared server, emptied afterwards.
    url = redis_url.rsplit("/", 1)[0] + "/13"
    sink = SmtpSink()
    sink.start()
    # No worker dies here, so each keeps its lease: a lease long enough for a loaded machine's
    # SQLite lock waits (the crash tests use 5 s to re-claim quickly; a lease that runs out under
    # a live worker is the documented at-least-once case, not what this test is about).
    rig = OutboxRig(
        database="sqlite", smtp_port=sink.port, redis_url=url, batch=20, lease_seconds=120
    )
    try:
        rig.create(MESSAGES)
        rig.start_worker(0)
        rig.start_worker(1)
        # On progress, not on a clock (ADR 0016): a loaded machine is slow, not stuck.
        wait_on_progress(
            lambda: rig.status_counts().get("sent", 0) == MESSAGES,
            lambda: rig.status_counts().get("sent", 0),
            stall_seconds=180,
            overall_seconds=120 + 0.25 * MESSAGES,
            what=lambda: (
                f"waiting for all {MESSAGES} sent by two RQ workers: {rig.status_counts()}"
            ),
        )
        received = sink.keys()
        assert set(received) == rig.message_keys()
        assert max(received.values()) == 1
        assert rig.interaction_count() == MESSAGES
        # Both workers took part: each one's dispatch task claimed batches.
        workers = {
            row[0] for row in rig._query("SELECT DISTINCT worker FROM contact_outboxmessage")
        }
        assert len(workers) == 2, workers
    finally:
        rig.destroy()
        sink.stop()
        redis.Redis.from_url(url).flushdb()
