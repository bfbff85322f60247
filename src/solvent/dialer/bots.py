"""Simulated agents: bots who log in to a campaign, take its calls, dispose them and go ready again.

The demo and the crash test need a floor without people: ``BotAgents`` logs in users ``bot-01``,
``bot-02``… (created when missing, as agents of the campaign's team, with no usable password) through
the agents' own services (``services.agents``: login, ready, wrap-up done), so the dialer sees them
exactly as it sees people at the desk. A bot's conversation ends when the simulated debtor hangs up
(the telephony decides how long they talk); the bot then records the outcome with
``call_outcome_record`` (a right-party contact, a promise to pay, a third party, ... drawn with a
seeded generator), spends a wrap-up drawn around ``mean_wrap_up_seconds`` (simulated seconds), and
goes ready again. Bots keep nothing that matters in memory: a restarted process finds them in
wrap-up and finishes it.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User

from solvent.contact.domain.model import Disposition
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.models import AgentSession, Call, Campaign
from solvent.dialer.services.agents import agent_login, agent_ready, agent_wrap_up_done
from solvent.dialer.services.calls import call_outcome_record
from solvent.portfolio.models import Team

BOT_TEAM = "Dialer bots"  # for a campaign with no team: the bots' own, serving its client

# What a bot's conversations come to, and how often.
DISPOSITIONS: tuple[tuple[Disposition, float], ...] = (
    (Disposition.RIGHT_PARTY_CONTACT, 0.45),
    (Disposition.PROMISE_TO_PAY, 0.2),
    (Disposition.THIRD_PARTY, 0.15),
    (Disposition.CALLBACK_REQUESTED, 0.12),
    (Disposition.REFUSED, 0.08),
)
TICK_SECONDS = 0.05  # wall seconds between the bots' looks at their sessions


@dataclass(frozen=True)
class Bot:
    user_id: int
    username: str
    campaign_id: int


def bot_username(number: int) -> str:
    return f"bot-{number:02d}"


class BotAgents:
    """``count`` bots spread over the campaigns (one campaign each, round robin)."""

    def __init__(
        self,
        count: int,
        *,
        campaign_keys: Sequence[str] = (),
        seed: int = 1,
        speed: float = 1.0,
        mean_wrap_up_seconds: float = 30.0,
    ) -> None:
        self.count = count
        self.campaign_keys = tuple(campaign_keys)
        self.speed = speed
        self.mean_wrap_up_seconds = mean_wrap_up_seconds
        self._rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self.bots: list[Bot] = []
        self._ready_at: dict[int, float] = {}  # user id -> monotonic time its wrap-up ends
        self._looked = -1e9
        self.disposed = 0

    def campaigns(self) -> list[Campaign]:
        """The campaigns bots work: the named ones, or every active campaign that is not preview
        (a bot cannot read an account before dialling)."""
        campaigns = Campaign.objects.filter(status=Campaign.Status.ACTIVE).exclude(
            mode=Campaign.Mode.PREVIEW
        )
        if self.campaign_keys:
            campaigns = campaigns.filter(key__in=self.campaign_keys)
        return list(campaigns.order_by("pk"))

    def log_in(self) -> list[Bot]:
        """Create the bots if missing, log each in to its campaign and make it ready."""
        campaigns = self.campaigns()
        self.bots = []
        if not campaigns:
            return []
        for number in range(1, self.count + 1):
            campaign = campaigns[(number - 1) % len(campaigns)]
            user = self._user(number, campaign)
            session = agent_login(
                agent_id=user.pk,
                campaign_id=campaign.pk,
                endpoint=f"sip:{user.username}@bots.invalid",
            )
            if session.state == AgentSession.State.PAUSED:
                agent_ready(agent_id=user.pk)
            self.bots.append(Bot(user_id=user.pk, username=user.username, campaign_id=campaign.pk))
        return self.bots

    def _user(self, number: int, campaign: Campaign) -> User:
        user, created = User.objects.get_or_create(
            username=bot_username(number),
            defaults={"first_name": "Bot", "last_name": f"{number:02d}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            staff_role_set(user=user, role=Role.AGENT)
        if campaign.team_id is not None:
            campaign.team.members.add(user)  # type: ignore[union-attr]
        else:
            team, _ = Team.objects.get_or_create(name=BOT_TEAM)
            if campaign.client_id is not None:
                team.clients.add(campaign.client_id)
            team.members.add(user)
        return user

    def tick(self) -> None:
        """Each bot in wrap-up records its call's outcome, and goes ready when its wrap-up ends."""
        monotonic = time.monotonic()
        if not self.bots or monotonic - self._looked < TICK_SECONDS:
            return
        self._looked = monotonic
        sessions = AgentSession.objects.filter(
            agent_id__in=[bot.user_id for bot in self.bots], logged_out_at__isnull=True
        ).values_list("agent_id", "state", "call_id", "call__state", "call__ended_at")
        for agent_id, state, call_id, call_state, call_ended_at in sessions:
            if state == AgentSession.State.PAUSED:
                agent_ready(agent_id=agent_id)
                continue
            if state != AgentSession.State.WRAP_UP:
                continue
            if call_id is not None and call_state != Call.State.ENDED and call_ended_at:
                call_outcome_record(
                    call_id=call_id,
                    outcome=Call.Outcome.CONNECTED,
                    agent_id=agent_id,
                    disposition=self._disposition(),
                )
                self.disposed += 1
            if agent_id not in self._ready_at:
                self._ready_at[agent_id] = monotonic + self._wrap_up_seconds() / self.speed
            elif monotonic >= self._ready_at[agent_id]:
                del self._ready_at[agent_id]
                agent_wrap_up_done(agent_id=agent_id)

    def _disposition(self) -> str:
        draw = self._rng.random()
        for disposition, share in DISPOSITIONS:
            if draw < share:
                return disposition.value
            draw -= share
        return Disposition.RIGHT_PARTY_CONTACT.value

    def _wrap_up_seconds(self) -> float:
        sigma = 0.5
        mu = math.log(max(0.1, self.mean_wrap_up_seconds)) - sigma**2 / 2.0
        return self._rng.lognormvariate(mu, sigma)
