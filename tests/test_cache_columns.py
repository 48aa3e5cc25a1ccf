"""The one-value table layout of the classifier's caches (``repo_roles.columns``):
every table round-trips, and damaged data is never half-trusted — it decodes to None."""

from __future__ import annotations

from typing import List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repo_roles import columns

# Cells are git paths or blob ids: any text without NUL, surrogate escapes included (a path
# that is not UTF-8 in git's index arrives as a str with lone surrogates).
cells = st.text(alphabet=st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)) | st.sampled_from(
    ["\udcff", "\udc80"]), max_size=12)
values = st.one_of(st.none(), st.text(max_size=5),
                   st.lists(st.one_of(st.none(), st.text(max_size=5), st.integers(0, 9)), max_size=4))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(cells, cells, values), max_size=30))
def test_round_trip(rows: List[tuple]) -> None:
    paths, blobs, vals = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    decoded = columns.decode(columns.encode([paths, blobs], vals), 2)
    assert decoded is not None
    (got_paths, got_blobs), distinct, index = decoded
    assert got_paths == paths and got_blobs == blobs
    assert [distinct[i] for i in index] == vals
    assert len(distinct) == len({repr(v) for v in vals})  # each distinct value stored once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(cells, st.integers(0, 3)), max_size=30))
def test_indexed_rows_round_trip(rows: List[tuple]) -> None:
    """``encode_indexed``: the caller numbers the distinct values; the same table comes back."""
    distinct = [["backend.logic", "x"], None, "text", ["a", None]]
    data = columns.encode_indexed([[r[0] for r in rows]], distinct, [r[1] for r in rows])
    decoded = columns.decode(data, 1)
    assert decoded is not None
    (got,), values, index = decoded
    assert got == [r[0] for r in rows] and values == distinct and list(index) == [r[1] for r in rows]
    with pytest.raises(ValueError):
        columns.encode_indexed([["a"]], distinct, [4])  # past the distinct values
    with pytest.raises(ValueError):
        columns.encode_indexed([["a", "b"]], distinct, [0])  # a column of another length


def test_every_truncation_and_bad_header_is_rejected() -> None:
    data = columns.encode([["a/b.py", "c.py"], ["1" * 40, "2" * 40]], [["backend.logic", "x"], None])
    for cut in range(len(data)):
        assert columns.decode(data[:cut], 2) is None, cut
    assert columns.decode(data + b"\0", 2) is None
    assert columns.decode(data, 1) is None  # not the width the reader expects
    assert columns.decode("text, not bytes", 2) is None
    assert columns.decode(data.replace(b'"rows":2', b'"rows":-2'), 2) is None


def test_an_index_past_the_values_is_rejected() -> None:
    data = columns.encode([["a", "b"]], ["only", "two"])
    head, index = data[:-8], data[-8:]
    assert columns.decode(head + index[:4] + (7).to_bytes(4, "little"), 1) is None


def test_unequal_columns_are_a_caller_error() -> None:
    with pytest.raises(ValueError):
        columns.encode([["a", "b"], ["x"]], [1, 2])
