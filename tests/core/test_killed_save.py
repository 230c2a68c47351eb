"""A save killed at any moment (power cut, Task Manager) leaves nothing under the return's name and
nothing in the temp folder; the next save removes the `.saving-*` file it may have left."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import make_upn
from tracker_desktop.core.preparing.preparation import Preparation
from tracker_desktop.core.writing.verify import check_workbook

ROWS = 20_000
KILLS = 20
HEADER = ("UPN,Surname,Forename,DOB,Gender,Year,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Telephone,"
          "SEN Status,Admission Date\n")

# The child does exactly what Preparation.save does (build the workbook in memory, read it back,
# write it atomically), from the rows the parent prepared once: preparing 20,000 learners again
# in every child would only make the test slower, not the save it kills any different.
CHILD = """
import json, sys
from pathlib import Path
from tracker_desktop.core.returns.definitions import load_definition
from tracker_desktop.core.returns.template import read_template
from tracker_desktop.core.preparing.opening import known_headers
from tracker_desktop.core.writing.files import write_workbook
from tracker_desktop.core.writing.workbook import write_return

job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
definition = load_definition(job["return"])
template = read_template(definition.template_path, known_headers=known_headers(definition))
print("saving", flush=True)
write_workbook(Path(job["path"]), write_return(template, definition, job["rows"]))
print("saved", flush=True)
"""


def saving_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".saving-"))


@pytest.mark.slow
def test_a_save_killed_at_random_points_leaves_no_return_and_no_leftovers(tmp_path):
    export = tmp_path / "roll.csv"
    export.write_text(HEADER + "".join(
        f"{make_upn(f'8864123{i:05d}')},Smith{i},Amy,15/03/2009,F,Year 11,{i} High Street,Maidstone,ME14 1XX,"
        "Jo Smith,07911 123456,N,07/10/2024\n" for i in range(ROWS)), encoding="utf-8")
    prep = Preparation.start("school-joiners", export, school="8864123", period="2024-10", as_of="2024-10-31")
    assert len(prep.learners) == ROWS
    out = tmp_path / "out"
    out.mkdir()
    final = out / prep.output_name
    job = tmp_path / "job.json"
    rows = list(prep.rows_for_writing())
    job.write_text(json.dumps({"return": prep.definition.id, "path": str(final), "rows": rows}), encoding="utf-8")
    child_temp = tmp_path / "child-temp"
    child_temp.mkdir()
    env = {**os.environ, "TMPDIR": str(child_temp), "TEMP": str(child_temp), "TMP": str(child_temp)}

    def child() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", CHILD, str(job)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, text=True)

    # How long the save itself takes here, to kill within it.
    proc = child()
    assert proc.stdout.readline().strip() == "saving"
    began = time.monotonic()
    stdout, stderr = proc.communicate(timeout=300)
    duration = time.monotonic() - began
    assert proc.returncode == 0 and "saved" in stdout, stderr
    check_workbook(final.read_bytes(), final.name)
    final.unlink()

    rng = random.Random(20241031)
    killed_while_saving = 0
    for _ in range(KILLS):
        proc = child()
        assert proc.stdout.readline().strip() == "saving"
        time.sleep(rng.uniform(0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        stdout, _ = proc.communicate(timeout=60)
        if "saved" in stdout:  # it finished first: then the file is whole
            check_workbook(final.read_bytes(), final.name)
            final.unlink()
            continue
        killed_while_saving += 1
        assert not final.exists(), "a killed save left a file under the return's name"
        assert list(child_temp.iterdir()) == [], "a killed save left something in the temp folder"
    assert killed_while_saving >= KILLS // 2

    # The next run saves normally and removes whatever the killed ones left beside the target.
    (out / ".saving-from-a-killed-run.tmp").write_bytes(b"half a return")  # as a kill mid-write leaves
    proc = child()
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert saving_files(out) == []
    assert sorted(p.name for p in out.iterdir()) == [final.name]
    check_workbook(final.read_bytes(), final.name)
    assert list(child_temp.iterdir()) == []
