"""Opening a return (preparing/opening.py), and the decisions it makes once for every variant:
how sure a column match is, using a remembered matching, reading a SEN column."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from tests.conftest import make_upn
from tracker_desktop.core.matching import remembered
from tracker_desktop.core.matching.certainty import certainty, is_certain, needs_review, to_check
from tracker_desktop.core.matching.mapping import Source, propose_mapping
from tracker_desktop.core.preparing.opening import open_return
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.reading.table import Table
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.template import read_template
from tracker_desktop.core.values.cleaning import as_read, clean_read

HEADER = "UPN,Surname,Forename,DOB,Gender,Year,SEN Status,Admission Date\n"
ROW = f"{make_upn('886412324001')},Smith,Amy,15/03/2009,F,Year 11,E,07/10/2024\n"


def roll(tmp_path, header=HEADER, rows=(ROW,)):
    path = tmp_path / "roll.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def test_the_template_given_is_not_changed(tmp_path):
    definition = load_definition("school-joiners")
    read = read_template(definition.template_path)
    plain = dataclasses.replace(read, columns=[dataclasses.replace(c, mandatory=False) for c in read.columns])
    prep = Preparation(open_return(definition, roll(tmp_path), school="8864123", period="2024-10", as_of="2024-10-31",
                                   template=plain))
    assert not plain.mandatory, "the caller's template keeps its (lost) highlights"
    assert set(prep.template.mandatory) == set(read.mandatory), "the definition says which columns are mandatory"
    assert {p.column for p in prep.problems if p.rule == "mandatory-missing"} >= {"Postcode", "Town"}, "and checks them"


def test_open_return_reads_what_it_is_not_given_and_defaults_the_period(tmp_path):
    opening = open_return("school-joiners", roll(tmp_path), school="8864123", as_of=dt.date(2024, 11, 5))
    assert opening.month == dt.date(2024, 10, 1), "early November: October's joiners (status.default_period)"
    assert opening.sender.code == "8864123" and opening.template.headers and opening.table.rows
    assert opening.mapping["Legal Surname"].columns == ("Surname",) and not opening.remembered


def test_a_remembered_matching_is_used_where_it_fits_and_merged_with_new_columns(tmp_path):
    path = roll(tmp_path)
    definition = load_definition("school-joiners")
    proposal = open_return(definition, path, school="8864123", period="2024-10").mapping
    # The user said Forename is not in the export; a newer template's column (here: Gender) is not remembered.
    chosen = {k: v for k, v in proposal.items() if k != "Gender"} | {"Legal Forename": None}
    opening = open_return(definition, path, school="8864123", period="2024-10", remembered=chosen)
    assert opening.remembered
    assert opening.mapping["Legal Forename"] is None, "the user's 'not in the export' stands"
    assert opening.mapping["Gender"] == proposal["Gender"], "a column it says nothing about is matched afresh"
    # An export whose columns were renamed: the remembered matching no longer fits, so it is not used.
    renamed = roll(tmp_path, HEADER.replace("Surname", "Last Name"))
    again = open_return(definition, renamed, school="8864123", period="2024-10", remembered=chosen)
    assert not again.remembered and again.mapping["Legal Forename"] is not None


def test_remembered_fits_and_merge():
    table = Table(source=Path("roll.csv"), headers=["A", "B"], rows=[], source_rows=[])
    assert remembered.fits({"x": Source(("A",)), "y": None}, table)
    assert not remembered.fits({"x": Source(("A", "C"), how="join")}, table)
    merged = remembered.merge({"x": None}, {"x": Source(("A",)), "y": Source(("B",))}, ["x", "y", "z"])
    assert merged == {"x": None, "y": Source(("B",)), "z": None}


def test_certainty_words_and_what_to_check():
    # One scale (certainty.SURE = 90) for export matches and template headers: a match the
    # report calls "sure" is "Certain" on the matching screen, and not one to check.
    assert certainty(None) == "No match"
    assert certainty(Source(("A",), score=100)) == certainty(Source(("A",), score=90)) == "Certain"
    assert certainty(Source(("A",), score=89)) == certainty(Source(("A",), score=85)) == "Likely - check"
    assert certainty(Source(("A",), score=70)) == "Unsure - check"
    assert is_certain(Source(("A",), score=90)) and not is_certain(Source(("A",), score=89)) and not is_certain(None)
    assert to_check(None, mandatory=True) and not to_check(None, mandatory=False)
    assert to_check(Source(("A",), score=89), mandatory=False)
    assert not to_check(Source(("A",), score=90), mandatory=False)


def test_the_report_and_the_matching_screen_agree_on_how_sure():
    from tracker_desktop.core.matching.certainty import sureness

    for score in range(0, 101):
        source = Source(("A",), score=score)
        assert (sureness(score) == "sure") == is_certain(source) == (certainty(source) == "Certain"), score
        assert (sureness(score) == "none") == (score < 60), score


def test_put_together_and_spelling_alike_matches_are_always_checked(tmp_path):
    """An address composed from parts, a SEN status read as the EHCP, a combined name split, a
    fuzzy match: used, but never called certain."""
    from tracker_desktop.core.matching.mapping import propose_mapping
    from tracker_desktop.core.reading.table import Table

    definition = load_definition("school-joiners")
    table = Table(Path("roll.csv"), ["UPN", "Name", "House Number", "Street", "Town", "SEN Status", "Gendr"], [], [])
    mapping = propose_mapping(table, definition, [h for h, _ in definition.columns])
    composed = {t: s for t, s in mapping.items() if s is not None and (s.how != "value" or len(s.columns) > 1)}
    assert {s.how for s in composed.values()} >= {"address", "sen", "surname", "forename"}, composed
    assert all(to_check(s, mandatory=True) for s in composed.values())
    assert mapping["Gender"] is not None and to_check(mapping["Gender"], mandatory=True), "a fuzzy match is checked"
    assert is_certain(mapping["UPN"])


def test_needs_review_for_a_return_and_for_a_tep_sheet():
    joiners = load_definition("school-joiners")
    sure, fuzzy = Source(("A",)), Source(("A",), score=88)
    assert not needs_review(joiners, {"UPN": sure, "Gender": fuzzy}, ["UPN"])
    assert needs_review(joiners, {"UPN": sure, "Gender": fuzzy}, ["UPN", "Gender"])
    assert needs_review(joiners, {"UPN": sure}, ["UPN", "Gender"]), "a mandatory column with no match"
    tep = load_definition("tep-leaver-destinations")
    fills = {"Destination Activity Code": sure, "Date Ascertained": sure}
    mandatory = ["UPN", "Destination Activity Code", "Date Ascertained"]
    assert not needs_review(tep, {"UPN": sure, **fills}, mandatory)
    names = {"Legal Surname": sure, "Legal Forename": sure, "Date of Birth": sure}
    assert not needs_review(tep, {**names, **fills}, mandatory)
    del names["Legal Forename"]
    assert needs_review(tep, {**names, **fills}, mandatory), "no way to match TEP's rows"
    assert needs_review(tep, {"UPN": sure, "Destination Activity Code": fuzzy, "Date Ascertained": sure}, mandatory)


def test_a_sen_status_column_is_read_as_the_ehcp(tmp_path):
    ehcp = load_definition("school-joiners").meaning("EHCP")
    assert as_read("E", "sen") == "Y" and as_read("K - SEN Support", "sen") == "N" and as_read("E") == "E"
    assert clean_read(ehcp, "e", "sen") == "Y" and clean_read(ehcp, "N", "sen") == "N"
    prep = Preparation.start("school-joiners", roll(tmp_path), school="8864123", period="2024-10", as_of="2024-10-31")
    assert prep.mapping["EHCP"].how == "sen"
    [learner] = prep.learners
    assert learner.values["EHCP"] == "Y" and learner.fixes["EHCP"].before == "E", "the SEN status it replaced is shown"
    assert propose_mapping(prep.table, prep.definition, prep.columns)["EHCP"].how == "sen"
