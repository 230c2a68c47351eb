"""Fictional but realistic SIMS-style whole-school roll exports, for the demo, the tests and the
benchmarks.

Every person, address and telephone number here is made up from a seed. The layout is that of a
SIMS whole-school roll (the header row of `roll_2024-10.csv` in the shared samples); the values
are what such an export holds:

- UPNs with correct check letters (DOMAIN.md section 5), LA 886 and the school's DfE number, the
  two-digit year the cohort entered Year 7 and a serial, all unique;
- UK telephone numbers that `phonenumbers` accepts as valid for Great Britain (Kent area codes
  01622, 01634, 01227, 01233, 01732, 01474 and 07 mobiles, never the drama ranges
  07700 900xxx / 01632 960xxx, which are never valid);
- Kent postcodes of the town's own districts (ME14 1XX shapes);
- dates of birth that fit the year group for the period's academic year (age on 31 August =
  NC year + 4), admission dates at the start of Year 7 (Year 12 for the sixth form);
- some joiners admitted in the period month and some leavers who left in it, with a reason,
  a destination code (DOMAIN.md section 4.1, 1xx for Year 11 and below) and, for education,
  employment or training codes, the establishment or employer.

`defects=True` adds a handful of known mistakes on joiners and leavers of Year 10 and above, so
that the demo's joiners and leavers returns have something to show (see `DEFECTS`).

Regenerate the bundled demo roll with::

    python -m tracker_desktop.demo_data assets/demo/demo_roll.csv --rows 400 --seed 1 --period 2025-10 --defects
"""
from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import random
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

# The settings the bundled demo roll is made for, in one place: the app's demo, `tracker-desktop demo`
# and the doctor prepare its joiners or leavers with these.
DEMO_SCHOOL = "8864123"
DEMO_PERIOD = "2025-10"
DEMO_AS_OF = "2025-10-31"
DEMO_ROWS = 400
DEMO_SEED = 1


HEADERS: tuple[str, ...] = (
    "Adno", "UPN", "Legal Surname", "Legal Forename", "Middle Name(s)", "Preferred Forename", "Gender", "DOB",
    "Year", "Reg", "House No", "Street", "Town", "County", "Post Code", "Home Telephone", "Mobile",
    "Primary Contact Name", "Primary Contact Telephone", "Email", "SEN Status", "Admission Date", "Leaving Date",
    "Reason for Leaving", "Destination", "Destination Establishment",
)
# Columns a sixth-form report adds (`sixth_form=True`): what the sixth-form enrolment return needs.
SIXTH_FORM_HEADERS: tuple[str, ...] = ("Course Start Date", "Course", "Level", "FT/PT")
DATE_COLUMNS = ("DOB", "Admission Date", "Leaving Date", "Course Start Date")
PHONE_COLUMNS = ("Home Telephone", "Mobile", "Primary Contact Telephone")

# The year groups of a secondary school with a sixth form, weighted like the shared sample roll.
DEFAULT_YEARS: dict[int, float] = {7: 60, 8: 60, 9: 61, 10: 63, 11: 61, 12: 47, 13: 41}

# The defects `defects=True` puts in, on joiners (J) and leavers (L) in the period month.
DEFECTS: dict[str, str] = {
    "joiner-temporary-upn": "J: a temporary UPN (ends in a letter) - a query",
    "joiner-missing-postcode": "J: the postcode is empty - an error (mandatory)",
    "joiner-age-one-year-off": "J: born a year early for the year group - a query",
    "joiner-lost-zero-mobile": "J: the mobile lost its leading zero (7911123456) - restored by cleaning",
    "leaver-bad-check-letter": "L: the UPN's check letter is wrong - an error",
    "leaver-drama-phone": "L: the contact telephone is a drama number (07700 900xxx) - an error",
    "leaver-lost-zero-phone": "L: the contact telephone lost its leading zero - restored by cleaning",
    "leaver-eet-no-establishment": "L: an apprenticeship (310) with no employer named - an error",
    "leaver-missing-destination": "L: no destination - an error suggesting 810",
}

CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward part may use

