"""Prepared resources kept between processes (etl.warm): used when sound, rebuilt otherwise."""

from __future__ import annotations

from etl import warm


def test_a_kept_value_is_reused_and_a_new_key_builds_again(tmp_path, monkeypatch):
    monkeypatch.setenv(warm.CACHE_ENV, str(tmp_path))
    builds = []
    assert warm.kept("thing", "k1", lambda: builds.append(1) or {"a": 1}) == {"a": 1}
    assert warm.kept("thing", "k1", lambda: builds.append(1) or {"a": 2}) == {"a": 1}
    assert warm.kept("thing", "k2", lambda: builds.append(1) or {"a": 3}) == {"a": 3}
    assert len(builds) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["thing-k2.pickle"]  # the stale copy is gone


def test_a_damaged_copy_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv(warm.CACHE_ENV, str(tmp_path))
    (tmp_path / "thing-k1.pickle").write_bytes(b"\x80\x05garbage")
    assert warm.kept("thing", "k1", lambda: 42) == 42
    assert warm.kept("thing", "k1", lambda: 0) == 42


def test_nowhere_to_keep_it_still_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(warm.CACHE_ENV, str(blocker / "cache"))
    assert warm.kept("thing", "k1", lambda: [1, 2]) == [1, 2]
    assert not list(tmp_path.glob("**/*.tmp"))
