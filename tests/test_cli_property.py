"""A property over the command line: whatever arguments and whatever file bytes an office (or a
script gone wrong) gives it, it answers with an exit code 0, 1 or 2 and never a traceback; and 2
means nothing was written."""
from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests import hostile

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def cli_main():
    """The command line's entry point (one place to change when the module moves)."""
    from tracker_desktop.commands import main

    return main


RETURNS = ["school-leavers", "school-joiners", "school-intended-destinations", "college-leavers", "tep-no-offer",
           "nope", ""]
DATES = ["2024-10-31", "2099-01-01", "0001-01-01", "2024-02-30", "²⁰²⁴-10-01", "9" * 40, "", "-1", "2024-10-31T00:00"]
PERIODS = ["2024-10", "2024-10-99", "99999999999999999999-10", "2024-13", "²⁰²⁴-10", "0-0", "", "--", "2024"]
YEARS = ["2025-26", "9999-00", "1999-00", "2025-27", "²⁰²⁵", "9" * 5000, "", "2025/2026"]
SCHOOLS = ["8864123", "886412", "88641234", "ABCDEFG", "", "²⁸⁸⁶⁴¹²³"]
WORDS = ["--force", "--help-me", "-x", "\x00", "", " ", "--period", "--as-of", "--", "prepare", "💥", "a" * 300]

FILE_MAKERS = {  # the first is a sane export
    "good.csv": lambda: hostile.csv_bytes(hostile.leavers(4)),
    "return.xlsx": lambda: hostile.raw_xlsx([("Return", "", hostile.sheet_xml(hostile.export_rows(3)))]),
    "quote.csv": lambda: hostile.stray_quote_csv(6, (1,)),
    "mixed.csv": lambda: hostile.mixed_encoding_csv(),
    "undefined.csv": lambda: hostile.cp1252_with_undefined_byte(0x8D),
    "hidden.xlsx": lambda: hostile.hidden_sheet_workbook("veryHidden", visible_too=False),
    "far.xlsx": lambda: hostile.far_cell_workbook(),
    "sst.xlsx": hostile.shared_strings_bomb,
    "deep.xml": lambda: hostile.deep_ctf(200_000),
    "utf7.xml": hostile.utf7_ctf,
    "order.xml": lambda: hostile.ctf_with_contact_order("9" * 5000),
    "nested.json": lambda: hostile.nested_json(50_000),
}


@st.composite
def files(draw, folder: Path) -> list[Path]:
    """The hostile corpus plus a few files of random bytes, behind office signatures or not."""
    made = []
    for name, maker in FILE_MAKERS.items():
        path = folder / name
        path.write_bytes(maker())
        made.append(path)
    for i in range(draw(st.integers(0, 3))):
        signatures = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"<?xml", b"{"]
        magic = draw(st.sampled_from(signatures))
        path = folder / f"random{i}{draw(st.sampled_from(['.csv', '.xlsx', '.xml', '.json', '']))}"
        path.write_bytes(magic + draw(st.binary(max_size=1500)))
        made.append(path)
    fifo = folder / "pipe.csv"
    hostile.fifo(fifo)
    made.append(fifo)
    made.append(hostile.symlink_to_device(folder / "zero.xlsx"))
    made.append(folder / "missing.csv")
    made.append(folder)  # a folder where a file is wanted
    return made


# Every input, the password files and encrypt/decrypt's workbooks included, goes through the input checks.
NOT_YET_GUARDED: tuple[str, ...] = ()


def arguments(paths: list[Path], out: Path) -> st.SearchStrategy[list[str]]:
    path = st.sampled_from([str(p) for p in paths])
    plain = st.sampled_from([str(p) for p in paths if p.name not in NOT_YET_GUARDED])
    written = [str(out / "report.json"), str(out / "history")]
    def mostly_first(choices: list[str]) -> st.SearchStrategy[str]:
        return st.one_of(st.just(choices[0]), st.sampled_from(choices))  # the sane value half the time

    good = st.one_of(st.just(str(paths[0])), path)
    values = {
        "--school": mostly_first(SCHOOLS), "--college": st.sampled_from(["MKC", "", "x" * 50]),
        "--period": mostly_first(PERIODS), "--as-of": mostly_first(DATES), "--template": path,
        "--mapping": path, "--prepopulated": path, "--prepopulated-password-file": plain, "--password-file": plain,
        "--report": st.just(written[0]), "--history": st.just(written[1]), "--academic-year": mostly_first(YEARS),
        "--closed": st.sampled_from(DATES),
    }
    allowed = {
        "prepare": ["--period", "--as-of", "--template", "--mapping", "--prepopulated", "--prepopulated-password-file",
                    "--report", "--history"],
        "check": ["--period", "--as-of", "--report"],
        "deadlines": ["--academic-year", "--closed"],
        "compare-rolls": ["--as-of", "--report", "--history"],
        "summary": ["--password-file"],
        "returns": [],
        "encrypt": ["--password-file"],
        "decrypt": ["--password-file"],
    }
    junk = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))

    @st.composite
    def build(draw) -> list[str]:
        name = draw(st.sampled_from(sorted(allowed)))
        args = [name]
        if name in ("prepare", "check"):
            args += [draw(mostly_first(RETURNS)), draw(good)]
        elif name == "compare-rolls":
            args += [draw(good), draw(good), "--period", draw(mostly_first(PERIODS))]
        elif name == "summary":
            args += [draw(path)]
        elif name in ("encrypt", "decrypt"):
            args += [draw(plain)]
        if name in ("prepare", "compare-rolls", "deadlines") and draw(st.integers(0, 4)):
            args += ["--school", draw(mostly_first(SCHOOLS))]
        for option in draw(st.lists(st.sampled_from(allowed[name]), max_size=4, unique=True)) if allowed[name] else []:
            args += [option, draw(values[option])]
        if draw(st.integers(0, 5)) == 0:  # now and then an argument that is not one
            args.insert(draw(st.integers(1, len(args))), draw(junk))
        if name in ("prepare", "compare-rolls", "summary", "encrypt", "decrypt"):
            args += ["--out", str(out if name in ("prepare", "compare-rolls") else out / "out.xlsx")]
        return args

    return build()


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


@PROPERTY
@given(st.data())
def test_any_arguments_and_files_give_an_exit_code_and_never_a_traceback(data):
    with tempfile.TemporaryDirectory() as tmp:
        inputs, out = Path(tmp) / "in", Path(tmp) / "out"
        inputs.mkdir()
        out.mkdir()
        paths = data.draw(files(inputs))
        args = data.draw(arguments(paths, out))
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = cli_main()(args)
            except SystemExit as e:  # --help style exits of the argument parser only
                code = e.code
        err = stderr.getvalue()
        event(f"{args[0]} exit {code}")
        assert "Traceback" not in err and "Traceback" not in stdout.getvalue(), err
        assert code in (0, 1, 2), (args, code, err)
        if code == 2:
            assert _snapshot(out) == set(), (args, err)  # nothing written
            assert err.strip() and err.strip().count("\n") == 0, (args, err)
