"""``repo-roles check [FILES...]``: the findings, for CI and pre-commit, with ruff's options.

* No FILES: the project found from the current directory (all rules, repository-wide ones too
  when run at the project root).  One directory: that project or sub-tree, like ``audit``.
* FILES (what pre-commit passes: paths relative to the current directory): findings for those
  files only, with the whole project read once as context.  The project is the one that holds
  their common directory (its nearest configuration, else the git top level).  Files the
  project's index or ``include``/``exclude`` leave out are not reported on.  Repository-scope
  rules run too when the ownership file, an ``OWNERS`` file or the configuration is among them.
* ``--diff-base REF``: the files changed since the merge base of REF and HEAD, committed or not
  (one ``git diff --merge-base REF``, i.e. what a pull request against REF changes plus the
  dirty work tree).  Deleted files are skipped; untracked files are not part of a diff.
* ``--staged`` (the pre-commit hook): what ``git diff --cached`` changes; FILES, when given,
  are the files to report on (a file pre-commit passes without a staged change, as with
  ``--all-files``, is reported whole).  Under ``pre-commit run --from-ref A --to-ref B`` (and
  pre-push) the change is ``A...B`` instead, from pre-commit's environment.
* With a diff, ``--filter-mode`` (reviewdog's names, :mod:`repo_roles.changes.filter`) keeps the
  findings on changed lines (``added``, the default), near them (``diff_context``), all of the
  changed files (``file``) or the whole project (``nofilter``).

Exit codes (ruff): 0 clean, 1 a finding that is not ``info`` (or, with ``--strict-baseline``, a
baseline entry that no longer occurs), 2 usage, configuration or internal error.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, NamedTuple, Optional, Sequence, Tuple

import click

from repo_roles.changes.filter import DEFAULT_MODE, FILTER_MODES
from repo_roles.commands.common import (
    codes_option,
    config_option,
    ignore_option,
    is_real_dir,
    no_cache_option,
    no_cyclic_gc,
    resolved,
    select_option,
    start_dir,
    split_codes,
    untracked_option,
)
from repo_roles.errors import UsageError
from repo_roles.inventory import git_toplevel, remembered_toplevels
from repo_roles.pathfmt import display_path
from repo_roles.config import load_config
from repo_roles.commands.memo import Memo, Project, Tee, open_project, write_stderr, write_stored
from repo_roles.project import locate_project

if TYPE_CHECKING:
    from repo_roles.changes.diff import ChangeSet, FileChange
    from repo_roles.scan import ScanContext

OUTPUT_FORMAT_ENV = "REPO_ROLES_OUTPUT_FORMAT"
# The names of repo_roles.report.FORMATTERS (a test keeps them equal): the command's options are
# declared without importing every formatter and every rule, which a stored run never needs.
OUTPUT_FORMATS = ("concise", "full", "json", "json-lines", "github", "gitlab", "junit", "sarif", "markdown")
ADOPTION_HINT_AT = 300  # more findings than this, and nothing narrows them: say how to adopt gradually


def adoption_hint(count: int) -> str:
    """The one stderr line after an overwhelming run: the two ways to adopt gradually."""
    return (f"repo-roles: {count} findings. To adopt gradually, accept today's with `repo-roles baseline` and "
            "run `repo-roles check --baseline repo-roles-baseline.json`, or check only what a change touches "
            "with `repo-roles check --diff-base origin/main` (the pre-commit hook does: --staged)")


def _names(paths: Sequence[str]) -> str:
    return ", ".join(display_path(p) for p in paths)


def _under(path: Path, directory: Path) -> bool:
    try:
        path.relative_to(directory)
        return True
    except ValueError:
        return False


def project_files(raw: Sequence[str], config_path: Optional[str]) -> Tuple[Path, List[str]]:
    """The project root holding ``raw`` (paths relative to the cwd) and their project paths."""
    missing = [p for p in raw if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"no such file: {_names(missing)}")
    dirs = [p for p in raw if is_real_dir(p)]
    if dirs:
        raise UsageError(f"not a file: {_names(dirs)} (pass files, or one directory on its own)")
    # Resolve the directories (a symlinked checkout) but never the file itself: a symlink in the
    # repository is an entry of its own.
    absolute = [resolved(p) for p in raw]
    # Inside a git work tree (pre-commit's cwd), files from elsewhere are mistakes, not a project.
    top = git_toplevel(Path("."))
    if top is not None:
        foreign = [given for given, path in zip(raw, absolute) if not _under(path, top)]
        if foreign:
            raise UsageError(f"outside the repository {top}: {_names(foreign)}")
    start = Path(os.path.commonpath([str(a.parent) for a in absolute]))
    root = locate_project(start, config_path)[0]
    rels: List[str] = []
    outside: List[str] = []
    for given, path in zip(raw, absolute):
        try:
            rels.append(path.relative_to(root).as_posix())
        except ValueError:
            outside.append(given)
    if outside:
        raise UsageError(f"outside the project root {root}: {_names(outside)}")
    return root, rels


def touches_repository(context: ScanContext, files: Sequence[str]) -> bool:
    """Whether a change to ``files`` can change what repository-scope rules say."""
    special = set()
    if context.ownership.source_file:
        special.add(context.ownership.source_file)
    if context.config.path is not None:
        try:
            special.add(context.config.path.resolve().relative_to(context.root).as_posix())
        except ValueError:  # --config outside the project
            pass
    return any(p in special or p == "OWNERS" or p.endswith("/OWNERS") for p in files)


def show_settings(path: str, config_path: Optional[str], codes: dict) -> int:
    """``--show-settings``: the project, its configuration and the rules that would run."""
    from repo_roles.checks.engine import build_selection

    root, scope, config_file = locate_project(Path(path), config_path)
    config = load_config(config_file)
    selection = build_selection(config, **codes)
    lint = config.lint
    rows = [
        ("project-root", str(root)),
        ("config-file", str(config.path) if config.path else None),
        ("extends", list(config.extends)),
        ("include", list(config.include)),
        ("exclude", list(config.exclude)),
        ("untracked", config.untracked),
        ("ownership.file", config.ownership.file),
        ("ownership.dialect", config.ownership.dialect),
        ("ownership.owners-files", config.ownership.owners_files),
        ("lint.select", list(codes["select"] or lint.select)),
        ("lint.extend-select", [*lint.extend_select, *codes["extend_select"]]),
        ("lint.ignore", [*lint.ignore, *codes["ignore"]]),
        ("lint.per-path-ignores", {k: list(v) for k, v in lint.per_path_ignores.items()}),
    ]
    lines = [f"Resolved settings for: {root}{'/' + scope if scope else ''}"]
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in rows]
    lines.append(f"rules = {len(selection.enabled)} enabled")
    for rule_id, rule in sorted(selection.enabled.items()):
        lines.append(f"  {rule_id}  {selection.severities[rule_id]:<7}  {rule.scope:<10}  {rule.name}")
    click.echo("\n".join(lines))
    return 0


class _What(NamedTuple):
    context: ScanContext
    whole: bool  # the scan covers the whole project
    changes: Optional["ChangeSet"]  # the diff the findings are filtered by, if any
    unchanged_whole: frozenset  # files named on the command line that the diff does not touch


def _pre_commit_refs() -> Optional[Tuple[str, str]]:
    """pre-commit's ``--from-ref``/``--to-ref`` (and pre-push) range, from its environment."""
    refs = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    return (refs[0], refs[1]) if refs[0] and refs[1] else None


