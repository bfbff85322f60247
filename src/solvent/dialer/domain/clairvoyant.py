"""The clairvoyant bound: a dialer that knows every call's fate before it dials.

It dials the same numbers in the same order as every other policy (the n-th dial is the n-th
pre-drawn fate), under the same line cap and the same agent shifts, but it knows who will answer
and after how many seconds. So it times each call a person will answer to ring through exactly
when the next agent comes free, never routes a machine to an agent (no detection needed), and
never abandons anyone. Calls nobody answers are dialled as early as the order allows; they only
cost lines. What is left of idle time is what the line cap, the dialling order and the shifts
force: a bound for any dialer that cannot see the future, reported as a ratio in the benchmark.

It is a greedy schedule rather than a SimPy run because nothing is random for it any more.
"""

from __future__ import annotations

import heapq

from solvent.dialer.domain.simulation import FIRST_PERIOD_PARTS, SimulationResult
from solvent.dialer.domain.simulation_model import CallKind, CallStreams, Scenario, agent_shifts


def clairvoyant_day(scenario: Scenario, streams: CallStreams) -> SimulationResult:
    shifts = agent_shifts(scenario)
    result = SimulationResult(policy="clairvoyant", scenario=scenario.name)
    # (time the agent can take a call, agent) for agents still on shift.
    free: list[tuple[float, int]] = [(shift.login, agent) for agent, shift in enumerate(shifts)]
    heapq.heapify(free)
    break_taken = [0.0] * len(shifts)
    last_end = [shift.login for shift in shifts]
    lines: list[float] = []  # release times of the calls holding lines
    cap = scenario.line_cap
    first_period = scenario.day_seconds / FIRST_PERIOD_PARTS
    result.first_period_seconds = first_period
    previous_dial = 0.0
    index = 0
    pending = None  # a live call found but not yet placed with an agent

    def dial_time(earliest: float) -> float:
        if len(lines) >= cap:
            earliest = max(earliest, lines[0])
        while lines and lines[0] <= earliest:
            heapq.heappop(lines)
        return earliest

    while free:
        free_at, agent = heapq.heappop(free)
        shift = shifts[agent]
        away = shift.away_at(free_at)
        if away is not None:
            # The break starts when the agent is free (a call running into it delays it).
            break_taken[agent] += away[1] - free_at
            heapq.heappush(free, (away[1], agent))
            continue
        if free_at >= shift.logout:
            continue
        if pending is None:
            # Dial forward to the next number a person will answer; the others only hold lines.
            while True:
                fate = streams.fate(index, max(previous_dial, free_at))
                index += 1
                result.dials += 1
                if fate.kind is CallKind.LIVE:
                    result.answered_live += 1
                    pending = fate
                    break
                at = dial_time(previous_dial)
                previous_dial = at
                hold = fate.ring_seconds
                if fate.kind is CallKind.MACHINE:
                    result.machines += 1
                    if scenario.leave_limited_content_message:
                        hold += scenario.limited_content_message_seconds
                elif fate.kind is CallKind.BUSY:
                    result.busy += 1
                elif fate.kind is CallKind.INVALID:
                    result.invalid += 1
                else:
                    result.no_answer += 1
                heapq.heappush(lines, at + hold)
        fate = pending
        at = dial_time(max(previous_dial, free_at - fate.ring_seconds))
        start = at + fate.ring_seconds
        if start >= shift.logout:
            # This agent will be gone when the call rings through: give it to the next agent.
            heapq.heappush(free, (shift.logout, agent))
            continue
        away = shift.away_at(start)
        if away is not None and free_at < away[0]:
            heapq.heappush(free, (away[0], agent))
            continue
        previous_dial = at
        pending = None
        end_of_talk = start + fate.talk_seconds
        heapq.heappush(lines, end_of_talk)
        end = end_of_talk + fate.wrap_up_seconds
        result.connected_to_agent += 1
        result.right_party_contacts += int(fate.right_party)
        result.talk_seconds += fate.talk_seconds
        result.wrap_up_seconds += fate.wrap_up_seconds
        result.first_busy_seconds += max(0.0, min(end, first_period) - start)
        result.first_answered_live += int(start < first_period)
        last_end[agent] = end
        heapq.heappush(free, (end, agent))

    if pending is not None:
        # Dialled last, answered with no agent left to take it: the clairvoyant would not dial it.
        result.dials -= 1
        result.answered_live -= 1
    for agent, shift in enumerate(shifts):
        logout = max(shift.logout, last_end[agent])
        result.logged_in_seconds += logout - shift.login - break_taken[agent]
        # Breaks and pauses come after the first period in every scenario.
        result.first_logged_in_seconds += max(0.0, min(logout, first_period) - shift.login)
    return result
