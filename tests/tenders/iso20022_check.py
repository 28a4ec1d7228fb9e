"""Validation of an ISO 20022 file for the exchange agent against the message definitions, with
maintained libraries (no schema of our own):

- xsdata parses each `AppHdr` and `Document` strictly into the generated dataclasses of its
  message (head.001.001.02 from pyiso20022, seev.033.001.12 and seev.040.001.12 from
  python-iso20022): an unknown or misplaced element or attribute, a namespace other than the
  message's, or a value its type refuses (a code outside the code list, a date, a number)
  fails;
- pyiso20022's validator then checks what the dataclasses carry from the schemas' facets:
  required elements, lengths, patterns, digits and bounds.

No package on PyPI ships these XSDs; the dataclasses are generated from them. The dataclasses
are subclassed here, not taken from the code under test, to give the root element the schemas'
name (`Document`), which python-iso20022 0.3.0 lost.
"""

import functools
import importlib.util
from pathlib import Path
from typing import Any

from lxml import etree

HEAD_001 = "urn:iso:std:iso:20022:tech:xsd:head.001.001.02"
SEEV_033 = "urn:iso:std:iso:20022:tech:xsd:seev.033.001.12"
SEEV_040 = "urn:iso:std:iso:20022:tech:xsd:seev.040.001.12"


# The generated message modules take about 2 s to import: loaded on the first check, not by
# every test process that collects the tests.
@functools.cache
def _messages() -> dict[tuple[str, str], type]:
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


@functools.cache
def _validator_class() -> Any:
    """pyiso20022's ISO20022Validator. Its module needs only the standard library, but its
    package (`pyiso20022.tools`) imports pandas for a camt.053 Excel export: the module is
    loaded on its own."""
    import pyiso20022

    path = Path(pyiso20022.__file__).parent / "tools" / "validation.py"
    spec = importlib.util.spec_from_file_location("pyiso20022_tools_validation", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ISO20022Validator


def messages_of(xml: bytes) -> list[etree._Element]:
    """The root's children, in order: AppHdr, Document, AppHdr, Document..."""
    return list(etree.fromstring(xml))


def parse(element: etree._Element) -> Any:
    """The element as its message's dataclass (strict), or an exception."""
    name = etree.QName(element)
    message = _messages().get((name.namespace or "", name.localname))
    if message is None:
        raise ValueError(f"{element.tag} is not a head.001.001.02 AppHdr or a seev Document")
    from xsdata.formats.dataclass.parsers import XmlParser
    from xsdata.formats.dataclass.parsers.config import ParserConfig

    strict = ParserConfig(
        fail_on_unknown_properties=True,
        fail_on_unknown_attributes=True,
        fail_on_converter_warnings=True,
    )
    return XmlParser(config=strict).from_bytes(etree.tostring(element), message)


def validation_errors(xml: bytes) -> list[str]:
    """Every way the file departs from the message definitions; empty when it is valid."""
    errors = []
    for element in messages_of(xml):
        name = etree.QName(element).localname
        try:
            parsed = parse(element)
        except Exception as exc:  # xsdata's ParserError, or a required field left out
            errors.append(f"{name}: {exc}")
            continue
        result = _validator_class()().validate_message(parsed, strict=False)
        errors += [f"{name}: {error}" for error in result.errors]
    return errors
