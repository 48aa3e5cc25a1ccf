"""``commands.common.no_cyclic_gc``: the collector is off during a command and back on after it,
without a collection of everything the command made (CPython's ``gc`` counts, no timing)."""

from __future__ import annotations

import gc

import pytest

from repo_roles.commands.common import no_cyclic_gc


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_collector_is_back_on_with_nothing_left_to_walk(collector_on) -> None:
    collections: list = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    with no_cyclic_gc():
        assert not gc.isenabled()
        made = [[n] for n in range(50_000)]  # containers the collector tracks
        assert gc.get_count()[0] >= 50_000  # counted while off: a plain enable() would walk them all
        gc.callbacks.append(seen)
    try:
        after = gc.get_count()
    finally:
        gc.callbacks.remove(seen)
    assert collections == []  # no collection as the collector came back (a plain enable() made one)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing left frozen for the caller
    assert after[0] < gc.get_threshold()[0]  # the next allocation collects nothing young
    assert len(made) == 50_000


def test_a_caller_s_frozen_objects_stay_frozen(collector_on) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen
        with no_cyclic_gc():
            [[n] for n in range(1_000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_collector_that_was_off_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with no_cyclic_gc():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
