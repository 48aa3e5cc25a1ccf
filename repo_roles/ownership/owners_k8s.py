"""Kubernetes/prow YAML ``OWNERS`` and ``OWNERS_ALIASES`` files.

Semantics follow kubernetes/community ``contributors/guide/owners.md`` and prow's
``pkg/repoowners/repoowners.go``:

* ``approvers`` are the owners (``reviewers``, ``labels``… are read for validation only);
* ``filters`` maps Go regular expressions, matched unanchored (``MatchString``) against the
  path relative to the OWNERS file's directory, to a simple configuration; ``.*`` is stored
  as "every file" exactly as prow does;
* a simple configuration next to ``filters`` is invalid; prow then uses the simple part and
  ignores ``filters``, and so do we (with an issue);
* ``OWNERS_ALIASES`` (``aliases: {name: [logins]}``) expands alias names, one level deep;
* logins compare case-insensitively (prow lower-cases them).

YAML goes through PyYAML's safe loader. Python's ``re`` stands in for Go's RE2: the common
syntax is shared; a pattern Python rejects is reported as ``invalid-regex``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from repo_roles.linear import compile_untrusted

import yaml

from repo_roles.ownership.owners_files import (
    Grant,
    OwnersFileIssue,
    ParsedOwnersFile,
    normalize_login,
)

# The C loader is the same safe constructor, only faster (Kubernetes has ~1,500 OWNERS files).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SIMPLE_KEYS = (
    "approvers",
    "reviewers",
    "required_reviewers",
    "labels",
    "emeritus_approvers",
    "security_contacts",
)
KNOWN_KEYS = SIMPLE_KEYS + ("options", "filters")
OPTION_KEYS = ("no_parent_owners", "auto_approve_unowned_subfolders")
_LOGIN_LISTS = ("approvers", "reviewers", "required_reviewers", "labels", "emeritus_approvers")


class _Yaml:
    """A parsed YAML document plus the node tree, for line numbers."""

    def __init__(self, data: Any, node: Optional[yaml.Node]) -> None:
        self.data = data
        self.node = node


def load_yaml(data: bytes, path: str) -> Tuple[Optional[_Yaml], List[OwnersFileIssue]]:
    """``yaml.safe_load`` split in its two steps so the composed nodes keep line numbers."""
    loader = _Loader(data)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [OwnersFileIssue(path, line, column, "invalid-yaml", f"invalid YAML: {problem}")]
    finally:
        loader.dispose()
    return _Yaml(value, node), []


def parse_aliases(data: bytes, path: str) -> Tuple[Dict[str, Tuple[str, ...]], List[OwnersFileIssue]]:
    """``OWNERS_ALIASES`` → ``{alias (lower-case): normalised members}`` and the issues found."""
    doc, issues = load_yaml(data, path)
    if doc is None or doc.data is None:
        return {}, issues
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("aliases", {}), dict):
        issues.append(_issue(path, doc.node, "invalid-value", "OWNERS_ALIASES must be a mapping with an 'aliases' mapping"))
        return {}, issues
    aliases_node = _child(doc.node, "aliases")
    result: Dict[str, Tuple[str, ...]] = {}
    for name, members in (doc.data.get("aliases") or {}).items():
        where = _child(aliases_node, name) or aliases_node
        if members is None:
            members = []
        elif isinstance(members, dict):  # prow accepts the flow form ``{a, b}`` (keys are members)
            members = list(members)
        if not isinstance(members, list) or not all(isinstance(m, (str, int)) for m in members):
            issues.append(_issue(path, where, "invalid-value", f"alias {name!r} must be a list of GitHub logins"))
            continue
        result[str(name).lower()] = tuple(dict.fromkeys(normalize_login(str(m)) for m in members))
    return result, issues


def parse_k8s(
    data: bytes, path: str, aliases: Mapping[str, Tuple[str, ...]]
) -> Tuple[ParsedOwnersFile, List[OwnersFileIssue]]:
    """A prow OWNERS file → grants of its (alias-expanded) approvers, and the issues found."""
    doc, issues = load_yaml(data, path)
    empty = ParsedOwnersFile(path, "k8s", (), False)
    if doc is None or doc.data is None:
        return empty, issues
    if not isinstance(doc.data, dict):
        issues.append(_issue(path, doc.node, "invalid-value", "an OWNERS file must be a YAML mapping"))
        return empty, issues
    top = doc.data
    for key in top:
        if key not in KNOWN_KEYS:
            issues.append(_issue(path, _key_node(doc.node, key), "unknown-key", f"unknown OWNERS key {key!r}"))
    grants: List[Grant] = []
    simple = {key: top[key] for key in SIMPLE_KEYS if top.get(key)}
    if simple:
        grant = _simple_grant(top, doc.node, path, aliases, issues, None)
        if grant is not None:
            grants.append(grant)
        if "filters" in top:
            issues.append(
                _issue(path, _key_node(doc.node, "filters"), "filters-with-siblings",
                       "'filters' cannot be combined with top-level keys; prow ignores 'filters' here")
            )
    elif isinstance(top.get("filters"), dict):
        grants.extend(_filter_grants(top["filters"], _child(doc.node, "filters"), path, aliases, issues))
    elif top.get("filters") is not None:
        issues.append(_issue(path, _child(doc.node, "filters"), "invalid-value", "'filters' must map regular expressions to OWNERS configurations"))
    noparent = _options(top.get("options"), _child(doc.node, "options"), path, issues)
    return ParsedOwnersFile(path, "k8s", tuple(grants), noparent), issues


def _filter_grants(
    filters: Dict[Any, Any],
    node: Optional[yaml.Node],
    path: str,
    aliases: Mapping[str, Tuple[str, ...]],
    issues: List[OwnersFileIssue],
) -> List[Grant]:
    grants = []
    for pattern, config in filters.items():
        key_node = _key_node(node, pattern)
        if not isinstance(config, dict):
            issues.append(_issue(path, key_node, "invalid-value", f"filter {pattern!r} must map to an OWNERS configuration"))
            continue
        matcher = None
        if str(pattern) != ".*":  # prow stores ".*" as "no filter"
            try:
                # Go's MatchString is unanchored too, and Go's regexp is RE2: the same engine
                matcher = compile_untrusted(str(pattern)).search
            except re.error as exc:
                issues.append(_issue(path, key_node, "invalid-regex", f"invalid regular expression {pattern!r}: {exc}"))
                continue
        for key in config:
            if key not in SIMPLE_KEYS:
                issues.append(_issue(path, _key_node(_child(node, pattern), key), "unknown-key", f"unknown key {key!r} in filter {pattern!r}"))
        grant = _simple_grant(config, _child(node, pattern), path, aliases, issues, matcher)
        if grant is not None:
            grants.append(grant)
    return grants


def _simple_grant(
    config: Dict[Any, Any],
    node: Optional[yaml.Node],
    path: str,
    aliases: Mapping[str, Tuple[str, ...]],
    issues: List[OwnersFileIssue],
    matcher: Any,
) -> Optional[Grant]:
    """Validate a simple configuration; its approvers become a grant."""
    approvers: Tuple[str, ...] = ()
    for key in _LOGIN_LISTS:
        value = config.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            issues.append(_issue(path, _child(node, key), "invalid-value", f"{key!r} must be a list of GitHub logins or aliases"))
            continue
        if key == "approvers":
            approvers = _expand([str(v) for v in value], aliases)
    if not approvers:
        return None
    return Grant(approvers, _line(_child(node, "approvers")), matcher)


def _options(value: Any, node: Optional[yaml.Node], path: str, issues: List[OwnersFileIssue]) -> bool:
    if value is None:
        return False
    if not isinstance(value, dict):
        issues.append(_issue(path, node, "invalid-value", "'options' must be a mapping"))
        return False
    for key in value:
        if key not in OPTION_KEYS:
            issues.append(_issue(path, _key_node(node, key), "unknown-key", f"unknown option {key!r}"))
    flag = value.get("no_parent_owners", False)
    if not isinstance(flag, bool):
        issues.append(_issue(path, _child(node, "no_parent_owners"), "invalid-value", "'no_parent_owners' must be true or false"))
        return False
    return flag


def _expand(names: List[str], aliases: Mapping[str, Tuple[str, ...]]) -> Tuple[str, ...]:
    out: Dict[str, None] = {}
    for name in names:
        members = aliases.get(name.strip().lstrip("@").lower())
        out.update(dict.fromkeys(members if members is not None else (normalize_login(name),)))
    return tuple(out)


# -- node helpers: find where a key or value sits, for issue positions -----------------------


def _key_node(node: Optional[yaml.Node], key: Any) -> Optional[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if key_node.value == str(key):
                return key_node
    return node


def _child(node: Optional[yaml.Node], key: Any) -> Optional[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(key):
                return value_node
    return None


def _line(node: Optional[yaml.Node]) -> Optional[int]:
    return node.start_mark.line + 1 if node is not None else None


def _issue(path: str, node: Optional[yaml.Node], code: str, message: str) -> OwnersFileIssue:
    if node is None:
        return OwnersFileIssue(path, 1, 1, code, message)
    return OwnersFileIssue(path, node.start_mark.line + 1, node.start_mark.column + 1, code, message)