def _scan_what_to_check(
    files: Sequence[str], diff_base: Optional[str], staged: bool, filter_mode: str, config_path: Optional[str],
    untracked: Optional[bool], use_cache: bool,
) -> _What:
    """The scan (checks not run yet), whether it covers the whole project, and the change."""
    from repo_roles.scan import scan

    nothing = frozenset()  # type: frozenset
    diff = bool(diff_base) or staged
    if (not diff or filter_mode == "nofilter") and (not files or (len(files) == 1 and is_real_dir(files[0]))):
        context = scan(files[0] if files else ".", config_path=config_path, untracked=untracked, use_cache=use_cache)
        return _What(context, not context.inventory.scope, None, nothing)
    pending = None
    rels: List[str] = []
    if files:
        root, rels = project_files(files, config_path)
    else:
        root = locate_project(Path("."), config_path)[0]
    if diff:
        from repo_roles.changes.diff import start_changes

        pending = start_changes(str(root), base=diff_base, refs=None if diff_base else _pre_commit_refs())

    def changed() -> List[str]:  # asked once the inventory is read; git compares the work tree meanwhile
        nonlocal rels
        rels = [p for p in pending.result().files if os.path.lexists(os.path.join(str(root), p))]  # type: ignore
        return rels

    context = scan(root, config_path=config_path, untracked=untracked,
                   files=rels if files else changed, use_cache=use_cache)
    changes = pending.result() if pending is not None else None
    touched = list(rels) + (list(changes.deleted) if changes is not None else [])
    context.repository_checks = touches_repository(context, touched)
    if changes is None or filter_mode == "file":
        return _What(context, False, None, nothing)
    return _What(context, False, changes, frozenset(p for p in rels if p not in changes.files))


