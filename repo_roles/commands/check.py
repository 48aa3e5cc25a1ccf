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

Exit codes (ruff): 0 clean, 1 a finding that is not ``info`` (or, with ``--strict-baseline``, a
baseline entry that no longer occurs), 2 usage, configuration or internal error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import click

from repo_roles import __version__
from repo_roles.checks.engine import build_selection, run_checks
from repo_roles.checks.registry import RULES
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
    untracked_option,
)
from repo_roles.commands.rules import split_codes
from repo_roles.errors import UsageError
from repo_roles.inventory import git_error, git_toplevel
from repo_roles.pathfmt import display_path
from repo_roles.config import load_config
from repo_roles.report import FORMATTERS, ReportInput, render, render_statistics
from repo_roles.scan import ScanContext, locate_project, scan

OUTPUT_FORMAT_ENV = "REPO_ROLES_OUTPUT_FORMAT"


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


def changed_files(root: Path, ref: str) -> List[str]:
    """Project paths changed between the merge base of ``ref`` and HEAD and the work tree."""
    import git  # GitPython, as the inventory uses

    if ref.startswith("-"):
        raise UsageError(f"--diff-base {ref}: not a git revision")
    try:
        out = git.Git(str(root)).execute(
            ["git", "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", "--relative",
             "--merge-base", ref, "--"],
            stdout_as_string=False, strip_newline_in_stdout=False,
        )
    except git.GitCommandError as exc:
        raise UsageError(f"--diff-base {ref}: git diff failed: {git_error(exc)}") from None
    text = out.decode("utf-8", "surrogateescape")  # type: ignore[union-attr]
    # A file deleted from the work tree since is gone from the change too: nothing to check.
    return [p for p in text.split("\0") if p and os.path.lexists(os.path.join(str(root), p))]


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


def _scan_what_to_check(
    files: Sequence[str], diff_base: Optional[str], config_path: Optional[str], untracked: Optional[bool],
    use_cache: bool,
) -> Tuple[ScanContext, bool]:
    """The scan (checks not run yet), and whether it covers the whole project."""
    if not diff_base and (not files or (len(files) == 1 and is_real_dir(files[0]))):
        context = scan(files[0] if files else ".", config_path=config_path, untracked=untracked,
                       run_checks=False, use_cache=use_cache)
        return context, not context.inventory.scope
    if diff_base:
        root = locate_project(Path("."), config_path)[0]
        rels = changed_files(root, diff_base)
    else:
        root, rels = project_files(files, config_path)
    context = scan(root, config_path=config_path, untracked=untracked, run_checks=False, files=rels,
                   use_cache=use_cache)
    context.repository_checks = touches_repository(context, rels)
    return context, False


@no_cyclic_gc()  # a @contextmanager is also a decorator (contextlib.ContextDecorator)
def run_check(
    files: Sequence[str],
    *,
    diff_base: Optional[str] = None,
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
    context, whole = _scan_what_to_check(files, diff_base, config_path, untracked, not no_cache)
    selection = build_selection(context.config, **codes)
    findings = run_checks(context, selection)
    stale = False
    if accepted is not None:
        from repo_roles.commands.baseline import baseline_scope, report_stale

        comparison = B.compare(findings, accepted, baseline_scope(context, selection, whole))
        findings, stale = comparison.new, bool(comparison.stale)
        report_stale(comparison, baseline_path or "", strict_baseline)
    exit_code = 1 if any(f.severity != "info" for f in findings) or (strict_baseline and stale) else 0
    # The engine sorted the findings, and a baseline only filters them: no second sort.
    report = ReportInput(findings, RULES, context.root, __version__, statistics, context.inventory.prefix,
                         presorted=True)
    text = render_statistics(report) if statistics else render(output_format, report)
    if output_file:
        from repo_roles.atomic import write_atomic

        write_atomic(output_file, text, make_parents=True)
    else:
        click.echo(text, nl=False)
    return 0 if exit_zero else exit_code


def register(group: click.Group) -> None:
    @group.command("check")
    @click.argument("files", nargs=-1, type=click.Path(path_type=str))
    @click.option("--diff-base", metavar="REF", help="Check the files changed since the merge base of REF "
                  "(committed, staged or not); e.g. origin/main in a pull request.")
    @select_option
    @codes_option("--extend-select", "Rules to enable in addition")
    @ignore_option
    @click.option("--output-format", type=click.Choice(list(FORMATTERS)), default="concise", show_default=True,
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
