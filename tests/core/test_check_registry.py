"""The checks as one registry: every rule declared with its words, the NCCIS code constraints read
from templates/code_rules.json, and duplicates worded with the written workbook's row numbers."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import make_upn
from tracker_desktop.core.checking import cross_rules, problem_list
from tracker_desktop.core.checking.duplicates import Duplicates, check_duplicates
from tracker_desktop.core.checking.problems import RULES, problem, wording
from tracker_desktop.core.checking.registry import CHECKS, CheckContext, check_learner
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.returns.definitions import load_definition, templates_dir

UPN = make_upn("886412324001")
OTHER_UPN = make_upn("886412324002")
HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Telephone,"
          "SEN Status,Admission Date,Telephone\n")


def joiner(upn: str, forename: str) -> str:
    return (f"{upn},Smith,{forename},15/03/2009,F,Year 11,1 High Street,Maidstone,ME14 1XX,Jo Smith,07911 123456,N,"
            "07/10/2024,01622 246602")


# --- every rule is registered with its words ----------------------------------------------------------

def test_every_rule_is_registered_with_its_words_and_a_function():
    assert len(RULES) >= 20
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.severity in ("error", "query"), rule_id
        assert rule.title and rule.message and rule.description and rule.advice, rule_id
        assert rule.stage in ("empty", "value", "row", "rows", "extra"), rule_id
        assert CHECKS.get(rule_id) and all(callable(c.run) for c in CHECKS[rule_id]), f"{rule_id} has no function"
        # the advice in the problem list is the rule's own
        assert problem_list.advice(rule_id) == rule.advice
        # every template words with the data a Problem keeps, leaving no placeholder behind
        worded = wording(problem(0, "Column", rule_id, "value", "detail", others=(1,), more=2), lambda i: i + 5)
        assert worded and not re.search(r"\{\w*\}", worded), rule_id


def test_the_tep_and_filled_return_rules_are_registered_extra_rules_not_overrides():
    from tracker_desktop.core.checking import filled, variant_rules
    from tracker_desktop.core.preparing.tep import TepPreparation

    assert RULES["not-matched"].stage == RULES["written-differently"].stage == "extra"
    assert [c.run for c in CHECKS["not-matched"]] == [variant_rules.not_matched]
    assert [c.run for c in CHECKS["written-differently"]] == [filled.written_differently]
    assert "_check_row" not in vars(TepPreparation)


# --- the code constraints are data ------------------------------------------------------------------------

def _ctx(return_id="school-leavers"):
    d = load_definition(return_id)
    return CheckContext(d, frozenset(h for h, m in d.columns if m), dt.date(2024, 10, 31), 2024, {})


def _leaver(**over):
    values = {
        "UPN": UPN, "Legal Surname": "Smith", "Legal Forename": "Jo", "Date of Birth": "01/02/2009", "Gender": "F",
        "NC Year": "11", "Address Line 1": "12 High Street", "Town": "Maidstone", "Postcode": "ME15 6AA",
        "Home Telephone": "01622 123456", "Young Person Mobile": "07911 123456", "Parent/Carer Name": "Ann Smith",
        "Parent/Carer Telephone": "07911 123457", "Email": "ann.smith@example.org", "EHCP": "N",
        "Date of Leaving": "10/10/2024", "Reason for Leaving": "Other", "Destination": "150",
        "Destination Establishment or Employer": "",
    }
    values.update(over)
    return values


def _found(values):
    c = _ctx()
    return {(p.column, p.rule, p.detail) for p in check_learner(c, 0, values, [h for h, _ in c.definition.columns])}


@pytest.fixture
def code_rules_file(tmp_path, monkeypatch):
    """A copy of the shipped templates whose code_rules.json a test may change."""
    copy = tmp_path / "templates"
    shutil.copytree(templates_dir(), copy)
    monkeypatch.setattr("tracker_desktop.core.checking.cross_rules.templates_dir", lambda: copy)
    cross_rules.code_rules.cache_clear()
    yield copy / "code_rules.json"
    cross_rules.code_rules.cache_clear()


def _rewrite(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["code_rules"])
    path.write_text(json.dumps(data), encoding="utf-8")
    cross_rules.code_rules.cache_clear()


def test_the_code_constraints_come_from_code_rules_json(code_rules_file):
    year_11_on_150 = _leaver()
    boy_on_650 = _leaver(Destination="650", Gender="M", **{"NC Year": "12", "Date of Birth": "01/02/2008"})
    assert _found(year_11_on_150) == set()
    assert ("Destination", "code-not-allowed", "650 (pregnancy) cannot go with gender M") in _found(boy_on_650)

    def change(rules):
        for rule in rules:
            if rule.get("codes") == ["110-150"]:
                rule["needs"] = {"NC Year": {"at_most": 10}}
                rule["because"] = "codes 110-150 are only for Year 10 and below"
        rules[:] = [r for r in rules if r.get("codes") != ["650"]]

    _rewrite(code_rules_file, change)
    now = "codes 110-150 are only for Year 10 and below"
    assert _found(year_11_on_150) == {("Destination", "code-not-allowed", now)}
    assert not {f for f in _found(boy_on_650) if f[1] == "code-not-allowed"}


def test_a_misspelt_code_rule_is_refused_naming_it(code_rules_file):
    _rewrite(code_rules_file, lambda rules: rules[0].update({"neeeds": rules[0]["needs"]}))
    with pytest.raises(UserError, match="code_rules.json, code rule 1.*neeeds"):
        cross_rules.code_rules()
    def misspelt_field(rules):
        rules[0].pop("neeeds")
        rules[0]["needs"] = {"NC Yaer": {"at_most": 11}}

    _rewrite(code_rules_file, misspelt_field)
    with pytest.raises(UserError, match="NC Yaer"):
        cross_rules.code_rules()


def test_every_shipped_code_rule_reads():
    constraints = cross_rules.code_rules()
    assert {c.columns for c in constraints} == {"activity", "guarantee"}
    assert len(constraints) == len(json.loads((templates_dir() / "code_rules.json").read_text())["code_rules"])


# --- duplicates, worded with the written workbook's rows ---------------------------------------------------

def _template_with_title_rows(tmp_path: Path) -> Path:
    """KCC's joiners template as some schools receive it: a title and notes above the headers, on row 4."""
    definition = load_definition("school-joiners")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Joiners"
    ws["A1"] = "Kent County Council - tracking young people"
    ws["A2"] = "School joiners return: one line per learner"
    for c, (header, _) in enumerate(definition.columns, start=1):
        ws.cell(4, c, header)
    path = tmp_path / "joiners with titles.xlsx"
    book.save(path)
    return path


