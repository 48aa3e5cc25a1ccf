"""The twelve signals, one method each, over tables compiled once (see the package docstring).

Each signal returns a :class:`Hit` or ``None``; when it declines for a reason worth showing in
``explain`` it leaves a note on the probe. Directory facts are cached per directory and name
facts per file name, so a path-decided file costs a few dict lookups and regex matches.
"""

from __future__ import annotations

import posixpath
from typing import Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from repo_roles import roles as R
from repo_roles.classify import results as S
from repo_roles.globs import GlobError, GlobSet, GlobTable
from repo_roles.classify.context import Context
from repo_roles.classify.jsside import JsSide
from repo_roles.classify.probe import Probe, extension_of
from repo_roles.classify.results import Hit
from repo_roles.classify.sniff import (MINIFIABLE, MINIFIED, HeaderRules, generated_header, head_tags, header_possible,
                                       minified, name_tags)
from repo_roles.classify.sniffcache import DIRECTIVE, HEADER, IMPORTS, SHEBANG, hit_of
from repo_roles.classify.tables import Header, PathTable, RunnerConvention, Tables
from repo_roles.config.model import Config
from repo_roles.errors import ConfigError

GITATTRIBUTES_SOURCE = ".gitattributes"
ATTRIBUTES = ("repo-role", "linguist-vendored", "linguist-generated", "linguist-documentation")
_LINGUIST = (
    ("linguist-vendored", R.VENDORED),
    ("linguist-generated", R.GENERATED),
    ("linguist-documentation", R.BACKEND_DOCS),
)
_TRUE = ("set", "true")
_FALSE = ("unset", "false")  # Linguist: `-linguist-vendored` / `=false` overrides the path rules



def _header_rules(headers: Sequence[Header], code_exts: FrozenSet[str]
                  ) -> Tuple[HeaderRules, Dict[str, HeaderRules], FrozenSet[str]]:
    """The rules for source files, the rules per extension a scoped rule names (in table order;
    a source extension keeps the unscoped rules too), and the scoped extensions that are not
    source files (only their scoped rules are read)."""
    scoped = {ext for h in headers for ext in h.extensions}
    sources = code_exts | MINIFIABLE
    per_ext = {ext: HeaderRules([h for h in headers if ext in h.extensions or (not h.extensions and ext in sources)])
               for ext in scoped}
    return HeaderRules([h for h in headers if not h.extensions]), per_ext, frozenset(scoped - sources)

class DirInfo(NamedTuple):
    """The outermost directory name each table recognises in one directory path."""

    vendored: Optional[str]
    generated: Optional[str]
    docs: Optional[str]
    template: Optional[str]
    test: Optional[Tuple[str, str, str]]  # (convention, directory name, directory path), outermost
    e2e: Optional[Tuple[str, str]]  # (convention, directory name) of a browser-driving suite
    data: Optional[str]  # a folder of service definitions or tool settings (config)
    translation: Optional[str]  # i18n/, locale/ …
    beside: Optional[Tuple[str, str]]  # (name, path) of a fixtures/-like folder, outermost


_TESTS = "tests"  # the test conventions' globs among bulk_tables's answers (no PathTable has that name)
_NO_DIRS = DirInfo(None, None, None, None, None, None, None, None, None)
# Test files whose own extension says what code they are; any other file under a test folder
# is test data, on the side of the code around it.
_UI_CODE = frozenset({"jsx", "tsx", "vue", "svelte", "astro"})


class TestMatch(NamedTuple):
    convention: RunnerConvention
    detail: str
    beside: bool = False  # a fixtures/-like folder next to tests: may hold generated code


