"""Common Transfer File input: files built to the DfE CTF specification, read as an export."""
from __future__ import annotations

from pathlib import Path

import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.reading.ctf import HEADERS, CTFError, looks_like_ctf, read_ctf

DATA = Path(__file__).resolve().parents[1] / "data" / "ctf"
SAMPLE = DATA / "school_ctf.xml"


KENT_HEADER = ("<Header><CTFversion>24.0</CTFversion>"
               "<SourceSchool><LEA>886</LEA><Estab>4123</Estab></SourceSchool></Header>")


def ctf(pupils: str, header: str = KENT_HEADER) -> bytes:
    xml = f'<?xml version="1.0" encoding="UTF-8"?><CTfile>{header}<CTFpupilData>{pupils}</CTFpupilData></CTfile>'
    return xml.encode()


def rows(table) -> list[dict[str, str]]:
    return [dict(zip(table.headers, r, strict=True)) for r in table.rows]


def read(data: bytes, name: str = "pupils.xml"):
    return read_ctf(Path(name), data)


def test_sample_file_reads_every_pupil_with_sims_like_headers():
    table = read_ctf(SAMPLE, SAMPLE.read_bytes())
    assert table.headers == HEADERS
    assert table.source_rows == [1, 2, 3]
    assert any("row = pupil number in the CTF" in n for n in table.notes)
    assert any("24.0" in n for n in table.notes)
    first, second, third = rows(table)
    assert (first["UPN"], first["Legal Surname"], first["Legal Forename"]) == ("J886412321001", "O'Neill", "Zoë")
    assert first["Middle Name(s)"] == "Anne Marie"
    assert (first["Preferred Surname"], first["Preferred Forename"]) == ("O'Neill", "Zo")
    assert first["DOB"] == "15/03/2009"
    assert first["Gender"] == "F"  # <Sex> in later CTF versions
    assert first["Year"] == "11"
    assert second["Gender"] == "M"  # <Gender> and <NCyearActual> directly under Pupil (older files)
    assert second["Year"] == "12"
    assert third["Year"] == "11"


def test_bs7666_address_keeps_flat_with_building_and_number_with_street():
    first = rows(read_ctf(SAMPLE, SAMPLE.read_bytes()))[0]
    assert first["House Name"] == "Flat 2"
    assert first["House No"] == "14"
    assert (first["Street"], first["District"], first["Town"]) == ("High Street", "Bearsted", "Maidstone")
    assert first["County"] == "Kent"
    assert first["Post Code"] == "ME14 1XX"


def test_named_building_goes_to_house_name_with_the_flat():
    pupil = ("<Pupil><UPN>J886412321001</UPN><Surname>A</Surname><Forename>B</Forename><DOB>2009-01-01</DOB>"
             "<Address><BS7666Address><SAON>Flat 3</SAON><PAON>Rose Court</PAON><Street>Tonbridge Road</Street>"
             "<Town>Maidstone</Town><PostCode>ME16 8AA</PostCode></BS7666Address></Address></Pupil>")
    row = rows(read(ctf(pupil)))[0]
    assert row["House Name"] == "Flat 3, Rose Court"
    assert row["House No"] == ""
    assert row["Post Code"] == "ME16 8AA"  # PostCode inside BS7666Address is accepted too


def test_address_lines_give_town_county_and_postcode():
    second = rows(read_ctf(SAMPLE, SAMPLE.read_bytes()))[1]
    assert second["House Name"] == "Rose Cottage"
    assert second["Street"] == "2 Mill Lane"
    assert second["District"] == "Lenham"
    assert second["Town"] == "Maidstone"
    assert second["County"] == "Kent"
    assert second["Post Code"] == "me17 2aa"  # as the CTF has it: cleaning upper-cases it later


def test_pupil_phones_by_type_and_untyped_phone_is_home():
    first, second, _ = rows(read_ctf(SAMPLE, SAMPLE.read_bytes()))
    assert first["Home Telephone"] == "01622 246602"
    assert first["Mobile"] == "07911 123456"
    assert second["Home Telephone"] == "01622 858585"
    assert second["Mobile"] == ""


