"""A job's independent image steps: side by side on free CPU seats, in the job's own thread when
every seat is taken, results in the order given, and a failing step's error raised."""

import threading

import pytest

from editor.services import cpu


def where() -> str:
    return threading.current_thread().name


def test_with_seats_free_the_other_steps_run_beside_the_first():
    if cpu._count() < 2:
        pytest.skip("one CPU seat: nothing can run beside the job")
    with cpu.seat():  # the job's own
        started = threading.Barrier(2, timeout=5)

        def first():
            started.wait()  # returns only if the second step runs at the same time
            return where()

        def second():
            started.wait()
            return where()

        mine, other = cpu.side_by_side(first, second)
    assert mine == where()
    assert other.startswith("image-step")


def test_with_every_seat_taken_the_steps_run_in_turn_in_the_callers_thread():
    taken = []
    with cpu.seat():
        while cpu._seats().acquire(blocking=False):
            taken.append(1)
        try:
            assert cpu.side_by_side(where, where, lambda: 3) == [where(), where(), 3]
        finally:
            for _ in taken:
                cpu._seats().release()


def test_a_failing_step_raises_after_the_others_end_and_seats_are_given_back():
    if cpu._count() < 2:
        pytest.skip("one CPU seat: no step runs beside the job")
    ended = threading.Event()

    def slow():
        ended.wait(0.2)
        ended.set()
        return "slow"

    def broken():
        raise ValueError("cannot encode")

    with cpu.seat(), pytest.raises(ValueError, match="cannot encode"):
        cpu.side_by_side(broken, slow)
    assert ended.is_set()
    # every seat is free again: as many can be taken as there are
    held = 0
    while cpu._seats().acquire(blocking=False):
        held += 1
    for _ in range(held):
        cpu._seats().release()
    assert held == cpu._count()
