"""eForms notices in: read a notice, validate it, map it to OCDS, import it.

`read_notice()` turns one file (a prior information, contract or contract award notice, eForms
SDK 1.x on UBL 2.3, Doffin's Norwegian extension included) into one OCDS release, or raises
`InvalidNotice` with every problem found, each with its line and field: the business term from
the eForms SDK's field catalogue (`data/eforms-fields.json`) when the element has one. The XML is
read without DTDs, entities or network, then validated against the eForms XSD of its root element
(`data/eforms-schemas/`); only a valid notice is mapped (`eforms_mapping`, which also explains the
ocid). `import_notices()` hands the releases to the OCDS import pipeline (`importer`), which
stores each release once and compiles the `ExternalNotice`: a notice imported twice is stored
once, and a broken file is reported while the others are imported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from lupin.opendata.eforms_mapping import NS, MappingError, map_notice
from lupin.opendata.importer import ImportProgress, ImportSummary, import_releases
from lupin.opendata.models import NoticeSource

_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
DOCUMENTS = ("PriorInformationNotice", "ContractNotice", "ContractAwardNotice")
PUBLISHER = "Doffin/TED"

_DATA = Path(__file__).resolve().parent / "data"
_SCHEMAS = _DATA / "eforms-schemas" / "maindoc"
_FIELDS = _DATA / "eforms-fields.json"

MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 20
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")
_ATTRIBUTE = re.compile(r"attribute '([^']+)'")
_CLARK = re.compile(r"\{([^}]*)\}")
_TERM = re.compile(r"^([A-Z]+-\d+)(?:\(\w+\))?-.*$")  # "BT-137-Lot", "BT-13(d)-Lot" → the BT


@dataclass(frozen=True)
class NoticeError:
    """One thing wrong with a notice file: where it is and what it is."""

    line: int | None
    field: str  # "BT-27-Procedure (cbc:EstimatedOverallContractAmount)", an element, or ""
    message: str
    # "not-xml", "unsafe-xml", "not-a-notice", "placeholder", "unreadable", else "invalid-notice"
    kind: str = "invalid-notice"

    @property
    def where(self) -> str:
        parts = [_("line %(line)s") % {"line": self.line}] if self.line else []
        if self.field:
            parts.append(self.field)
        return ", ".join(parts)


class InvalidNotice(Exception):
    """The file is not a notice Lupin can import; `errors` says where and why."""

    def __init__(self, errors: list[NoticeError]) -> None:
        super().__init__("; ".join(f"{error.where}: {error.message}" for error in errors))
        self.errors = errors

    @classmethod
    def at(cls, line: int | None, field: str, message: str, kind: str) -> InvalidNotice:
        return cls([NoticeError(line, field, message, kind)])


# Reading and validating


def _parser() -> etree.XMLParser:
    # No DTDs, no entities, no network, no huge trees: a notice is plain data (XXE, billion
    # laughs).
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@cache
def _schema(document: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_SCHEMAS / f"UBL-{document}-2.3.xsd"), _parser()))


def parse_notice(data: bytes) -> etree._Element:
    """Parse and validate a notice; raise InvalidNotice listing what is wrong."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = _("This is not well-formed XML: %(error)s") % {"error": exc.msg}
        raise InvalidNotice.at(exc.lineno, "", message, "not-xml") from None
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack `doctype`
    if docinfo.doctype or docinfo.internalDTD is not None:
        line = data[: data.find(b"<!DOCTYPE")].count(b"\n") + 1 if b"<!DOCTYPE" in data else 1
        message = _(
            "The file has a DOCTYPE declaration. eForms notices have none, "
            "and Lupin reads no DTDs or entities."
        )
        raise InvalidNotice.at(line, "", message, "unsafe-xml")
    qname = etree.QName(root)
    if qname.localname not in DOCUMENTS or qname.namespace != _document_namespace(qname.localname):
        message = _("This is not an eForms prior information, contract or contract award notice.")
        raise InvalidNotice.at(_line(root), _qname(root), message, "not-a-notice")
    placeholders = [
        NoticeError(
            _line(element),
            _locate(element)[0],
            _("The notice still has the template placeholder %(placeholder)s.")
            % {"placeholder": placeholder.group()},
            "placeholder",
        )
        for element in root.iter(etree.Element)
        for value in (element.text or "", *element.attrib.values())
        if (placeholder := _PLACEHOLDER.search(value))
    ]
    if placeholders:
        raise InvalidNotice(_first_errors(placeholders))
    schema = _schema(qname.localname)
    if not schema.validate(root):
        entries = cast(Iterable[etree._LogEntry], schema.error_log)
        raise InvalidNotice(_first_errors([_schema_error(root, e) for e in entries]))
    return root