# town -> (area code, postcode districts, weight)
TOWNS: dict[str, tuple[str, tuple[str, ...], int]] = {
    "Maidstone": ("01622", ("ME14", "ME15", "ME16", "ME17"), 26),
    "Canterbury": ("01227", ("CT1", "CT2", "CT3", "CT4"), 18),
    "Ashford": ("01233", ("TN23", "TN24", "TN25", "TN26"), 14),
    "Tonbridge": ("01732", ("TN9", "TN10", "TN11"), 12),
    "Sevenoaks": ("01732", ("TN13", "TN14", "TN15"), 10),
    "Gravesend": ("01474", ("DA11", "DA12", "DA13"), 10),
    "Chatham": ("01634", ("ME4", "ME5"), 6),
    "Rochester": ("01634", ("ME1", "ME2", "ME3"), 4),
}
STREETS = (
    "London Road", "Queens Avenue", "Sandling Road", "Ashford Road", "Boxley Road", "Tonbridge Road",
    "Church Lane", "High Street", "Loose Road", "Mill Lane", "Station Road", "Canterbury Road",
    "Orchard Way", "Hop Garden Close", "Oast Court", "Pilgrims Way", "Forge Lane", "The Street",
    "Bower Mount Road", "Wheatsheaf Close", "Chestnut Drive", "Beech Road", "St Peter's Street",
    "Ragstone Road", "Kingsway", "Marsh Lane", "Weald View", "Cherry Tree Avenue",
)
GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Lily", "Freya", "Ruby", "Grace", "Mia", "Ella", "Poppy", "Evie",
    "Hannah", "Chloé", "Zoë", "Siobhán", "Niamh", "Aisha", "Priya", "Maya", "Fatima", "Amara", "Zofia",
    "Sophie", "Emily", "Charlotte", "Isabella", "Millie", "Daisy", "Erin", "Leah", "Layla", "Imogen",
    "Phoebe", "Scarlett", "Harriet", "Jessica", "Alexandra", "Elizabeth", "Anaya",
)
BOYS = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Oscar", "Harry", "Jack", "Alfie", "Jacob", "Thomas",
    "Samuel", "Ethan", "Dylan", "Finley", "Reuben", "Mohammed", "Jayden", "Kacper", "Tomás", "Aarav",
    "Ibrahim", "Joshua", "Charlie", "Theo", "Freddie", "Archie", "Henry", "Max", "Lewis", "Callum", "Owen",
    "Rhys", "Kai", "Jamal", "Oluwaseun", "Seán", "Daniel", "Alexander", "William",
)
NICKNAMES = {
    "Thomas": "Tom", "Samuel": "Sam", "Joshua": "Josh", "Isabella": "Bella", "Charlotte": "Lottie",
    "Oliver": "Ollie", "Alexander": "Alex", "Alexandra": "Alex", "Mohammed": "Mo", "Jacob": "Jake",
    "Daniel": "Dan", "William": "Will", "Elizabeth": "Beth", "Jessica": "Jess", "Harriet": "Hattie",
    "Freddie": "Fred", "Oluwaseun": "Seun", "Siobhán": "Shiv", "Poppy": "Pop", "Alfie": "Alf",
}
MIDDLE_NAMES = ("James", "Rose", "Marie", "Ali", "Grace", "John", "Louise", "Elizabeth", "Thomas", "May",
                "Jane", "Edward", "Alexander", "Mae", "Joy", "David", "Nicole", "Kwame")
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward",
    "Morris", "Moore", "Baker", "King", "Harrison", "Morgan", "Allen", "Scott", "Ellis", "Bennett", "Khan",
    "Ahmed", "Begum", "Singh", "Kaur", "Gurung", "Rai", "Okafor", "Adeyemi", "Mensah", "Nowak", "Kowalski",
    "Wiśniewski", "O'Brien", "O'Neill", "McDonald", "MacLeod", "Smith-Jones", "van der Berg", "Da Silva",
    "Nguyen", "Chen", "Null",  # 'Null' is a real surname: the reader must never take it for an empty cell
)
MOTHERS = ("Sarah", "Emma", "Claire", "Laura", "Rachel", "Gemma", "Kelly", "Nicola", "Joanne", "Lisa",
           "Michelle", "Helen", "Priya", "Aisha", "Agnieszka", "Anna", "Siobhán", "Chloé", "Funmi", "Mei")
FATHERS = ("David", "Mark", "Paul", "Andrew", "James", "Richard", "Daniel", "Christopher", "Lee", "Stephen",
           "Darren", "Craig", "Tomasz", "Mohammed", "Imran", "Rajesh", "Kwame", "Wei", "Bikash", "Seán")
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")

