from lupin.lib import lottery

REQUESTS = {"a1": [1, 2], "b2": [1], "c3": [2, 3], "d4": [3], "e5": [1]}


def test_same_seed_same_result():
    assert lottery.allocate(REQUESTS, "seed-1") == lottery.allocate(dict(REQUESTS), "seed-1")


def test_result_does_not_depend_on_input_order():
    reversed_requests = dict(reversed(list(REQUESTS.items())))
    assert lottery.allocate(REQUESTS, "s") == lottery.allocate(reversed_requests, "s")


def test_places_as_many_as_possible():
    # Three slots, five organisations: a maximum matching places three.
    for seed in ("x", "y", "z", "w"):
        result = lottery.allocate(REQUESTS, seed)
        assert len(result) == 3
        assert len(set(result.values())) == 3
        assert all(slot in REQUESTS[who] for who, slot in result.items())


def test_an_unlucky_order_does_not_cost_a_slot_when_rearranging_fits_everyone():
    # If "a" goes first and takes slot 1 greedily, "b" (who can only take 1) would lose out;
    # the matching moves "a" to slot 2 instead.
    requests = {"a": [1, 2], "b": [1]}
    for seed in map(str, range(20)):
        assert lottery.allocate(requests, seed) == {"a": 2, "b": 1}


def test_different_seeds_can_pick_different_winners():
    requests = {"a": [1], "b": [1], "c": [1]}
    winners = {next(iter(lottery.allocate(requests, str(seed)))) for seed in range(30)}
    assert winners == {"a", "b", "c"}


def test_verify_recomputes_a_published_record():
    result = lottery.allocate(REQUESTS, "published-seed")
    record = {"seed": "published-seed", "inputs": REQUESTS, "result": result}
    assert lottery.verify(record)
    tampered = dict(result)
    first = next(iter(tampered))
    tampered[first] = 99
    assert not lottery.verify({**record, "result": tampered})


def test_commitment_hides_the_seed_but_binds_it():
    assert lottery.seed_commitment("abc") == lottery.seed_commitment("abc")
    assert lottery.seed_commitment("abc") != lottery.seed_commitment("abd")
    assert "abc" not in lottery.seed_commitment("abc")
