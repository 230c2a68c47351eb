"""Reading a DfE Common Transfer File (CTF, XML) as if it were an MIS export.

Every English MIS can write a CTF, so it is an export format the office always has. The pupils
become rows of a Table whose headers are the SIMS-style names the column matching already knows
(`Legal Surname`, `House No`, `Primary Contact Telephone`, `SEN Status`...), so a CTF goes through
the same matching, cleaning and checks as a CSV.

Element names follow the DfE CTF specification (CTF 2x): `CTfile/Header/SourceSchool`,
`CTfile/CTFpupilData/Pupil` with `UPN`, `Surname`, `Forename`, `DOB`, `Gender` (later versions
`Sex`), `BasicDetails` (`PreferredSurname`, `PreferredForename`, `MiddleNames`, `NCyearActual`),
`SENhistory/SEN/SENprovision`, `Address` (BS7666 parts `SAON`, `PAON`, `Street`, `Locality`,
`Town`, `AdministrativeArea` inside `BS7666Address` or directly under `Address`, or
`AddressLine1..5` inside `AddressLines` or directly under `Address`; then `County`, `PostCode`),
`Phones/Phone` (`TelephoneType`, `PhoneNo`), `Email`, `Contacts/Contact` (`Order`,
`Title`, `Surname`, `Forename`, `Relationship`, `Phones`, `Email`) and `SchoolHistory/School`
(`LEA`, `Estab`, `SchoolName`, `EntryDate`, `LeavingDate`, `LeavingReason`, `LastSchool`).
Leaving reasons (grounds for removal from the admission register) are translated to the leavers'
template wording; a file without any SEN record leaves EHCP to the user. An Admissions Transfer
File is recognised and refused with its own message (ATF_MESSAGE says why).
Readers are lenient where MIS suppliers differ (an element directly under `Pupil` or inside
`BasicDetails`, `PostCode` inside or beside `BS7666Address`, a namespace prefix).

Safety: the file is parsed with expat directly and any DOCTYPE or ENTITY declaration is refused,
so no entity is ever expanded or fetched (the "billion laughs" and external-entity attacks).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.mapping import split_block
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.values.numbers import small_number

HEADERS = [
    "UPN", "Legal Surname", "Legal Forename", "Middle Name(s)", "Preferred Surname", "Preferred Forename",
    "DOB", "Gender", "Year",
    "House Name", "House No", "Street", "District", "Town", "County", "Post Code",
    "Home Telephone", "Mobile",
    "Primary Contact Forename", "Primary Contact Surname", "Primary Contact Telephone",
    "Email", "SEN Status", "Admission Date", "Leaving Date", "Reason for Leaving", "Previous School",
]

ROW_NOTE = "row = pupil number in the CTF"

# An Admissions Transfer File lists the children applying for (or offered) a place, sent between
# the LA and schools before they start: none of them is on the roll yet, and it carries no year
# group on roll, dates of joining or leaving, or enrolment status. Every return is about learners
# on the school's roll, so a return made from an ATF would report children who may never come.
ATF_MESSAGE = ("{name} is an Admissions Transfer File (ATF): it lists children applying for a place, "
               "not the pupils on the school's roll, so a return cannot be made from it. In the MIS, "
               "export the pupils on roll instead: a Common Transfer File (CTF) or a report saved as CSV or Excel.")

# CBDS telephone types: H home, M mobile, W work, F fax, D daytime, E evening, A alternative.
_HOME_TYPES = ("H", "D", "E", "A", "")
_MOBILE_TYPES = ("M",)


class CTFError(UserError):
    """The CTF cannot be read; the message names the file and says why."""


class _Refused(Exception):
    pass


class _TooDeep(Exception):
    pass


# A CTF is about eight levels deep (CTfile/CTFpupilData/Pupil/Contacts/Contact/Phones/Phone/PhoneNo);
# a document nested millions deep would build a tree of gigabytes.
MAX_DEPTH = 64
MAX_ELEMENTS = 5_000_000  # a few hundred per pupil, for thousands of pupils


def looks_like_ctf(data: bytes) -> bool:
    """True when bytes look like a CTF (XML whose root is CTfile): for the export reader's dispatch."""
    head = data[:4096]
    for enc in ("utf-8", "utf-16"):
        try:
            text = head.decode(enc, errors="ignore")
        except LookupError:  # pragma: no cover
            continue
        stripped = text.lstrip("\ufeff \t\r\n\x00")
        # An ATF is recognised too, so that it gets its own message rather than the spreadsheet reader's.
        if stripped.startswith("<") and re.search(r"<(?:\w+:)?(?:CTfile|ATfile)[\s>]", text):
            return True
    return False