SCHOOLS = ("Weald Hill School", "Orchard Park Academy", "Medway Valley Academy", "Bramley Court School",
           "Downsview Grammar School", "Saxon Way Academy", "Hollybank School")
SCHOOLS_AWAY = ("Hillview School, Croydon", "St Aidan's Academy, Norwich", "Riverside School, Bristol",
                "Moorfield High School, Leeds")
SIXTH_FORMS = ("Weald Hill Sixth Form", "Orchard Park Sixth Form", "Downsview Grammar School Sixth Form")
COLLEGES = ("North Downs College", "East Kent Vale College", "Medway Riverside College", "Mid Kent Weald College")
UNIVERSITIES = ("University of the Downs", "Canterbury Weald University", "University of South London Bridge")
EMPLOYERS = ("Kent Builders Ltd", "Garden County Motors", "Harbourside Care Home", "Oast House Bakery",
             "Medway Electrical Services", "Weald Hair Studio", "Pilgrims Way Dental Practice", "Greensand Landscapes")
ACTIVITY_LABELS = {
    "110": "Registered at a school in the area", "120": "Educated at home", "140": "Not registered at a school",
    "210": "Full-time education - school sixth form", "220": "Full-time education - sixth-form college",
    "230": "Full-time education - further education", "240": "Full-time education - higher education",
    "310": "Apprenticeship", "330": "Employment without training", "340": "Employment with training (other)",
    "619": "Seeking employment, education or training", "810": "Current situation not known",
}
COURSES = (
    ("A Levels: Mathematics, Physics, Chemistry", "Level 3"),
    ("A Levels: English Literature, History, Psychology", "3"),
    ("A Levels: Biology, Chemistry, Geography", "L3"), ("BTEC Extended Diploma in Sport", "Level 3"),
    ("BTEC National Diploma in Health and Social Care", "3"),
    ("T Level in Digital Production, Design and Development", "Level 3"),
    ("A Levels: Art, Photography, Sociology", "3"), ("Level 2 Study Programme (GCSE resits)", "Level 2"),
    ("Cambridge Technical in IT", "L3"),
)


# --- identifiers and telephone numbers ----------------------------------------------------------

def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (DOMAIN.md section 5)."""
    total = 0
    for weight, ch in enumerate(body, start=2):
        total += weight * (CHECK_ALPHABET.index(ch) if ch.isalpha() else int(ch))
    return CHECK_ALPHABET[total % 23]


def make_upn(body: str) -> str:
    return upn_check_letter(body) + body


class _UpnIssuer:
    """Unique UPN bodies: LA + DfE number + two-digit year + three-digit serial.

    A year's 1,000 serials are used first; past that (rolls of many thousands, for benchmarks)
    the next unused two-digit years are taken, then the LA's other establishment numbers."""

    def __init__(self, la: str, estab: str):
        self.la, self.estabs = la, [estab] + [f"{2000 + i:04d}" for i in range(1, 1000) if f"{2000 + i:04d}" != estab]
        self.next: dict[tuple[int, int], int] = {}
        self.full_steps: dict[tuple[int, int], int] = {}  # (estab, year) -> steps known to be full

    def issue(self, year: int) -> str:
        for e in range(len(self.estabs)):
            for step in range(self.full_steps.get((e, year), 0), 100):
                yy = (year - 7 * step) % 100  # 7 is prime to 100: every year code is reached
                serial = self.next.get((e, yy), 0)
                if serial < 1000:
                    self.next[(e, yy)] = serial + 1
                    return f"{self.la}{self.estabs[e]}{yy:02d}{serial:03d}"
                self.full_steps[(e, year)] = step + 1
        raise ValueError("no UPNs left")  # pragma: no cover - 100 million pupils


# Mobile prefixes 07400-07999 that are Great Britain's: not 076 (pagers, personal numbers), not
# 0770 (which holds the drama range 07700 900xxx), not the Crown Dependencies' blocks (Jersey,
# Guernsey, Isle of Man), which phonenumbers places outside GB. Written out rather than computed
# from phonenumbers so that the demo file is the same whatever its version; the tests check them.
CROWN_DEPENDENCY_MOBILES = ("07509", "07524", "07781", "07797", "07829", "07839", "07911", "07937")
MOBILE_PREFIXES: tuple[str, ...] = tuple(
    p for p in (f"0{n}" for n in range(7400, 8000))
    if not p.startswith(("076", "0770")) and p not in CROWN_DEPENDENCY_MOBILES)
