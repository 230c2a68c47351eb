"""A generator of hostile and damaged input files, each made to one shape a real office (or an
attacker) produces: stray quotes, mixed encodings, hidden sheets, zip bombs, far-away cells,
deep XML, devices instead of files. Every maker returns bytes (or writes a path) so a test can
feed it to any reader or to the command line."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from tests.conftest import make_upn

HEADER = "UPN,Legal Surname,Legal Forename,DOB,Year,Gender,Leaving Date"


def leavers(n: int = 10, month: int = 10, year: int = 2024) -> list[list[str]]:
    """n Year 11 leavers who left in the given month, with valid UPNs."""
    rows = []
    for i in range(n):
        upn = make_upn(f"8864123{i + 1:05d}")
        rows.append([upn, f"Surname{i}", f"Name{i}", "04/03/2009", "11", "F", f"{(i % 27) + 1:02d}/{month:02d}/{year}"])
    return rows


def csv_bytes(rows: list[list[str]], header: str = HEADER, newline: str = "\r\n", encoding: str = "utf-8") -> bytes:
    return newline.join([header] + [",".join(r) for r in rows]).encode(encoding) + newline.encode()


def stray_quote_csv(n: int = 10, at: tuple[int, ...] = (2,), closing: int | None = None) -> bytes:
    """A stray quote mark opening the surname field of the rows in `at` (0-based learners); with
    `closing`, a second stray quote at the end of that row's forename closes the run."""
    rows = leavers(n)
    for i in at:
        rows[i][1] = '"' + rows[i][1]
    if closing is not None:
        rows[closing][2] = rows[closing][2] + '"'
    return csv_bytes(rows)


def mixed_encoding_csv(main: str = "utf-8", other: str = "cp1252", name: str = "Siobhán", line: int = 3) -> bytes:
    """A file in `main` with one learner's name (on learner `line`) written in `other`."""
    rows = leavers(6)
    rows[0][2] = "Zoë"
    out = [HEADER.encode()]
    for i, r in enumerate(rows):
        if i == line:
            r[2] = name
            out.append(",".join(r).encode(other))
        else:
            out.append(",".join(r).encode(main))
    return b"\r\n".join(out) + b"\r\n"


def cp1252_with_undefined_byte(byte: int = 0x81) -> bytes:
    """A Windows-1252 file (curly apostrophe, pound) with one byte Windows-1252 leaves undefined."""
    rows = leavers(5)
    rows[1][1] = "O’Green"
    rows[2][1] = "Price£"
    body = [HEADER.encode("cp1252")] + [",".join(r).encode("cp1252") for r in rows]
    body[4] = body[4].replace(b"Surname3", b"Sur" + bytes([byte]) + b"name3")
    return b"\r\n".join(body) + b"\r\n"


def nul_csv(position: str) -> bytes:
    """One NUL byte in a learner's name, early (first learner) or late (after 40 KB of rows)."""
    rows = leavers(400)
    target = 0 if position == "early" else 399
    rows[target][2] = "Na\x00me"
    return csv_bytes(rows)


# --- workbooks -------------------------------------------------------------------------------------

_CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '{overrides}</Types>')
_SHEET_CT = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def raw_xlsx(sheets: list[tuple[str, str, str]], extra: dict[str, bytes | str] | None = None,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A workbook from hand-written parts: sheets are (name, state, sheet XML body inside
    <worksheet>), state '' (visible), 'hidden' or 'veryHidden'."""
    entries = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"' + (f' state="{state}"' if state else "")
                      + "/>" for i, (name, state, _) in enumerate(sheets, start=1))
    workbook = (f'<?xml version="1.0"?><workbook xmlns="{MAIN}" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets>{entries}</sheets></workbook>')
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    rels = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        overrides = "".join(_SHEET_CT.format(n=i) for i in range(1, len(sheets) + 1))
        z.writestr("[Content_Types].xml", _CT.format(overrides=overrides))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        for i, (_, _, body) in enumerate(sheets, start=1):
            xml = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{body}</worksheet>'
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def sheet_xml(rows: list[list[str]], first_row: int = 1) -> str:
    out = []
    for r, row in enumerate(rows, start=first_row):
        cells = "".join(f'<c r="{_col(c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                        for c, v in enumerate(row, start=1))
        out.append(f'<row r="{r}">{cells}</row>')
    return "<sheetData>" + "".join(out) + "</sheetData>"


def _col(n: int) -> str:
    s = ""
    while n:
        n, rest = divmod(n - 1, 26)
        s = chr(65 + rest) + s
    return s


def export_rows(n: int = 3, surname: str = "Visible") -> list[list[str]]:
    return [HEADER.split(",")] + [[r[0], f"{surname}{i}"] + r[2:] for i, r in enumerate(leavers(n))]


def hidden_sheet_workbook(state: str = "hidden", visible_too: bool = True) -> bytes:
    """The first sheet (hidden or very hidden) holds a stale roll; the visible one the current."""
    sheets = [("Old roll", state, sheet_xml(export_rows(5, "Stale")))]
    if visible_too:
        sheets.append(("Roll", "", sheet_xml(export_rows(3, "Current"))))
    return raw_xlsx(sheets)


def far_cell_workbook(ref: str = "XFD1048576") -> bytes:
    """A small export plus one value far away: the native reader would make room for every
    cell between (at XFD1048576, 512 GB) and abort the process."""
    body = sheet_xml(export_rows(2))[: -len("</sheetData>")]
    row = "".join(ch for ch in ref if ch.isdigit())
    body += f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return raw_xlsx([("Roll", "", '<dimension ref="A1:XFD1048576"/>' + body)])


def shared_strings_bomb() -> bytes:
    """A shared-strings table declaring 4 billion entries (the reader would allocate 96 GB)."""
    sst = f'<sst xmlns="{MAIN}" count="4000000000" uniqueCount="4000000000"><si><t>UPN</t></si></sst>'
    return raw_xlsx([("Roll", "", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')],
                    {"xl/sharedStrings.xml": sst})


def zip_bomb(unpacked_mb: int = 400) -> bytes:
    """A workbook whose sheet unpacks to hundreds of MB from a few hundred KB."""
    filler = b"<!--" + b" " * (unpacked_mb * 1024 * 1024) + b"-->"
    return raw_xlsx([("Roll", "", sheet_xml(export_rows(1)))], {"xl/worksheets/padding.xml": filler})


def lying_zip_bomb() -> bytes:
    """A part whose header claims a few bytes but unpacks to far more."""
    data = bytearray(raw_xlsx([("Roll", "", sheet_xml(export_rows(1)))],
                              {"xl/media/blob.bin": b"\0" * (50 * 1024 * 1024)}))
    # Rewrite the declared uncompressed size (central directory) of the last entry to 10 bytes.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    return bytes(data)


# --- XML and JSON ----------------------------------------------------------------------------------

def deep_ctf(levels: int = 10_000_000) -> bytes:
    return b'<?xml version="1.0"?><CTfile>' + b"<a>" * levels + b"</a>" * levels + b"</CTfile>"


def utf7_ctf() -> bytes:
    return b'<?xml version="1.0" encoding="UTF-7"?><CTfile><Header/></CTfile>'


def ctf_with_contact_order(order: str) -> bytes:
    contact = (f"<Contact><Order>{order}</Order><Surname>Parent</Surname><Forename>Pat</Forename>"
               "<Phones><Phone><TelephoneType>H</TelephoneType><PhoneNo>01622 123456</PhoneNo></Phone></Phones>"
               "</Contact>")
    pupil = (f"<Pupil><UPN>{make_upn('886412300001')}</UPN><Surname>Smith</Surname><Forename>Jo</Forename>"
             f"<DOB>2009-03-04</DOB><Gender>F</Gender><BasicDetails><NCyearActual>{order}</NCyearActual></BasicDetails>"
             f"<Contacts>{contact}{contact}</Contacts></Pupil>")
    return ('<?xml version="1.0" encoding="UTF-8"?><CTfile><Header><CTFversion>23.0</CTFversion></Header>'
            f"<CTFpupilData>{pupil}</CTFpupilData></CTfile>").encode()


def nested_json(levels: int = 100_000) -> bytes:
    return b'{"UPN": {"columns": ' + b"[" * levels + b"]" * levels + b"}}"


# --- not files -------------------------------------------------------------------------------------

def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def symlink_to_device(path: Path, device: str = "/dev/zero") -> Path:
    path.symlink_to(device)
    return path
