"""JavaScript and TypeScript (and JSX/TSX) documentation items: a module's exported API.

What is public (counted) follows TypeDoc's ``validation.notDocumented`` with its default
``requiredToBeDocumented`` kinds (https://typedoc.org/documents/Options.Validation.html):
exported functions, classes, interfaces, type aliases, enums, variables and namespaces, and the
methods and accessors of an exported class. Types count: in TypeScript an exported interface is
as much API as a function (TSDoc documents both). Class and interface *properties* and enum
members are not items: a declaration-level count, like Go's and Python's.

Exported means ``export <declaration>``, ``export default …``, a local name listed in
``export { a, b as c }`` / ``export default a``, or CommonJS (``module.exports = { a, b }``,
``exports.a = …``, ``module.exports.a = …``). Re-exports (``export … from``) are documented
where they are declared. Everything else is an item with ``exempt="private"``.

Class members: ``#private`` and TypeScript ``private`` are private; ``protected`` members are
exempt (``"protected"``: not API for a module's callers); ``override`` members inherit their
base's doc (TSDoc ``{@inheritDoc}``, TypeDoc copies it), so are exempt; constructors are not in
TypeDoc's required kinds (``"constructor"``); a setter with a getter is documented by the getter
(``"property-setter"``). Overloads: TSDoc documents the overload signatures, so an
implementation counts as documented when it or any of its signatures has a doc comment, and the
signatures themselves are exempt (``"overload"``).

A doc comment is a ``/** … */`` block (TypeScript's JSDoc rule: ``/**`` not followed by ``/``)
with some text, anywhere among the comments between the previous token and the declaration;
decorators may stand in between. Declaration files (``.d.ts``, ``.d.mts``, ``.d.cts``) have no
items: they describe code documented elsewhere.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from repo_roles.coverage.model import DocItem, DocOptions, FileDocs, check_counting
from repo_roles.coverage.treesitter import block_doc_siblings, finish, line_of, prepare, text_of

_DECLARATION_FILES = (".d.ts", ".d.mts", ".d.cts")
_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_KINDS = {
    "function_declaration": "function", "generator_function_declaration": "function",
    "function_signature": "function", "class_declaration": "class", "abstract_class_declaration": "class",
    "interface_declaration": "interface", "type_alias_declaration": "type", "enum_declaration": "enum",
    "internal_module": "namespace", "module": "namespace",
}
_SKIP_EXEMPT = ("private", "protected")


def analyze_javascript(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one JavaScript file (``.js``, ``.mjs``, ``.cjs``, ``.jsx``)."""
    return _analyze(data, path, options, "javascript", "javascript")


def analyze_typescript(data: bytes, path: str, options: DocOptions = DocOptions()) -> FileDocs:
    """Documentation items of one TypeScript file (``.ts``, ``.mts``, ``.cts``; ``.tsx`` as TSX)."""
    if path.endswith(_DECLARATION_FILES):
        check_counting(options)
        return FileDocs(path, "typescript")
    return _analyze(data, path, options, "typescript", "tsx" if path.endswith(".tsx") else "typescript")


def _analyze(data: bytes, path: str, options: DocOptions, language: str, grammar: str) -> FileDocs:
    check_counting(options)
    prepared = prepare(data, path, options, language, grammar, language)
    if isinstance(prepared, FileDocs):
        return prepared
    root, data = prepared
    return finish(path, language, _Collector(data).run(root), options)


class _Rec:
    """One declaration before publicity is known (export lists may come after it)."""

    __slots__ = ("name", "kind", "line", "documented", "exported", "owner", "exempt", "member")

    def __init__(self, name: str, kind: str, line: int, documented: bool, exported: bool, owner: int,
                 exempt: Optional[str] = None, member: bool = False) -> None:
        self.name, self.kind, self.line, self.documented = name, kind, line, documented
        self.exported, self.owner, self.exempt, self.member = exported, owner, exempt, member


