"""What classification returns: the role, the deciding signal, and a per-signal trace."""

from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

CONFIG_GLOB = "config-glob"
GITATTRIBUTES = "gitattributes"
VENDORED_PATH = "vendored-path"
GENERATED = "generated"
TEST_CONVENTION = "test-convention"
DOCS = "docs"
FRONTEND_EXTENSION = "frontend-extension"
TEMPLATE = "template"
TRANSLATION = "translation"
JS_SIDE = "js-side"
LANGUAGE = "language"
DATA_FILE = "data-file"
INTERPRETER = "interpreter"
FALLBACK = "fallback"

# The documented order (see the package docstring); the first signal that matches decides.
SIGNAL_ORDER: Tuple[str, ...] = (
    CONFIG_GLOB,
    GITATTRIBUTES,
    VENDORED_PATH,
    GENERATED,
    TEST_CONVENTION,
    DOCS,
    FRONTEND_EXTENSION,
    TEMPLATE,
    TRANSLATION,
    JS_SIDE,
    LANGUAGE,
    DATA_FILE,
    INTERPRETER,
    FALLBACK,
)

NOT_REACHED = "not reached"


class Classification(NamedTuple):
    """One file's role and why: ``detail`` is for humans, ``source`` names the rule's origin."""

    role: str
    signal: str
    detail: str
    source: Optional[str]


class SignalTrace(NamedTuple):
    """One signal's verdict for one file, as shown by ``explain``."""

    signal: str
    matched: bool
    role: Optional[str]
    detail: str
    source: Optional[str]


class Hit(NamedTuple):
    """A signal's positive answer (the signal name is added by the classifier)."""

    role: str
    detail: str
    source: Optional[str]