def compile_roles(config: Config) -> List[Tuple[str, GlobSet, Optional[str]]]:
    """``[roles]`` of the config: one gitignore-semantics regex per role, in config order."""
    out = []
    for role, globs in config.roles.items():
        source = config.source_of("roles", role)
        if role not in R.ROLES:
            raise ConfigError(f"unknown role {role!r}", file=source, key_path=f"roles.{role}",
                              hint=f"expected one of {', '.join(R.ROLES)}")
        try:
            out.append((role, GlobSet(globs, last_wins=True), source))
        except GlobError as exc:
            raise ConfigError(str(exc), file=source, key_path=f"roles.{role}") from exc
    return out


class Signals:
    def __init__(self, config: Config, tables: Tables, js: JsSide, attributes: Callable[[], Dict[str, Dict[str, str]]]) -> None:
        self.t = tables
        self.src = tables.source
        self.js = js
        self._roles = compile_roles(config)
        self._bulk_roles: Optional[Dict[str, Hit]] = None  # config_glob's answers (bulk_config_globs)
        self._bulk_scope: FrozenSet[str] = frozenset()
        self._glob_hits: Optional[Dict[str, Dict[str, str]]] = None  # bulk_tables: table -> path -> glob
        self._bulk_files: FrozenSet[str] = frozenset()
        self._attributes = attributes
        self._dirs: Dict[str, DirInfo] = {"": _NO_DIRS}
        self._claims: Dict[str, Optional[str]] = {}
        self._code_exts = tables.language.extensions | tables.js.extensions
        self._headers, self._scoped_headers, self._scoped_only = _header_rules(tables.headers, self._code_exts)
        # .txt under templates/ is a template (Django's email/base_message.txt), not data
        self._plain_exts = (self._code_exts | tables.data.extensions) - {"txt"}
        self.context = Context(tables.manifests, js, js.paths, tables.language.extensions,
                               _UI_CODE, tables.js.extensions)
        self._name_tags: Dict[str, object] = {}
        self._beside_names = frozenset(d for c in tables.tests for d in c.beside_tests)
        self._beside_owner = {d: c for c in tables.tests for d in c.beside_tests}

    # -- cached facts ----------------------------------------------------------------------------
    def dir_info(self, directory: str) -> DirInfo:
        info = self._dirs.get(directory)
        if info is None:
            # Parents first, without recursion: a path may be thousands of directories deep.
            pending = []
            current = posixpath.dirname(directory)
            while current not in self._dirs:
                pending.append(current)
                current = posixpath.dirname(current)
            for ancestor in reversed(pending):
                self._dir_info_of(ancestor)
            info = self._dir_info_of(directory)
        return info

    def _dir_info_of(self, directory: str) -> DirInfo:
        """``directory``'s facts from its parent's, which are known."""
        info = self._dirs.get(directory)
        if info is None:
            parent = self._dirs[posixpath.dirname(directory)]
            name = posixpath.basename(directory).lower()
            test = parent.test or next(((c.name, name, directory) for c in self.t.tests if name in c.dirs), None)
            e2e = parent.e2e or next(((c.name, name) for c in self.t.tests if c.side is not None and name in c.dirs), None)
            info = DirInfo(
                parent.vendored or (name if name in self.t.vendored.dirs else None),
                parent.generated or (name if name in self.t.generated.dirs else None),
                parent.docs or (name if name in self.t.docs.dirs else None),
                parent.template or (name if name in self.t.template.dirs else None),
                test,
                e2e,
                parent.data or (name if name in self.t.data.dirs else None),
                parent.translation or (name if name in self.t.translation.dirs else None),
                parent.beside or ((name, directory) if name in self._beside_names else None),
            )
            self._dirs[directory] = info
        return info

    def claim(self, base: str) -> Optional[str]:
        """The table that names this file exactly; its extension rules elsewhere then defer."""
        if base not in self._claims:
            lower = base.lower()
            claim = None
            for table in (self.t.docs, self.t.frontend_assets, self.t.template, self.t.data):
                if lower in table.filenames:
                    claim = table.name
            if claim is None and base and self.t.data.globs.first_split(base, "", base) is not None:
                claim = self.t.data.name
            self._claims[base] = claim
        return self._claims[base]

    def _table(self, p: Probe, table: PathTable, directory: Optional[str]) -> Optional[Hit]:
        """The usual order inside a table: directory, exact name, glob, extension."""
        if directory is not None:
            return Hit(table.role, f"directory '{directory}/'", self.src)
        if p.lower in table.filenames:
            return Hit(table.role, f"file name {p.base}", self.src)
        glob = self._glob(p, table.name, table.globs)
        if glob is not None:
            return Hit(table.role, f"glob '{glob}'", self.src)
        if p.ext in table.extensions and self.claim(p.base) in (None, table.name):
            return Hit(table.role, f"extension .{p.ext}", self.src)
        return None

    # -- 1..4 -------------------------------------------------------------------------------------
    def bulk_config_globs(self, paths: Sequence[str], kind: Callable[[str], str]) -> None:
        """Answer :meth:`config_glob` for all ``paths`` now: one pass per role over them all
        (:meth:`GlobSet.mask`: a C-level screen by each glob's literal, the regex only for the
        paths that hold one) instead of one regex call per file.  Until :meth:`end_bulk`, a
        path of ``paths`` is answered from that table, any other one as usual."""
        if not self._roles:
            return
        # a submodule is matched as a directory (``vendor/lib/``), as the probe does
        match_paths = [path + "/" if kind(path) == "submodule" else path for path in paths]
        hits: Dict[str, Hit] = {}
        for role, globs, source in self._roles:
            for path, match_path, hit in zip(paths, match_paths, globs.mask(match_paths)):
                if hit and path not in hits:
                    hits[path] = Hit(role, f"[roles] glob '{globs.first(match_path)}'", source)
        self._bulk_roles, self._bulk_scope = hits, frozenset(paths)

    def bulk_tables(self, paths: Sequence[str], kind: Callable[[str], str]) -> None:
        """Every table's glob answer for each file of ``paths``, worked out now: the file and
        directory names in C-level screens (:meth:`GlobTable.prefill`), then each table's hits
        (:meth:`GlobTable.bulk_first`), rather than path by path as the signals ask.  Until
        :meth:`end_bulk` the signals take a file's glob from there (:meth:`_glob`); the answers
        are the ones :meth:`GlobTable.first_split` gives.  Submodules (matched as directories)
        are left to ``first_split``."""
        files = [path for path in paths if kind(path) != "submodule"]
        directories = [path.rpartition("/")[0] for path in files]
        bases = [path.rpartition("/")[2] for path in files]
        distinct = set(directories)
        parts = {part for directory in distinct if directory for part in directory.split("/")}
        names = list(set(bases))
        bare = names + list(parts)  # file names, then directory names without their "/"
        names += [part + "/" for part in parts]
        t = self.t
        hits: Dict[str, Dict[str, str]] = {}
        for table in (t.vendored, t.generated, t.docs, t.frontend_ui, t.frontend_assets, t.template,
                      t.language, t.data):
            table.globs.prefill(names, bare)
            hits[table.name] = table.globs.bulk_first(files, directories, bases)
        t.test_globs.prefill(names, bare)
        hits[_TESTS] = t.test_globs.bulk_first(files, directories, bases)
        # the config globs' scope when it is the same paths (no submodule): one set, not two
        same = len(files) == len(paths) and len(self._bulk_scope) == len(paths)
        self._glob_hits, self._bulk_files = hits, self._bulk_scope if same else frozenset(files)

    def _glob(self, p: Probe, name: str, globs: GlobTable) -> Optional[str]:
        """``globs.first_split`` for the probe's path (``name``: its table's, :data:`_TESTS`
        for the test conventions'), from :meth:`bulk_tables`'s answers when it has them."""
        hits = self._glob_hits
        if hits is not None and p.path in self._bulk_files:
            return hits[name].get(p.path)
        return globs.first_split(p.match_path, p.directory, p.base)

    def end_bulk(self) -> None:
        self._bulk_roles, self._bulk_scope = None, frozenset()
        self._glob_hits, self._bulk_files = None, frozenset()

    def config_glob(self, p: Probe) -> Optional[Hit]:
        bulk = self._bulk_roles
        if bulk is not None and p.path in self._bulk_scope:
            return bulk.get(p.path)
        for role, globs, source in self._roles:
            glob = globs.first(p.match_path)
            if glob is not None:
                return Hit(role, f"[roles] glob '{glob}'", source)
        return None

    def gitattributes(self, p: Probe) -> Optional[Hit]:
        attrs = self._attributes().get(p.path)
        if not attrs:  # most files: nothing set, nothing to note
            return None
        value = attrs.get("repo-role")
        if value in R.ROLES:
            return Hit(str(value), f"repo-role={value}", GITATTRIBUTES_SOURCE)
        if value not in (None, "unspecified", *_TRUE, *_FALSE):
            p.notes[S.GITATTRIBUTES] = f"ignored repo-role={value}: not a role"
        for attr, role in _LINGUIST:
            value = attrs.get(attr)
            if value in _TRUE:
                hit = Hit(role, attr, GITATTRIBUTES_SOURCE)
                # linguist-documentation says "docs", not whose: the package's side decides
                return self._docs_side(p, hit) if role == R.BACKEND_DOCS else hit
            if value in _FALSE:
                p.negated.add(attr)
        if p.negated:
            p.notes[S.GITATTRIBUTES] = "explicitly not: " + ", ".join(sorted(p.negated))
        return None

    def _negated(self, p: Probe, attr: str, signal: str) -> bool:
        if attr in p.negated:
            p.notes[signal] = f"skipped: {attr} is unset in {GITATTRIBUTES_SOURCE}"
            return True
        return False

    def vendored_path(self, p: Probe) -> Optional[Hit]:
        if self._negated(p, "linguist-vendored", S.VENDORED_PATH):
            return None
        return self._table(p, self.t.vendored, self.dir_info(p.directory).vendored)

    def generated(self, p: Probe) -> Optional[Hit]:
        if self._negated(p, "linguist-generated", S.GENERATED):
            return None
        hit = self._table(p, self.t.generated, self.dir_info(p.directory).generated)
        if hit is not None or not self._sniff_generated(p):
            return hit
        name = p.fact(HEADER, self._header)
        if name is None:
            return None
        if name == MINIFIED:
            return Hit(R.GENERATED, f"{name} in the first 4 KB", self.src)
        return Hit(R.GENERATED, f"header '{name}' in the first 4 KB", self.src)

    def _header(self, p: Probe) -> Optional[str]:
        """The name of the generated-code header rule the head matches (a fact of the content)."""
        head = p.head()
        if head is not None and p.ext in MINIFIABLE and minified(head):
            return MINIFIED
        rules = self._scoped_headers.get(p.ext, self._headers)
        if head is not None and not header_possible(head, rules):
            return None
        header = generated_header(p.text() or "", rules)
        return header.name if header is not None else None

    def _sniff_generated(self, p: Probe) -> bool:
        """Read a header only for source files that later path rules would not decide, and for
        the extensions a scoped header rule names (generated HTML under docs/, VCR cassettes
        under spec/: Linguist calls them generated wherever they are)."""
        scoped_only = p.ext in self._scoped_only
        if not p.readable or (p.ext not in self._code_exts and p.ext not in MINIFIABLE and not scoped_only) \
                or self.claim(p.base) is not None:
            return False
        info = self.dir_info(p.directory)
        if scoped_only:
            return info.template is None
        match = self.test_match(p)
        if (match is not None and not match.beside) or info.template is not None:
            return False
        if info.docs is not None and "linguist-documentation" not in p.negated:
            return False
        return self._glob(p, self.t.template.name, self.t.template.globs) is None

    # -- 5 test-convention ------------------------------------------------------------------------
    def test_match(self, p: Probe) -> Optional[TestMatch]:
        return p.memo_test(self._test_match)  # type: ignore[return-value]

    def _test_match(self, p: Probe) -> Optional[TestMatch]:
        info = self.dir_info(p.directory)
        if info.e2e is not None and self._drives_ui(p):  # web/tests/e2e/x.spec.ts
            name, directory = info.e2e
            convention = next(c for c in self.t.tests if c.name == name)
            return TestMatch(convention, f"{name}: directory '{directory}/'")
        glob = self._glob(p, _TESTS, self.t.test_globs)
        if glob is not None:
            convention = self.t.test_glob_owner[glob]
            return TestMatch(convention, f"{convention.name}: '{glob}'")
        found = info.test
        if found is None and info.beside is not None:
            p.contextual = True  # whether tests sit next to the folder (see context_key)
            name, folder = info.beside
            if self._tests_beside(folder):
                convention = self._beside_owner[name]
                return TestMatch(convention, f"{convention.name}: directory '{name}/' next to tests", True)
        if found is None:
            return None
        name, directory, _ = found
        convention = next(c for c in self.t.tests if c.name == name)
        return TestMatch(convention, f"{name}: directory '{directory}/'")

    def _tests_beside(self, folder: str) -> bool:
        parent = posixpath.dirname(folder)
        globs = self.t.test_globs
        return self.context.has_tests(parent, lambda d, name: globs.first_split(f"{d}/{name}" if d else name, d, name) is not None)

    def _drives_ui(self, p: Probe) -> bool:
        """An end-to-end folder holds browser tests for JS/TS and UI files, and for data in a
        package that is not a backend one; Go or Python code in e2e/ tests a server."""
        if p.ext in self.t.js.extensions or p.ext in _UI_CODE:
            return True
        if p.ext in self.t.language.extensions:
            return False
        p.contextual = True
        side = self.context.package_side(p.directory)
        return side is None or side[0] == "frontend"

    def test_convention(self, p: Probe) -> Optional[Hit]:
        match = self.test_match(p)
        if match is None:
            return None
        side, why = self._test_side(p, match.convention)
        return Hit(f"{side}.tests", f"{match.detail}; {side} side ({why})", self.src)

    def _test_side(self, p: Probe, convention: RunnerConvention) -> Tuple[str, str]:
        """A test takes the side of what it tests; without evidence, backend (like docs)."""
        if convention.side is not None and self._drives_ui(p):
            return convention.side, f"{convention.name} tests drive the UI"
        name = p.base[: -len(".snap")] if p.ext == "snap" else p.base
        ext = extension_of(name)
        t = self.t
        if ext in _UI_CODE:
            return "frontend", f"extension .{ext}"
        if ext in t.language.extensions:
            return "backend", f"extension .{ext}"
        if ext in t.js.extensions:
            hit, _ = self._js_decide(p)
            if hit is not None:
                return R.side_of(hit.role) or "backend", hit.detail
            return "backend", "no side evidence, backend by default"
        return self._data_side(p)

    def _data_side(self, p: Probe) -> Tuple[str, str]:
        """Test data (fixtures, golden files, samples): the package around it, then the code
        of its test folder -- never its own extension (a Django test's sample.png is backend)."""
        p.contextual = True
        side = self.context.package_side(p.directory)
        if side is None:
            info = self.dir_info(p.directory)
            folder = info.test[2] if info.test is not None else (
                posixpath.dirname(info.beside[1]) if info.beside is not None else None)
            side = self.context.tests_side(folder) if folder is not None else None
        if side is None:
            return "backend", "test data, no side evidence, backend by default"
        return side[0], f"test data; {side[1]}"

    def context_key(self, path: str) -> str:
        """What a contextual decision of ``path`` looked at besides its package.json (whose
        blob id the role cache keys itself): the backend manifest, the test folder's code."""
        directory = path.rpartition("/")[0]
        key = self.context.key(directory)
        info = self.dir_info(directory)
        if info.test is not None and info.e2e is None:
            key += self.context.tests_key(info.test[2])
        if info.beside is not None:
            key += f" beside:{int(self._tests_beside(info.beside[1]))}"
        return key

    # -- 6..12 ------------------------------------------------------------------------------------
    def docs(self, p: Probe) -> Optional[Hit]:
        if self._negated(p, "linguist-documentation", S.DOCS):
            return None
        info = self.dir_info(p.directory)
        directory = info.docs
        if directory is not None and self.claim(p.base) == self.t.data.name:
            directory = None  # docs/.gitignore, docs/docusaurus.config.ts: the site's config
        hit = self._table(p, self.t.docs, directory)
        if hit is None:
            return None
        if info.data is not None and directory is None and hit.detail.startswith("extension"):
            # .github/PULL_REQUEST_TEMPLATE.md configures GitHub; .github/CONTRIBUTING.md
            # (named) stays documentation
            p.notes[S.DOCS] = f"skipped: a prose extension in '{info.data}/' is that tool's config"
            return None
        return self._docs_side(p, hit)

    def _docs_side(self, p: Probe, hit: Hit) -> Hit:
        """Documentation takes the side of its package: ``hit`` (backend) or frontend docs."""
        p.contextual = True  # the side is the package's
        side = self.context.package_side(p.directory)
        # A documentation site's own package.json (docs/package.json of Docusaurus) does not
        # make the product's manual frontend documentation.
        if side is not None and side[0] == "frontend" and not self._in_docs_site(p.directory):
            return Hit(R.FRONTEND_DOCS, f"{hit.detail}, in a frontend package ({side[1]})", hit.source)
        return hit

    def _in_docs_site(self, directory: str) -> bool:
        package = self.js.nearest_manifest(directory)
        return package is not None and self.dir_info(package).docs is not None

    def frontend_extension(self, p: Probe) -> Optional[Hit]:
        return self._table(p, self.t.frontend_ui, None) or self._table(p, self.t.frontend_assets, None)

    def template(self, p: Probe) -> Optional[Hit]:
        hit = self._table(p, self.t.template, None)
        directory = self.dir_info(p.directory).template
        # Helm's charts/x/templates/deployment.yaml is config; a templates/ dir only claims
        # files that no language or data table knows.
        if hit is None and directory is not None and p.ext not in self._plain_exts and self.claim(p.base) is None:
            hit = Hit(self.t.template.role, f"directory '{directory}/'", self.src)
        return hit

    def translation(self, p: Probe) -> Optional[Hit]:
        t = self.t.translation
        if p.ext in t.extensions:
            what = f"message catalog .{p.ext}"
        elif p.ext in t.data_extensions and self.dir_info(p.directory).translation is not None:
            what = f"translations in '{self.dir_info(p.directory).translation}/'"
        else:
            return None
        p.contextual = True
        side = self.context.package_side(p.directory)
        if side is not None and side[0] == "frontend":
            return Hit(R.FRONTEND_ASSETS, f"{what} of a frontend package ({side[1]})", self.src)
        if p.ext in t.extensions:  # gettext of a Django app: the backend's strings
            why = side[1] if side is not None else "no frontend package around it"
            return Hit(R.BACKEND_LOGIC, f"{what}, backend side ({why})", self.src)
        return None  # JSON/YAML outside a UI package: data (config)

    def js_side(self, p: Probe) -> Optional[Hit]:
        if p.ext not in self.t.js.extensions or self.claim(p.base) is not None:
            return None
        hit, tried = self._js_decide(p)
        if hit is None:
            p.notes[S.JS_SIDE] = "undecidable: no " + ", ".join(tried) + " evidence"
        return hit

    def _js_decide(self, p: Probe) -> Tuple[Optional[Hit], List[str]]:
        # The directive and import verdicts are facts of the content (remembered by blob id);
        # the other steps look at paths and are decided afresh.
        src = self.src
        hit, tried = self.js.decide(
            p.path,
            lambda: hit_of(p.fact(DIRECTIVE, self._directive), src),
            lambda: hit_of(p.fact(IMPORTS, self._imports), src),
        )
        if self.js.looked_around(tried):
            p.contextual = True
        if hit is None:  # a script in a Go or Python project, with no JS package around it
            side = self.context.package_side(p.directory)
            if side is not None and side[0] == "backend" and self.js.nearest_manifest(p.directory) is None:
                return Hit(R.BACKEND_LOGIC, f"no package.json around it; {side[1]}", src), tried
            tried.append("backend manifest")
        return hit, tried

    def _directive(self, p: Probe) -> Optional[Tuple[str, str]]:
        text = p.text()
        hit = self.js.directive(text) if text is not None else None
        return (hit.role, hit.detail) if hit is not None else None

    def _imports(self, p: Probe) -> Optional[Tuple[str, str]]:
        text = p.text()
        hit = self.js.imports(text) if text is not None else None
        return (hit.role, hit.detail) if hit is not None else None

    def language(self, p: Probe) -> Optional[Hit]:
        return self._table(p, self.t.language, None)

    def data_file(self, p: Probe) -> Optional[Hit]:
        return self._table(p, self.t.data, self.dir_info(p.directory).data)

    def interpreter(self, p: Probe) -> Optional[Hit]:
        """identify's tags: of the file name, then of an extension-less file's shebang line."""
        if p.ext in self.t.js.extensions:
            return None
        tags = self._name_tags.get(p.base)
        if tags is None:
            tags = self._name_tags[p.base] = name_tags(p.base)
        hit = self._tagged(tags, "identify file-name tag")  # type: ignore[arg-type]
        if hit is None and p.ext and p.base.count(".") > 1:
            hit = self._inner_extension(p.base[: -len(p.ext) - 1])
        if hit is not None or p.ext or not p.readable:
            return hit
        found = p.fact(SHEBANG, self._head_tags)
        return self._tagged(found or (), "identify shebang/content tag")  # type: ignore[arg-type]

    def _inner_extension(self, stem: str) -> Optional[Hit]:
        """``x.py.script`` -> what ``x.py`` is, by our extension tables, then identify's."""
        ext = extension_of(stem)
        t = self.t
        for table in (t.language, t.data, t.docs):
            if ext in table.extensions:
                return Hit(table.role, f"extension .{ext} before the last one", self.src)
        return self._tagged(name_tags(stem), "identify file-name tag (inner extension)")

    def _tagged(self, tags: Iterable[str], what: str) -> Optional[Hit]:
        for role, names in self.t.interpreter:
            tag = next((t for t in sorted(tags) if t in names), None)
            if tag is not None:
                return Hit(role, f"{what} '{tag}'", self.src)
        return None

    @staticmethod
    def _head_tags(p: Probe) -> Optional[Tuple[str, ...]]:
        head = p.head()
        return head_tags(head) if head is not None else None

    def fallback(self, p: Probe) -> Optional[Hit]:
        if S.JS_SIDE in p.notes:
            return Hit(R.UNCLASSIFIED, f"JS/TS side {p.notes[S.JS_SIDE]}", None)
        return Hit(R.UNCLASSIFIED, "no signal matched", None)

    def in_order(self) -> Iterable[Tuple[str, Callable[[Probe], Optional[Hit]]]]:
        return tuple(zip(S.SIGNAL_ORDER, (
            self.config_glob, self.gitattributes, self.vendored_path, self.generated,
            self.test_convention, self.docs, self.frontend_extension, self.template,
            self.translation, self.js_side, self.language, self.data_file, self.interpreter,
            self.fallback,
        )))
