"""``repo-roles audit [PATH]``: the human report — a summary of roles, owners, docs, tests, findings.

The audit document is built once (:mod:`repo_roles.auditreport`) and rendered as ``--format
text`` (the terminal summary), ``json``, ``markdown`` or ``html``; ``--findings`` lists every
finding; ``--compare FILE`` adds the change since an earlier ``--format json``.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Optional

import click

from repo_roles.atomic import write_atomic
from repo_roles.auditreport import FORMATS, renderer
from repo_roles.commands.memo import Memo, open_project, write_stored
from repo_roles.commands.common import config_option, no_cache_option, no_cyclic_gc, path_argument, untracked_option
from repo_roles.errors import UsageError

PROGRESS_AFTER = 1.0  # seconds: a quick run prints nothing on stderr


class Progress:
    """"repo-roles: <stage> … 3.2 s" on stderr, redrawn in place, once a run has taken more than
    :data:`PROGRESS_AFTER` seconds, and only on a terminal (never in CI logs or pipes).

    It is the pipeline's observer: ``scan`` calls :meth:`stage` as inventory, classification
    and ownership start, the documentation stage calls :meth:`step` per batch of files
    ("documentation 12,800/100,000 files"); this command adds "checks" and "report".  Only this
    class writes; the layers below just call it.
    """

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.current = self.outer = "starting"
        self.start = time.monotonic()
        self.shown = False
        self._done = threading.Event()
        self._thread: Optional[threading.Thread] = None
        if self.enabled:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        while not self._done.wait(0.25):
            elapsed = time.monotonic() - self.start
            if elapsed >= PROGRESS_AFTER:
                self.stream.write(f"\r\x1b[Krepo-roles: {self.current} … {elapsed:.1f} s")
                self.stream.flush()
                self.shown = True

    def stage(self, name: str) -> None:  # the observer's name for set()
        self.set(name)

    def set(self, stage: str) -> None:
        self.current = self.outer = stage

    def step(self, name: str, done: int, total: int) -> None:
        """A stage run inside another (documentation, started by the checks): its count while
        it runs, then the outer stage again."""
        self.current = f"{name} {done:,}/{total:,} files" if done < total else self.outer

    def close(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _read_previous(path: str) -> dict:
    from repo_roles.auditreport.compare import MAX_PREVIOUS_BYTES, load_previous

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PREVIOUS_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"--compare {path}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_PREVIOUS_BYTES:
        raise UsageError(f"--compare {path}: larger than {MAX_PREVIOUS_BYTES:,} bytes")
    return load_previous(data.decode("utf-8", "replace"), path)


@no_cyclic_gc()
def run_audit(path: str, config_path: Optional[str], untracked: Optional[bool], depth: int,
              no_cache: bool = False, fmt: str = "text", output: Optional[str] = None,
              list_findings: bool = False, compare: Optional[str] = None) -> int:
    previous = _read_previous(compare) if compare else None  # a bad file fails before the scan
    project = open_project(path, config_path, untracked, remember=not no_cache)
    options = dict(path=path, config=config_path, untracked=untracked, depth=depth, format=fmt,
                   findings=list_findings, compare=compare)
    memo = Memo("audit", options, project, not no_cache, [compare] if compare else [])
    stored = memo.lookup(list_ahead=True)  # on a miss git lists the index while the analysis loads
    if stored is not None:
        with stored:
            write_stored(stored, output)
        return stored.exit_code
    # The analysis, loaded only now: a stored run needs none of it.
    from repo_roles.auditreport.document import build
    from repo_roles.checks.engine import run_checks
    from repo_roles.findings import SEVERITY, column_of
    from repo_roles.scan import scan_project
    from repo_roles.summary import summarize

    memo.confirm()

    progress = Progress()
    context = None
    try:
        context = scan_project(project.root, project.config, scope=project.scope, untracked=untracked,
                               use_cache=not no_cache, progress=progress, inventory=project.inventory,
                               early_coverage=True)
        progress.set("checks")
        # the documentation stage reports its files meanwhile; a table: counted, findings made
        # only for what is printed (--findings prints every one: a list, the parts read once)
        context.findings = run_checks(context, table=not list_findings)  # type: ignore[assignment]
        progress.set("documentation and test figures")
        summary = summarize(context, depth=depth)
        progress.set("report")
        doc = build(context, summary, items=list_findings and fmt == "json", tree=fmt in ("json", "html"))
        if previous is not None:
            from repo_roles.auditreport.compare import delta

            doc["compare"] = delta(previous, doc)
        text = renderer(fmt)(doc)
        if list_findings and fmt == "text":  # the check formatters, only for this listing
            from repo_roles import __version__
            from repo_roles.checks.registry import RULES
            from repo_roles.report import ReportInput, render

            # The engine returns the findings sorted: the formatter need not sort 264k of them again.
            report = ReportInput(context.findings, RULES, context.root, __version__, presorted=True)
            text += "\nFindings\n" + render("concise", report)
    finally:
        progress.close()
        if context is not None:
            context.stop_history_prefetch()
    exit_code = 1 if any(map("info".__ne__, column_of(context.findings, SEVERITY))) else 0
    memo.save(exit_code, text)
    _deliver(text, output)
    return exit_code


def _deliver(text: str, output: Optional[str]) -> None:
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


def register(group: click.Group) -> None:
    @group.command("audit")
    @path_argument
    @config_option
    @untracked_option
    @no_cache_option
    @click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 10),
                  help="Directory depth of the 'Directories by side' table.")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                  help="text: the terminal summary; json: the audit document (versioned schema); "
                       "markdown: for CI job summaries and PR comments; html: a self-contained page.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
                  help="Write the report to this file (atomically) instead of standard output.")
    @click.option("--findings", "list_findings", is_flag=True, default=False,
                  help="Also list every finding (text: one line each; json: an 'items' array).")
    @click.option("--compare", type=click.Path(dir_okay=False, path_type=str), default=None, metavar="FILE",
                  help="Show the change since a previous `audit --format json` written to FILE.")
    def audit(path: str, config_path: Optional[str], untracked: Optional[bool], no_cache: bool, depth: int,
              fmt: str, output: Optional[str], list_findings: bool, compare: Optional[str]) -> None:
        """Summarise a repository: roles, sides, owners, documentation, tests and findings."""
        raise SystemExit(run_audit(path, config_path, untracked, depth, no_cache, fmt, output,
                                   list_findings, compare))
