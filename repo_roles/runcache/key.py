"""The key of a run: a hash of everything a command's answer depends on (see the package doc).

Nothing here analyses a file: the key costs one ``git diff-files`` (a ``stat`` of every
tracked file, in C), one ``git rev-parse``, one ``git config``, an ``lstat`` per directory and a
few small reads; git's index listing is remembered by the index file's stamp
(:mod:`repo_roles.runcache.listing`), so an unchanged index is not listed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, List, Mapping, Optional, Sequence

from repo_roles import __version__, safeio
from repo_roles.gitremote import url_host

if TYPE_CHECKING:
    from repo_roles.config import Config
    from repo_roles.inventory import Inventory
    from repo_roles.runcache.listing import Listings

FORMAT = 3  # bump when what a key covers changes
MAX_CHANGED_FILES = 2000  # more modified/untracked files than this: analyse instead (no key)
MAX_FLAGGED_FILES = 200_000  # more paths git does not compare (skip-worktree...) than this: no key
MAX_HASHED_BYTES = 64 << 20  # a larger changed file is keyed by its stat data, not its content
ROOT_TOKEN = "\0project-root\0"
# Files of the git directory that change what git tells us besides the index: attributes, a
# shallow clone's boundary and grafts (history).  The configuration is read through git (below).
GIT_DIR_FILES = ("info/attributes", "shallow", "info/grafts")
# git settings (every level) an answer can depend on: remotes decide the platform (by host
# only: a clone's remote naming its first checkout's path changes nothing), attributes, the
# mailmap, history's promisor/partial-clone detection and ignore-revs, and git log's output.
GIT_SETTINGS = (r"^(remote\..*\.(url|pushurl|promisor)|extensions\..*|blame\..*|core\.attributesfile"
                r"|core\.quotepath|mailmap\..*|log\..*|i18n\..*|diff\..*|grep\..*|attr\..*)$")
ENV_PREFIXES = ("GIT_", "REPO_ROLES_")
ENV_IGNORED = frozenset({"REPO_ROLES_CACHE_DIR", "GIT_PYTHON_REFRESH", "GIT_PYTHON_GIT_EXECUTABLE"})

_code_fingerprint: Optional[bytes] = None


def code_fingerprint() -> bytes:
    """The installed tool itself: name and content of every file of the package (its code and
    its ``rules/`` tables), so an upgrade or an edited checkout never replays a run of other
    code, while a reinstall of the same code (a CI job restoring its cache) still does (~2 MB,
    a few milliseconds)."""
    global _code_fingerprint
    if _code_fingerprint is None:
        from repo_roles.config.discovery import builtin_rules_dir

        package = Path(__file__).resolve().parents[1]
        h = hashlib.blake2b(digest_size=20)
        h.update(__version__.encode())
        for directory in (str(package), str(builtin_rules_dir())):
            for base, dirs, names in os.walk(directory):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                # the name relative to ``directory``, cut from the walk's own prefix (relpath
                # made two absolute paths per file: most of this function's time)
                inside = base[len(directory) + 1:] + "/" if base != directory else ""
                for name in sorted(names):
                    if name.endswith((".pyc", ".pyo")):
                        continue
                    try:
                        with open(os.path.join(base, name), "rb") as handle:
                            data = handle.read()
                    except OSError:
                        continue
                    h.update(f"{inside}{name}\0{len(data)}\0".encode())
                    h.update(data)
        _code_fingerprint = h.digest()
    return _code_fingerprint


class _Hash:
    def __init__(self) -> None:
        self._h = hashlib.blake2b(digest_size=20)

    def part(self, name: str, *values: object) -> None:
        """One named, length-prefixed part: no two different inputs hash alike by concatenation."""
        for value in (name, *values):
            data = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
            self._h.update(len(data).to_bytes(8, "little"))
            self._h.update(data)

    def digest(self) -> bytes:
        return self._h.digest()

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def _file_part(path: Path, trusted: bool = True, root: Optional[Path] = None) -> bytes:
    """A file outside the index by content, or what kept it from being read.  A file of the
    work tree (``trusted`` False) is read as every repository file is (``safeio``: never through
    a symbolic link, never a FIFO or a device); the user's and git's own files are followed
    (dotfiles are often links)."""
    try:
        if trusted:
            with open(path, "rb") as handle:
                data: Optional[bytes] = handle.read(MAX_HASHED_BYTES + 1)
            if data is not None and len(data) > MAX_HASHED_BYTES:
                data = None
        else:
            data = safeio.read_fd(safeio.open_regular(path, root=root), MAX_HASHED_BYTES)
    except safeio.UnsafeReadError as exc:
        return f"unsafe:{exc}".encode("utf-8", "surrogateescape")
    except OSError:
        return b"absent"
    if data is None:
        return b"oversized"
    return hashlib.blake2b(data, digest_size=20).digest()


def _git_state(root: Path) -> Optional[List[str]]:
    """``[git dir, common dir, index file, HEAD id or ""]`` from one ``git rev-parse`` (None: git
    failed); the index file as git finds it (``GIT_INDEX_FILE``, a linked worktree's own)."""
    try:
        done = subprocess.run(["git", "rev-parse", "--absolute-git-dir", "--git-common-dir", "--git-path", "index",
                               "HEAD"], cwd=str(root), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if done.returncode != 0:
        # A repository without commits: HEAD names nothing, the directories are still printed.
        if len(lines) < 3 or lines[-1] != "HEAD":
            return None
        lines = lines[:3]
    if len(lines) == 3:
        lines.append("")
    return lines[:4] if len(lines) >= 4 else None


def _git_settings(root: Path) -> Optional[str]:
    """The :data:`GIT_SETTINGS` in effect, remote URLs cut to their host; None: git failed."""
    try:
        done = subprocess.run(["git", "config", "-z", "--get-regexp", GIT_SETTINGS], cwd=str(root),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode not in (0, 1):  # 1: none is set
        return None
    found = []
    for record in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        key, _, value = record.partition("\n")
        if not key:
            continue
        if key.endswith(("url", "pushurl")) and key.startswith("remote."):
            host = url_host(value)
            if host is None:  # a local path: no platform, whatever the path
                continue
            value = host
        elif key == "core.attributesfile" and value:
            value += "\0" + _file_part(Path(os.path.expanduser(value))).hex()
        found.append(f"{key}={value}")
    return "\n".join(found)


def _replace_refs(common: Path) -> str:
    """The names of ``refs/replace/*`` (loose and packed): a replaced commit rewrites history."""
    names = []
    for base, _, files in os.walk(common / "refs" / "replace"):
        names.extend(os.path.join(base, f) for f in files)
    try:
        with open(common / "packed-refs", "rb") as handle:
            names.extend(line.decode("utf-8", "replace") for line in handle if b" refs/replace/" in line)
    except OSError:
        pass
    return "\n".join(sorted(names))


def _user_git_files() -> Iterable[Path]:
    home = Path.home()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    config_home = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".config"
    yield config_home / "git" / "attributes"
    for prefix in ("/", "/usr", "/usr/local"):  # $(prefix)/etc/gitattributes
        yield Path(prefix) / "etc" / "gitattributes"


def _outside_project(inventory: "Inventory") -> Iterable[Path]:
    """Files the index listing of the project does not cover: the default mailmap and ignore-revs
    list at the repository's top (a configured ``mailmap.file`` or ``blame.ignoreRevsFile`` is keyed
    by its setting, not its content) -- above a project that is a sub-directory of it, or not
    tracked (git log reads a work tree's ``.mailmap`` whether git tracks it or not:
    gitmailmap(5)); attributes files are among :meth:`Inventory.attributes_files`."""
    top = inventory.git_root
    if top is None:
        return
    yield top / ".mailmap"
    yield top / ".git-blame-ignore-revs"


def run_key(
    command: str,
    options: Mapping[str, object],
    *,
    config: "Config",
    inventory: "Inventory",
    extra_files: Sequence[str] = (),
    listings: Optional["Listings"] = None,
) -> Optional[str]:
    """The hex key of this run, or None when it cannot be keyed safely (outside git, too many
    changed files, git failing): the command then runs in full and stores nothing.
    ``listings``: the listing digests remembered by index file (else git lists the index)."""
    from repo_roles.inventory import shared_worktree_diff

    if inventory.git_root is None:
        return None
    diff = shared_worktree_diff(inventory)  # git compares the work tree while we hash the rest
    root, top = inventory.project_root, inventory.git_root
    state = _git_state(root)
    if state is None:
        return None
    index_path = os.path.join(str(root), state[2])
    if listings is not None:  # git lists its index meanwhile if no entry remembers the listing
        listings.prefetch(inventory, index_path)
        flagged = listings.flagged()  # the entries git does not compare, known with the stamp
        if flagged is not None:
            diff.know_flagged(flagged)
        elif listings.flags_source is not None:  # else listed with the index (one git)
            diff.flags_from(listings.flags_source)
    diff.ask_flagged()  # else git lists them next to its comparison
    h = _Hash()
    h.part("tool", FORMAT, code_fingerprint())
    h.part("command", command, json.dumps(options, sort_keys=True, default=str))
    try:
        cwd = os.path.relpath(os.getcwd(), root)
    except (OSError, ValueError):
        return None
    h.part("where", inventory.prefix, inventory.scope, cwd)
    h.part("config", repr(config).replace(str(root), ROOT_TOKEN))
    for name in extra_files:  # e.g. a baseline or a --compare file the answer reads
        h.part("extra", name, _file_part(Path(name), trusted=False))
    git_dir, common, head = Path(state[0]), Path(state[1]) if os.path.isabs(state[1]) else root / state[1], state[3]
    h.part("head", head, _replace_refs(common))
    for name in GIT_DIR_FILES:
        h.part("git", name, _file_part(common / name), _file_part(git_dir / name))
    settings = _git_settings(root)
    if settings is None:
        return None
    h.part("settings", settings)
    for path in _user_git_files():
        h.part("user", str(path), _file_part(path))
    for path in _outside_project(inventory):
        h.part("above", path.relative_to(top).as_posix(), _file_part(path, trusted=False, root=top))
    for name in sorted(os.environ):
        if name.startswith(ENV_PREFIXES) and name not in ENV_IGNORED:
            h.part("env", name, os.environ[name])
    if listings is not None:
        digest, directories = listings.digest(inventory, index_path)
    else:
        digest, directories = inventory.listing_digest(), None
    h.part("listing", digest)
    # gitattributes(5): git reads the work tree's files, tracked or not; found with one lstat
    # per directory while git compares the work tree (and reused by the scan on a miss)
    for path in inventory.attributes_files(directories):
        h.part("attributes", os.path.relpath(path, top), _file_part(Path(path), trusted=False, root=top))
    modified = diff.result()
    if modified is None:
        return None
    if listings is not None:
        listings.settle(inventory, index_path, diff.flagged(), diff.flags_started)
    # Paths git does not compare (skip-worktree: a sparse checkout's files outside its cone;
    # assume-unchanged; unmerged) are keyed by what the work tree holds, as one part: a sparse
    # checkout has thousands of them, absent from the work tree, on every run.
    flagged = diff.flagged() or frozenset()
    if len(flagged) > MAX_FLAGGED_FILES:
        return None
    changed = sorted((set(modified) - flagged).union(inventory.untracked_paths()))
    if len(changed) > MAX_CHANGED_FILES:
        return None
    for path in changed:
        h.part("changed", path, _changed_part(inventory, path))
    if flagged:
        held = _Hash()
        for path in sorted(flagged):
            held.part(path, _changed_part(inventory, path))
        h.part("flagged", len(flagged), held.digest())
    return h.hexdigest()


def _changed_part(inventory: "Inventory", path: str) -> bytes:
    """A changed file by content; by its kind or stat data when it is no regular file or huge."""
    data = inventory.read_bytes(path, MAX_HASHED_BYTES)
    if data is not None:
        return hashlib.blake2b(data, digest_size=20).digest()
    try:
        st = os.lstat(inventory.abspath(path))
    except OSError:
        return b"absent"
    detail = f"{st.st_mode:o}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
    if os.path.islink(inventory.abspath(path)):
        try:
            detail += ":" + os.readlink(inventory.abspath(path))
        except OSError:
            pass
    return detail.encode("utf-8", "surrogateescape")