def test_primary_contact_is_the_lowest_order_not_the_first_listed():
    first = rows(read_ctf(SAMPLE, SAMPLE.read_bytes()))[0]
    assert (first["Primary Contact Forename"], first["Primary Contact Surname"]) == ("Siobhan", "Byrne")
    assert first["Primary Contact Telephone"] == "07911 222333"
    assert first["Email"] == "zoe.oneill@example.org"  # the pupil's own e-mail first


def test_contact_without_order_and_contact_email_when_pupil_has_none():
    second = rows(read_ctf(SAMPLE, SAMPLE.read_bytes()))[1]
    assert (second["Primary Contact Forename"], second["Primary Contact Surname"]) == ("Sara", "Khan")
    assert second["Primary Contact Telephone"] == "07911 654321"
    assert second["Email"] == "sara.khan@example.org"


def test_contacts_with_orders_come_before_unordered_ones():
    pupil = ("<Pupil><UPN>J886412321001</UPN><Surname>A</Surname><Forename>B</Forename><DOB>2009-01-01</DOB><Contacts>"
             "<Contact><Surname>Nobody</Surname><Forename>Listed</Forename></Contact>"
             "<Contact><Order>3</Order><Surname>Third</Surname><Forename>C</Forename></Contact>"
             "<Contact><Order>1</Order><Surname>First</Surname><Forename>D</Forename></Contact>"
             "</Contacts></Pupil>")
    row = rows(read(ctf(pupil)))[0]
    assert row["Primary Contact Surname"] == "First"
    assert row["Primary Contact Telephone"] == ""


def test_sen_is_the_latest_record():
    first, second, _ = rows(read_ctf(SAMPLE, SAMPLE.read_bytes()))
    assert first["SEN Status"] == "E"
    assert second["SEN Status"] == ""


def test_school_history_dates_are_those_at_the_source_school():
    first, second, third = rows(read_ctf(SAMPLE, SAMPLE.read_bytes()))
    assert first["Admission Date"] == "03/09/2020"
    assert first["Leaving Date"] == ""
    assert first["Previous School"] == "Bearsted Primary"
    assert second["Admission Date"] == "07/10/2024"
    assert third["Admission Date"] == ""


def test_leaving_date_and_reason_from_history():
    pupil = ("<Pupil><UPN>J886412321001</UPN><Surname>A</Surname><Forename>B</Forename><DOB>2009-01-01</DOB>"
             "<SchoolHistory><School><LEA>886</LEA><Estab>4123</Estab><EntryDate>2020-09-03</EntryDate>"
             "<LeavingDate>2024-10-18</LeavingDate>"
             "<LeavingReason>Moved out of area</LeavingReason></School>"
             "<School><LEA>887</LEA><Estab>5000</Estab><EntryDate>2024-10-21</EntryDate></School>"
             "</SchoolHistory></Pupil>")
    row = rows(read(ctf(pupil)))[0]
    assert (row["Admission Date"], row["Leaving Date"], row["Reason for Leaving"]) == ("03/09/2020", "18/10/2024",
                                                                                       "Moved out of area")


def test_missing_optional_parts_give_empty_cells():
    pupil = "<Pupil><UPN>J886412321001</UPN><Surname>Lee</Surname><Forename>Kim</Forename><DOB>2009-01-01</DOB></Pupil>"
    row = rows(read(ctf(pupil, header="")))[0]
    filled = {k for k, v in row.items() if v}
    assert filled == {"UPN", "Legal Surname", "Legal Forename", "DOB"}


def test_not_a_real_date_is_kept_as_written_for_the_checks():
    pupil = "<Pupil><UPN>J886412321001</UPN><Surname>Lee</Surname><Forename>Kim</Forename><DOB>2009-02-30</DOB></Pupil>"
    assert rows(read(ctf(pupil)))[0]["DOB"] == "2009-02-30"


def test_namespaced_file_and_utf16_file_are_read():
    pupil = "<c:Pupil><c:UPN>J886412321001</c:UPN><c:Surname>Lee</c:Surname><c:Forename>Kim</c:Forename></c:Pupil>"
    namespaced = f'<?xml version="1.0"?><c:CTfile xmlns:c="urn:x"><c:CTFpupilData>{pupil}</c:CTFpupilData></c:CTfile>'
    data = namespaced.encode()
    assert rows(read(data))[0]["Legal Surname"] == "Lee"
    utf16 = ctf("<Pupil><Surname>Zoë</Surname></Pupil>").decode().replace('encoding="UTF-8"',
                                                                          'encoding="UTF-16"').encode("utf-16")
    assert rows(read(utf16))[0]["Legal Surname"] == "Zoë"


