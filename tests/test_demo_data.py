"""The fictional roll generator and the bundled demo roll (tracker_desktop/demo_data.py)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest

from tracker_desktop import demo_data
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.values.cleaning import is_postcode, phone_digits
from tracker_desktop.core.values.identifiers import is_temporary_upn, upn_problem

DEMO = Path(__file__).resolve().parent.parent / "assets" / "demo" / "demo_roll.csv"
SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "samples" / "roll_2024-10.csv"


@pytest.fixture(scope="module")
def roll() -> list[dict[str, str]]:
    return demo_data.make_roll(3000, seed=7, period=(2025, 10))


def _nc_year(row: dict[str, str]) -> int:
    return int(row["Year"].removeprefix("Year "))


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def _prepare(return_id: str, path: Path, period: str = "2025-10", as_of: str = "2025-10-31") -> Preparation:
    return Preparation.start(return_id, path, school="8864123", period=period, as_of=as_of)


# --- the generator ------------------------------------------------------------------------------

def test_headers_are_the_sims_roll_layout(roll):
    assert list(roll[0]) == list(demo_data.HEADERS)
    if SAMPLE.exists():
        with open(SAMPLE, encoding="utf-8-sig", newline="") as f:
            assert next(csv.reader(f)) == list(demo_data.HEADERS)


def test_upns_valid_unique_and_of_the_school(roll):
    upns = [r["UPN"] for r in roll]
    assert all(upn_problem(u) is None for u in upns)
    assert not any(is_temporary_upn(u) for u in upns)
    assert len(set(upns)) == len(upns)
    assert all(u[1:8] == "8864123" for u in upns)


def test_upns_stay_unique_beyond_a_thousand_a_year():
    rows = demo_data.make_roll(12000, seed=2, period=(2025, 9), years=[12])
    upns = [r["UPN"] for r in rows]
    assert len(set(upns)) == len(upns)
    assert all(upn_problem(u) is None for u in upns)


def test_phones_valid_uk_numbers_never_drama_ranges(roll):
    seen = 0
    for row in roll:
        for column in demo_data.PHONE_COLUMNS:
            if not row[column]:
                continue
            digits = phone_digits(row[column])
            number = phonenumbers.parse(digits, "GB")
            assert phonenumbers.is_valid_number(number), row[column]
            assert phonenumbers.region_code_for_number(number) == "GB", row[column]
            assert not digits.startswith(("07700900", "01632960"))
            assert digits.startswith(("01622", "01634", "01227", "01233", "01732", "01474", "07"))
            seen += 1
    assert seen > len(roll) * 2


def test_number_ranges_are_great_britain_numbers():
    """The generator's written-out ranges, against the installed phonenumbers metadata."""
    def gb(digits: str) -> bool:
        number = phonenumbers.parse(digits, "GB")
        return phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == "GB"

    assert len(demo_data.MOBILE_PREFIXES) > 400
    for prefix in demo_data.MOBILE_PREFIXES:
        assert all(gb(prefix + tail) for tail in ("000000", "555555", "999999")), prefix
    for area in demo_data.LANDLINE_AREAS:
        for first in demo_data.LANDLINE_FIRST_DIGITS:
            assert all(gb(area + first + tail) for tail in ("00000", "99999")), area + first


def test_postcodes_and_dates_of_birth_fit(roll):
    assert all(is_postcode(r["Post Code"]) for r in roll)
    for row in roll:
        dob, year = _date(row["DOB"]), _nc_year(row)
        age_on_31_august = 2025 - dob.year - ((8, 31) < (dob.month, dob.day))
        assert age_on_31_august == year + 4, row


def test_years_joiners_and_leavers(roll):
    years = Counter(_nc_year(r) for r in roll)
    assert set(years) == set(range(7, 14))
    joined = [r for r in roll if _date(r["Admission Date"]).strftime("%Y-%m") == "2025-10"]
    left = [r for r in roll if r["Leaving Date"] and _date(r["Leaving Date"]).strftime("%Y-%m") == "2025-10"]
    assert len(joined) >= 40 and len(left) >= 60
    eet = {"210", "220", "230", "240", "310", "330", "340"}
    for row in left:
        code = row["Destination"].split(" - ")[0]
        assert row["Reason for Leaving"] and code
        assert (code.startswith("1")) == (_nc_year(row) <= 11), row
        assert bool(row["Destination Establishment"]) or code not in eet, row


def test_deterministic_for_a_seed():
    assert demo_data.make_roll(300, seed=5, defects=True) == demo_data.make_roll(300, seed=5, defects=True)
    assert demo_data.make_roll(300, seed=5) != demo_data.make_roll(300, seed=6)


def test_defects_are_the_documented_ones():
    rows = demo_data.make_roll(400, seed=1, period=(2025, 10), defects=True)
    bad = [r["UPN"] for r in rows if upn_problem(r["UPN"])]
    assert len(bad) == 1
    assert sum(is_temporary_upn(r["UPN"]) for r in rows) == 1
    assert sum(not r["Post Code"] for r in rows) == 1
    assert sum(r["Primary Contact Telephone"].startswith("07700 900") for r in rows) == 1
    lost_zero = [r for r in rows for c in demo_data.PHONE_COLUMNS if r[c] and r[c][0] != "0"]
    assert len(lost_zero) == 2


