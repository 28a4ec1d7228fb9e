"""Validation of an ISO 20022 file for the exchange agent against the official XSDs of its
messages, kept in tests/data/iso20022/ (their sources in the README there), with lxml:

- the file's root is a business file header (head.002.001.01 `Xchg`), valid against its
  schema; its payloads are `lax`, so each is then validated on its own:
- every `AppHdr` against head.001.001.02, every `Document` against its message's schema
  (seev.033.001.12 or seev.040.001.12 sent; seev.034.001.14, seev.041.001.13 or
  seev.036.001.15 answered), chosen by its namespace; an element of any other
  namespace is an error.

`parse` reads an element into the generated dataclasses of its message (xsdata), so that the
tests can read the fields by name.
"""

import functools
from pathlib import Path
from typing import Any

from lxml import etree

HEAD_001 = "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"
HEAD_002 = "urn:iso:std:iso:20022:tech:xsd:head.002.001.01"
SEEV_033 = "urn:iso:std:iso:20022:tech:xsd:seev.033.001.12"
SEEV_040 = "urn:iso:std:iso:20022:tech:xsd:seev.040.001.12"
# The agent's replies (the simulator writes them; the import reads them).
SEEV_034 = "urn:iso:std:iso:20022:tech:xsd:seev.034.001.14"
SEEV_036 = "urn:iso:std:iso:20022:tech:xsd:seev.036.001.15"
SEEV_041 = "urn:iso:std:iso:20022:tech:xsd:seev.041.001.13"

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "iso20022"
_SCHEMA_FILES = {
    (HEAD_002, "Xchg"): "head.002.001.01.xsd",
    (HEAD_001, "AppHdr"): "head.001.001.02.xsd",
    (SEEV_033, "Document"): "seev.033.001.12.xsd",
    (SEEV_040, "Document"): "seev.040.001.12.xsd",
    (SEEV_034, "Document"): "seev.034.001.14.xsd",
    (SEEV_036, "Document"): "seev.036.001.15.xsd",
    (SEEV_041, "Document"): "seev.041.001.13.xsd",
}


@functools.cache
def schema(namespace: str, name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / _SCHEMA_FILES[(namespace, name)])))


def root_of(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def messages_of(xml: bytes) -> list[etree._Element]:
    """The payloads' elements, in order: AppHdr, Document, AppHdr, Document..."""
    root = root_of(xml)
    return [child for payload in root.iterfind(f"{{{HEAD_002}}}Pyld") for child in payload]


def _errors(element: etree._Element) -> list[str]:
    name = etree.QName(element)
    key = (name.namespace or "", name.localname)
    if key not in _SCHEMA_FILES:
        return [f"{element.tag}: not an element of the schemas the file may hold"]
    checker = schema(*key)
    if checker.validate(etree.ElementTree(element)):
        return []
    return [f"{name.localname}: {error.message}" for error in checker.error_log]


def validation_errors(xml: bytes) -> list[str]:
    """Every way the file departs from the official schemas; empty when it is valid."""
    root = root_of(xml)
    if etree.QName(root).namespace != HEAD_002 or etree.QName(root).localname != "Xchg":
        return [f"{root.tag}: the root is not a head.002.001.01 Xchg"]
    errors = _errors(root)
    for element in messages_of(xml):
        # Validated on its own, as a document of its own schema.
        errors += _errors(etree.fromstring(etree.tostring(element)))
    return errors


@functools.cache
def _message_classes() -> dict[tuple[str, str], type]:
    from dataclasses import dataclass

    from pyiso20022.head.head_001_001_02 import AppHdr
    from python_iso20022.seev.seev_033_001_12.models import Seev03300112
    from python_iso20022.seev.seev_040_001_12.models import Seev04000112

    @dataclass
    class Seev033Document(Seev03300112):
        class Meta:
            name = "Document"
            namespace = SEEV_033

    @dataclass
    class Seev040Document(Seev04000112):
        class Meta:
            name = "Document"
            namespace = SEEV_040

    return {
        (HEAD_001, "AppHdr"): AppHdr,
        (SEEV_033, "Document"): Seev033Document,
        (SEEV_040, "Document"): Seev040Document,
    }


def parse(element: etree._Element) -> Any:
    """The element as its message's dataclass, to read its fields by name."""
    name = etree.QName(element)
    message = _message_classes().get((name.namespace or "", name.localname))
    if message is None:
        raise ValueError(f"{element.tag} is not a head.001.001.02 AppHdr or a seev Document")
    from xsdata.formats.dataclass.parsers import XmlParser

    return XmlParser().from_bytes(etree.tostring(element), message)