def read_notice(path: Path | str, *, ocid_prefix: str) -> dict[str, Any]:
    """The OCDS release for the notice in this file; InvalidNotice if it cannot be imported."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            message = _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 2**20}
            raise InvalidNotice.at(None, "", message, "unreadable")
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidNotice.at(None, "", str(exc.strerror or exc), "unreadable") from None
    return notice_to_release(parse_notice(data), ocid_prefix=ocid_prefix)


def _line(element: etree._Element) -> int | None:
    return cast(int | None, element.sourceline)  # lxml-stubs type it loosely


def _document_namespace(document: str) -> str:
    return f"urn:oasis:names:specification:ubl:schema:xsd:{document}-2"


def _first_errors(errors: list[NoticeError]) -> list[NoticeError]:
    if len(errors) <= MAX_ERRORS:
        return errors
    more = len(errors) - MAX_ERRORS
    return [
        *errors[:MAX_ERRORS],
        NoticeError(None, "", _("… and %(count)s more.") % {"count": more}, errors[-1].kind),
    ]


def _schema_error(root: etree._Element, entry: etree._LogEntry) -> NoticeError:
    """An XSD error with the field it is about: for a missing element, the element expected."""
    message = _CLARK.sub(lambda m: f"{_PREFIXES.get(m.group(1), m.group(1))}:", entry.message)
    element = _element_at(root, entry.path)
    if element is None:
        return NoticeError(entry.line, "", message)
    expected = _EXPECTED.search(entry.message)
    attribute = _ATTRIBUTE.search(entry.message)
    missing_child = "Missing child" in entry.message
    # An element where another was expected: a required one is missing before it, unless the
    # element is one no eForms field knows (then it is the element that is wrong).
    misplaced = "not expected" in entry.message and _path(element) in _known_paths()
    if expected and (missing_child or misplaced):
        # In a sequence, the element libxml2 expects last is the required one that is missing.
        missing = _CLARK.sub(
            lambda m: f"{_PREFIXES.get(m.group(1), m.group(1))}:",
            expected.group(1).split(",")[-1].strip(),
        )
        parent = element if missing_child else element.getparent()
        field, name = _locate(parent if parent is not None else element, child=missing)
    elif attribute:
        field, name = _locate(element, attribute=attribute.group(1))
    else:
        field, name = _locate(element)
    return NoticeError(entry.line, field, f"{name}: {message}" if name else message)


def _element_at(root: etree._Element, path: str) -> etree._Element | None:
    namespaces = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
    try:
        found = root.xpath(path, namespaces=namespaces)
    except (etree.XPathError, TypeError):
        return None
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


# Which eForms field an element is


@cache
def _catalogue() -> dict[str, list[tuple[str, str, str]]]:
    """eForms fields by their XPath without predicates: (id, name, XPath)."""
    index: dict[str, list[tuple[str, str, str]]] = {}
    for field_id, name, xpath in json.loads(_FIELDS.read_text(encoding="utf-8"))["fields"]:
        index.setdefault(_plain(xpath), []).append((field_id, name, xpath))
    return index


@cache
def _known_paths() -> frozenset[str]:
    """Every path that is a field or leads to one."""
    paths: set[str] = set()
    for path in _catalogue():
        steps = path.split("/")
        paths.update("/".join(steps[:end]) for end in range(2, len(steps) + 1))
    return frozenset(paths)


def _steps(xpath: str) -> list[str]:
    steps, depth, current = [], 0, ""
    for char in xpath:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == "/" and depth == 0:
            steps.append(current)
            current = ""
        else:
            current += char
    return [*steps, current]


def _plain(xpath: str) -> str:
    return "/".join(step.split("[", 1)[0] for step in _steps(xpath))


def _qname(element: etree._Element) -> str:
    qname = etree.QName(element)
    prefix = _PREFIXES.get(qname.namespace or "")
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _path(element: etree._Element) -> str:
    names = []
    node: etree._Element | None = element
    while node is not None and node.getparent() is not None:
        names.append(_qname(node))
        node = node.getparent()
    return "/".join(["/*", *reversed(names)])


def _locate(element: etree._Element, *, child: str = "", attribute: str = "") -> tuple[str, str]:
    """('BT-27-Procedure (cbc:EstimatedOverallContractAmount)', 'Estimated Value') for an
    element, one of its (missing) children or one of its attributes; the element alone when the
    catalogue does not say which field it is."""
    path = _path(element) + (f"/{child}" if child else "") + (f"/@{attribute}" if attribute else "")
    shown = (child or _qname(element)) + (f"/@{attribute}" if attribute else "")
    candidates = _catalogue().get(path, [])
    chosen = candidates[0] if len(candidates) == 1 else None
    for candidate in candidates if len(candidates) > 1 else []:
        # Several fields share the path (BT-27-Lot, -LotsGroup, -Part): the one whose XPath,
        # predicates included, selects this element (or, for a child, its parent) is it.
        steps = _steps(candidate[2])
        selecting = "/".join(steps[:-1]) if child or attribute else candidate[2]
        try:
            selected = element.xpath(selecting, namespaces=NS)
        except etree.XPathError:
            continue
        if isinstance(selected, list) and any(node is element for node in selected):
            chosen = candidate
            break
    if chosen is not None:
        return f"{chosen[0]} ({shown})", chosen[1]
    # Undecided (a missing element has no predicates to test): the business term they share.
    terms = {_TERM.sub(r"\1", field_id) for field_id, _name, _xpath in candidates}
    names = {name for _id, name, _xpath in candidates}
    if len(terms) == 1:
        return f"{terms.pop()} ({shown})", names.pop() if len(names) == 1 else ""
    return shown, ""


def notice_to_release(root: etree._Element, *, ocid_prefix: str) -> dict[str, Any]:
    """The OCDS release of a parsed, valid notice; InvalidNotice (line and field) if it lacks
    what a release needs."""
    try:
        return map_notice(root, ocid_prefix=ocid_prefix)
    except MappingError as error:
        field, name = _locate(error.element, child=error.child)
        message = f"{name}: {error.message}" if name else error.message
        raise InvalidNotice.at(_line(error.element), field, message, "invalid-notice") from None


# Import


def import_notices(
    paths: Iterable[Path],
    *,
    summary: ImportSummary,
    publisher: str = PUBLISHER,
    ocid_prefix: str = "",
    on_read: Callable[[int], None] | None = None,
    progress: ImportProgress | None = None,
) -> None:
    """Read every notice, and store the releases of the valid ones through the OCDS import
    pipeline (once each: the same notice read again changes nothing). A notice that cannot be
    imported is reported in `summary`, with each of its errors, and the others still are."""
    prefix = ocid_prefix or settings.LUPIN_OCID_PREFIX
    import_releases(
        _releases(paths, summary, prefix, on_read),
        source=NoticeSource.EFORMS,
        publisher=publisher,
        summary=summary,
        progress=progress,
    )


def _releases(
    paths: Iterable[Path],
    summary: ImportSummary,
    ocid_prefix: str,
    on_read: Callable[[int], None] | None,
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in paths:
        summary.files += 1
        try:
            release = read_notice(path, ocid_prefix=ocid_prefix)
        except InvalidNotice as refused:
            if refused.errors[0].kind == "unreadable":
                summary.unreadable += 1
            else:
                summary.releases_skipped += 1
            for error in refused.errors:
                summary.add(str(path), error.where, error.kind, error.message)
            continue
        finally:
            if on_read is not None:
                on_read(path.stat().st_size if path.exists() else 0)
        # Problems the pipeline finds in the release itself are at JSON paths under "$".
        yield str(path), "$", release
