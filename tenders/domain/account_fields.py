"""What a client account's typed fields may hold, wherever they are entered: the account's
page in the admin (the model fields' validators), the positions feed and the services that
create accounts without a form (the demo, load_scale). One set of rules, so that no door lets
in what another refuses (issue 22).

Each check returns what is wrong as the end of a sentence that names the field ("holds a
line break"), or "" when nothing is: the admin says "The
account number …", the feed "account_number …". Rows stored before these rules stay as they
are and readable; the exports guard whatever they hold (`exchange_office.spreadsheet`).
"""

import re

# The longest value of each field (its column's length; the feed allows the same).
ACCOUNT_NUMBER_LENGTH = 30
OWNER_NAME_LENGTH = 200
ADDRESS_LINE_LENGTH = 200
CITY_LENGTH = 100

# Characters no typed field holds: C0 and C1 controls (tab and line breaks among them) and DEL,
# the line and paragraph separators (a line break to many readers), and the bidirectional
# embeddings, overrides and isolates, which make a name read otherwise than it is stored.
# Written here: Unicode's Cc category alone leaves out the separators and the bidi controls,
# and no library of ours states this set.
# Also the invisible ones that make two equal-looking values differ: zero width space, word
# joiner and the byte order mark.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# The positions feed separates owners with ";" (its `owners` column): a name holding one would
# read as two owners there.
OWNER_SEPARATOR = ";"

# An account number: ASCII letters and digits, with "-", "/" or "." after the first character
# (HB-100001, SC1-0000001). So it never starts like a formula (=1+1) and fits SWIFT's x set.
ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]*", re.ASCII)
ACCOUNT_NUMBER_RULE = "letters and digits, with '-', '/' or '.' after the first (e.g. HB-100001)"


def length_problem(value: str, *, limit: int) -> str:
    return f"is {len(value)} characters long, at most {limit}" if len(value) > limit else ""


def control_problem(value: str) -> str:
    """What the first character no field holds is, in words the person who typed it knows."""
    found = CONTROL.search(value)
    if found is None:
        return ""
    character = found.group()
    if character == "\x00":
        return "holds a NUL character"
    if character == "\t":
        return "holds a tab"
    if character in LINE_BREAKS:
        return "holds a line break"
    return f"holds an invisible control character (U+{ord(character):04X})"


def account_number_problem(value: str) -> str:
    """The characters of an account number (its length is the field's)."""
    if problem := control_problem(value):
        return problem
    if not value:
        return "is blank"
    if not ACCOUNT_NUMBER.fullmatch(value):
        return f"{value!r} is not {ACCOUNT_NUMBER_RULE}"
    return ""


def name_problem(value: str) -> str:
    """An owner's name: any letters and signs, on one line, not blank."""
    if problem := control_problem(value):
        return problem
    if OWNER_SEPARATOR in value:
        return "holds a ';', which separates owners: enter each owner on a row of their own"
    return "is blank" if not value.strip() else ""