@pytest.mark.parametrize("data, words", [
    (b"<CTfile><Header></CTfile>", "damaged"),
    (b"", "empty"),
    (b"<CTfile><CTFpupilData></CTFpupilData></CTfile>", "no pupils"),
    (b"<CTfile></CTfile>", "no pupils"),
    (b"<ATfile><ATFpupilData/></ATfile>", "Admissions Transfer File"),
    (b"<Message><Header/></Message>", "not a Common Transfer File"),
    (b"UPN,Surname\nX,Y\n", "damaged"),
])
def test_malformed_files_are_a_user_error_naming_the_file(data, words):
    with pytest.raises(UserError) as caught:
        read(data, name="bad-ctf.xml")
    assert "bad-ctf.xml" in str(caught.value)
    assert words in str(caught.value)
    assert isinstance(caught.value, CTFError)


def test_damaged_file_says_where():
    with pytest.raises(CTFError, match=r"line 3"):
        read(b"<CTfile>\n<CTFpupilData>\n<Pupil></Pupi>\n</CTFpupilData></CTfile>")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE CTfile [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
    '<!DOCTYPE CTfile SYSTEM "http://example.invalid/ctf.dtd">',
    '<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
])
def test_doctype_and_entities_are_refused_and_never_expanded(doctype):
    data = (f'<?xml version="1.0"?>{doctype}'
            "<CTfile><CTFpupilData><Pupil><Surname>&lol2;</Surname></Pupil></CTFpupilData></CTfile>")
    with pytest.raises(CTFError, match="DOCTYPE") as caught:
        read(data.encode(), name="evil.xml")
    assert "evil.xml" in str(caught.value)


def test_undeclared_entity_is_an_error_not_expanded():
    with pytest.raises(CTFError, match="damaged"):
        read(b"<CTfile><CTFpupilData><Pupil><Surname>&xxe;</Surname></Pupil></CTFpupilData></CTfile>")


def test_looks_like_ctf():
    assert looks_like_ctf(SAMPLE.read_bytes())
    assert looks_like_ctf(ctf("<Pupil/>").decode().encode("utf-16"))
    assert not looks_like_ctf(b"UPN,Surname\n")
    assert not looks_like_ctf(b"<Message><Header/></Message>")


def test_ctf_through_the_column_matching_and_a_return(tmp_path):
    """The CTF's headers are names the matching already knows: a joiners return fills from it."""
    import datetime as dt

    from tracker_desktop.core.preparing.opening import open_return
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.returns.naming import Sender
    from tracker_desktop.core.returns.template import read_template
    from tracker_desktop.core.values.calendar import academic_year_start

    definition = load_definition("school-joiners")
    table = read_ctf(SAMPLE, SAMPLE.read_bytes())
    prep = Preparation(open_return(definition, table, sender=Sender(school="8864123"), period=dt.date(2024, 10, 1),
                                   as_of=dt.date(2024, 10, 31), template=read_template(definition.template_path)))
    assert [learner.source_row for learner in prep.learners] == [2]  # only Amir joined in October 2024
    values = prep.learners[0].values
    assert values["Address Line 1"] == "Rose Cottage"
    assert values["Town"] == "Maidstone"
    assert values["Postcode"] == "ME17 2AA"
    assert values["Parent/Carer Name"] == "Sara Khan"
    assert values["Parent/Carer Telephone"] == "07911 654321"
    assert values["Date of Joining"] == "07/10/2024"
    assert values["Home Telephone"] == "01622 858585"
    assert values["EHCP"] == "N"
    # Zoë's SEN status E is an EHC plan
    prep_all = Preparation(open_return("school-september-guarantee", table, sender=Sender(school="8864123"),
                                       period=dt.date(2025, 4, 1), as_of=dt.date(2025, 4, 20)))
    zoe = next(learner for learner in prep_all.learners if learner.source_row == 1)
    assert zoe.values["EHCP"] == "Y"
    assert zoe.values["Parent/Carer Name"] == "Siobhan Byrne"
    assert academic_year_start(dt.date(2024, 10, 1)) == 2024