def test_bad_arguments():
    with pytest.raises(ValueError):
        demo_data.make_roll(10, school="886412")
    with pytest.raises(ValueError):
        demo_data.make_roll(10, years=[6, 7])
    assert demo_data.make_roll(0) == []


# --- the files -------------------------------------------------------------------------------------

def test_csv_is_utf8_with_bom(tmp_path):
    rows = demo_data.make_roll(50, seed=3)
    path = demo_data.write_roll_csv(tmp_path / "roll.csv", rows)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfAdno,UPN,")
    assert list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))) == rows


def test_xlsx_has_excel_damage_and_prepares_like_the_csv(tmp_path):
    import openpyxl

    rows = demo_data.make_roll(600, seed=4, period=(2025, 10))
    xlsx = demo_data.write_roll_xlsx(tmp_path / "roll.xlsx", rows)
    sheet = openpyxl.load_workbook(xlsx, read_only=True).active
    first = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    header = list(demo_data.HEADERS)
    assert isinstance(first[header.index("Primary Contact Telephone")], int)  # the leading zero is gone
    assert isinstance(first[header.index("DOB")], dt.datetime)
    assert first[header.index("Adno")].startswith("0")  # kept as text
    csv_path = demo_data.write_roll_csv(tmp_path / "roll.csv", rows)
    for return_id in ("school-joiners", "school-leavers"):
        from_xlsx, from_csv = _prepare(return_id, xlsx), _prepare(return_id, csv_path)
        assert from_xlsx.counts() == {"errors": 0, "queries": 0, "accepted": 0}
        assert [learner.values for learner in from_xlsx.learners] == [learner.values for learner in from_csv.learners]
        assert any(f.column == "Parent/Carer Telephone"
                   for learner in from_xlsx.learners for f in learner.fixes.values())


def test_a_clean_roll_has_no_problems(tmp_path):
    path = demo_data.write_roll_csv(tmp_path / "roll.csv", demo_data.make_roll(1500, seed=11, period=(2025, 10)))
    for return_id in ("school-joiners", "school-leavers"):
        prep = _prepare(return_id, path)
        assert prep.learners
        assert prep.counts() == {"errors": 0, "queries": 0, "accepted": 0}, prep.problems[:3]


def test_sixth_form_roll_for_post16_enrolment(tmp_path):
    rows = demo_data.make_roll(800, seed=2, period=(2025, 9), years={11: 5, 12: 50, 13: 45}, sixth_form=True)
    assert list(rows[0])[-4:] == list(demo_data.SIXTH_FORM_HEADERS)
    path = demo_data.write_roll_csv(tmp_path / "sixth.csv", rows)
    prep = _prepare("school-post16-enrolment", path, period="2025-09", as_of="2025-09-12")
    assert len(prep.learners) > 0.85 * len(rows)
    assert prep.counts() == {"errors": 0, "queries": 0, "accepted": 0}, prep.problems[:3]
    assert {learner.values["Attendance"] for learner in prep.learners} <= {"FT", "PT"}
    assert {learner.values["Qualification Level"] for learner in prep.learners} <= {"2", "3"}


# --- the bundled demo roll --------------------------------------------------------------------------

def test_demo_roll_is_what_the_readme_command_makes(tmp_path):
    out = tmp_path / "demo_roll.csv"
    assert demo_data.main([str(out), "--rows", "400", "--seed", "1", "--period", "2025-10", "--defects"]) == 0
    assert out.read_bytes() == DEMO.read_bytes(), "regenerate assets/demo/demo_roll.csv (see assets/demo/README.md)"
    assert demo_data.demo_roll_path() == DEMO


@pytest.mark.parametrize("return_id, rules", [
    ("school-joiners", {"mandatory-missing", "upn-temporary", "age-year-query"}),
    ("school-leavers", {"upn-invalid", "phone-invalid", "required-when", "mandatory-missing"}),
])
def test_demo_roll_prepares_and_shows_its_defects(tmp_path, return_id, rules):
    prep = Preparation.start(return_id, DEMO, school=demo_data.DEMO_SCHOOL, period=demo_data.DEMO_PERIOD,
                             as_of=demo_data.DEMO_AS_OF)
    assert 5 <= len(prep.learners) < 20
    assert len(prep.learners) + len(prep.left_out) == 400
    assert prep.counts()["errors"] >= 1
    assert rules <= {p.rule for p in prep.problems}
    restored = [f for learner in prep.learners for f in learner.fixes.values()
                if f.column.endswith(("Telephone", "Mobile"))]
    assert any(not f.before.startswith("0") and f.after.startswith("0") for f in restored)
    saved = prep.save(tmp_path, force=True)
    assert saved.name.startswith("8864123School") and saved.stat().st_size > 0
