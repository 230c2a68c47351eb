"""Return definitions are checked on load against the declared vocabulary (returns/schema.py)."""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from tracker_desktop.core.errors import UserError
from tracker_desktop.core.returns import schema
from tracker_desktop.core.returns.definitions import (
    DATA_FILES,
    ColumnMeaning,
    read_definition,
    return_ids,
    templates_dir,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (ROOT / "templates").glob("*.json") if p.stem not in DATA_FILES)


def test_the_shipped_definitions_are_all_the_returns():
    assert [p.stem for p in SHIPPED] == return_ids()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_definition_loads(path):
    definition = read_definition(path)
    assert definition.id == path.stem


def test_the_shared_column_and_code_files_follow_their_tables():
    for name, table in (("columns.json", schema.COLUMN_CATALOG), ("codes.json", schema.CODE_LISTS)):
        path = templates_dir() / name
        schema.validate(json.loads(path.read_text(encoding="utf-8")), table, path)


def _edited(tmp_path: Path, change) -> Path:
    raw = json.loads((templates_dir() / "school-leavers.json").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "school-leavers.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(UserError) as e:
        read_definition(path)
    return str(e.value)


def test_a_misspelt_scope_key_is_refused_naming_file_key_and_the_right_spelling(tmp_path):
    def typo(raw):
        raw["scope"] = {"nc_year_form": 10, "date_in_period": "Date of Leaving"}

    message = _refused(_edited(tmp_path, typo))
    assert "school-leavers.json" in message and "'nc_year_form'" in message and "in scope" in message
    assert "did you mean 'nc_year_from'" in message


def test_a_misspelt_top_level_key_is_refused(tmp_path):
    def typo(raw):
        raw["deadlnes"] = raw.pop("deadlines")

    message = _refused(_edited(tmp_path, typo))
    assert "unknown key 'deadlnes' at the top level" in message and "did you mean 'deadlines'" in message


@pytest.mark.parametrize("change, says", [
    (lambda raw: raw["scope"].update(nc_year_from="10"), "'scope.nc_year_from' should be a whole number, not \"10\""),
    (lambda raw: raw["scope"].update(nc_year_from=True), "'scope.nc_year_from' should be a whole number, not true"),
    (lambda raw: raw.update(who="schools"), "it takes \"school\" or \"college\" (did you mean 'school'?)"),
    (lambda raw: raw.update(columns={"header": "UPN"}), "'columns' should be a list"),
    (lambda raw: raw["columns"][2].update(mandatory="yes"), "'columns (item 3).mandatory' should be true or false"),
    (lambda raw: raw["columns"][0].pop("header"), "has no 'header' in columns (item 1)"),
    (lambda raw: raw.pop("title"), "has no 'title'"),
    (lambda raw: raw.update(deadlines=[{"kind": "last-workday", "months": [10]}]), "did you mean 'last-working-day'"),
    (lambda raw: raw.update(deadlines=[{"kind": "fixed", "month": 13, "day": 1}]), "a whole number from 1 to 12"),
    (lambda raw: raw.update(deadlines=[{"kind": "fixed", "months": [10], "day": 1}]),
     "unknown key 'months' in deadlines (item 1) (did you mean 'month'?)"),
    (lambda raw: raw.update(column_meanings={"Destination": {"synonym": ["Dest"]}}),
     "unknown key 'synonym' in column_meanings.Destination (did you mean 'synonyms'?)"),
    (lambda raw: raw.update(column_meanings={"Destination": {"type": "code", "codes": "activties"}}),
     "'activties', which is not a code list in codes.json (did you mean 'activity'?)"),
    (lambda raw: raw["scope"].update(age_on_31_august={"from": 16}), "has no 'to' in scope.age_on_31_august"),
])
def test_wrong_keys_and_values_are_refused_in_one_sentence(tmp_path, change, says):
    message = _refused(_edited(tmp_path, change))
    assert message.startswith("The return definition school-leavers.json")
    assert says in message
    assert "\n" not in message


def test_the_schema_declares_every_setting_a_column_meaning_has():
    fields = {f.name for f in dataclasses.fields(ColumnMeaning)} - {"header"}
    assert set(schema.COLUMN_MEANING.keys) == fields


def _declared(kind, found: set[str]) -> set[str]:
    if isinstance(kind, schema.Record):
        for key, declared in kind.keys.items():
            found.add(key)
            _declared(declared.kind, found)
    elif isinstance(kind, schema.Variants):
        found.update(kind.variants)
        for record in kind.variants.values():
            _declared(record, found)
    elif isinstance(kind, schema.MapOf):
        _declared(kind.value, found)
    elif isinstance(kind, schema.ListOf):
        _declared(kind.item, found)
    elif isinstance(kind, schema.Either):
        for option in kind.kinds:
            _declared(option, found)
    return found


def test_every_declared_key_is_documented():
    documented = set(re.findall(r"`([a-z_0-9-]+)`", (ROOT / "docs" / "RETURNS.md").read_text(encoding="utf-8")))
    missing = _declared(schema.RETURN_DEFINITION, set()) - documented
    assert not missing, f"describe in docs/RETURNS.md: {sorted(missing)}"


# --- the data files beside the definitions ---------------------------------------------------------

def _data_file(tmp_path: Path, name: str, change) -> Path:
    raw = json.loads((templates_dir() / name).read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / name
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_every_shipped_data_file_follows_its_table():
    from tracker_desktop.core.returns.definitions import read_data_file

    assert set(schema.DATA_FILE_TABLES) == {f"{name}.json" for name in DATA_FILES}
    for name in schema.DATA_FILE_TABLES:
        assert read_data_file(templates_dir() / name)


def test_a_misspelt_key_in_code_rules_is_refused_naming_it(tmp_path):
    from tracker_desktop.core.checking.cross_rules import load_code_rules

    def typo(raw):
        raw["code_rules"][0]["becuase"] = raw["code_rules"][0].pop("because")

    with pytest.raises(UserError) as e:
        load_code_rules(_data_file(tmp_path, "code_rules.json", typo))
    message = str(e.value)
    assert "code_rules.json" in message and "code rule 1" in message and "becuase" in message

    def condition_typo(raw):
        raw["code_rules"][0]["needs"]["NC Year"] = {"at_mots": 11}

    with pytest.raises(UserError, match="at_mots.*at_most"):
        load_code_rules(_data_file(tmp_path, "code_rules.json", condition_typo))

    def top_level_typo(raw):  # without the table: no rules at all, silently
        raw["code_rule"] = raw.pop("code_rules")

    with pytest.raises(UserError, match="'code_rule'.*'code_rules'"):
        load_code_rules(_data_file(tmp_path, "code_rules.json", top_level_typo))

    def note_typo(raw):
        raw["_abuot"] = raw.pop("_about")

    with pytest.raises(UserError, match="'_abuot'"):
        load_code_rules(_data_file(tmp_path, "code_rules.json", note_typo))

    def wrong_kind(raw):
        raw["code_rules"][0]["needs"]["NC Year"] = {"at_most": "eleven"}

    with pytest.raises(UserError, match="a whole number"):
        load_code_rules(_data_file(tmp_path, "code_rules.json", wrong_kind))


def test_a_misspelt_group_in_la_numbers_is_refused_naming_it(tmp_path):
    from tracker_desktop.core.returns.definitions import read_data_file

    def typo(raw):
        raw["englnd"] = raw.pop("england")

    with pytest.raises(UserError) as e:
        read_data_file(_data_file(tmp_path, "la_numbers.json", typo))
    assert "la_numbers.json" in str(e.value) and "'englnd'" in str(e.value) and "'england'" in str(e.value)

    def not_a_name(raw):
        raw["wales"]["660"] = 660

    with pytest.raises(UserError, match="wales.660"):
        read_data_file(_data_file(tmp_path, "la_numbers.json", not_a_name))