# --- every address shape, leaving reasons, SEN, ATF (DOMAIN.md section 6) -------------------------

def _pupil(inner: str, n: int = 1) -> str:
    return (f"<Pupil><UPN>J88641232100{n}</UPN><Surname>Ames</Surname><Forename>Bea</Forename>"
            f"<DOB>2009-01-0{n}</DOB>{inner}</Pupil>")


BS_PARTS = ("<SAON>Flat 2</SAON><PAON>14</PAON><Street>High Street</Street><Locality>Bearsted</Locality>"
            "<Town>Maidstone</Town><AdministrativeArea>Kent</AdministrativeArea>")
LINES = ("<AddressLine1>Rose Cottage</AddressLine1><AddressLine2>2 Mill Lane</AddressLine2>"
         "<AddressLine3>Lenham</AddressLine3><AddressLine4>Maidstone</AddressLine4><AddressLine5>Kent</AddressLine5>")


@pytest.mark.parametrize("address", [
    f"<Address><BS7666Address>{BS_PARTS}</BS7666Address><PostCode>ME14 1XX</PostCode></Address>",
    f"<Address>{BS_PARTS}<PostCode>ME14 1XX</PostCode></Address>",  # parts directly under Address
    f"<Address><BS7666Address>{BS_PARTS}<PostCode>ME14 1XX</PostCode></BS7666Address></Address>",
])
def test_bs7666_parts_wherever_they_are(address):
    row = rows(read(ctf(_pupil(address))))[0]
    assert (row["House Name"], row["House No"], row["Street"]) == ("Flat 2", "14", "High Street")
    assert (row["District"], row["Town"], row["County"], row["Post Code"]) == ("Bearsted", "Maidstone", "Kent",
                                                                               "ME14 1XX")


@pytest.mark.parametrize("address", [
    f"<Address><AddressLines>{LINES}</AddressLines><PostCode>ME17 2AA</PostCode></Address>",
    f"<Address>{LINES}<PostCode>ME17 2AA</PostCode></Address>",  # lines directly under Address
])
def test_address_lines_wherever_they_are(address):
    row = rows(read(ctf(_pupil(address))))[0]
    assert (row["House Name"], row["Street"], row["District"]) == ("Rose Cottage", "2 Mill Lane", "Lenham")
    assert (row["Town"], row["County"], row["Post Code"]) == ("Maidstone", "Kent", "ME17 2AA")


def test_an_address_with_parts_and_lines_loses_neither():
    address = ("<Address><BS7666Address><PAON>14</PAON><Street>High Street</Street><Town>Maidstone</Town>"
               "</BS7666Address><AddressLines><AddressLine1>The Annexe</AddressLine1><AddressLine2>High Street"
               "</AddressLine2></AddressLines><PostCode>ME14 1XX</PostCode></Address>")
    row = rows(read(ctf(_pupil(address))))[0]
    assert (row["House No"], row["Street"], row["Town"]) == ("14", "High Street", "Maidstone")
    assert row["District"] == "The Annexe"  # the line the parts did not hold


def test_every_address_shape_fills_the_return_address(tmp_path):
    """Through matching and cleaning: no shape ends as 'Address Line 1 / Town mandatory'."""
    import datetime as dt

    from tracker_desktop.core.preparing.opening import open_return
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.returns.naming import Sender
    from tracker_desktop.core.returns.template import read_template

    history = ("<SchoolHistory><School><LEA>886</LEA><Estab>4123</Estab><EntryDate>2024-10-07</EntryDate>"
               "</School></SchoolHistory><BasicDetails><NCyearActual>11</NCyearActual></BasicDetails>")
    pupils = "".join(_pupil(a + history, n) for n, a in enumerate([
        f"<Address>{BS_PARTS}<PostCode>ME14 1XX</PostCode></Address>",
        f"<Address>{LINES}<PostCode>ME17 2AA</PostCode></Address>"], start=1))
    definition = load_definition("school-joiners")
    prep = Preparation(open_return(definition, read(ctf(pupils)), sender=Sender(school="8864123"),
                                   period=dt.date(2024, 10, 1), as_of=dt.date(2024, 10, 31),
                                   template=read_template(definition.template_path)))
    assert len(prep.learners) == 2
    for learner in prep.learners:
        assert learner.values["Address Line 1"] and learner.values["Town"] == "Maidstone"
    assert not [p for p in prep.problems if p.column in ("Address Line 1", "Town", "Postcode")]


