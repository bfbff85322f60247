"""Two reviewers save the same call at once: one review is stored, the other is refused.

The call's row is locked while a review is written (ADR 0042). PostgreSQL only (the PostgreSQL pass:
the test database of the SQLite pass is in memory, where two threads' writers refuse each other
instead of waiting). Each thread waits on a barrier (progress, not a clock), so both are inside
``qa_review_create`` together; then each waits, once past the "already reviewed?" check, for the
other to get there too. With the lock the other never does (it waits on the call's row) and the
wait gives up after a few seconds; without it both pass the check and both would store a review.
The give-up only delays the right answer: it cannot change it.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connections

from solvent.core.domain.errors import ValidationError
from solvent.quality import services
from solvent.quality.models import QaReview
from tests.desk.dialer_supervision_world import floor_build
from tests.quality.world import ALL_YES, recorded_call

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_leave_one_review(
    tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    settings.SOLVENT_RECORDINGS_DIR = str(tmp_path / "recordings")
    floor = floor_build(NOW)
    call, _ = recorded_call(floor.acme_campaign, floor.account, floor.ann, NOW)
    reviewers = [floor.sue.pk, floor.cleo.pk]
    past_the_check = threading.Barrier(len(reviewers), timeout=3)
    score = services.scorecard_score

    def score_when_both_are_past_the_check(answers: dict[str, str]) -> object:
        with contextlib.suppress(threading.BrokenBarrierError):
            past_the_check.wait()
        return score(answers)

    monkeypatch.setattr(services, "scorecard_score", score_when_both_are_past_the_check)
    barrier = threading.Barrier(len(reviewers), timeout=60)
    saved: list[int] = []
    refused: list[str] = []
    failures: list[BaseException] = []

    def review(actor_id: int) -> None:
        try:
            barrier.wait()
            saved.append(
                services.qa_review_create(
                    actor_id=actor_id, agent_id=floor.ann.pk, answers=ALL_YES, call_id=call.pk
                ).pk
            )
        except ValidationError as error:
            refused.append(error.message)
        except BaseException as error:  # handed back to the test below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=review, args=(actor,)) for actor in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert len(saved) == 1 and len(refused) == 1, (saved, refused)
    assert "already reviewed" in refused[0]
    assert list(QaReview.objects.values_list("pk", flat=True)) == saved