def read_ctf(path: Path, data: bytes) -> Table:
    """Every pupil of a CTF as one row of text under SIMS-like headers."""
    path = Path(path)
    root = _parse(path, data)
    if _local(root.tag) != "CTfile":
        if _local(root.tag) == "ATfile":
            raise CTFError(ATF_MESSAGE.format(name=path.name))
        raise CTFError(f"{path.name}: this XML file is not a Common Transfer File (it starts with "
                       f"<{_local(root.tag)}>, not <CTfile>).")
    pupil_data = _child(root, "CTFpupilData")
    pupils = _children(pupil_data, "Pupil") if pupil_data is not None else []
    if not pupils:
        raise CTFError(f"{path.name}: the Common Transfer File has no pupils in it. Export the CTF from the MIS again, "
                       "choosing the pupils.")
    source = _source_school(root)
    rows = [_pupil_row(p, source) for p in pupils]
    headers = list(HEADERS)
    if not any(_child(p, "SENhistory") is not None for p in pupils):
        # A CTF that carries no SEN module at all says nothing about an EHC plan: without the
        # column, EHCP is left for the user instead of reading as N (no plan) for everyone.
        at = headers.index("SEN Status")
        headers.pop(at)
        rows = [row[:at] + row[at + 1:] for row in rows]
    table = Table(source=path, headers=headers, rows=rows, source_rows=list(range(1, len(rows) + 1)), sheet=None,
                  header_row=0)
    version = _text(_child(root, "Header"), "CTFversion")
    table.notes.append(f"read as a Common Transfer File{f' (version {version})' if version else ''}: {len(rows)} "
                       f"pupils; {ROW_NOTE}")
    if source:
        table.notes.append("dates of joining and leaving are those at the school that wrote the CTF "
                           f"({source[0]}/{source[1]})")
    if "SEN Status" not in headers:
        table.notes.append("the CTF holds no SEN records, so EHCP is left for you to fill in")
    return table


# --- parsing safely ------------------------------------------------------------------------------

def _parse(path: Path, data: bytes) -> Element:
    builder = TreeBuilder()
    parser = expat.ParserCreate()

    def refuse(*_args):
        raise _Refused()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = [0]

    count = [0]

    def start(tag, attrs):
        depth[0] += 1
        count[0] += 1
        if depth[0] > MAX_DEPTH or count[0] > MAX_ELEMENTS:
            raise _TooDeep()
        builder.start(tag, attrs)

    def end(tag):
        depth[0] -= 1
        builder.end(tag)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = lambda text: builder.data(text)
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
        root = builder.close()
    except _TooDeep:
        raise CTFError(f"{path.name}: the XML is nested more than {MAX_DEPTH} levels deep or holds more than "
                       f"{MAX_ELEMENTS:,} elements, which a Common Transfer File never does; "
                       "it was not read, for safety.") from None
    except (LookupError, ValueError):  # an encoding expat cannot read (UTF-7, an unknown name)
        raise CTFError(f"{path.name}: the XML declares an encoding a Common Transfer File never uses; "
                       "export the CTF from the MIS again (it writes UTF-8).") from None
    except _Refused:
        raise CTFError(f"{path.name}: the file declares a DOCTYPE or entities, which a Common Transfer File never has; "
                       "it was not read, for safety.") from None
    except expat.ExpatError as e:
        if not data.strip():
            raise CTFError(f"{path.name}: the file is empty. Export the CTF from the MIS again.") from None
        raise CTFError(f"{path.name}: this is not a readable Common Transfer File - the XML is damaged "
                       f"({expat.errors.messages.get(e.code, 'error')} at line {e.lineno}, column {e.offset + 1}). "
                       "Export it from the MIS again.") from None
    except AssertionError:  # TreeBuilder on a document with no element at all
        raise CTFError(f"{path.name}: the file holds no XML elements.") from None
    return root


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1]


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el: Element | None, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name] if el is not None else []


def _text(el: Element | None, *names: str) -> str:
    """The trimmed text of the first child (by any of the names) that has some."""
    for name in names:
        c = _child(el, name)
        text = c.text if c is not None else None
        if text and text.strip():
            return " ".join(text.split())
    return ""


def _pupil_text(pupil: Element, *names: str) -> str:
    """A pupil's field, directly under Pupil or inside BasicDetails (suppliers differ)."""
    return _text(pupil, *names) or _text(_child(pupil, "BasicDetails"), *names)


