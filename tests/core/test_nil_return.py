"""A nil return is decided and named once: the command line, the app's decision and the roll
comparison give the same answer for the same return."""
from __future__ import annotations

from email import message_from_bytes, policy

from tests.conftest import make_upn
from tracker_desktop.commands import main
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.routine import nil_return

HEADER = "UPN,Surname,Forename,DOB,Gender,Year,Admission Date,Leaving Date\n"
YEAR_8 = f"{make_upn('886412324001')},Smith,Amy,15/03/2012,F,Year 8,04/09/2023,\n"


def export(tmp_path, rows=(YEAR_8,)):
    path = tmp_path / "roll.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_a_yearly_return_with_nobody_in_scope_is_a_nil_return_from_the_cli_and_the_app(tmp_path, capsys):
    roll = export(tmp_path)
    prep = Preparation.start("school-post16-enrolment", roll, school="8864123", period="2024-09", as_of="2024-09-13")
    assert not prep.learners and prep.left_out
    assert nil_return.is_nil_return(prep), "what the app asks before offering the nil-return e-mail"
    assert nil_return.draft_name(prep) == "8864123SchoolPost16Enrolment2024-25 nil return.eml"
    assert nil_return.period_label(prep) == "2024-25"

    out = tmp_path / "out"
    code = main(["prepare", "school-post16-enrolment", str(roll), "--school", "8864123", "--period", "2024-09",
                 "--as-of", "2024-09-13", "--out", str(out)])
    assert code == 0, capsys.readouterr()
    written = [p.name for p in out.iterdir()]
    assert written == [nil_return.draft_name(prep)], "the CLI writes the same draft, no workbook"
    message = message_from_bytes((out / nil_return.draft_name(prep)).read_bytes(), policy=policy.default)
    assert message["To"] == "MICorePlus@kent.gov.uk" and "2024-25" in message.get_body(("plain",)).get_content()


def test_a_monthly_nil_return_has_one_name_from_prepare_compare_rolls_and_the_app(tmp_path, capsys):
    roll = export(tmp_path)
    prep = Preparation.start("school-leavers", roll, school="8864123", period="2024-10", as_of="2024-10-31")
    assert nil_return.is_nil_return(prep)
    name = nil_return.draft_name(prep)
    assert name == "8864123SchoolLeaversOct nil return.eml"

    by_prepare, by_rolls = tmp_path / "prepare", tmp_path / "rolls"
    assert main(["prepare", "school-leavers", str(roll), "--school", "8864123", "--period", "2024-10",
                 "--as-of", "2024-10-31", "--out", str(by_prepare)]) == 0
    assert main(["compare-rolls", str(roll), str(roll), "--school", "8864123", "--period", "2024-10",
                 "--as-of", "2024-10-31", "--out", str(by_rolls)]) == 0
    capsys.readouterr()
    assert (by_prepare / name).exists()
    assert (by_rolls / name).exists(), "the roll comparison names its nil draft the same way"
    for folder in (by_prepare, by_rolls):
        message = message_from_bytes((folder / name).read_bytes(), policy=policy.default)
        body = message.get_body(("plain",)).get_content()
        assert "October 2024" in body


def test_no_nil_return_when_learners_are_on_it_or_the_deciding_column_is_missing(tmp_path):
    in_month = f"{make_upn('886412324002')},Jones,Ben,15/03/2009,M,Year 11,07/10/2024,\n"
    prep = Preparation.start("school-joiners", export(tmp_path, [YEAR_8, in_month]), school="8864123",
                             period="2024-10", as_of="2024-10-31")
    assert prep.learners and not nil_return.is_nil_return(prep)
    no_date = tmp_path / "no_date.csv"
    no_date.write_text("UPN,Surname,Forename,Year\n" + f"{make_upn('886412324003')},Lee,Cy,Year 11\n", encoding="utf-8")
    blocked = Preparation.start("school-joiners", no_date, school="8864123", period="2024-10", as_of="2024-10-31")
    assert blocked.blocking and not blocked.learners
    assert not nil_return.is_nil_return(blocked), "a missing column is something to match, not a nil return"
    assert not nil_return.is_nil_return(None)
