"""Directory OWNERS files: Kubernetes/prow YAML and Chromium/Gerrit text, inherited up the tree.

Sources cited in ids:
* k8s-owners-md: kubernetes/community contributors/guide/owners.md (OWNERS spec, filters,
  OWNERS_ALIASES, no_parent_owners);
* prow-repoowners: kubernetes-sigs/prow pkg/repoowners/repoowners.go (".*" is "no filter",
  MatchString is unanchored, no_parent_owners honoured once owners were found, logins
  lower-cased);
* chromium-code-reviews: chromium docs/code_reviews.md "OWNERS file details";
* gerrit-find-owners: Gerrit code-owners backend-find-owners.md / path-expressions.md (file:
  imports only unrestricted grants, per-file globs are prefixed with {**/,}, include).
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import pytest

from repo_roles.ownership.owners_files import (
    DirectoryOwners,
    OwnersFileIssue,
    OwnersTree,
    detect_owners_style,
    normalize_login,
)


def build(files: Dict[str, str], extra: Tuple[str, ...] = ()) -> OwnersTree:
    data = {path: text.encode() for path, text in files.items()}
    return OwnersTree.build(list(data) + list(extra), data.get)


K8S = {
    "OWNERS": "approvers:\n  - root-lead\nreviewers:\n  - root-rev\n",
    "pkg/OWNERS": "approvers:\n  - Alice\n  - sig-foo # an alias\nreviewers:\n  - carol\n",
    "pkg/deep/OWNERS": "options:\n  no_parent_owners: true\napprovers:\n  - dora\n",
    "pkg/rev/OWNERS": "options:\n  no_parent_owners: true\nreviewers:\n  - only-reviewer\n",
    "api/OWNERS": 'filters:\n  ".*":\n    approvers: [api-all]\n  "\\\\.go$":\n    approvers: [gopher]\n'
    '  "^v1/":\n    approvers: [v1-owner]\n',
    "OWNERS_ALIASES": "aliases:\n  sig-foo:\n    - Erin\n    - frank\n",
}


@pytest.mark.parametrize(
    "path, owners, nearest",
    [
        pytest.param("main.go", ("@root-lead",), "OWNERS", id="k8s-owners-md-approvers-own-reviewers-do-not"),
        pytest.param("pkg/x.go", ("@alice", "@erin", "@frank", "@root-lead"), "pkg/OWNERS", id="k8s-owners-md-inherited-and-aliases"),
        pytest.param("pkg/sub/dir/y.go", ("@alice", "@erin", "@frank", "@root-lead"), "pkg/OWNERS", id="k8s-owners-md-applies-to-child-dirs"),
        pytest.param("pkg/OWNERS", ("@alice", "@erin", "@frank", "@root-lead"), "pkg/OWNERS", id="k8s-owners-md-applies-to-itself"),
        pytest.param("pkg/deep/z.go", ("@dora",), "pkg/deep/OWNERS", id="k8s-owners-md-no_parent_owners"),
        pytest.param("pkg/rev/z.go", ("@alice", "@erin", "@frank", "@root-lead"), "pkg/OWNERS", id="prow-repoowners-no_parent_owners-needs-owners"),
        pytest.param("api/types.py", ("@api-all", "@root-lead"), "api/OWNERS", id="k8s-owners-md-filters-dot-star"),
        pytest.param("api/types.go", ("@api-all", "@gopher", "@root-lead"), "api/OWNERS", id="k8s-owners-md-filters-regex"),
        pytest.param("api/v1/a.py", ("@api-all", "@v1-owner", "@root-lead"), "api/OWNERS", id="k8s-owners-md-filters-relative-to-owners-dir"),
        pytest.param("api/x/v1/a.py", ("@api-all", "@root-lead"), "api/OWNERS", id="prow-repoowners-anchor-respected"),
        pytest.param("api/deep/b.go", ("@api-all", "@gopher", "@root-lead"), "api/OWNERS", id="prow-repoowners-unanchored-matchstring"),
    ],
)
def test_k8s_owners(path: str, owners: Tuple[str, ...], nearest: str) -> None:
    tree = build(K8S)
    result = tree.owners_for(path)
    assert (result.owners, result.path) == (owners, nearest)
    assert tree.issues == ()


def test_k8s_deciding_line_points_at_the_matching_filter() -> None:
    tree = build(K8S)
    assert tree.owners_for("api/types.go").line == 5  # the "\\.go$" approvers line
    assert tree.owners_for("api/types.py").line == 3  # the ".*" approvers line
    assert tree.owners_for("pkg/x.go") == DirectoryOwners("pkg/OWNERS", ("@alice", "@erin", "@frank", "@root-lead"), 2, ("pkg/OWNERS", "OWNERS"))


CHROMIUM = {
    "OWNERS": "# Top-level owners.\nroot@chromium.org\n",
    "content/OWNERS": "a@chromium.org\nb@chromium.org  # Only for the frobinator.\n"
    "per-file foo_bar.cc=c@chromium.org\nper-file foo.*,*.gn=d@chromium.org, e@chromium.org\n"
    "per-file readme.txt=*\n",
    "content/ipc/OWNERS": "set noparent\nfile://ATL_OWNERS\n",
    "content/msg/OWNERS": "m@chromium.org\nper-file *_messages*.h=set noparent\n"
    "per-file *_messages*.h=file://ipc/SECURITY_OWNERS\n",
    "content/rel/OWNERS": "file:../sibling/OWNERS\n",
    "content/sibling/OWNERS": "sib@chromium.org\nper-file *.x=not-imported@chromium.org\nset noparent\n",
    "content/inc/OWNERS": "include /content/sibling/OWNERS\n",
    "ATL_OWNERS": "atl@chromium.org\n",
    "ipc/SECURITY_OWNERS": "sec@chromium.org\n",
}


@pytest.mark.parametrize(
    "path, owners",
    [
        pytest.param("content/a.cc", ("a@chromium.org", "b@chromium.org", "root@chromium.org"), id="chromium-code-reviews-emails-plus-parent-and-comments"),
        pytest.param("content/foo_bar.cc", ("a@chromium.org", "b@chromium.org", "c@chromium.org", "root@chromium.org"), id="chromium-code-reviews-per-file"),
        pytest.param("content/foo.h", ("a@chromium.org", "b@chromium.org", "d@chromium.org", "e@chromium.org", "root@chromium.org"), id="gerrit-find-owners-per-file-comma-globs-and-owners"),
        pytest.param("content/x/BUILD.gn", ("a@chromium.org", "b@chromium.org", "d@chromium.org", "e@chromium.org", "root@chromium.org"), id="gerrit-find-owners-per-file-matches-subdirs"),
        pytest.param("content/readme.txt", ("a@chromium.org", "b@chromium.org", "*", "root@chromium.org"), id="chromium-code-reviews-star-everyone"),
        pytest.param("content/ipc/x.cc", ("atl@chromium.org",), id="chromium-code-reviews-set-noparent-with-file"),
        pytest.param("content/msg/x_messages.h", ("sec@chromium.org",), id="chromium-code-reviews-per-file-set-noparent"),
        pytest.param("content/msg/x.cc", ("m@chromium.org", "a@chromium.org", "b@chromium.org", "root@chromium.org"), id="chromium-per-file-noparent-other-files-inherit"),
        pytest.param("content/rel/x.x", ("sib@chromium.org", "a@chromium.org", "b@chromium.org", "root@chromium.org"), id="gerrit-find-owners-file-relative-unrestricted-only"),
        pytest.param("content/inc/x.x", ("sib@chromium.org", "not-imported@chromium.org"), id="gerrit-find-owners-include-imports-per-file-and-noparent"),
        pytest.param("third_party/x.c", ("root@chromium.org",), id="chromium-code-reviews-recursive"),
    ],
)
def test_chromium_owners(path: str, owners: Tuple[str, ...]) -> None:
    tree = build(CHROMIUM)
    assert tree.owners_for(path).owners == owners
    assert tree.issues == ()


def test_chromium_deciding_line_and_sources() -> None:
    tree = build(CHROMIUM)
    assert tree.owners_for("content/foo_bar.cc") == DirectoryOwners(
        "content/OWNERS",
        ("a@chromium.org", "b@chromium.org", "c@chromium.org", "root@chromium.org"),
        3,
        ("content/OWNERS", "OWNERS"),
    )
    assert tree.owners_for("content/ipc/x.cc").line == 2  # owners come from the file:// line


@pytest.mark.parametrize(
    "files, path, owners, issues",
    [
        pytest.param(
            {"OWNERS": "file://A_OWNERS\n", "A_OWNERS": "a@x.org\nfile://B_OWNERS\n", "B_OWNERS": "b@x.org\nfile://A_OWNERS\n"},
            "f.c", ("a@x.org", "b@x.org"),
            [("B_OWNERS", 2, "include-cycle")],
            id="gerrit-find-owners-file-cycle-reported-once-owners-kept",
        ),
        pytest.param(
            {"OWNERS": "me@x.org\nfile://OWNERS\n"}, "f.c", ("me@x.org",), [("OWNERS", 2, "include-cycle")],
            id="self-include",
        ),
        pytest.param(
            {"OWNERS": "me@x.org\nfile://MISSING_OWNERS\nper-file *.h=file://GONE_OWNERS\n"}, "f.h", ("me@x.org",),
            [("OWNERS", 2, "include-not-found"), ("OWNERS", 3, "include-not-found")],
            id="missing-reference",
        ),
        pytest.param(
            {"sub/OWNERS": "file:../../outside/OWNERS\nfile:chromium/src:/OWNERS\n"}, "sub/f", (),
            [("sub/OWNERS", 1, "invalid-reference"), ("sub/OWNERS", 2, "external-reference")],
            id="reference-outside-repo-or-other-project",
        ),
        pytest.param(
            {"OWNERS": "# ok\n  alice\nwhat is this\nper-file =x@y.org\nper-file a.c=bob\nper-file [z-a].c=x@y.org\nok@x.org\n"},
            "a.c", ("ok@x.org",),
            [("OWNERS", 2, "invalid-owner"), ("OWNERS", 3, "unknown-directive"), ("OWNERS", 4, "invalid-per-file"),
             ("OWNERS", 5, "invalid-owner"), ("OWNERS", 6, "invalid-glob")],
            id="chromium-bad-lines",
        ),
    ],
)
def test_chromium_malformed(files: Dict[str, str], path: str, owners: Tuple[str, ...], issues: list) -> None:
    tree = build(files)
    assert tree.owners_for(path).owners == owners
    assert [(i.path, i.line, i.code) for i in tree.issues] == issues


def test_issue_columns_point_at_the_entry() -> None:
    tree = build({"OWNERS": "  alice\n"})
    assert tree.issues == (
        OwnersFileIssue("OWNERS", 1, 3, "invalid-owner", "'alice' is not an email address (Chromium OWNERS files list emails)"),
    )


@pytest.mark.parametrize(
    "files, issues",
    [
        pytest.param({"OWNERS": "approvers:\n  - a\n - b\n"}, [("OWNERS", 3, "invalid-yaml")], id="yaml-syntax"),
        pytest.param({"OWNERS": "approvers: alice\n"}, [("OWNERS", 1, "invalid-value")], id="approvers-not-a-list"),
        pytest.param({"OWNERS": "approvers: [a]\napprover: [b]\n"}, [("OWNERS", 2, "unknown-key")], id="typo-key"),
        pytest.param({"OWNERS": "approvers: [a]\nfilters:\n  x: {approvers: [b]}\n"}, [("OWNERS", 2, "filters-with-siblings")], id="k8s-owners-md-filters-siblings-invalid"),
        pytest.param({"OWNERS": "filters:\n  '(':\n    approvers: [b]\n"}, [("OWNERS", 2, "invalid-regex")], id="bad-regex"),
        pytest.param({"OWNERS": "options:\n  no_parent_owners: yes-please\napprovers: [a]\n"}, [("OWNERS", 2, "invalid-value")], id="bad-option"),
        pytest.param({"OWNERS": "approvers: [a]\n", "OWNERS_ALIASES": "aliases:\n  team: lead\n"}, [("OWNERS_ALIASES", 2, "invalid-value")], id="alias-not-a-list"),
        pytest.param({"OWNERS": "approvers: [a]\n", "OWNERS_ALIASES": "aliases: [\n"}, [("OWNERS_ALIASES", 2, "invalid-yaml")], id="aliases-bad-yaml"),
        pytest.param({"OWNERS": "- approvers\n- a\n"}, [], id="list-document-is-chromium-style-text"),
        pytest.param({"OWNERS": "approvers: [a]\n\xff\xfe"}, [("OWNERS", 1, "invalid-yaml")], id="not-utf8"),
    ],
)
def test_k8s_malformed_never_raises(files: Dict[str, str], issues: list) -> None:
    data = {path: text.encode("latin-1") if "\xff" in text else text.encode() for path, text in files.items()}
    tree = OwnersTree.build(list(data), data.get)
    got = [(i.path, i.line, i.code) for i in tree.issues]
    if issues:
        assert got == issues
    else:
        assert all(i.code != "invalid-yaml" for i in tree.issues) and got  # reported as text lines


def test_k8s_filters_with_siblings_keeps_the_simple_part_like_prow() -> None:
    tree = build({"OWNERS": "approvers: [a]\nfilters:\n  x: {approvers: [b]}\n"})
    assert tree.owners_for("x").owners == ("@a",)


@pytest.mark.parametrize(
    "data, style",
    [
        pytest.param(b"approvers:\n- a\n", "k8s", id="k8s-approvers"),
        pytest.param(b"---\nreviewers: [a]\n", "k8s", id="k8s-document-marker"),
        pytest.param(b"'filters':\n  '.*': {labels: [x]}\n", "k8s", id="k8s-quoted-key"),
        pytest.param(b"options: {no_parent_owners: true}\n", "k8s", id="k8s-options-only"),
        pytest.param(b"a@chromium.org\nset noparent\n", "chromium", id="chromium-emails"),
        pytest.param(b"*\n", "chromium", id="chromium-star-is-invalid-yaml"),
        pytest.param(b"per-file *.h=a@x.org\n", "chromium", id="chromium-per-file"),
        pytest.param(b"", "chromium", id="empty"),
    ],
)
def test_detect_owners_style(data: bytes, style: str) -> None:
    assert detect_owners_style(data) == style


@pytest.mark.parametrize(
    "login, handle",
    [
        pytest.param("Alice", "@alice", id="prow-repoowners-case-insensitive"),
        pytest.param("@bob", "@bob", id="already-a-handle"),
        pytest.param("  carol ", "@carol", id="whitespace"),
        pytest.param("dev@Example.com", "dev@Example.com", id="email-unchanged"),
    ],
)
def test_normalize_login(login: str, handle: str) -> None:
    assert normalize_login(login) == handle


def test_no_owners_files() -> None:
    tree = build({"README.md": "hi"})
    assert tree.owners_for("src/a.py") == DirectoryOwners("", (), None, ())
    assert tree.files == {}


def test_unreadable_owners_file_is_an_issue() -> None:
    tree = OwnersTree.build(["OWNERS", "a.py"], lambda path: None)
    assert [(i.path, i.code) for i in tree.issues] == [("OWNERS", "unreadable")]
    assert tree.owners_for("a.py").owners == ()


def test_mixed_styles_inherit_through_each_other() -> None:
    tree = build({"OWNERS": "root@x.org\n", "k/OWNERS": "approvers: [kate]\n"})
    assert tree.owners_for("k/a.go").owners == ("@kate", "root@x.org")


def test_each_file_parsed_once_and_directories_memoised() -> None:
    reads: Dict[str, int] = {}
    data = {
        "OWNERS": b"file://SHARED_OWNERS\n",
        "a/OWNERS": b"file://SHARED_OWNERS\nper-file *.md=doc@x.org\n",
        "b/OWNERS": b"file://SHARED_OWNERS\n",
        "SHARED_OWNERS": b"s@x.org\n",
    }

    def read(path: str) -> Optional[bytes]:
        reads[path] = reads.get(path, 0) + 1
        return data.get(path)

    paths = list(data) + [f"b/f{i}.py" for i in range(50)]
    tree = OwnersTree.build(paths, read)
    assert reads == {"OWNERS": 1, "a/OWNERS": 1, "b/OWNERS": 1, "SHARED_OWNERS": 1}
    results = {tree.owners_for(p) for p in paths if p.startswith("b/f")}
    assert results == {DirectoryOwners("b/OWNERS", ("s@x.org",), 1, ("b/OWNERS", "OWNERS"))}
    assert tree.owners_for("b/f0.py") is tree.owners_for("b/f1.py")  # one result per directory
    assert tree.owners_for("a/x.md").owners == ("s@x.org", "doc@x.org")
    assert tree.owners_for("a/x.py").owners == ("s@x.org",)


def test_end_to_end_real_repository(make_repo) -> None:
    """Files committed to a real git repository and read back from disk."""
    root = make_repo(
        {
            "OWNERS": "approvers:\n  - lead\n",
            "OWNERS_ALIASES": "aliases:\n  web-team:\n    - wendy\n",
            "web/OWNERS": "approvers:\n  - web-team\n",
            "chrome/OWNERS": "set noparent\nfile://chrome/SEC_OWNERS\n",
            "chrome/SEC_OWNERS": "sec@chromium.org\n",
            "web/app.js": "",
            "chrome/main.cc": "",
        }
    )
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)

    def read(path: str) -> Optional[bytes]:
        target = root / path
        return target.read_bytes() if target.is_file() else None

    tree = OwnersTree.build(paths, read)
    assert tree.issues == ()
    assert {p: tree.files[p].style for p in tree.files} == {"OWNERS": "k8s", "chrome/OWNERS": "chromium", "web/OWNERS": "k8s"}
    assert tree.owners_for("web/app.js").owners == ("@wendy", "@lead")
    assert tree.owners_for("chrome/main.cc").owners == ("sec@chromium.org",)