def _date(text: str) -> str:
    """yyyy-mm-dd as dd/mm/yyyy, as a spreadsheet export shows it; anything else as it was."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text


# --- one pupil -----------------------------------------------------------------------------------

def _pupil_row(pupil: Element, source: tuple[str, str] | None) -> list[str]:
    v: dict[str, str] = {
        "UPN": _text(pupil, "UPN"),
        "Legal Surname": _text(pupil, "Surname"),
        "Legal Forename": _text(pupil, "Forename"),
        "Middle Name(s)": _pupil_text(pupil, "MiddleNames"),
        "Preferred Surname": _pupil_text(pupil, "PreferredSurname"),
        "Preferred Forename": _pupil_text(pupil, "PreferredForename"),
        "DOB": _date(_text(pupil, "DOB")),
        "Gender": _pupil_text(pupil, "Gender", "Sex"),
        "Year": _pupil_text(pupil, "NCyearActual"),
    }
    v.update(_address(_child(pupil, "Address")))
    home, mobile = _pupil_phones(_child(pupil, "Phones"))
    v["Home Telephone"], v["Mobile"] = home, mobile
    contact = _primary_contact(pupil)
    email = _text(pupil, "Email")
    if contact is not None:
        v["Primary Contact Forename"] = _text(contact, "Forename")
        v["Primary Contact Surname"] = _text(contact, "Surname")
        v["Primary Contact Telephone"] = _first_phone(_child(contact, "Phones"))
        email = email or _text(contact, "Email")
    v["Email"] = email
    v["SEN Status"] = _sen_provision(_child(pupil, "SENhistory"))
    v.update(_school_history(_child(pupil, "SchoolHistory"), source))
    return [v.get(h, "") for h in HEADERS]


def _is_number_paon(text: str) -> bool:
    return bool(re.fullmatch(r"\d+[A-Za-z]?(?:\s*-\s*\d+[A-Za-z]?)?", text))


_BS7666_PARTS = ("SAON", "PAON", "Street", "Locality", "Town", "PostTown", "AdministrativeArea")


def _address(address: Element | None) -> dict[str, str]:
    """Any of the CTF address shapes: BS7666 parts inside BS7666Address or directly under
    Address, or lines inside AddressLines or directly under Address. When an address has both
    parts and lines, the lines the parts do not already hold are kept in District: none is lost."""
    if address is None:
        return {}
    bs = _child(address, "BS7666Address")
    if bs is None or not any(_text(bs, part) for part in _BS7666_PARTS):
        bs = address if any(_text(address, part) for part in _BS7666_PARTS) else None
    lines_el = _child(address, "AddressLines")
    if lines_el is None or not _address_lines(lines_el):
        lines_el = address
    lines = _address_lines(lines_el)
    if bs is not None:
        out = _bs7666_address(address, bs)
        held = {v.lower() for v in out.values() if v}
        extra = [ln for ln in lines if ln.lower() not in held]
        if extra:
            out["District"] = ", ".join(p for p in (out.get("District", ""), *extra) if p)
        return out
    return _lines_address(address, lines)


def _address_lines(el: Element) -> list[str]:
    return [ln for ln in (_text(el, f"AddressLine{i}") for i in range(1, 6)) if ln]


def _bs7666_address(address: Element, bs: Element) -> dict[str, str]:
    out: dict[str, str] = {}
    saon, paon = _text(bs, "SAON"), _text(bs, "PAON")
    names = [saon] if saon else []
    if paon and _is_number_paon(paon):
        out["House No"] = paon
    elif paon:
        names.append(paon)
    out["House Name"] = ", ".join(names)
    out["Street"] = _text(bs, "Street")
    out["District"] = _text(bs, "Locality")
    out["Town"] = _text(bs, "Town", "PostTown")
    out["County"] = _text(address, "County") or _text(bs, "AdministrativeArea", "County")
    out["Post Code"] = _text(address, "PostCode", "Postcode") or _text(bs, "PostCode", "Postcode")
    return out


def _lines_address(address: Element, lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    postcode = _text(address, "PostCode", "Postcode")
    county = _text(address, "County")
    street_lines, town, block_county, block_postcode = split_block("\n".join(lines))
    out["Post Code"] = postcode or block_postcode
    out["County"] = county or block_county
    out["Town"] = town
    # The first line, the second, and any further lines together: no part is lost.
    out["House Name"] = street_lines[0] if street_lines else ""
    out["Street"] = street_lines[1] if len(street_lines) > 1 else ""
    out["District"] = ", ".join(street_lines[2:])
    return out


def _phones(phones: Element | None) -> list[tuple[str, str]]:
    found = []
    for phone in _children(phones, "Phone"):
        number = _text(phone, "PhoneNo")
        if number:
            found.append((_text(phone, "TelephoneType").upper(), number))
    return found


def _pupil_phones(phones: Element | None) -> tuple[str, str]:
    listed = _phones(phones)
    home = next((n for kind in _HOME_TYPES for t, n in listed if t == kind), "")
    mobile = next((n for t, n in listed if t in _MOBILE_TYPES), "")
    return home, mobile


def _first_phone(phones: Element | None) -> str:
    """A contact's main number: the first one the MIS lists (its own priority order)."""
    listed = _phones(phones)
    return listed[0][1] if listed else ""


