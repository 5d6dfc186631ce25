"""bench.side_by_side reads its settings strictly and measures the workers' split from their own CPU times."""

import pytest

from bench.side_by_side import busiest_share, parse_setting


def test_a_setting_is_a_name_and_the_environment_it_sets():
    assert parse_setting("shipped:") == ("shipped", {})
    assert parse_setting("shipped") == ("shipped", {})
    assert parse_setting("one_thread:QUIZAPP_THREADS=1,GUNICORN_CMD_ARGS=--keep-alive 0") == \
        ("one_thread", {"QUIZAPP_THREADS": "1", "GUNICORN_CMD_ARGS": "--keep-alive 0"})


@pytest.mark.parametrize("text", ["1x:QUIZAPP_THREADS=1", ":QUIZAPP_THREADS=1", "a:QUIZAPP_THREADS", "a:=1"])
def test_a_malformed_setting_is_refused_with_what_is_wrong(text):
    with pytest.raises(ValueError, match="setting|VAR=VALUE"):
        parse_setting(text)


def test_the_busiest_workers_share_counts_only_workers_present_at_both_readings():
    assert busiest_share({1: 10.0, 2: 20.0}, {1: 13.0, 2: 21.0}) == 0.75
    assert busiest_share({1: 10.0, 2: 20.0}, {1: 12.0, 2: 22.0}) == 0.5
    # worker 3 was started between the readings (a recycle): its time has no starting point
    assert busiest_share({1: 10.0, 2: 20.0}, {1: 11.0, 3: 50.0}) == 1.0
    assert busiest_share({1: 10.0}, {1: 10.0}) is None
    assert busiest_share({}, {}) is None