@pytest.mark.parametrize("reason,want", [
    ("8(1)(b)", "Transferred to another school"), ("8(1)(d)", "Elective home education"),
    ("8(1)(e)", "Moved out of area"), ("8(1)(m)", "Permanently excluded"), ("Reg 8(1)(m)", "Permanently excluded"),
    ("9(1)(a)", "Transferred to another school"), ("9 (1) (f)", "Elective home education"),
    ("9(1)(g) - no longer lives a reasonable distance", "Moved out of area"), ("9(1)(o)", "Permanently excluded"),
    ("Ground A - registered at another school", "Transferred to another school"), ("Ground O", "Permanently excluded"),
    ("9(1)(k)", "Other"), ("Moved to another school", "Transferred to another school"),
    ("Home education", "Elective home education"), ("Permanent exclusion", "Permanently excluded"),
    ("Something else entirely", "Something else entirely"),
])
def test_leaving_reasons_are_translated_to_the_template_wording(reason, want):
    pupil = _pupil(f"<SchoolHistory><School><LEA>886</LEA><Estab>4123</Estab><EntryDate>2020-09-03</EntryDate>"
                   f"<LeavingDate>2024-10-18</LeavingDate><LeavingReason>{reason}</LeavingReason></School></SchoolHistory>")
    assert rows(read(ctf(pupil)))[0]["Reason for Leaving"] == want


def test_a_ctf_without_any_sen_data_says_nothing_about_ehcp():
    import datetime as dt

    from tracker_desktop.core.preparing.opening import open_return
    from tracker_desktop.core.preparing.preparation import Preparation
    from tracker_desktop.core.returns.definitions import load_definition
    from tracker_desktop.core.returns.naming import Sender
    from tracker_desktop.core.returns.template import read_template

    table = read(ctf(_pupil("<BasicDetails><NCyearActual>11</NCyearActual></BasicDetails>")))
    assert "SEN Status" not in table.headers
    assert any("no SEN records" in n for n in table.notes)
    definition = load_definition("school-september-guarantee")
    prep = Preparation(open_return(definition, table, sender=Sender(school="8864123"), period=dt.date(2025, 4, 1),
                                   as_of=dt.date(2025, 4, 20), template=read_template(definition.template_path)))
    assert prep.learners[0].values["EHCP"] == ""  # left for the user, not N
    # ...whereas a CTF with SEN records for some pupils reads the others as having none
    with_sen = read(ctf(_pupil("<SENhistory><SEN><SENprovision>E</SENprovision></SEN></SENhistory>", 1)
                        + _pupil("", 2)))
    assert [r["SEN Status"] for r in rows(with_sen)] == ["E", ""]


def test_an_atf_is_recognised_and_explained():
    atf = (b'<?xml version="1.0" encoding="UTF-8"?><ATfile><Header><DocumentName>Admissions Transfer '
           b'File</DocumentName>'
           b"</Header><ATFpupilData><Pupil><Surname>Ames</Surname></Pupil></ATFpupilData></ATfile>")
    assert looks_like_ctf(atf)
    with pytest.raises(CTFError) as caught:
        read(atf, name="offers.xml")
    message = str(caught.value)
    assert "offers.xml" in message and "Admissions Transfer File" in message
    assert "applying for a place" in message and "export the pupils on roll" in message


def test_an_atf_through_the_export_reader_gets_the_atf_message(tmp_path):
    from tracker_desktop.core.reading.exports import read_export

    path = tmp_path / "ATF_886LLLL_887LLLL_001.xml"
    path.write_bytes(b"<?xml version='1.0'?>\n<ATfile><Header/><ATFpupilData/></ATfile>")
    with pytest.raises(UserError, match="Admissions Transfer File"):
        read_export(path)