def _renames(changes: Optional["ChangeSet"]) -> Optional[dict]:
    if changes is None:
        return None
    return {c.path: c.old_path for c in changes.files.values() if c.status == "R" and c.old_path}


def _moved_elsewhere(context: ScanContext) -> "Callable[[FileChange], bool]":
    """Whether a renamed file now has other owners or another role than at its old path."""

    def moved(change: "FileChange") -> bool:
        old = change.old_path
        if old is None:
            return False
        if context.ownership.owners_of(old) != context.ownership.owners_of(change.path):
            return True
        return context.classifier.classify(old).role != context.role_of(change.path)

    return moved


@no_cyclic_gc()  # a @contextmanager is also a decorator (contextlib.ContextDecorator)
def run_check(
    files: Sequence[str],
    *,
    diff_base: Optional[str] = None,
    staged: bool = False,
    filter_mode: Optional[str] = None,
    config_path: Optional[str] = None,
    untracked: Optional[bool] = None,
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    output_format: str = "concise",
    output_file: Optional[str] = None,
    statistics: bool = False,
    exit_zero: bool = False,
    settings: bool = False,
    baseline_path: Optional[str] = None,
    strict_baseline: bool = False,
    no_cache: bool = False,
) -> int:
    codes = dict(select=split_codes(select), extend_select=split_codes(extend_select), ignore=split_codes(ignore))
    if files and diff_base:
        raise UsageError("pass FILES or --diff-base, not both")
    if diff_base and staged:
        raise UsageError("pass --diff-base or --staged, not both")
    if filter_mode is not None and not (diff_base or staged):
        raise UsageError("--filter-mode needs a diff: --diff-base REF or --staged")
    if strict_baseline and not baseline_path:
        raise UsageError("--strict-baseline needs --baseline FILE")
    if settings:
        where = start_dir(files[0]) if files else "."
        return show_settings(where, config_path, codes)
    # Read the baseline before scanning: a broken one fails fast and nothing is written.
    # The baseline and atomic-write modules load only when asked for: a pre-commit run pays
    # for the modules it uses (each import is also a compile when bytecode is not cached).
    accepted = None
    if baseline_path:
        from repo_roles import baseline as B

        accepted = B.read_baseline(Path(baseline_path))
    mode = filter_mode or DEFAULT_MODE
    if not (diff_base or staged) and (not files or (len(files) == 1 and is_real_dir(files[0]))):
        # A project or a directory, no diff: the answer may be a stored run's (repo_roles.runcache).
        project = open_project(files[0] if files else ".", config_path, untracked, remember=not no_cache)
        options = dict(files=list(files), select=select, extend_select=extend_select, ignore=ignore,
                       format=output_format, statistics=statistics, exit_zero=exit_zero,
                       baseline=baseline_path, strict_baseline=strict_baseline, untracked=untracked,
                       config=config_path)
        memo = Memo("check", options, project, not no_cache, [baseline_path] if baseline_path else [])
        stored = memo.lookup()
        if stored is not None:
            with stored:
                write_stderr(stored.stderr)
                write_stored(stored, output_file, make_parents=True)
                write_stderr(stored.stderr_after)
            return stored.exit_code
        said = Tee(sys.stderr)
        with contextlib.redirect_stderr(said):
            code, text, before = _check(project, None, codes, mode, no_cache, untracked, accepted, baseline_path,
                                        strict_baseline, statistics, output_format, exit_zero, diff_base, staged,
                                        output_file=output_file)
            after = said.text()[len(before):]
        memo.save(code, text, before, after)
        return code
    with remembered_toplevels():  # git's top level is asked once per directory, not four times
        code, text, _ = _check(None, files, codes, mode, no_cache, untracked, accepted, baseline_path,
                               strict_baseline, statistics, output_format, exit_zero, diff_base, staged,
                               config_path=config_path, output_file=output_file)
    return code


def _deliver(text: str, output_file: Optional[str]) -> None:
    if output_file:
        from repo_roles.atomic import write_atomic

        write_atomic(output_file, text, make_parents=True)
    else:
        click.echo(text, nl=False)


