"""Joiners and leavers from two whole-school rolls, other changes listed apart."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import SAMPLES, make_upn
from tracker_desktop.commands import main
from tracker_desktop.core.errors import UserError
from tracker_desktop.core.reading.exports import read_export
from tracker_desktop.core.routine.rolls import compare_rolls

HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,House No,Street,Town,Post Code,Home Telephone,"
          "Primary Contact Name,Primary Contact Telephone,SEN Status,Admission Date,Leaving Date,Reason for "
          "Leaving,Destination")

UPNS = [make_upn(f"88641232{n:04d}") for n in range(1, 12)]


def pupil(n: int, surname: str = "Smith", forename: str | None = None, dob: str = "15/03/2009", year: str = "11",
          street: str = "High Street", phone: str = "01622 246602", admitted: str = "04/09/2020", left: str = "",
          reason: str = "", destination: str = "", upn: str | None = None) -> str:
    upn = UPNS[n] if upn is None else upn
    forename = forename or f"Pupil{chr(65 + n)}"
    return (f"{upn},{surname},{forename},{dob},F,Year {year},{n + 1},{street},Maidstone,ME14 1XX,{phone},"
            f"Jo Parent,07911 123456,N,{admitted},{left},{reason},{destination}")


def roll(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def tables(tmp_path, old_rows, new_rows):
    return (read_export(roll(tmp_path, "old.csv", old_rows)), read_export(roll(tmp_path, "new.csv", new_rows)))


def compare(tmp_path, old_rows, new_rows, period="2024-10"):
    old, new = tables(tmp_path, old_rows, new_rows)
    return compare_rolls(old, new, period)


def test_same_roll_has_no_movers_and_no_changes(tmp_path):
    rows = [pupil(0), pupil(1), pupil(2)]
    result = compare(tmp_path, rows, rows)
    assert result.joiners == [] and result.leavers == [] and result.changes == []
    assert result.matched_by_identity == 3


def test_joiner_and_leaver_by_upn(tmp_path):
    result = compare(tmp_path, [pupil(0), pupil(1)], [pupil(0), pupil(2, admitted="07/10/2024")])
    assert [(m.pupil.roll, m.pupil.source_row, m.status) for m in result.joiners] == [("new", 3, "in-month")]
    assert [(m.pupil.roll, m.pupil.source_row, m.status) for m in result.leavers] == [("old", 3, "no-date")]
    assert result.joiners[0].date.isoformat() == "2024-10-07"


def test_changed_surname_with_upn_is_a_change_not_a_leaver_and_joiner(tmp_path):
    result = compare(tmp_path, [pupil(0, surname="Smith"), pupil(1)], [pupil(0, surname="Jones"), pupil(1)])
    assert result.joiners == [] and result.leavers == []
    assert [(c.field, c.before, c.after) for c in result.changes] == [("Legal Surname", "Smith", "Jones")]
    assert result.matched_by_identity == 2


def test_changed_surname_without_upn_is_a_leaver_and_joiner_flagged_as_possibly_the_same(tmp_path):
    result = compare(tmp_path, [pupil(0, surname="Smith", upn=""), pupil(1, upn="")],
                     [pupil(0, surname="Jones", upn="", admitted="04/09/2020"), pupil(1, upn="")])
    assert result.matched_by_name == 1
    assert len(result.joiners) == 1 and len(result.leavers) == 1
    assert [(o.source_row, n.source_row) for o, n in result.possible_same] == [(2, 2)]


def test_no_upn_falls_back_to_name_and_date_of_birth(tmp_path):
    result = compare(tmp_path, [pupil(0, upn=""), pupil(1, upn="")],
                     [pupil(1, upn=""), pupil(0, upn="", street="Mill Lane")])
    assert result.joiners == [] and result.leavers == []
    assert result.matched_by_name == 2
    assert [(c.field, c.after) for c in result.changes] == [("Address", "1 Mill Lane, Maidstone, ME14 1XX")]


def test_temporary_upn_replaced_is_matched_by_name_and_the_upn_change_listed(tmp_path):
    temporary = UPNS[0][:12] + "A"
    result = compare(tmp_path, [pupil(0, upn=temporary)], [pupil(0)])
    assert result.joiners == [] and result.leavers == []
    assert [(c.field, c.before, c.after) for c in result.changes] == [("UPN", temporary, UPNS[0])]


def test_other_changes_are_listed_apart_and_formatting_is_not_a_change(tmp_path):
    old = [pupil(0), pupil(1), pupil(2)]
    new = [pupil(0, street="Mill Lane"), pupil(1, phone="01622 999888", year="12"), pupil(2, phone="1622246602")]
    result = compare(tmp_path, old, new)
    assert result.joiners == [] and result.leavers == []
    found = {(c.new.source_row, c.field) for c in result.changes}
    assert found == {(2, "Address"), (3, "Home Telephone"), (3, "NC Year")}
    year = next(c for c in result.changes if c.field == "NC Year")
    assert (year.before, year.after) == ("11", "12")


def test_a_whole_school_moving_up_a_year_is_not_hundreds_of_changes(tmp_path):
    old = [pupil(n, year="10") for n in range(5)]
    new = [pupil(n, year="11") for n in range(4)] + [pupil(4, year="13")]
    result = compare(tmp_path, old, new)
    assert [(c.new.source_row, c.before, c.after) for c in result.changes] == [(6, "10", "13")]
    assert any("moved up a year" in n for n in result.notes)


def test_joiner_dates_outside_the_month_and_missing(tmp_path):
    result = compare(tmp_path, [pupil(0)], [pupil(0), pupil(1, admitted="07/10/2024"), pupil(2, admitted="16/09/2024"),
                                             pupil(3, admitted="04/11/2024"), pupil(4, admitted="")])
    status = {m.pupil.source_row: m.status for m in result.joiners}
    assert status == {3: "in-month", 4: "before", 5: "after", 6: "no-date"}
    assert [m.pupil.source_row for m in result.joiners if m.on_return] == [3, 6]


def test_pupil_on_both_rolls_admitted_in_the_month_is_a_joiner(tmp_path):
    rows = [pupil(0, admitted="02/10/2024")]
    result = compare(tmp_path, rows, rows)
    assert [(m.status, m.other is not None) for m in result.joiners] == [("in-month", True)]


def test_leaver_recorded_on_the_new_roll_with_its_date(tmp_path):
    result = compare(tmp_path, [pupil(0), pupil(1)],
                     [pupil(0), pupil(1, left="18/10/2024", reason="Moved out of area", destination="110")])
    assert [(m.pupil.roll, m.status, m.date.isoformat()) for m in result.leavers] == [("new", "in-month", "2024-10-18")]


def test_past_leavers_kept_in_both_exports_are_not_leavers_again(tmp_path):
    rows = [pupil(0), pupil(1, left="20/07/2024")]
    assert compare(tmp_path, rows, rows).leavers == []


def test_leaver_missing_from_new_roll_with_date_in_old_roll(tmp_path):
    result = compare(tmp_path, [pupil(0), pupil(1, left="25/10/2024")], [pupil(0)])
    assert [(m.pupil.roll, m.status) for m in result.leavers] == [("old", "in-month")]


def test_roll_without_identity_or_names_is_refused(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("Adno,Reg,Town\n001,10A,Maidstone\n", encoding="utf-8")
    with pytest.raises(UserError, match="old.csv"):
        compare_rolls(read_export(old), read_export(roll(tmp_path, "new.csv", [pupil(0)])), "2024-10")


# --- the command ----------------------------------------------------------------------------------------

def run(tmp_path, old_rows, new_rows, *extra) -> int:
    old, new = roll(tmp_path, "old.csv", old_rows), roll(tmp_path, "new.csv", new_rows)
    return main(["compare-rolls", str(old), str(new), "--period", "2024-10", "--school", "8864123", "--as-of",
                 "2024-10-31", "--out", str(tmp_path / "out"), *extra])


def sheet_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_cli_writes_joiners_and_a_nil_return_draft_for_leavers(tmp_path, capsys):
    code = run(tmp_path, [pupil(0)], [pupil(0), pupil(1, admitted="07/10/2024")], "--report", str(tmp_path / "r.json"))
    out = capsys.readouterr().out
    assert code == 0, out
    joiners = tmp_path / "out" / "8864123SchoolJoinersOct.xlsx"
    nil = tmp_path / "out" / "8864123SchoolLeaversOct nil return.eml"
    assert joiners.exists() and nil.exists()
    assert not (tmp_path / "out" / "8864123SchoolLeaversOct.xlsx").exists()
    [row] = sheet_rows(joiners)
    assert (row["UPN"] == UPNS[1] and row["Date of Joining"] in ("07/10/2024",)
            or str(row["Date of Joining"]).startswith("2024-10-07"))
    text = nil.read_text(encoding="utf-8")
    assert "MICorePlus@kent.gov.uk" in text and "8864123" in text and "October 2024" in text and "X-Unsent: 1" in text
    assert "nil-return" in out
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["joiners"]["learners"][0]["roll"] == "new"
    assert report["joiners"]["learners"][0]["source_row"] == 3
    assert report["leavers"]["nil_return"] is True


def test_cli_leaver_without_date_stays_with_an_error_to_fill_in(tmp_path, capsys):
    code = run(tmp_path, [pupil(0), pupil(1)], [pupil(0)])
    out = capsys.readouterr().out
    assert code == 1, out
    [row] = sheet_rows(tmp_path / "out" / "8864123SchoolLeaversOct.xlsx")
    assert row["UPN"] == UPNS[1] and row["Date of Leaving"] in (None, "")
    assert "old roll row 3" in out and "fill in Date of Leaving" in out
    assert (tmp_path / "out" / "8864123SchoolJoinersOct nil return.eml").exists()


def test_cli_year_9_leaver_is_left_out_and_the_return_is_nil(tmp_path, capsys):
    code = run(tmp_path, [pupil(0), pupil(1, year="9", dob="15/03/2011", left="10/10/2024")], [pupil(0)])
    out = capsys.readouterr().out
    assert code == 0
    assert (tmp_path / "out" / "8864123SchoolLeaversOct nil return.eml").exists()
    assert "left out: NC Year 9" in out


def test_cli_lists_other_changes_and_out_of_month_movers(tmp_path, capsys):
    code = run(tmp_path, [pupil(0, surname="Smith"), pupil(1)],
               [pupil(0, surname="Jones"), pupil(1), pupil(2, admitted="16/09/2024")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Legal Surname: 'Smith' -> 'Jones'" in out
    assert "before October 2024" in out
    assert (tmp_path / "out" / "8864123SchoolJoinersOct nil return.eml").exists()


def test_cli_refuses_to_overwrite_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "8864123SchoolLeaversOct nil return.eml").write_text("mine")
    code = run(tmp_path, [pupil(0)], [pupil(0), pupil(1, admitted="07/10/2024")])
    err = capsys.readouterr().err
    assert code == 2 and "already exist" in err
    assert not (tmp_path / "out" / "8864123SchoolJoinersOct.xlsx").exists()
    assert (tmp_path / "out" / "8864123SchoolLeaversOct nil return.eml").read_text() == "mine"
    assert run(tmp_path, [pupil(0)], [pupil(0), pupil(1, admitted="07/10/2024")], "--force") == 0


def test_cli_on_the_sample_roll(tmp_path, capsys):
    """The sample October roll as 'new' against itself minus two pupils and with one surname changed."""
    sample = SAMPLES / "roll_2024-10.csv"
    if not sample.exists():
        pytest.skip("samples not available")
    lines = sample.read_text(encoding="utf-8-sig").splitlines()
    header, body = lines[0], lines[1:]
    joined = [i for i, line in enumerate(body) if "/10/2024" in line.split(",")[21]]
    assert joined, "the sample has October joiners"
    old_body = [line for i, line in enumerate(body) if i not in joined]
    changed = old_body[0].split(",")
    changed[2] = "Formername"
    old_body[0] = ",".join(changed)
    (tmp_path / "old.csv").write_text("\n".join([header] + old_body) + "\n", encoding="utf-8")
    code = main(["compare-rolls", str(tmp_path / "old.csv"), str(sample), "--period", "2024-10", "--school", "8864123",
                 "--as-of", "2024-10-31", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code in (0, 1), out
    assert "Legal Surname: 'Formername'" in out
    assert (tmp_path / "out" / "8864123SchoolJoinersOct.xlsx").exists()


def test_a_pupil_twice_on_one_roll_is_a_duplicate_not_a_mover(tmp_path):
    result = compare(tmp_path, [pupil(0), pupil(1), pupil(1)], [pupil(0), pupil(1), pupil(0)])
    assert result.joiners == [] and result.leavers == []
    assert sorted((p.roll, p.source_row) for p in result.duplicates) == [("new", 4), ("old", 4)]


# --- saving both returns ------------------------------------------------------------------------------

def _both(tmp_path, old_rows, new_rows):
    from tracker_desktop.core.routine.roll_returns import compare_and_prepare

    old, new = roll(tmp_path, "old.csv", old_rows), roll(tmp_path, "new.csv", new_rows)
    return compare_and_prepare(old, new, "2024-10", "2024-10-31", school="8864123", folder=tmp_path / "out")


def test_both_returns_are_prepared_before_either_is_written(tmp_path):
    from tracker_desktop.core.routine.roll_returns import save_roll_returns

    result = _both(tmp_path, [pupil(0), pupil(1)], [pupil(0), pupil(2, admitted="07/10/2024")])
    joiners, leavers = result.returns
    assert (joiners.kind, leavers.kind) == ("joiners", "leavers")
    assert not joiners.nil and not leavers.nil and not joiners.written and not leavers.written
    assert not (tmp_path / "out").exists(), "comparing writes nothing"
    assert [m.pupil.source_row for m in leavers.undated()] == [3], "the leaver with no date is to be filled in"
    save_roll_returns(result, report=tmp_path / "r.json", history=tmp_path / "history")
    assert joiners.written and leavers.written and joiners.path.exists() and leavers.path.exists()
    assert result.afterwards == [] and result.report == tmp_path / "r.json"
    assert result.errors == leavers.prep.counts()["errors"] > 0
    report = json.loads(result.report.read_text(encoding="utf-8"))
    assert report["leavers"]["output"] == str(leavers.path) and report["joiners"]["learners"][0]["roll"] == "new"


def test_a_second_return_failing_after_the_first_is_written_is_said_not_raised(tmp_path, monkeypatch):
    from tracker_desktop.core.routine import roll_returns

    result = _both(tmp_path, [pupil(0), pupil(1)], [pupil(0), pupil(2, admitted="07/10/2024")])
    real = roll_returns.save_return

    def disk_full_on_the_second(prep, folder, **kw):
        if prep is result.returns[1].prep:
            raise OSError(28, "No space left on device")
        return real(prep, folder, **kw)

    monkeypatch.setattr(roll_returns, "save_return", disk_full_on_the_second)
    roll_returns.save_roll_returns(result)
    joiners, leavers = result.returns
    assert joiners.written and not leavers.written and not leavers.path.exists()
    assert result.afterwards == [f"The leavers return {leavers.path.name} could not be saved: No space left on device."]
    assert leavers.report()["output"] is None


def test_nothing_written_when_the_first_return_fails(tmp_path, monkeypatch):
    from tracker_desktop.core.routine import roll_returns

    result = _both(tmp_path, [pupil(0), pupil(1)], [pupil(0), pupil(2, admitted="07/10/2024")])

    def disk_full(prep, folder, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(roll_returns, "save_return", disk_full)
    with pytest.raises(OSError):
        roll_returns.save_roll_returns(result)
    assert not any(r.written for r in result.returns)


def test_cli_a_report_failing_after_the_returns_are_written_exits_1_not_2(tmp_path, capsys, monkeypatch):
    """The returns are written: the summary is printed, the report failure said, exit 1 ("written,
    something remains"), never 2 ("nothing written")."""
    from tracker_desktop.core.routine import roll_returns

    real = roll_returns.write_atomic

    def refuse_reports(path, data, force=False):
        if Path(path).suffix == ".json":
            raise OSError(13, "Permission denied")
        return real(path, data, force=force)

    monkeypatch.setattr(roll_returns, "write_atomic", refuse_reports)
    code = run(tmp_path, [pupil(0)], [pupil(0), pupil(1, admitted="07/10/2024")], "--report", str(tmp_path / "r.json"))
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert (tmp_path / "out" / "8864123SchoolJoinersOct.xlsx").exists()
    assert "wrote" in captured.out and "nil-return" in captured.out
    assert "The report r.json could not be saved: Permission denied." in captured.err
    assert not (tmp_path / "r.json").exists()


def test_cli_a_report_that_cannot_be_saved_stops_everything_before_it_starts(tmp_path, capsys):
    (tmp_path / "a file").write_text("not a folder")
    code = run(tmp_path, [pupil(0)], [pupil(0), pupil(1, admitted="07/10/2024")],
               "--report", str(tmp_path / "a file" / "r.json"))
    assert code == 2 and "r.json" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
