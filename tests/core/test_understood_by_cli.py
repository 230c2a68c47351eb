"""The command line says which matches it was unsure of (one line each, header names only) and
takes the user's answers for template headers from the --mapping file ("understood")."""
from __future__ import annotations

import io
import json

import openpyxl

from tests.core.test_headers_by_meaning import ROWS, sims_export
from tracker_desktop.commands import main
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.template_builder import build_template


def renamed_template(tmp_path, old="Parent/Carer Telephone", new="Parent Mobile"):
    """The shipped joiners template with one header renamed into words we are unsure of."""
    book = openpyxl.load_workbook(io.BytesIO(build_template(load_definition("school-joiners"))))
    ws = book.active
    [cell] = [c for c in ws[1] if c.value == old]
    cell.value = new
    path = tmp_path / "KCC joiners (new look).xlsx"
    book.save(path)
    return path


def prepare(tmp_path, *extra):
    return main(["prepare", "school-joiners", str(sims_export(tmp_path)), "--school", "8864123", "--period", "2024-10",
                 "--as-of", "2024-10-31", "--template", str(renamed_template(tmp_path)), "--force", *extra])


def _no_personal_data(text: str) -> None:
    for row in ROWS:
        for value in (row[0], row[1].split(",")[0], row[11], row[12]):  # UPN, surname, contact, phone
            assert value not in text, value


def test_prepare_lists_what_it_was_unsure_of_without_personal_data(tmp_path, capsys):
    code = prepare(tmp_path, "--out", str(tmp_path / "out"), "--report", str(tmp_path / "r.json"))
    err = capsys.readouterr().err
    assert code in (0, 1), err
    unsure = [line for line in err.splitlines() if "unsure:" in line]
    assert ("tracker-desktop: unsure: the template column 'Parent Mobile' may be Parent/Carer Telephone; it is treated "
            "as a column of its own until you say so (\"understood\" in a --mapping file).") in unsure
    # the address put together from the export's parts is used, and said to be checked
    assert any("'Address Line 1' is filled from the export's Address: House Number + Address: Street" in line
               for line in unsure), unsure
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    listed = {c["header"] for c in report["template_columns"] if "unsure" in (c["certainty"], c["match"])}
    assert len(unsure) == sum(c["certainty"] == "unsure" for c in report["template_columns"]) + sum(
        c["match"] == "unsure" for c in report["template_columns"])
    assert all(any(f"'{h}'" in line for line in unsure) for h in listed)
    _no_personal_data(err)


def test_the_mapping_file_answers_what_a_template_header_is(tmp_path, capsys):
    answers = tmp_path / "matching.json"
    answers.write_text(json.dumps({"understood": {"Parent Mobile": "Parent/Carer Telephone"}}), encoding="utf-8")
    out = tmp_path / "out"
    code = prepare(tmp_path, "--out", str(out), "--report", str(tmp_path / "r.json"), "--mapping", str(answers),
                   "--save-mapping", str(tmp_path / "saved.json"))
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "'Parent Mobile' may be" not in err
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    column = next(c for c in report["template_columns"] if c["header"] == "Parent Mobile")
    assert column["certainty"] == "confirmed" and column["understood_as"] == "Parent/Carer Telephone"
    assert column["from"] == "Primary Contact Telephone (Priority 1)"
    ws = openpyxl.load_workbook(next(out.glob("*.xlsx"))).active
    headers = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=headers.index("Parent Mobile") + 1).value == "01622 246602", "tidied as a phone"
    saved = json.loads((tmp_path / "saved.json").read_text(encoding="utf-8"))
    assert saved["understood"] == {"Parent Mobile": "Parent/Carer Telephone"}, "the answers are kept with the matching"
    assert saved["Parent Mobile"]["columns"] == ["Primary Contact Telephone (Priority 1)"]


def test_a_misspelt_answer_is_refused_naming_the_header(tmp_path, capsys):
    answers = tmp_path / "matching.json"
    answers.write_text(json.dumps({"understood": {"Parent Mobile": "Parent Telephone Nmber"}}), encoding="utf-8")
    code = prepare(tmp_path, "--out", str(tmp_path / "out"), "--mapping", str(answers))
    err = capsys.readouterr().err
    assert code == 2
    assert "matching.json" in err and "'Parent Mobile'" in err and "'Parent Telephone Nmber'" in err
    assert not (tmp_path / "out").exists()


def test_a_saved_matching_with_answers_is_read_back_the_same(tmp_path, capsys):
    answers = tmp_path / "matching.json"
    answers.write_text(json.dumps({"understood": {"Parent Mobile": None}}), encoding="utf-8")
    assert prepare(tmp_path, "--out", str(tmp_path / "a"), "--mapping", str(answers),
                   "--save-mapping", str(tmp_path / "saved.json")) in (0, 1)
    capsys.readouterr()
    assert prepare(tmp_path, "--out", str(tmp_path / "b"), "--mapping", str(tmp_path / "saved.json"),
                   "--report", str(tmp_path / "r.json")) in (0, 1)
    err = capsys.readouterr().err
    assert "'Parent Mobile' may be" not in err, "answered: a column of its own, as the user said"
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    column = next(c for c in report["template_columns"] if c["header"] == "Parent Mobile")
    assert column["certainty"] == "confirmed" and column["understood_as"] is None


def test_nothing_written_means_one_sentence_not_the_unsure_list(tmp_path, capsys):
    out = tmp_path / "out"
    assert prepare(tmp_path, "--out", str(out)) in (0, 1)
    capsys.readouterr()
    code = main(["prepare", "school-joiners", str(sims_export(tmp_path)), "--school", "8864123", "--period", "2024-10",
                 "--as-of", "2024-10-31", "--template", str(renamed_template(tmp_path)), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "already exists" in err and "unsure" not in err
