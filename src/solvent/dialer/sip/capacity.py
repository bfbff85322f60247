"""How many RTP legs one dialer process carries: pairs of legs exchanging G.711 audio on
loopback for a while, with the process's CPU time and the frames that arrived per leg and second
(50 expected). One JSON line, like the benchmarks in bench/:

    python -m solvent.dialer.sip.capacity --legs 300 --seconds 10

Each bridged call is two legs (the debtor's and the agent's); a call being dialled, analysed or
played to is one. Both ends of each pair run here, so the figure per leg is an upper bound.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from solvent.dialer.sip.rtp import RtpLeg


def measure(legs: int, seconds: float) -> dict[str, float]:
    pairs = []
    for _ in range(max(1, legs // 2)):
        first, second = RtpLeg("127.0.0.1"), RtpLeg("127.0.0.1")
        for leg in (first, second):
            leg.on_audio = lambda pcm: None
        first.start(("127.0.0.1", second.local_port))
        second.start(("127.0.0.1", first.local_port))
        pairs += [first, second]
    before = resource.getrusage(resource.RUSAGE_SELF)
    already = sum(leg.received_frames for leg in pairs)
    started = time.monotonic()
    time.sleep(seconds)
    after = resource.getrusage(resource.RUSAGE_SELF)
    elapsed = time.monotonic() - started
    received = sum(leg.received_frames for leg in pairs) - already
    for leg in pairs:
        leg.stop()
    for leg in pairs:
        leg.join()
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "legs": len(pairs),
        "seconds": round(elapsed, 1),
        "cpu_share_of_one_core": round(cpu / elapsed, 3),
        "cpu_share_per_leg": round(cpu / elapsed / len(pairs), 5),
        "frames_per_leg_per_second": round(received / len(pairs) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    print(json.dumps(measure(arguments.legs, arguments.seconds)))  # noqa: T201


if __name__ == "__main__":
    main()
