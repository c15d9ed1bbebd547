"""Prepared resources kept between processes (etl.prepared): used when sound, rebuilt otherwise."""

from __future__ import annotations

import numpy as np

from etl import prepared


def test_a_kept_value_is_reused_and_a_new_key_builds_again(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared.CACHE_ENV, str(tmp_path))
    builds = []
    assert prepared.kept("thing", "k1", lambda: builds.append(1) or {"a": 1}) == {"a": 1}
    assert prepared.kept("thing", "k1", lambda: builds.append(1) or {"a": 2}) == {"a": 1}
    assert prepared.kept("thing", "k2", lambda: builds.append(1) or {"a": 3}) == {"a": 3}
    assert len(builds) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["thing-k2.pickle"]  # the stale copy is gone


def test_a_damaged_copy_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared.CACHE_ENV, str(tmp_path))
    (tmp_path / "thing-k1.pickle").write_bytes(b"\x80\x05garbage")
    assert prepared.kept("thing", "k1", lambda: 42) == 42
    assert prepared.kept("thing", "k1", lambda: 0) == 42


def test_nowhere_to_keep_it_still_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(prepared.CACHE_ENV, str(blocker / "cache"))
    assert prepared.kept("thing", "k1", lambda: [1, 2]) == [1, 2]
    assert not list(tmp_path.glob("**/*.tmp"))


def test_arrays_are_kept_as_files_mapped_into_memory(tmp_path, monkeypatch):
    monkeypatch.setenv(prepared.CACHE_ENV, str(tmp_path))
    (tmp_path / "model-old.pickle").write_bytes(b"a copy kept the old way")
    builds = []

    def build():
        builds.append(1)
        return {"weights": np.arange(6, dtype=np.float32).reshape(2, 3), "codes": np.array([7, 8], np.uint32)}

    names = ("weights", "codes")
    first = prepared.kept_arrays("model", "k1", names, build)
    again = prepared.kept_arrays("model", "k1", names, build)
    assert len(builds) == 1
    assert isinstance(again["weights"], np.memmap) and not again["weights"].flags.writeable
    assert np.array_equal(again["weights"], first["weights"]) and memoryview(again["codes"])[1] == 8
    assert [p.name for p in tmp_path.iterdir()] == ["model-k1"]  # the stale copy is gone
    (tmp_path / "model-k1" / "codes.npy").write_bytes(b"damaged")
    assert np.array_equal(prepared.kept_arrays("model", "k1", names, build)["codes"], [7, 8])
    assert len(builds) == 2
    (tmp_path / "model-k1" / "weights.npy").unlink()  # one of them missing
    assert prepared.kept_arrays("model", "k1", names, build)["weights"].shape == (2, 3)
    assert len(builds) == 3