LANDLINE_AREAS = tuple(sorted({area for area, _, _ in TOWNS.values()}))
LANDLINE_FIRST_DIGITS = "23456789"  # a local number never starts 0 or 1


def _mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)} {rng.randrange(1_000_000):06d}"


def _landline(rng: random.Random, area: str) -> str:
    return f"{area} {rng.choice(LANDLINE_FIRST_DIGITS)}{rng.randrange(100_000):05d}"


# --- dates ------------------------------------------------------------------------------------

def academic_year_of(year: int, month: int) -> int:
    """The September year of the academic year a month belongs to."""
    return year if month >= 9 else year - 1


def first_day_of_term(year: int) -> dt.date:
    """The first day of the autumn term: 4 September, or the Monday after when it is a weekend."""
    day = dt.date(year, 9, 4)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _weekday_in_month(rng: random.Random, year: int, month: int) -> dt.date:
    days = [dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    return rng.choice([d for d in days if d.weekday() < 5])


def _dob_for(rng: random.Random, nc_year: int, academic_year: int) -> dt.date:
    """Born between 1 September and 31 August so that the age on 31 August = NC year + 4."""
    start = dt.date(academic_year - nc_year - 5, 9, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(start.year + 1, 9, 1) - start).days))


def _shown(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# --- the roll ---------------------------------------------------------------------------------

def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _email(rng: random.Random, forename: str, surname: str) -> str:
    local = f"{_ascii(forename)}.{_ascii(surname).replace(' ', '').replace('-', '')}".lower()
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def _weights(years: Mapping[int, float] | Sequence[int] | None) -> tuple[list[int], list[float]]:
    if years is None:
        years = DEFAULT_YEARS
    if not isinstance(years, Mapping):
        years = {y: 1.0 for y in years}
    bad = [y for y in years if not 7 <= int(y) <= 13]
    if bad or not years:
        raise ValueError(f"year groups must be 7 to 13, not {bad or 'none'}")
    return [int(y) for y in years], [float(w) for w in years.values()]


def _leaving(rng: random.Random, nc_year: int) -> tuple[str, str, str]:
    """(reason, destination as SIMS shows it, establishment or employer) that fit together."""
    if nc_year <= 11:
        reason = rng.choices(["Transferred to another school", "Moved out of area", "Elective home education",
                              "Permanently excluded"], [45, 35, 15, 5])[0]
        if reason == "Transferred to another school":
            code, where = "110", rng.choice(SCHOOLS)
        elif reason == "Moved out of area":
            code, where = "110", rng.choice(SCHOOLS_AWAY)
        elif reason == "Elective home education":
            code, where = "120", ""
        else:
            code, where = rng.choice([("110", "Kent Pupil Referral Service"), ("140", "")])
    else:
        reason = rng.choices(["Completed course", "Left course early", "Transferred to another school",
                              "Moved out of area", "Other"], [30 if nc_year == 13 else 5, 35, 15, 10, 5])[0]
        if reason == "Completed course":
            code = rng.choice(["240", "310", "340", "330"])
        elif reason == "Left course early":
            code = rng.choice(["310", "230", "330", "619"])
        elif reason == "Transferred to another school":
            code = rng.choice(["210", "220"])
        elif reason == "Moved out of area":
            code = rng.choice(["230", "810"])
        else:
            code = "810"
        places = {"210": SIXTH_FORMS, "220": COLLEGES, "230": COLLEGES, "240": UNIVERSITIES,
                  "310": EMPLOYERS, "330": EMPLOYERS, "340": EMPLOYERS}.get(code, ())
        where = rng.choice(places) if places else ""
    shown = f"{code} - {ACTIVITY_LABELS[code]}" if rng.random() < 0.4 else code
    return reason, shown, where


def make_roll(n_rows: int, seed: int = 1, school: str = DEMO_SCHOOL, period: tuple[int, int] = (2024, 10),
              defects: bool = False, years: Mapping[int, float] | Sequence[int] | None = None,
              sixth_form: bool = False) -> list[dict[str, str]]:
    """`n_rows` pupils of a fictional school's roll, as a SIMS whole-school roll export shows them.

    `period` is the (year, month) the export is taken in: dates of birth fit that academic year,
    and some pupils joined or left in that month. `years` weights the year groups (a mapping
    year -> weight, or a list of years; Years 7-13 like a real school by default). `sixth_form`
    adds the course columns of a sixth-form report (`SIXTH_FORM_HEADERS`), filled for Years 12
    and 13. The same arguments give the same rows."""
    if n_rows < 0:
        raise ValueError("n_rows must not be negative")
    school = str(school).strip()
    if len(school) != 7 or not school.isdigit():
        raise ValueError(f"school must be the 7-digit LA and DfE number, e.g. 8864123, not {school!r}")
    p_year, p_month = period
    if not 1 <= p_month <= 12:
        raise ValueError(f"period month must be 1-12, not {p_month}")
    rng = random.Random(f"tracker-desktop-demo:{seed}")
    ay = academic_year_of(p_year, p_month)
    la, estab = school[:3], school[3:]
    issuer = _UpnIssuer(la, estab)
    year_list, year_weights = _weights(years)
    town_names = list(TOWNS)
    town_weights = [TOWNS[t][2] for t in town_names]
    columns = HEADERS + (SIXTH_FORM_HEADERS if sixth_form else ())

    roles = _roles(rng, n_rows)

    rows: list[dict[str, str]] = []
    movers: dict[str, list[dict[str, str]]] = {"join": [], "leave": []}  # Year 10+ in the period month
    month_start = dt.date(p_year, p_month, 1)
    for role in roles:
        if role in ("join", "leave") and rng.random() < 0.8:
            # most in-month movers are Year 10 and above, so the monthly returns have rows to show
            weighted = list(zip(year_list, year_weights, strict=True))
            upper = [(y, w) for y, w in weighted if y >= 10] or weighted
            nc_year = rng.choices([y for y, _ in upper], [w for _, w in upper])[0]
        else:
            nc_year = rng.choices(year_list, year_weights)[0]
        gender = rng.choice("MF")
        forename = rng.choice(BOYS if gender == "M" else GIRLS)
        surname = rng.choice(SURNAMES[:-1]) if rng.random() > 0.01 else "Null"
        preferred = NICKNAMES.get(forename, forename) if rng.random() < 0.22 else ""
        town = rng.choices(town_names, town_weights)[0]
        area, districts, _ = TOWNS[town]
        postcode = (f"{rng.choice(districts)} {rng.randrange(10)}"
                    f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}")
        contact_surname = surname if rng.random() < 0.85 else rng.choice(SURNAMES[:-1])
        contact_forename = rng.choice(MOTHERS if rng.random() < 0.7 else FATHERS)
        mobile_chance = {7: 0.15, 8: 0.2, 9: 0.3, 10: 0.65, 11: 0.75}.get(nc_year, 0.9)

        year7_start = ay - (nc_year - 7)
        cohort_start = first_day_of_term(year7_start if nc_year <= 11 else ay - (nc_year - 12))
        admitted = _admission(rng, role, cohort_start, month_start)
        left, reason, destination, where = _departure(rng, role, admitted, month_start, nc_year)

        row = {
            "Adno": "",  # numbered in order of admission below
            "UPN": make_upn(issuer.issue(year7_start)),
            "Legal Surname": surname,
            "Legal Forename": forename,
            "Middle Name(s)": rng.choice(MIDDLE_NAMES) if rng.random() < 0.4 else "",
            "Preferred Forename": preferred,
            "Gender": gender,
            "DOB": _shown(_dob_for(rng, nc_year, ay)),
            "Year": f"Year {nc_year}",
            "Reg": f"{nc_year}{rng.choice('ABCDEF')}",
            "House No": str(rng.randrange(1, 240)),
            "Street": rng.choice(STREETS),
            "Town": town,
            "County": "Kent",
            "Post Code": postcode,
            "Home Telephone": _landline(rng, area) if rng.random() < 0.65 else "",
            "Mobile": _mobile(rng) if rng.random() < mobile_chance else "",
            "Primary Contact Name": f"{contact_forename} {contact_surname}",
            "Primary Contact Telephone": _mobile(rng) if rng.random() < 0.93 else _landline(rng, area),
            "Email": _email(rng, contact_forename, contact_surname),
            "SEN Status": rng.choices("NKE", [82, 13, 5])[0],
            "Admission Date": _shown(admitted),
            "Leaving Date": _shown(left),
            "Reason for Leaving": reason,
            "Destination": destination,
            "Destination Establishment": where,
        }
        if sixth_form:
            _add_course(rng, row, nc_year, cohort_start)
        row = {h: row[h] for h in columns}
        rows.append(row)
        if role in movers and nc_year >= 10:
            movers[role].append(row)

    if defects:
        _add_defects(rng, movers, la, estab, ay)
    # Admission numbers run in order of admission, as an MIS issues them (kept as text: leading zeros).
    adno = rng.randrange(100, 600)
    for row in sorted(rows, key=lambda r: _date_key(r["Admission Date"])):
        adno += rng.choice((1, 1, 1, 2, 3))
        row["Adno"] = f"{adno:06d}"
    rng.shuffle(rows)
    return rows


def _roles(rng: random.Random, n_rows: int) -> list[str]:
    """Who joins and who leaves in the period month: a couple in a hundred each, a few at least."""
    n_join = min(n_rows, max(round(n_rows * 0.02), 8 if n_rows >= 100 else 0))
    n_leave = min(n_rows - n_join, max(round(n_rows * 0.03), 10 if n_rows >= 100 else 0))
    n_left_before = min(n_rows - n_join - n_leave, round(n_rows * 0.005))
    roles = ["join"] * n_join + ["leave"] * n_leave + ["left-before"] * n_left_before
    roles += ["stay"] * (n_rows - len(roles))
    rng.shuffle(roles)
    return roles


def _admission(rng: random.Random, role: str, cohort_start: dt.date, month_start: dt.date) -> dt.date:
    """The admission date: in the period month for a joiner, else with the cohort (or a little later)."""
    if role == "join":
        return _weekday_in_month(rng, month_start.year, month_start.month)
    admitted = cohort_start
    if rng.random() < 0.04:  # a few joined part-way through an earlier year
        later = cohort_start + dt.timedelta(days=rng.randrange(30, 300))
        if later < month_start:
            admitted = later
            while admitted.weekday() >= 5:
                admitted += dt.timedelta(days=1)
    return admitted


def _departure(rng: random.Random, role: str, admitted: dt.date, month_start: dt.date,
               nc_year: int) -> tuple[dt.date | None, str, str, str]:
    """(leaving date, reason, destination, establishment): blank for a pupil still on roll."""
    if role == "leave":
        left = max(_weekday_in_month(rng, month_start.year, month_start.month), admitted)
        return (left, *_leaving(rng, nc_year))
    if role == "left-before" and admitted < month_start:
        before = month_start - dt.timedelta(days=1)
        left = max(_weekday_in_month(rng, before.year, before.month), admitted)
        return (left, *_leaving(rng, nc_year))
    return None, "", "", ""


def _add_course(rng: random.Random, row: dict[str, str], nc_year: int, cohort_start: dt.date) -> None:
    """The sixth-form report's course columns: filled for Years 12 and 13, blank below."""
    if nc_year >= 12:
        course, level = rng.choice(COURSES)
        row["Course Start Date"] = _shown(cohort_start)
        row["Course"] = course
        row["Level"] = level
        row["FT/PT"] = rng.choices(["FT", "Full time", "F/T", "PT"], [70, 20, 7, 3])[0]
    else:
        row.update({h: "" for h in SIXTH_FORM_HEADERS})


def _add_defects(rng: random.Random, movers: dict[str, list[dict[str, str]]], la: str, estab: str, ay: int) -> None:
    """Each of the known defects (DEFECTS) given to a different joiner or leaver of the period month."""
    for name in DEFECTS:
        candidates = movers["join" if name.startswith("joiner") else "leave"]
        if not candidates:
            continue
        # an apprenticeship is a destination only from Year 12: give that defect to a sixth former
        suits = [r for r in candidates
                 if name != "leaver-eet-no-establishment" or r["Year"] in ("Year 12", "Year 13")]
        row = (suits or candidates)[0]
        candidates.remove(row)
        _apply(name, row, rng, la, estab, ay)


def _date_key(shown: str) -> tuple[int, int, int]:
    day, month, year = shown.split("/")
    return int(year), int(month), int(day)


def _apply(name: str, row: dict[str, str], rng: random.Random, la: str, estab: str, ay: int) -> None:
    if name == "joiner-temporary-upn":
        body = f"{la}{estab}{ay % 100:02d}{rng.randrange(100):02d}{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}"
        row["UPN"] = make_upn(body)
    elif name == "joiner-missing-postcode":
        row["Post Code"] = ""
    elif name == "joiner-age-one-year-off":
        day, month, year = row["DOB"].split("/")
        day = "28" if (day, month) == ("29", "02") else day  # no 29 February a year earlier
        row["DOB"] = f"{day}/{month}/{int(year) - 1}"
    elif name == "joiner-lost-zero-mobile":
        row["Mobile"] = _mobile(rng).replace(" ", "")[1:]
    elif name == "leaver-bad-check-letter":
        wrong = [c for c in CHECK_ALPHABET if c != row["UPN"][0]]
        row["UPN"] = rng.choice(wrong) + row["UPN"][1:]
    elif name == "leaver-drama-phone":
        row["Primary Contact Telephone"] = f"07700 900{rng.randrange(1000):03d}"
    elif name == "leaver-lost-zero-phone":
        row["Home Telephone"] = _landline(rng, "01622").replace(" ", "")[1:]
    elif name == "leaver-eet-no-establishment":
        row["Reason for Leaving"] = "Left course early"
        row["Destination"] = "310 - Apprenticeship"
        row["Destination Establishment"] = ""
    elif name == "leaver-missing-destination":
        row["Destination"] = ""
        row["Destination Establishment"] = ""


# --- writing ------------------------------------------------------------------------------------

def _columns(rows: Sequence[Mapping[str, str]]) -> list[str]:
    return list(rows[0].keys()) if rows else list(HEADERS)


def write_roll_csv(path: Path | str, rows: Sequence[Mapping[str, str]]) -> Path:
    """The roll as SIMS writes CSV: UTF-8 with a byte-order mark, comma-separated, CRLF lines."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = _columns(rows)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_roll_xlsx(path: Path | str, rows: Sequence[Mapping[str, str]]) -> Path:
    """The roll as an Excel export after Excel has had it: telephone numbers stored as numbers (the
    leading zero lost, 7911123456), dates as real dates shown dd/mm/yyyy, everything else text."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = _columns(rows)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("Roll")
    ws.append(columns)
    kinds = ["date" if c in DATE_COLUMNS else "phone" if c in PHONE_COLUMNS else "text" for c in columns]
    date_style = WriteOnlyCell(ws, dt.datetime(2000, 1, 1))
    date_style.number_format = "DD/MM/YYYY"
    for row in rows:
        out: list[object] = []
        for column, kind in zip(columns, kinds, strict=True):
            text = row.get(column, "")
            if not text:
                out.append(None)
            elif kind == "phone" and text.replace(" ", "").isdigit():
                out.append(int(text.replace(" ", "")))
            elif kind == "date":
                day, month, year = (int(p) for p in text.split("/"))
                cell = WriteOnlyCell(ws, dt.datetime(year, month, day))
                cell._style = date_style._style  # one shared style: far faster than setting the format
                out.append(cell)
            else:
                out.append(text)
        ws.append(out)
    book.save(path)
    return path


def demo_roll_path() -> Path:
    """The bundled demo roll (fictional; see assets/demo/README.md)."""
    from tracker_desktop.resources import resource_path

    return resource_path("assets", "demo", "demo_roll.csv")


# --- command line -----------------------------------------------------------------------------

def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker_desktop.demo_data",
                                     description="Write a fictional SIMS-style whole-school roll export "
                                                 "(CSV or .xlsx).")
    parser.add_argument("output", type=Path, help="file to write: .csv (UTF-8 with BOM) or .xlsx")
    parser.add_argument("--rows", type=int, default=DEMO_ROWS)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--school", default=DEMO_SCHOOL)
    parser.add_argument("--period", default=DEMO_PERIOD, help="YYYY-MM the export is taken in")
    parser.add_argument("--defects", action="store_true", help="add the known defects (DEFECTS) for the demo screens")
    parser.add_argument("--years", help="year groups, e.g. 12,13 (default 7-13 weighted like a real school)")
    parser.add_argument("--sixth-form", action="store_true",
                        help="add course columns for the sixth-form enrolment return")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        year, month = (int(p) for p in args.period.split("-")[:2])
    except ValueError:
        parser.error(f"--period must be YYYY-MM, not {args.period}")
    years = [int(y) for y in args.years.split(",")] if args.years else None
    rows = make_roll(args.rows, seed=args.seed, school=args.school, period=(year, month), defects=args.defects,
                     years=years, sixth_form=args.sixth_form)
    if args.output.suffix.lower() == ".xlsx":
        write_roll_xlsx(args.output, rows)
    else:
        write_roll_csv(args.output, rows)
    print(f"wrote {args.output} ({len(rows)} fictional pupils)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
