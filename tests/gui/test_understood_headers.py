"""The column matching step shows what each template header was understood as, and how sure;
the user's correction goes back to the app to be remembered for that template."""
from __future__ import annotations

import pytest

from tests.core.test_headers_by_meaning import new_look_template, sims_export
from tests.gui.conftest import pump
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.gui.mapping_view import OWN

pytestmark = pytest.mark.gui


def test_renamed_template_header_shows_its_meaning_and_a_correction_is_passed_on(make_app, tmp_path):
    template, _ = new_look_template(tmp_path)
    prep = Preparation.start("school-joiners", sims_export(tmp_path), school="8864123", period="2024-10",
                             as_of="2024-10-31", template=template)
    app = make_app()
    app.set_prep(prep)
    app.show_mapping()
    pump(app.master, 0.1)
    screen = app.mapping
    assert screen.meanings["Parent/Carer Phone Number"].get() == "Parent/Carer Telephone"
    assert screen.meanings["NC Year Group"].get() == "NC Year"
    assert screen.understanding() == {}, "nothing changed: nothing to ask again"
    answers, matched = [], []
    app.apply_understanding = lambda a: answers.append(a)
    app.apply_mapping = lambda m: matched.append(m)
    screen.meanings["Looked After (Y/N)"].set(OWN)
    screen.accept()
    assert answers == [{"Looked After (Y/N)": None}] and matched == []


def test_an_answer_is_remembered_for_the_template_and_used_next_time(make_app, tmp_path):
    app = make_app()
    app.settings.remember_understood("school-joiners", "school-joiners.xlsx", {"Home Telephone": "Young Person Mobile"})
    from tracker_desktop.gui.app import load_preparation

    prep, _ = load_preparation("school-joiners", sims_export(tmp_path), app.settings.sender_args(), "2024-10",
                               "2024-10-31", None, None,
                               app.settings.understood_for("school-joiners", "school-joiners.xlsx"))
    assert prep.definition.meaning("Home Telephone").header == "Young Person Mobile"
    assert {c["header"]: c["certainty"] for c in prep.report(None)["template_columns"]}["Home Telephone"] == "confirmed"


def test_applying_an_answer_rereads_the_export_and_remembers_it(make_app, tmp_path):
    from tests.gui.conftest import wait_idle

    app = make_app()
    app.open_export("school-joiners", sims_export(tmp_path), period="2024-10", as_of="2024-10-31")
    wait_idle(app)
    app.apply_understanding({"Home Telephone": "Young Person Mobile"})
    wait_idle(app)
    pump(app.master, 0.1)
    assert app.current is app.mapping, "the columns are shown again, matched for the new meaning"
    assert app.prep.definition.understand("Home Telephone").confirmed
    remembered = app.settings.understood_for("school-joiners", "school-joiners.xlsx")
    assert remembered == {"Home Telephone": "Young Person Mobile"}