class _Collector:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.recs: List[_Rec] = []
        self.exports: Dict[int, Set[str]] = {}  # scope (owner index, -1 = module) -> names exported
        self.overload_docs: Dict[Tuple[int, str], bool] = {}

    def run(self, root: Any) -> List[DocItem]:
        scopes: List[Tuple[List[Any], int]] = [(root.children, -1)]
        while scopes:  # namespaces add scopes: an explicit stack, never recursion
            children, owner = scopes.pop()
            for node, doc in _with_docs(children, self.data):
                scopes.extend(self._statement(node, doc, owner))
        return self._resolve()

    def _add(self, name: str, kind: str, node: Any, doc: bool, exported: bool, owner: int,
             exempt: Optional[str] = None, member: bool = False) -> int:
        self.recs.append(_Rec(name, kind, line_of(node), doc, exported, owner, exempt, member))
        return len(self.recs) - 1

    def _statement(self, node: Any, doc: bool, owner: int) -> List[Tuple[List[Any], int]]:
        kind = node.type
        if kind == "export_statement":
            declaration = node.child_by_field_name("declaration")
            value = node.child_by_field_name("value")
            if declaration is not None:
                return self._declaration(declaration, doc, True, owner)
            if value is not None:
                self._default(value, doc, owner)
            elif node.child_by_field_name("source") is None:
                for clause in node.named_children:
                    if clause.type == "export_clause":
                        for spec in clause.named_children:
                            name = spec.child_by_field_name("name")
                            if name is not None:
                                self.exports.setdefault(owner, set()).add(text_of(name, self.data))
            return []
        if kind == "expression_statement" and owner == -1:
            self._commonjs(node, doc)
            return []
        return self._declaration(node, doc, False, owner)

    def _declaration(self, node: Any, doc: bool, exported: bool, owner: int) -> List[Tuple[List[Any], int]]:
        if node.type == "ambient_declaration":  # `declare function f(): void;`
            inner = [c for c in node.named_children if c.type in _KINDS or c.type.endswith("declaration")]
            if not inner:
                return []
            node = inner[0]
        kind = _KINDS.get(node.type)
        name_node = node.child_by_field_name("name")
        if kind is not None and name_node is not None:
            if name_node.type == "string":  # `declare module "x" {}`: describes another package
                return []
            name = text_of(name_node, self.data)
            if node.type == "function_signature":
                self.overload_docs[(owner, name)] = self.overload_docs.get((owner, name), False) or doc
                self._add(name, kind, name_node, doc, exported, owner, "overload")
                return []
            index = self._add(name, kind, name_node, doc, exported, owner)
            body = node.child_by_field_name("body")
            if kind == "class" and body is not None:
                self._members(body, index)
            elif kind == "namespace" and body is not None:
                return [(body.children, index)]
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                name_node = declarator.child_by_field_name("name")
                if declarator.type == "variable_declarator" and name_node is not None and name_node.type == "identifier":
                    self._add(text_of(name_node, self.data), _value_kind(declarator.child_by_field_name("value")),
                              name_node, doc, exported, owner)
        return []

    def _default(self, value: Any, doc: bool, owner: int) -> None:
        if value.type == "identifier":  # `export default handler;`
            self.exports.setdefault(owner, set()).add(text_of(value, self.data))
            return
        index = self._add("default", _value_kind(value), value, doc, True, owner)
        body = value.child_by_field_name("body")
        if value.type == "class" and body is not None:
            self._members(body, index)

    def _commonjs(self, statement: Any, doc: bool) -> None:
        expression = statement.named_children[0] if statement.named_children else None
        if expression is None or expression.type != "assignment_expression":
            return
        left, right = expression.child_by_field_name("left"), expression.child_by_field_name("right")
        target = text_of(left, self.data) if left is not None else ""
        if right is None or not (target in ("module.exports", "exports")
                                 or target.startswith(("module.exports.", "exports."))):
            return
        exports = self.exports.setdefault(-1, set())
        if target in ("module.exports", "exports"):
            if right.type == "identifier":
                exports.add(text_of(right, self.data))
            elif right.type == "object":
                for prop, prop_doc in _with_docs(right.children, self.data):
                    if prop.type == "shorthand_property_identifier":
                        exports.add(text_of(prop, self.data))
                        continue
                    key = prop.child_by_field_name("key") or prop.child_by_field_name("name")
                    value = prop.child_by_field_name("value")
                    if key is None:
                        continue
                    if value is not None and value.type == "identifier":
                        exports.add(text_of(value, self.data))
                    elif prop.type in ("pair", "method_definition"):
                        kind = _value_kind(value) if prop.type == "pair" else "function"
                        self._add(text_of(key, self.data), kind, key, prop_doc, True, -1)
            else:
                self._add("module.exports", _value_kind(right), left, doc, True, -1)
        elif left.type == "member_expression" and target.count(".") == (2 if target.startswith("module.") else 1):
            prop = left.child_by_field_name("property")
            if right.type == "identifier":
                exports.add(text_of(right, self.data))
            else:
                self._add(text_of(prop, self.data), _value_kind(right), prop, doc, True, -1)

    def _members(self, body: Any, owner: int) -> None:
        getters: Set[str] = set()
        setters: List[int] = []
        for member, doc in _with_docs(body.children, self.data):
            kind = member.type
            name_node = member.child_by_field_name("name") or member.child_by_field_name("property")
            if name_node is None:
                continue
            if kind in ("public_field_definition", "field_definition"):
                value = member.child_by_field_name("value")
                if value is None or value.type not in _FUNCTION_VALUES:
                    continue  # properties are not items (see the module docstring)
            elif kind not in ("method_definition", "method_signature", "abstract_method_signature"):
                continue
            name = text_of(name_node, self.data)
            words = {child.type if child.is_named else text_of(child, self.data) for child in member.children}
            access = next((text_of(c, self.data) for c in member.children if c.type == "accessibility_modifier"), "")
            exempt: Optional[str] = None
            if name_node.type == "private_property_identifier" or access == "private":
                exempt = "private"
            elif access == "protected":
                exempt = "protected"
            elif "override_modifier" in words:
                exempt = "override"
            elif kind == "method_signature":
                self.overload_docs[(owner, name)] = self.overload_docs.get((owner, name), False) or doc
                exempt = "overload"
            elif name == "constructor":
                exempt = "constructor"
            index = self._add(name, "method", name_node, doc, False, owner, exempt, member=True)
            if "get" in words:
                getters.add(name)
            elif "set" in words:
                setters.append(index)
        for index in setters:
            if self.recs[index].name in getters and self.recs[index].exempt is None:
                self.recs[index].exempt = "property-setter"

    def _resolve(self) -> List[DocItem]:
        public: List[bool] = []
        qualnames: List[str] = []
        items = []
        implemented = {(rec.owner, rec.name) for rec in self.recs if rec.exempt != "overload"}
        for rec in self.recs:  # owners precede their members and namespace contents
            parent_public = rec.owner < 0 or public[rec.owner]
            if rec.member:
                value = parent_public and rec.exempt not in _SKIP_EXEMPT
            else:
                value = parent_public and (rec.exported or rec.name in self.exports.get(rec.owner, ()))
            public.append(value)
            qualnames.append(f"{qualnames[rec.owner]}.{rec.name}" if rec.owner >= 0 else rec.name)
            documented, exempt = rec.documented, rec.exempt
            if exempt == "overload" and (rec.owner, rec.name) not in implemented:
                exempt = None  # a lone signature (`declare function f(): void`) is the declaration
            elif exempt is None and self.overload_docs.get((rec.owner, rec.name)):
                documented = True  # TSDoc: the overload signatures carry the documentation
            if exempt in (None, "overload") and not value:
                exempt = "private"
            items.append(DocItem(qualnames[-1], rec.kind, rec.line, value, documented, exempt))
        items.sort(key=lambda item: item.line)  # namespace bodies were visited after their siblings
        return items


def _value_kind(value: Optional[Any]) -> str:
    if value is not None and value.type in _FUNCTION_VALUES:
        return "function"
    if value is not None and value.type == "class":
        return "class"
    return "variable"


def _with_docs(children: List[Any], data: bytes) -> List[Tuple[Any, bool]]:
    """Pairs (node, has a doc comment) over sibling nodes; comments and decorators left out
    (``/** doc */ @Get() handler()``: the comment still belongs to the member)."""
    return block_doc_siblings(children, data, ("comment",), ("decorator",))
