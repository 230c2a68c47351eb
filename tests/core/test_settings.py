"""User settings: round trip, damaged files, remembered column matching, and no personal data."""
from __future__ import annotations

import json

from tracker_desktop.core.matching.mapping import Source
from tracker_desktop.core.settings import (
    Settings,
    check_college_code,
    check_school_number,
    load_settings,
    settings_path,
)


def test_first_run_is_empty_and_incomplete(tmp_path):
    settings = load_settings(tmp_path / "settings.json")
    assert not settings.is_complete
    assert settings.mappings == {} and settings.prepared == {}


def test_round_trip(tmp_path):
    path = tmp_path / "deep" / "settings.json"
    s = Settings(school_name="Oakfield School", school_number="8864123", output_folder=str(tmp_path))
    s.remember_mapping("school-leavers",
                       {"UPN": Source(("UPN",)), "Address Line 1": Source(("House No", "Street"), "address", 90, 1),
                        "County": None})
    s.prepared["school-leavers"] = "2024-10"
    s.save(path)
    loaded = load_settings(path)
    assert loaded.is_complete and loaded.sender == "8864123"
    assert loaded.sender_args() == {"school": "8864123", "college": None}
    mapping = loaded.mapping_for("school-leavers")
    assert mapping["Address Line 1"] == Source(("House No", "Street"), "address", 90, 1)
    assert mapping["County"] is None
    assert loaded.prepared == {"school-leavers": "2024-10"}
    assert not list(path.parent.glob(".saving-*")), "written atomically, no temporary file left"


def test_mapping_is_per_sender(tmp_path):
    s = Settings(school_number="8864123")
    s.remember_mapping("school-leavers", {"UPN": Source(("UPN",))})
    s.school_number = "8869999"
    assert s.mapping_for("school-leavers") is None


def test_damaged_file_is_a_first_run_not_a_crash(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")
    assert not load_settings(path).is_complete
    path.write_text(json.dumps({"school_number": 8864123, "mappings": {"x|y": {"UPN": 5}}}), encoding="utf-8")
    s = load_settings(path)
    assert s.school_number == "", "a value of the wrong type is ignored"
    s.school_number = "x"
    assert s.mapping_for("y") is None, "a damaged mapping is forgotten"


def test_holds_no_personal_data(tmp_path):
    s = Settings(school_name="Oakfield School", school_number="8864123", output_folder=str(tmp_path))
    s.remember_mapping("school-joiners", {"Legal Surname": Source(("Legal Surname",))})
    s.remember_understood("school-joiners", "school-joiners.xlsx",
                          {"Parent/Carer Phone Number": "Parent/Carer Telephone"})
    s.save(tmp_path / "settings.json")
    text = (tmp_path / "settings.json").read_text(encoding="utf-8")
    assert set(json.loads(text)) == {"version", "school_name", "school_number", "college_code", "output_folder",
                                     "last_export_folder", "mappings", "prepared", "closure_days", "understood",
                                     "window"}


def test_answers_about_a_template_are_remembered_per_template(tmp_path):
    s = Settings(school_number="8864123", output_folder=str(tmp_path))
    s.remember_understood("school-joiners", "new.xlsx",
                          {"Parent Mobile": "Parent/Carer Telephone", "Pupil Premium": None})
    s.save(tmp_path / "settings.json")
    again = load_settings(tmp_path / "settings.json")
    assert again.understood_for("school-joiners", "new.xlsx") == {"Parent Mobile": "Parent/Carer Telephone",
                                                                  "Pupil Premium": None}
    assert again.understood_for("school-joiners", "other.xlsx") == {}


def test_settings_dir_can_be_redirected(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DESKTOP_SETTINGS_DIR", str(tmp_path))
    assert settings_path() == tmp_path / "settings.json"


def test_checks_explain_what_is_wrong():
    assert check_school_number("8864123") is None
    assert "7 digits" in check_school_number("4123")
    assert "886" in check_school_number("1234567")
    assert check_college_code("mkc") is None
    assert check_college_code("M1") is not None