def _check(project: Optional[Project], files: Optional[Sequence[str]], codes: dict, mode: str, no_cache: bool,
           untracked: Optional[bool], accepted: object, baseline_path: Optional[str], strict_baseline: bool,
           statistics: bool, output_format: str, exit_zero: bool, diff_base: Optional[str], staged: bool,
           config_path: Optional[str] = None, output_file: Optional[str] = None) -> Tuple[int, str, str]:
    """Scan, run the rules, apply the baseline and the diff filter, render, deliver the report
    (``output_file``, else stdout) and say the closing hint: ``(exit code, the report, what was
    said on stderr before the report)``."""
    if project is not None:
        from repo_roles.scan import scan_project

        context = scan_project(project.root, project.config, scope=project.scope, untracked=untracked,
                               use_cache=not no_cache, inventory=project.inventory)
        what = _What(context, not context.inventory.scope, None, frozenset())
    else:
        what = _scan_what_to_check(files or (), diff_base, staged, mode, config_path, untracked, not no_cache)
    from repo_roles import __version__
    from repo_roles.checks.engine import build_selection, run_checks
    from repo_roles.checks.registry import RULES
    from repo_roles.fingerprint import Fingerprinter
    from repo_roles.report import ReportInput, render, render_statistics

    context = what.context
    selection = build_selection(context.config, **codes)
    findings = run_checks(context, selection)
    for note in context.notes:  # e.g. history rules skipped on a shallow clone
        click.echo(f"repo-roles: note: {note}", err=True)
    stale = False
    fingerprint = Fingerprinter(context.inventory)  # reads each file a finding points at once
    if accepted is not None:
        from repo_roles import baseline as B
        from repo_roles.commands.baseline import baseline_scope, report_baseline

        # Before the line filter: an entry of a checked file is stale only if its finding is gone.
        comparison = B.compare(findings, accepted, baseline_scope(context, selection, what.whole),
                               fingerprint, set(context.inventory.paths), _renames(what.changes))
        findings, stale = comparison.new, bool(comparison.stale)
        report_baseline(comparison, baseline_path or "", strict_baseline, accepted.version)
    if what.changes is not None:
        from repo_roles.changes.filter import filter_findings

        kept = filter_findings(findings, what.changes, mode, RULES, _moved_elsewhere(context), what.unchanged_whole)
        findings = kept.kept
        if kept.hidden:
            click.echo(f"repo-roles: not shown: {kept.hidden} finding{'' if kept.hidden == 1 else 's'} in the changed "
                       f"files on lines this change did not touch (--filter-mode {mode}; "
                       "`--filter-mode file` shows them)", err=True)
    exit_code = 1 if any(f.severity != "info" for f in findings) or (strict_baseline and stale) else 0
    # The engine sorted the findings, and a baseline only filters them: no second sort.
    report = ReportInput(findings, RULES, context.root, __version__, statistics, context.inventory.prefix,
                         presorted=True, fingerprint=fingerprint,
                         owners_of=context.ownership.owners_of if statistics else None)
    text = render_statistics(report) if statistics else render(output_format, report)
    before = sys.stderr.text() if isinstance(sys.stderr, Tee) else ""  # the memo's copy of stderr
    _deliver(text, output_file)
    if exit_code and len(findings) > ADOPTION_HINT_AT and not baseline_path and not (diff_base or staged):
        click.echo(adoption_hint(len(findings)), err=True)
    return (0 if exit_zero else exit_code), text, before



def register(group: click.Group) -> None:
    @group.command("check")
    @click.argument("files", nargs=-1, type=click.Path(path_type=str))
    @click.option("--diff-base", metavar="REF", help="Check the files changed since the merge base of REF "
                  "(committed, staged or not); e.g. origin/main in a pull request.")
    @click.option("--staged", is_flag=True, help="Check what is staged (git diff --cached): the pre-commit hook.")
    @click.option("--filter-mode", type=click.Choice(FILTER_MODES), default=None,
                  help="With a diff, which findings to report (reviewdog's modes): on added or modified lines "
                  "(added, the default), within 3 lines of them (diff_context), all of the changed files "
                  "(file), or the whole project (nofilter).")
    @select_option
    @codes_option("--extend-select", "Rules to enable in addition")
    @ignore_option
    @click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="concise", show_default=True,
                  envvar=OUTPUT_FORMAT_ENV, show_envvar=True, help="How findings are written.")
    @click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=str),
                  help="Write the report to this file (atomically) instead of stdout.")
    @click.option("--statistics", is_flag=True, help="Show per-rule counts instead of the findings.")
    @click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
    @click.option("--show-settings", "settings", is_flag=True,
                  help="Print the resolved configuration and rule selection, then exit.")
    @click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False, path_type=str),
                  help="Only fail on findings this baseline file does not accept (see `repo-roles baseline`).")
    @click.option("--strict-baseline", is_flag=True,
                  help="Also fail when baseline entries no longer occur, so the baseline can only shrink.")
    @config_option
    @untracked_option
    @no_cache_option
    def check(files: Tuple[str, ...], **options: object) -> None:
        """Report findings: for FILES (as pre-commit passes them), the changes since --diff-base, or the project."""
        raise SystemExit(run_check(files, **options))  # type: ignore[arg-type]
