"""The project's path list in file-name order, kept per path list: a few module names are found
by binary search instead of a scan of every path.

A run after a 20-module change asks :class:`~repo_roles.coverage.test_names.PathNames` about
20 module names; each was a ``str.find`` over all paths joined (100k paths: ~3 ms a name, 0.06 s
for 20 — work that grows with the unchanged files).  Every path an answer for a name can use
has a file name starting with that name or with ``test_`` + it (see ``PathNames._containing``),
so the rows of the path list sorted by file name answer a name with two binary searches.

That order is a function of the path list alone: one ``colfile`` per project (never its
location) and path list digest (``Inventory.paths_digest``), an ``array('I')`` of rows.  It is
worked out (~0.06 s per 100k paths) and stored by a run that asks at least
:data:`MIN_NAMES` names and finds none for its path list (an edit of contents keeps the path
list: the next runs read it, 0.4 MB).  A missing, damaged or foreign file is a miss.
"""

from __future__ import annotations

from array import array
from itertools import islice
from operator import le
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from repo_roles.coverage import colfile

if TYPE_CHECKING:
    from repo_roles.context import ProjectContext

MAGIC = b"repo-roles name order 2\0"
FORMAT = 2  # 2: with whether the paths are in code-point order (``Order.paths_sorted``)
MIN_NAMES = 4  # fewer names: their scans cost less than working the order out


class Order(array):  # type: ignore[type-arg]
    """The rows of a path list in file-name order, knowing whether the paths themselves are in
    order (git lists code-point order for UTF-8 names; a name that is not UTF-8 may break it):
    a binary search in the paths is then sound, without a pass over them to find out."""

    paths_sorted: Optional[bool] = None


def order_of(paths: Sequence[str]) -> Order:
    """The rows of ``paths`` sorted by file name (then by row: ``sorted`` is stable)."""
    bases = [p[p.rfind("/") + 1:] for p in paths]
    order = Order("I", sorted(range(len(bases)), key=bases.__getitem__))
    order.paths_sorted = all(map(le, paths, islice(paths, 1, None)))
    return order


def order_file(directory: Path, project: str, listed: str) -> Path:
    return colfile.file_for(directory, "name-order", FORMAT, project, listed)


def load(path: Path, rows: int) -> Optional["array[int]"]:
    """The order stored at ``path`` for a list of ``rows`` paths; None when there is none or it
    is not a sound one."""
    found = colfile.unpack(colfile.read(path), MAGIC, 1)
    if found is None:
        return None
    header, (column,) = found
    if header.get("rows") != rows or len(column) != 4 * rows or type(header.get("sorted")) is not bool:
        return None
    order = Order("I")
    if order.itemsize != 4:
        return None
    order.frombytes(column)
    if rows and max(order) >= rows:
        return None
    order.paths_sorted = header["sorted"]
    return order


def save(path: Path, order: Order) -> None:
    colfile.write(path, colfile.pack(MAGIC, {"rows": len(order), "sorted": bool(order.paths_sorted)},
                                     [order.tobytes()]))


def stored_order(directory: Path, project: str, listed: str, paths: Sequence[str]) -> "array[int]":
    """The file-name order of ``paths`` (digest ``listed``): stored, else worked out and stored."""
    path = order_file(directory, project, listed)
    found = load(path, len(paths))
    if found is None:
        found = order_of(paths)
        save(path, found)
    return found


def _of_project(context: "ProjectContext") -> Tuple[Path, str, str]:
    """Where a scan's order lives: the project's cache directory, its project key and the
    digest of its path list (the first arguments of :func:`order_file`, :func:`stored_order`)."""
    from repo_roles.cachedir import cache_directory, project_key

    inventory = context.inventory
    return cache_directory(context.config, inventory.project_root), project_key(inventory), inventory.paths_digest()


def of_project(context: "ProjectContext") -> "array[int]":
    """The file-name order of a scan's paths (:func:`stored_order` in the project's cache), read
    once per scan."""
    kept = getattr(context, "__dict__", None)
    paths = context.inventory.paths
    found = kept.get("_name_order") if kept is not None else None
    if found is None or len(found) != len(paths):
        found = stored_order(*_of_project(context), paths)
        if kept is not None:
            kept["_name_order"] = found
    return found


def stored_of_project(context: "ProjectContext") -> Optional["array[int]"]:
    """:func:`of_project` when a run stored it, else None (not worked out)."""
    return load(order_file(*_of_project(context)), len(context.inventory.paths))


def _first_at_or_above(paths: Sequence[str], order: Sequence[int], prefix: str) -> int:
    """The first place in ``order`` whose file name is not below ``prefix`` (binary search)."""
    lo, hi = 0, len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        path = paths[order[mid]]
        if path[path.rfind("/") + 1:] < prefix:
            lo = mid + 1
        else:
            hi = mid
    return lo


def named(paths: Sequence[str], order: Sequence[int], base: str) -> List[str]:
    """The paths (in path-list order) whose file name is ``base``."""
    rows = []
    at = _first_at_or_above(paths, order, base)
    while at < len(order):
        path = paths[order[at]]
        if path[path.rfind("/") + 1:] != base:
            break
        rows.append(order[at])
        at += 1
    return [paths[row] for row in sorted(rows)]


def with_base_prefixes(paths: Sequence[str], order: Sequence[int], prefixes: Sequence[str]) -> List[str]:
    """The paths (in path-list order) whose file name starts with one of ``prefixes``, by binary
    search in ``order`` (the rows of ``paths`` sorted by file name)."""
    rows: Set[int] = set()
    for prefix in prefixes:
        rows.update(_rows_with_base_prefix(paths, order, prefix))
    return [paths[row] for row in sorted(rows)]


def _rows_with_base_prefix(paths: Sequence[str], order: Sequence[int], prefix: str) -> Iterator[int]:
    """The rows of ``paths`` whose file name starts with ``prefix``, by binary search in ``order``."""
    at = _first_at_or_above(paths, order, prefix)
    while at < len(order):
        row = order[at]
        path = paths[row]
        if not path.startswith(prefix, path.rfind("/") + 1):
            break
        yield row
        at += 1


def rows_with_stems(paths: Sequence[str], order: Sequence[int], stems: Iterable[str]) -> Set[int]:
    """The rows of ``paths`` whose file name less its last extension is one of ``stems``
    (``x`` for ``x.py``, ``x.test`` for ``x.test.ts``), by binary search in ``order``."""
    rows: Set[int] = set()
    for stem in stems:
        for row in _rows_with_base_prefix(paths, order, stem + "."):
            path = paths[row]
            if path.rfind(".") == path.rfind("/") + 1 + len(stem):
                rows.add(row)
    return rows
