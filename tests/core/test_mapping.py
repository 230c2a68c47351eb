"""Matching export columns to template columns (DOMAIN.md section 6): synonyms, fuzzy names,
composed addresses, contact names and EHCP, and saved matchings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.matching.mapping import (
    RowReader,
    Source,
    address_lines,
    load_mapping,
    mapping_from_json,
    mapping_to_json,
    propose_mapping,
    save_mapping,
    split_block,
)
from tracker_desktop.core.reading.table import Table

LEAVERS = load_definition("school-leavers")
HEADERS = [h for h, _ in LEAVERS.columns]


def mapping_for(headers, definition=LEAVERS, template_headers=None):
    table = Table(Path("roll.csv"), list(headers), [], [])
    return propose_mapping(table, definition, template_headers or [h for h, _ in definition.columns])


def source_of(headers, target, **kw):
    found = mapping_for(headers, **kw)[target]
    return found.columns if found else None


def values_for(headers, row, definition=LEAVERS):
    table = Table(Path("roll.csv"), list(headers), [row], [2])
    mapping = propose_mapping(table, definition, [h for h, _ in definition.columns])
    return RowReader(table, mapping).values(row)


@pytest.mark.parametrize("target,header", [
    ("Legal Surname", "Surname"), ("Legal Surname", "Last Name"), ("Legal Forename", "First Name"),
    ("Legal Forename", "Forename"), ("Date of Birth", "DOB"), ("NC Year", "Year"), ("NC Year", "Year Group"),
    ("NC Year", "NC Year Actual"), ("NC Year", "Curriculum Year"), ("Postcode", "Post Code"),
    ("Date of Leaving", "Leaving Date"), ("Date of Leaving", "Exit Date"), ("Reason for Leaving", "Leaving Reason"),
    ("Destination Establishment or Employer", "Destination Provider"), ("Young Person Mobile", "Pupil Mobile"),
    ("Young Person Mobile", "Student Mobile"), ("Home Telephone", "Home Phone"), ("Email", "Contact Email"),
    ("Parent/Carer Name", "Primary Contact"), ("Parent/Carer Name", "Priority 1 Contact"),
    ("Parent/Carer Telephone", "Contact 1 Telephone"), ("Gender", "Sex"),
])
def test_synonyms(target, header):
    assert source_of(["UPN", "Adno", "Reg", header], target) == (header,)


@pytest.mark.parametrize("target,header", [
    ("Legal Surname", "Surname "), ("Legal Surname", "SURNAME"), ("Date of Birth", "Date Of Birth"),
    ("Date of Birth", "Date_of_Birth"), ("Postcode", "Post-Code"), ("Date of Birth", "D.O.B."),
])
def test_spacing_case_and_punctuation_do_not_matter(target, header):
    assert source_of(["UPN", header], target) == (header,)


@pytest.mark.parametrize("target,header", [
    ("Legal Surname", "Legal Surnme"), ("Date of Birth", "Date of Brith"), ("Gender", "Gendr"),
    ("Legal Forename", "Legal Forname"), ("Parent/Carer Telephone", "Primary Contact Telephon"),
])
def test_fuzzy_matching_of_misspelt_headers(target, header):
    mapping = mapping_for(["UPN", header])
    assert mapping[target].columns == (header,)
    assert mapping[target].score < 100  # shown to the user as a less certain match


def test_fuzzy_does_not_match_unrelated_columns():
    mapping = mapping_for(["UPN", "Reg", "Adno", "House Colour", "Ethnicity"])
    assert all(mapping[t] is None for t in ("Legal Surname", "Date of Birth", "Postcode", "Gender"))


def test_one_export_column_feeds_one_target():
    mapping = mapping_for(["UPN", "Telephone", "Mobile"])
    used = [s.columns for s in mapping.values() if s and s.how == "value"]
    assert len(used) == len(set(used))
    assert mapping["Home Telephone"].columns == ("Telephone",)
    assert mapping["Young Person Mobile"].columns == ("Mobile",)


def test_start_date_depends_on_the_return():
    joiners = load_definition("school-joiners")
    enrol = load_definition("school-post16-enrolment")
    assert source_of(["UPN", "Start Date"], "Date of Joining", definition=joiners) == ("Start Date",)
    assert source_of(["UPN", "Start Date"], "Start Date", definition=enrol) == ("Start Date",)


def test_scope_fields_outside_the_template_are_mapped():
    enrol = load_definition("school-post16-enrolment")
    mapping = mapping_for(["UPN", "Leaving Date"], definition=enrol)
    assert "Date of Leaving" not in [h for h, _ in enrol.columns]
    assert mapping["Date of Leaving"].columns == ("Leaving Date",)


# --- composed fields ----------------------------------------------------------------------------------

SPLIT = ["UPN", "House Name", "House No", "Street", "District", "Town", "County", "Post Code"]


def test_split_address_number_and_street_together():
    v = values_for(SPLIT, ["A1", "", "12", "High Street", "", "Maidstone", "Kent", "ME15 6AA"])
    assert (v["Address Line 1"], v["Address Line 2"], v["Address Line 3"]) == ("12 High Street", "", "")
    assert v["Town"] == "Maidstone" and v["County"] == "Kent"


def test_split_address_every_part_in_order():
    v = values_for(SPLIT, ["A1", "Rose Cottage", "12a", "High Street", "Loose", "Maidstone", "Kent", "ME15 6AA"])
    assert (v["Address Line 1"], v["Address Line 2"], v["Address Line 3"]) == ("Rose Cottage", "12a High Street", "Loose")


def test_more_parts_than_lines_loses_nothing():
    headers = ["UPN", "Flat", "House Name", "House No", "Street", "District", "Town"]
    v = values_for(headers, ["A1", "Flat 2", "Rose Court", "12", "High Street", "Loose", "Maidstone"])
    lines = [v["Address Line 1"], v["Address Line 2"], v["Address Line 3"]]
    joined = " | ".join(lines)
    for part in ("Flat 2", "Rose Court", "12 High Street", "Loose"):
        assert part in joined
    assert lines[0] == "Flat 2"


def test_address_lines_helper():
    assert address_lines(["", "12", "High Street", ""]) == ["12 High Street"]
    assert address_lines(["Rose Cottage", "", "Lane End", "Loose"]) == ["Rose Cottage", "Lane End", "Loose"]
    assert address_lines(["", "12-14", "High Street", ""]) == ["12-14 High Street"]


def test_address_block_multiline():
    headers = ["UPN", "Address Block"]
    v = values_for(headers, ["A1", "Flat 2\nRose Cottage\n12\nHigh Street\nMaidstone\nKent\nME15 6AA"])
    assert v["Address Line 1"] == "Flat 2"
    assert v["Address Line 2"] == "Rose Cottage"
    assert v["Address Line 3"] == "12 High Street"
    assert (v["Town"], v["County"], v["Postcode"]) == ("Maidstone", "Kent", "ME15 6AA")


def test_address_block_on_one_line_with_commas():
    v = values_for(["UPN", "Address"], ["A1", "1 High St, Tonbridge, TN9 1AA"])
    assert (v["Address Line 1"], v["Town"], v["Postcode"]) == ("1 High St", "Tonbridge", "TN9 1AA")


def test_split_block():
    lines, town, county, postcode = split_block("12\r\nHigh Street\r\nLoose\r\nMaidstone\r\nME15 6AA")
    assert lines == ["12 High Street", "Loose"]
    assert (town, county, postcode) == ("Maidstone", "", "ME15 6AA")


def test_parent_name_from_forename_and_surname():
    headers = ["UPN", "Primary Contact Forename", "Primary Contact Surname"]
    mapping = mapping_for(headers)
    assert mapping["Parent/Carer Name"].how == "join"
    v = values_for(headers, ["A1", " Ann ", "Smith"])
    assert v["Parent/Carer Name"] == "Ann Smith"


def test_parent_name_column_wins_over_split_names():
    headers = ["UPN", "Primary Contact Name", "Contact Forename", "Contact Surname"]
    assert source_of(headers, "Parent/Carer Name") == ("Primary Contact Name",)


def test_ehcp_from_sen_status_through_preparation(tmp_path):
    from tests.conftest import make_upn
    from tracker_desktop.core.preparing.preparation import Preparation

    rows = [("E", "Y"), ("K", "N"), ("N", "N"), ("", "N")]
    body = "UPN,Surname,Year,SEN Status\n" + "".join(f"{make_upn(f'88641230800{i}')},S,11,{sen}\n" for i, (sen, _) in enumerate(rows))
    path = tmp_path / "roll.csv"
    path.write_text(body)
    prep = Preparation.start("school-intended-destinations", path, school="8864123", period="2024-10", as_of="2024-10-31")
    assert prep.mapping["EHCP"].how == "sen"
    assert [l.values["EHCP"] for l in prep.learners] == [want for _, want in rows]
    assert prep.learners[0].fixes["EHCP"].before == "E"


def test_ehcp_column_wins_over_sen_status():
    assert source_of(["UPN", "EHCP", "SEN Status"], "EHCP") == ("EHCP",)


# --- saved mappings ------------------------------------------------------------------------------------

def test_mapping_json_round_trip():
    mapping = mapping_for(SPLIT + ["Surname", "SEN Status", "Contact Forename", "Contact Surname", "Legal Surnme"])
    again = mapping_from_json(json.loads(json.dumps(mapping_to_json(mapping))))
    assert again == mapping


def test_save_and_load_mapping(tmp_path):
    mapping = mapping_for(SPLIT + ["Surname", "SEN Status"])
    path = tmp_path / "settings" / "mapping.json"
    save_mapping(mapping, path)
    assert load_mapping(path) == mapping
    assert not [p for p in path.parent.iterdir() if p.name != "mapping.json"]  # no temporary file left
    save_mapping({"UPN": Source(("Pupil UPN",))}, path)  # saving again replaces it
    assert load_mapping(path) == {"UPN": Source(("Pupil UPN",))}


def test_mapping_from_json_accepts_plain_names():
    assert mapping_from_json({"UPN": "Pupil UPN", "Email": None}) == {"UPN": Source(("Pupil UPN",)), "Email": None}


def test_load_damaged_or_missing_mapping(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(UserError):
        load_mapping(bad)
    with pytest.raises(UserError):
        load_mapping(tmp_path / "missing.json")
    odd = tmp_path / "odd.json"
    odd.write_text('{"UPN": {"nothing": 1}}')
    with pytest.raises(UserError):
        load_mapping(odd)


def test_saved_mapping_naming_absent_columns_is_a_user_error():
    table = Table(Path("roll.csv"), ["UPN", "Surname"], [["A1", "Smith"]], [2])
    with pytest.raises(UserError) as e:
        RowReader(table, {"UPN": Source(("UPN",)), "Legal Surname": Source(("Family Name",))})
    assert "Family Name" in str(e.value) and "roll.csv" in str(e.value)


def test_saved_mapping_used_by_preparation(tmp_path):
    from tests.conftest import make_upn
    from tracker_desktop.core.preparing.preparation import Preparation

    path = tmp_path / "roll.csv"
    path.write_text(f"UPN,Surname,Name2,Year\n{make_upn('886412308001')},Smith,Jo,11\n")
    saved = {"UPN": Source(("UPN",)), "Legal Surname": Source(("Surname",)), "Legal Forename": Source(("Name2",)),
             "NC Year": Source(("Year",))}
    prep = Preparation.start("school-intended-destinations", path, school="8864123", period="2024-10",
                             as_of="2024-10-31", mapping=saved)
    assert prep.learners[0].values["Legal Forename"] == "Jo"
    assert prep.mapping == saved


@pytest.mark.parametrize("header,wrong_target", [
    ("Primary contact mobile", "Email"),          # close to 'Primary Contact Email', but another word
    ("Primary Contact Fax", "Parent/Carer Telephone"),
    ("Contact 2 Telephone", "Parent/Carer Telephone"),
    ("Date of Admission Letter", "Date of Joining"),
])
def test_fuzzy_never_swaps_a_word(header, wrong_target):
    joiners = load_definition("school-joiners")
    mapping = mapping_for(["UPN", header], definition=joiners)
    assert mapping[wrong_target] is None or mapping[wrong_target].columns != (header,)


def test_address_block_with_postcode_on_the_town_line():
    from tracker_desktop.core.matching.mapping import split_block

    lines, town, county, postcode = split_block("5 The Street, Wye, Ashford, Kent TN25 5AA")
    assert postcode == "TN25 5AA"
    assert county == "Kent" and town == "Ashford"
    assert lines == ["5 The Street", "Wye"]


def test_a_bare_flat_number_is_written_as_flat_n_before_the_street():
    from tracker_desktop.core.matching.mapping import RowReader, propose_mapping

    table = Table(source=Path("roll.csv"), headers=["UPN", "Flat", "House No", "Street", "Town"],
                  rows=[["X", "3", "12", "High Street", "Ashford"]], source_rows=[2])
    d = load_definition("school-joiners")
    from tracker_desktop.core.returns.template import read_template

    mapping = propose_mapping(table, d, read_template(d.template_path).headers)
    values = RowReader(table, mapping).values(table.rows[0])
    assert values["Address Line 1"] == "Flat 3"
    assert values["Address Line 2"] == "12 High Street"


def test_a_saved_matching_with_a_split_name_column_reads_back(tmp_path):
    """A combined 'Name' split into surname and forename is a matching like any other: saved
    and given back with --mapping, it is not called damaged."""
    split = {"Legal Surname": Source(("Name",), how="surname", score=88),
             "Legal Forename": Source(("Name",), how="forename", score=88), "UPN": Source(("UPN",)), "Gender": None}
    path = tmp_path / "matching.json"
    save_mapping(split, path)
    assert load_mapping(path) == split
