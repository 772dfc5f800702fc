"""The seeded lottery for one-to-one meetings: give as many organisations a slot as possible.

Pure and deterministic: the same seed and the same requests always give the same result, so
anyone holding the published record can recompute the draw (`python -m lupin.lib.lottery
record.json`). The seed decides the order in which organisations are considered; a maximum
bipartite matching (augmenting paths, Kuhn's algorithm) then places everyone it can, so nobody
loses a slot merely because of an unlucky order when a rearrangement would fit them in.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Mapping, Sequence

ALGORITHM = "kuhn-seeded-v1"


def order(participants: Sequence[str], seed: str) -> list[str]:
    """The lottery order: participants sorted, then shuffled by a PRNG seeded from the seed."""
    ordered = sorted(participants)
    rng = random.Random(hashlib.sha256(seed.encode()).digest())  # noqa: S311 (fair, not secret)
    rng.shuffle(ordered)
    return ordered


def allocate(requests: Mapping[str, Sequence[int]], seed: str) -> dict[str, int]:
    """Participant → slot. Each participant gets at most one slot and each slot at most one
    participant; the number placed is the largest possible."""
    slot_owner: dict[int, str] = {}

    def place(participant: str, seen: set[int]) -> bool:
        for slot in sorted(set(requests[participant])):
            if slot in seen:
                continue
            seen.add(slot)
            holder = slot_owner.get(slot)
            if holder is None or place(holder, seen):
                slot_owner[slot] = participant
                return True
        return False

    for participant in order(list(requests), seed):
        place(participant, set())
    return {participant: slot for slot, participant in sorted(slot_owner.items())}


def seed_commitment(seed: str) -> str:
    """Shown before the draw: proves the seed was fixed before anyone saw the requests."""
    return hashlib.sha256(f"lupin-lottery:{seed}".encode()).hexdigest()


def verify(record: Mapping[str, object]) -> bool:
    """Recompute a published record {"seed", "inputs", "result"} and say whether it matches."""
    inputs = record["inputs"]
    assert isinstance(inputs, dict)  # noqa: S101 (a malformed record is a programming error)
    expected = allocate({k: list(v) for k, v in inputs.items()}, str(record["seed"]))
    return expected == {k: int(v) for k, v in dict(record["result"]).items()}  # type: ignore[call-overload]


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        published = json.load(handle)
    ok = verify(published)
    print("The draw matches its seed and inputs." if ok else "The draw does NOT match!")
    sys.exit(0 if ok else 1)