def test_duplicate_messages_name_the_rows_of_a_template_whose_header_is_on_row_4(tmp_path):
    export = tmp_path / "roll.csv"
    export.write_text(HEADER + "\n".join([joiner(UPN, "Amy"), joiner(OTHER_UPN, "Ben"), joiner(UPN, "Cy"),
                                          joiner(UPN, "Di")]) + "\n", encoding="utf-8")
    prep = Preparation.start("school-joiners", export, school="8864123", period="2024-10", as_of="2024-10-31",
                             template=_template_with_title_rows(tmp_path))
    assert prep.template.header_row == 4
    duplicates = {p.row: p.message for p in prep.problems if p.rule == "duplicate-learner"}
    assert sorted(duplicates) == [0, 2, 3]
    assert "also rows 7 and 8 of the return" in duplicates[0]
    assert "also rows 5 and 8 of the return" in duplicates[2]

    # The rows named are where the written workbook has this UPN.
    saved = prep.save(tmp_path / "out")
    ws = openpyxl.load_workbook(saved, read_only=True).worksheets[0]
    cells = {r: row for r, row in enumerate(ws.iter_rows(values_only=True), start=1)}
    upn_at = list(cells[4]).index("UPN")
    for message in duplicates.values():
        listed = re.search(r"also rows? ([\d, and]+) of", message).group(1)
        named = [int(n) for n in listed.replace("and", ",").split(",") if n.strip()]
        assert named and all(cells[r][upn_at] == UPN for r in named), message
    # The problem list and the report give the learner's own row the same way.
    rows = problem_list.problem_rows(prep)
    assert {r[0] for r in rows if "rows" in r[6] and UPN in r[6]} == {"5", "7", "8"}
    assert {p["row"] for p in prep.report(None)["problems"] if p["rule"] == "duplicate-learner"} == {5, 7, 8}


def test_a_placeholder_upn_on_20000_rows_gives_one_short_message_per_row():
    placeholders = [make_upn(f"88641232{n:04d}") for n in range(5)]
    values = [placeholders[i % 5] for i in range(20_000)]  # five groups of 4,000
    found = check_duplicates("UPN", values, row_of=lambda i: i + 2)
    assert len(found) == 20_000
    assert all(len(p.others) <= 3 for p in found)
    messages = [p.message for p in found]
    assert max(len(m) for m in messages) < 250
    assert sum(len(m) for m in messages) < 20_000 * 250  # was 518 million characters
    assert "is on 4,000 rows (also rows 7, 12, 17 and 3,996 more of the return)" in messages[0]


def test_an_identifier_edit_rewords_only_the_groups_it_leaves_and_joins():
    values = ["A"] * 5 + ["B"] * 4 + ["C"] * 3
    dups = Duplicates("UPN", values, row_of=lambda i: i + 2)
    untouched = dups.at(11)
    changed = dups.move(0, "B")
    assert changed == set(range(0, 9))  # groups A and B; C is not looked at
    assert dups.at(11) is untouched
    assert "is on 5 rows" in dups.at(0).message and "is on 4 rows" in dups.at(1).message
    assert dups.move(0, "b ") == set()  # the same identifier written differently: nothing moves
    dups.move(1, "unique")
    assert dups.at(1) is None
    assert sorted(p.row for p in dups.problems()) == [0, *range(2, 12)]
    assert sorted(p.row for p in dups.problems()) == sorted(p.row for p in check_duplicates("UPN", _now(values)))


def _now(values):
    out = list(values)
    out[0], out[1] = "B", "unique"
    return out


def test_a_upn_edit_in_the_preparation_keeps_other_groups_problems(tmp_path):
    third = make_upn("886412324003")
    export = tmp_path / "roll.csv"
    export.write_text(HEADER + "\n".join([joiner(UPN, "Amy"), joiner(UPN, "Ben"), joiner(OTHER_UPN, "Cy"),
                                          joiner(OTHER_UPN, "Di")]) + "\n", encoding="utf-8")
    prep = Preparation.start("school-joiners", export, school="8864123", period="2024-10", as_of="2024-10-31")
    kept = [p for p in prep.problems_at(2) if p.rule == "duplicate-learner"]
    prep.set_value(0, "UPN", third)
    assert not [p for p in prep.problems_at(0) + prep.problems_at(1) if p.rule == "duplicate-learner"]
    assert [p for p in prep.problems_at(2) if p.rule == "duplicate-learner"][0] is kept[0]
    prep.set_value(2, "UPN", UPN)
    assert "also row 3 of the return" in [p for p in prep.problems_at(2) if p.rule == "duplicate-learner"][0].message