def _primary_contact(pupil: Element) -> Element | None:
    """The contact with the lowest Order (priority 1); contacts without an Order come after, as listed."""
    contacts = _children(_child(pupil, "Contacts"), "Contact")

    def priority(item: tuple[int, Element]) -> tuple[int, int]:
        index, contact = item
        order = _text(contact, "Order")
        return (small_number(order, 10**6), index)

    named = [(i, c) for i, c in enumerate(contacts) if _text(c, "Surname", "Forename") or _phones(_child(c, "Phones"))]
    return min(named, key=priority)[1] if named else None


def _sen_provision(history: Element | None) -> str:
    """The SEN provision (E, K or N) of the latest SEN record."""
    records = _children(history, "SEN")
    best, best_key = "", None
    for index, sen in enumerate(records):
        provision = _text(sen, "SENprovision", "Provision")
        if not provision:
            continue
        key = (_text(sen, "StartDate"), index)  # ISO dates sort as text; ties by document order
        if best_key is None or key >= best_key:
            best, best_key = provision, key
    return best or _text(history, "SENprovision", "Provision")


def _source_school(root: Element) -> tuple[str, str] | None:
    src = _child(_child(root, "Header"), "SourceSchool")
    lea, estab = _text(src, "LEA"), _text(src, "Estab")
    return (lea, estab) if lea and estab else None


def _school_history(history: Element | None, source: tuple[str, str] | None) -> dict[str, str]:
    """Dates at the school that wrote the CTF (its header's SourceSchool), else the school marked
    LastSchool, else the latest entry; the school before it is the previous establishment."""
    schools = _children(history, "School")
    if not schools:
        return {}
    ordered = sorted(enumerate(schools), key=lambda item: (_text(item[1], "EntryDate"), item[0]))
    schools = [s for _, s in ordered]
    this = None
    if source:
        this = next((s for s in reversed(schools) if (_text(s, "LEA"), _text(s, "Estab")) == source), None)
    if this is None:
        this = next((s for s in reversed(schools) if _text(s, "LastSchool").lower() in ("true", "1")), None)
    if this is None:
        this = schools[-1]
    out = {
        "Admission Date": _date(_text(this, "EntryDate")),
        "Leaving Date": _date(_text(this, "LeavingDate")),
        "Reason for Leaving": leaving_reason(_text(this, "LeavingReason")),
    }
    position = schools.index(this)
    if position > 0:
        before = schools[position - 1]
        number = "/".join(p for p in (_text(before, "LEA"), _text(before, "Estab")) if p)
        out["Previous School"] = _text(before, "SchoolName") or number
    return out


_GROUND = re.compile(r"^(?:reg(?:ulation)?\.?\s*)?([89])\s*\(?\s*1\s*\)?\s*\(?\s*([a-o])\s*\)?(?:\s*[-–:].*)?$", re.I)


_GROUND_LETTER = re.compile(r"^ground\s+([a-o])\b(?:\s*[-–:].*)?$", re.I)


def leaving_reason(text: str) -> str:
    """A CTF's leaving reason in the leavers' template wording (DOMAIN.md 3.2). MIS write the
    ground for removal from the admission register (regulation 8(1)(a)-(n) of the 2006 Pupil
    Registration Regulations, or 9(1)(a)-(o) of the 2024 ones) or words; a ground is translated
    through codes.json 'ctf-leaving-grounds', words through the reason-for-leaving list's meaning.
    Anything else is kept as written, for the check to show."""
    from tracker_desktop.core.returns.definitions import code_lists
    from tracker_desktop.core.values.cleaning import code_of

    if not text:
        return ""
    grounds = code_lists().get("ctf-leaving-grounds", {})
    m = _GROUND.match(text.strip())
    ground = _GROUND_LETTER.match(text.strip())  # the 2024 guidance's 'Ground A' is 9(1)(a)
    key = f"{m.group(1)}(1)({m.group(2).lower()})" if m else f"9(1)({ground.group(1).lower()})" if ground else ""
    if key in grounds:
        return grounds[key]
    return code_of(text, "reason-for-leaving") or text
