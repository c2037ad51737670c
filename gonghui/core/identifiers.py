"""Chinese identifiers: resident ID numbers, unified social credit codes, mobile numbers, masks.

Pure Python (no database, no settings needed until a message is turned into text). Every
user-facing message is a lazy translation with English source text, so the same error can be
shown in Chinese to a worker and logged in English.

Standards followed:

* GB 11643-1999, citizen identification number (居民身份证号码): 6-digit area code, 8-digit
  birth date, 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character.
* GB/T 2260, administrative division codes, as collected year by year in python-stdnum's
  ``stdnum/cn/loc.dat``.
* GB 32100-2015, unified social credit code (统一社会信用代码), and GB 11714-1997, the
  organization code (组织机构代码) that forms its characters 9-17.

Why not just ``stdnum.cn.ric``: python-stdnum 2.2 rejects genuine ids whose area code had been
abolished (or not yet created) in the birth year (python-stdnum issue #442), and its
``is_valid`` raises ``KeyError`` instead of returning ``False`` when the province exists but the
county code does not. A card stays valid for life after its area is renamed or merged, so here an
area code is accepted when it existed in *any* year, and an unknown county code is only a
warning for a human to look at.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, NamedTuple

import phonenumbers
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

__all__ = [
    "IdentifierError",
    "ResidentId",
    "all_area_codes",
    "area_code_known",
    "area_history",
    "area_name",
    "is_valid_resident_id",
    "make_resident_id",
    "make_uscc",
    "mask_bank_account",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
    "normalize_id_number",
    "normalize_mobile",
    "normalize_uscc",
    "organization_code_check_char",
    "parse_resident_id",
    "parse_uscc",
    "province_name",
    "resident_id_check_char",
    "uscc_check_char",
]


# --------------------------------------------------------------------------------------------
# Errors and lazy messages
# --------------------------------------------------------------------------------------------


def _interpolate(message: Any, params: dict[str, Any]) -> str:
    return str(message) % params


# ``gettext_lazy(...) % params`` would translate immediately (Promise.__mod__ forces the
# string), which freezes the language of the moment the error was raised. Wrapping the
# interpolation itself in ``lazy`` keeps the message lazy until it is rendered.
_lazy_interpolate = lazy(_interpolate, str)


def _msg(message: Any, **params: Any) -> str:
    return _lazy_interpolate(message, params) if params else message


class IdentifierError(ValueError):
    """An identifier that cannot be accepted.

    ``message`` is a lazy translatable string saying exactly what is wrong; ``code`` is a short
    stable key ("empty", "length", "characters", "excel_number", "province", "birth_date",
    "checksum", "department", "region", "not_mobile", "country") for programs and tests.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"IdentifierError({str(self.message)!r}, code={self.code!r})"


# --------------------------------------------------------------------------------------------
# Normalization tables (built once)
# --------------------------------------------------------------------------------------------

# Full-width forms U+FF01..U+FF5E are the ASCII characters U+0021..U+007E shifted by 0xFEE0;
# Chinese input methods produce them (０-９, Ｘ, ｘ, （）, －, ＋) and they look identical on screen.
_FULLWIDTH_TO_ASCII: dict[int, int | None] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TO_ASCII[0x3000] = 0x20  # ideographic space
# Invisible characters that survive copy and paste from web pages and Word documents.
_ZERO_WIDTH = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign, and ASCII '-'.
_DASHES = (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212, ord("-"))

_CLEAN_TABLE: dict[int, int | None] = dict(_FULLWIDTH_TO_ASCII)
for _c in (*_ZERO_WIDTH, *_DASHES):
    _CLEAN_TABLE[_c] = None
_CLEAN_TABLE[0xFF0D] = None  # full-width hyphen-minus: removed, not turned into '-'


def _clean_code(raw: object) -> str:
    """Shared cleaning for ids and credit codes: ASCII, no whitespace or dashes, upper case."""
    if raw is None:
        return ""
    # Spreadsheet readers hand over ints and floats; str() keeps the damage visible
    # ("3.6042619900101e+17", "360426900101007.0") so the Excel check can name it.
    text = raw if isinstance(raw, str) else str(raw)
    text = "".join(text.translate(_CLEAN_TABLE).split())
    # A leading apostrophe is how Excel users force a cell to text; it is not part of the code.
    return text.lstrip("'`").upper()


# Excel stores numbers as doubles: an 18-digit id keeps 15 significant digits and is shown as
# 3.60426E+17, or exported as "360426199001010000" / "360426199001010071.0".
_EXCEL_NUMBER = re.compile(r"\d+(?:[.,]\d*)?E[+-]?\d+|\d+\.\d+")


def _looks_like_excel_number(code: str) -> bool:
    return "E+" in code or (("." in code or "E" in code) and bool(_EXCEL_NUMBER.fullmatch(code)))


# --------------------------------------------------------------------------------------------
# Area codes (GB/T 2260) from python-stdnum's loc.dat
# --------------------------------------------------------------------------------------------


class AreaName(NamedTuple):
    """One name an area code carried, with the years it was valid (None = open end)."""

    name: str
    first_year: int | None
    last_year: int | None


class _AreaData(NamedTuple):
    provinces: dict[str, str]  # "11" -> "北京市"
    areas: dict[str, tuple[AreaName, ...]]  # "110103" -> (AreaName("崇文区", None, 2010),)
    latest: dict[str, str]  # "110103" -> "崇文区"
    codes: frozenset[str]


_PROVINCE_LINE = re.compile(r'^(\d{2}) .*?province="([^"]*)"')
_COUNTY_LINE = re.compile(r'^\s+(\d{4}) .*?county="([^"]*)"')
_YEARS = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")

# Province-level codes not (or not fully) present in loc.dat but printed on real cards:
# 71 Taiwan, 81 Hong Kong and 82 Macao (residence permits for their residents since 2018 use
# 810000 / 820000 / 830000), and 83 for Taiwan residents' residence permits.
_EXTRA_PROVINCES = {
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    "83": "台湾地区",
}
_EXTRA_AREAS = {"830000": AreaName("台湾居民居住证", 2018, None)}


def _parse_names(value: str) -> tuple[AreaName, ...]:
    names = []
    for part in value.split(","):
        match = _YEARS.match(part)
        if match:
            first, last, name = match.groups()
            names.append(AreaName(name, int(first) if first else None, int(last) if last else None))
        elif part:
            names.append(AreaName(part, None, None))
    return tuple(names)


def _latest(names: tuple[AreaName, ...]) -> str:
    # An open end means "still in use"; otherwise the name that lasted longest is the latest.
    return max(names, key=lambda n: (n.last_year or 10_000, n.first_year or 0)).name


_AREA_DATA: _AreaData | None = None


def _area_data() -> _AreaData:
    # A plain global rather than functools.cache: this sits on the hot path of
    # parse_resident_id, and a module global is several times cheaper than a cached call.
    global _AREA_DATA
    if _AREA_DATA is None:
        _AREA_DATA = _load_area_data()
    return _AREA_DATA


def _load_area_data() -> _AreaData:
    text = importlib.resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    provinces: dict[str, str] = {}
    areas: dict[str, tuple[AreaName, ...]] = {}
    province = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if match := _PROVINCE_LINE.match(line):
            province, provinces[province] = match.group(1), match.group(2)
        elif (match := _COUNTY_LINE.match(line)) and province:
            names = _parse_names(match.group(2))
            if names:
                code = province + match.group(1)
                areas[code] = areas.get(code, ()) + names
    for code2, name in _EXTRA_PROVINCES.items():
        provinces.setdefault(code2, name)
    for code6, area in _EXTRA_AREAS.items():
        areas.setdefault(code6, (area,))
    latest = {code: _latest(names) for code, names in areas.items()}
    return _AreaData(provinces, areas, latest, frozenset(areas))


def all_area_codes() -> frozenset[str]:
    """Every 6-digit area code that appears in the national tables of any year (cached)."""
    return _area_data().codes


def area_code_known(code6: str) -> bool:
    return code6 in _area_data().latest


def area_name(code6: str) -> str | None:
    """The latest known name of an area code ("110103" -> "崇文区"), or None."""
    return _area_data().latest.get(code6)


def area_history(code6: str) -> tuple[AreaName, ...]:
    """All names of an area code with their years of validity; empty when unknown."""
    return _area_data().areas.get(code6, ())


def province_name(code2: str) -> str | None:
    """The name of a province-level code ("11" -> "北京市"), or None."""
    return _area_data().provinces.get(code2)


# --------------------------------------------------------------------------------------------
# Resident ID numbers (GB 11643-1999)
# --------------------------------------------------------------------------------------------

# The weights as printed in GB 11643-1999; _id_check_char uses an equivalent shortcut.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)
_IMPORT_DAY = date.today()


# Building a date is the costliest step of a parse, and members share birthdays: remember
# each date once. Only years 1900-2099 are kept, so the cache stays below ~73,000
# entries (a few MB) whatever the input.
_BIRTH_DATES: dict[str, date] = {}


def _birth_date(digits8: str) -> date | None:
    """The date of "YYYYMMDD", or None when it is not a real date."""
    try:
        born = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:]))
    except ValueError:
        return None
    if 1900 <= born.year <= 2099:
        _BIRTH_DATES[digits8] = born
    return born


def _id_check_char(first17: str) -> str:
    # The GB 11643-1999 weights are 2**(17 - i) mod 11, and 13 == 2 (mod 11), so the weighted
    # sum is congruent to 2 * int(first17, 13): one C-level conversion instead of a Python loop.
    # Equivalence with the explicit weights is asserted in the tests.
    return _ID_CHECK_CHARS[(2 * int(first17, 13)) % 11]


def resident_id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of an ID number (GB 11643-1999)."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("resident_id_check_char() needs exactly 17 ASCII digits")
    return _id_check_char(first17)


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str  # always the 18-character form, check character X in upper case
    birth_date: date
    sex: str  # "M" or "F"
    area_code: str
    area_name: str | None
    warnings: tuple[str, ...] = ()  # lazy translatable strings for a human to look at
    upgraded_from_15: bool = False

    def age_on(self, day: date) -> int:
        """Full years of age on ``day``."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# The generated __init__ of a frozen dataclass sets each field through object.__setattr__,
# which costs a third of a whole parse. The slot descriptors store the same values directly;
# the result is an ordinary ResidentId (equal, hashable, frozen). Adding a field makes the
# unpacking below fail at import; the tests check the order against the normal constructor.
(_set_number, _set_born, _set_sex, _set_area, _set_name, _set_warnings, _set_upgraded) = (
    getattr(ResidentId, f.name).__set__ for f in fields(ResidentId)
)


def _new_resident_id(
    number: str,
    birth_date: date,
    sex: str,
    area_code: str,
    area_name: str | None,
    warnings: tuple[str, ...],
    upgraded_from_15: bool,
) -> ResidentId:
    result = object.__new__(ResidentId)
    _set_number(result, number)
    _set_born(result, birth_date)
    _set_sex(result, sex)
    _set_area(result, area_code)
    _set_name(result, area_name)
    _set_warnings(result, warnings)
    _set_upgraded(result, upgraded_from_15)
    return result


def normalize_id_number(raw: str) -> str:
    """Clean an ID number without validating it.

    Removes all whitespace (including U+3000 and no-break spaces), hyphens and invisible
    characters, turns full-width digits and letters into ASCII and upper-cases (x -> X).
    """
    if isinstance(raw, str) and raw.isascii() and raw.isalnum():
        return raw.upper()  # fast path: nothing to clean, and str.upper on ASCII is cheap
    return _clean_code(raw)


def _char_error(code: str) -> IdentifierError | None:
    """The first character that cannot be in an ID number, as an error; None if all are fine."""
    for position, char in enumerate(code, start=1):
        if "0" <= char <= "9":
            continue
        if char == "X":
            if position == 18 and len(code) == 18:
                continue
            return IdentifierError(
                _msg(
                    _(
                        "X can only be the last (18th) character of an ID number, "
                        "but there is one at position %(position)d."
                    ),
                    position=position,
                ),
                "characters",
            )
        if position == 18 and len(code) == 18:
            return IdentifierError(
                _msg(
                    _("The last character of an ID number must be a digit or X, not “%(char)s”."),
                    char=char,
                ),
                "characters",
            )
        return IdentifierError(
            _msg(
                _(
                    "The character “%(char)s” at position %(position)d is not allowed: "
                    "an ID number has only digits, and X as its last character."
                ),
                char=char,
                position=position,
            ),
            "characters",
        )
    return None


def parse_resident_id(raw: str, *, today: date | None = None) -> ResidentId:
    """Validate a resident ID number and read what it encodes.

    Accepts the 18-character number and the 15-digit first-generation number (upgraded to 18
    characters). Raises ``IdentifierError`` saying exactly what is wrong. An area code missing
    from every year's national table is not an error but a warning in the result.
    """
    code = normalize_id_number(raw)
    length = len(code)

    # Fast path: 17 digits + a digit or X is the shape of nearly every input.
    if not (length == 18 and code[:17].isdigit() and code.isascii() and code[17] in _ID_TAIL):
        _raise_shape_error(code)
        # Only a well-formed 15-digit first-generation number gets here: upgrade it by
        # inserting the century "19" (those cards were issued to people born 1900-1999).
        first17 = code[:6] + "19" + code[6:]
        code = first17 + _id_check_char(first17)
        upgraded = True
    else:
        first17 = code[:17]
        upgraded = False

    data = _AREA_DATA or _area_data()
    if code[:2] not in data.provinces:
        raise IdentifierError(
            _msg(
                _(
                    "An ID number cannot start with %(digits)s: the first two digits are the "
                    "province where the card was first issued, and %(digits)s is not a "
                    "province code."
                ),
                digits=code[:2],
            ),
            "province",
        )

    digits8 = code[6:14]
    born = _BIRTH_DATES.get(digits8)
    if born is None:
        born = _birth_date(digits8)
    if born is None:
        # Name the digits as they were typed: 7 to 12 (YYMMDD) on a 15-digit card.
        raise IdentifierError(
            _msg(
                _("The birth date part %(digits)s (digits 7 to %(last)d) is not a real date."),
                digits=code[8:14] if upgraded else code[6:14],
                last=12 if upgraded else 14,
            ),
            "birth_date",
        )
    if today is None:
        # date.today() costs as much as half a parse; a birth date on or before the day this
        # module was imported cannot be in the future, so only recent ones ask for it.
        today = _IMPORT_DAY if born <= _IMPORT_DAY else date.today()
    if born > today:
        raise IdentifierError(
            _msg(_("The birth date %(date)s is in the future."), date=born.isoformat()),
            "birth_date",
        )
    if born < _EARLIEST_BIRTH:
        raise IdentifierError(
            _msg(_("The birth date %(date)s is before 1900."), date=born.isoformat()),
            "birth_date",
        )

    if not upgraded and _id_check_char(first17) != code[17]:
        if code.endswith("000"):
            # Excel keeps 15 significant digits: the last three become zeros and the check
            # fails. Name that cause; it is far more likely than a typo ending in 000.
            raise IdentifierError(_EXCEL_000_MESSAGE, "excel_number")
        # Deliberately no hint at the expected character: that would let anyone "repair"
        # a mistyped number into a valid-looking but wrong one.
        raise IdentifierError(
            _("The check character does not match: a digit was probably mistyped."), "checksum"
        )

    area = code[:6]
    name = data.latest.get(area)
    warnings: tuple[str, ...] = ()
    if name is None:
        warnings = (
            _msg(
                _(
                    "Area code %(code)s is not in the national code table of any year; "
                    "check the number against the card."
                ),
                code=area,
            ),
        )
    return _new_resident_id(
        code, born, "M" if code[16] in _ODD else "F", area, name, warnings, upgraded
    )


_ID_TAIL = frozenset("0123456789X")
_ODD = frozenset("13579")
_EXCEL_MESSAGE = _(
    "Excel turned this ID number into a number, and its last digits are lost. "
    "Format the column as text in the spreadsheet, type or export the numbers again, "
    "and import the file again."
)
_EXCEL_000_MESSAGE = _(
    "The check character does not match and the number ends in 000: Excel probably turned the "
    "ID number into a number and replaced its last digits with zeros. Format the column as "
    "text, export it again and import the file again."
)


def _raise_shape_error(code: str) -> None:
    """Raise the error for a number that is not 17 digits + check char; return for 15 digits."""
    if not code:
        raise IdentifierError(_("The ID number is empty."), "empty")
    if _looks_like_excel_number(code):
        raise IdentifierError(_EXCEL_MESSAGE, "excel_number")
    error = _char_error(code)
    if error is not None:
        raise error
    if len(code) == 15:
        return
    raise IdentifierError(
        _msg(
            _(
                "The ID number has %(count)d characters; 18 are expected "
                "(or 15 for an old first-generation card)."
            ),
            count=len(code),
        ),
        "length",
    )


def is_valid_resident_id(raw: str) -> bool:
    try:
        parse_resident_id(raw)
    except IdentifierError:
        return False
    return True


def make_resident_id(area_code: str, birth_date: date, seq: int) -> str:
    """A valid 18-character ID number, for demo data and tests. Odd ``seq`` = male."""
    if len(area_code) != 6 or not (area_code.isascii() and area_code.isdigit()):
        raise ValueError("area_code must be 6 ASCII digits")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be between 0 and 999")
    first17 = f"{area_code}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + _id_check_char(first17)


# --------------------------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015) and organization code (GB 11714-1997)
# --------------------------------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
_USCC_VALUES = {char: value for value, char in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_LOOKALIKES = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}
# GB 32100-2015 table of registration departments, as extended since: 1 staffing office,
# 2 foreign affairs, 3 justice, 4 culture, 5 civil affairs, 6 tourism, 7 religious affairs,
# 8 trade unions (81 = grassroots union: this platform's own organizations), 9 market
# regulation, A military, N agriculture, Y other.
_USCC_DEPARTMENTS = frozenset("123456789ANY")

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_char_value(char: str) -> int:
    # GB 11714-1997: digits are their value, letters A=10 ... Z=35.
    if "0" <= char <= "9":
        return ord(char) - 48
    if "A" <= char <= "Z":
        return ord(char) - 55
    raise ValueError(f"not allowed in an organization code: {char!r}")


def organization_code_check_char(first8: str) -> str:
    """The 9th (check) character of an organization code (GB 11714-1997)."""
    if len(first8) != 8:
        raise ValueError("organization_code_check_char() needs exactly 8 characters")
    remainder = (
        11 - sum(_org_char_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    )
    return "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character of a unified social credit code (GB 32100-2015)."""
    if len(first17) != 17:
        raise ValueError("uscc_check_char() needs exactly 17 characters")
    try:
        total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"not allowed in a unified social credit code: {exc.args[0]!r}") from None
    return _USCC_ALPHABET[-total % 31]


def normalize_uscc(raw: str) -> str:
    """Clean a credit code: no whitespace or hyphens, full-width to ASCII, upper case."""
    return _clean_code(raw)


def parse_uscc(raw: str) -> str:
    """Validate a unified social credit code; return it normalized or raise IdentifierError."""
    code = normalize_uscc(raw)
    if not code:
        raise IdentifierError(_("The unified social credit code is empty."), "empty")
    if _looks_like_excel_number(code):
        raise IdentifierError(
            _(
                "Excel turned this credit code into a number, and its last digits are lost. "
                "Format the column as text, export it again and import the file again."
            ),
            "excel_number",
        )
    for position, char in enumerate(code, start=1):
        if char in _USCC_VALUES:
            continue
        if char in _USCC_LOOKALIKES:
            message = _msg(
                _(
                    "The letter %(char)s at position %(position)d is never used in a unified "
                    "social credit code (I, O, Z, S and V are left out because they look like "
                    "1, 0, 2, 5 and U); it is probably %(lookalike)s."
                ),
                char=char,
                position=position,
                lookalike=_USCC_LOOKALIKES[char],
            )
        else:
            message = _msg(
                _(
                    "The character “%(char)s” at position %(position)d is not allowed: a unified "
                    "social credit code has only digits and capital letters (without I, O, Z, S "
                    "and V)."
                ),
                char=char,
                position=position,
            )
        raise IdentifierError(message, "characters")
    if len(code) != 18:
        raise IdentifierError(
            _msg(
                _("The unified social credit code has %(count)d characters; 18 are expected."),
                count=len(code),
            ),
            "length",
        )
    if code[0] not in _USCC_DEPARTMENTS:
        raise IdentifierError(
            _msg(
                _(
                    "The first character “%(char)s” is not a registration department: it must "
                    "be a digit 1 to 9, or A, N or Y."
                ),
                char=code[0],
            ),
            "department",
        )
    if not code[2:8].isdigit():
        raise IdentifierError(
            _msg(
                _(
                    "Characters 3 to 8 are the region code of the registration office and must "
                    "be digits, not “%(region)s”."
                ),
                region=code[2:8],
            ),
            "region",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise IdentifierError(
            _("The check character does not match: a character was probably mistyped."),
            "checksum",
        )
    return code


def make_uscc(prefix2: str, region6: str, body9: str) -> str:
    """A valid credit code, for demo data and tests.

    ``prefix2`` is the department and category ("91" company, "81" grassroots union),
    ``region6`` the region code, ``body9`` the organization code: given 8 characters, its GB
    11714 check character is appended; given 9, it is used as it is.
    """
    prefix2, region6, body9 = (normalize_uscc(p) for p in (prefix2, region6, body9))
    if len(prefix2) != 2 or prefix2[0] not in _USCC_DEPARTMENTS:
        raise ValueError("prefix2 must be a department (1-9, A, N, Y) and a category character")
    if len(region6) != 6 or not region6.isdigit():
        raise ValueError("region6 must be 6 digits")
    if len(body9) == 8:
        body9 += organization_code_check_char(body9)
    elif len(body9) != 9:
        raise ValueError("body9 must have 8 or 9 characters")
    return prefix2 + region6 + body9 + uscc_check_char(prefix2 + region6 + body9)


# --------------------------------------------------------------------------------------------
# Mobile numbers
# --------------------------------------------------------------------------------------------

_MOBILE_TABLE: dict[int, int | None] = dict(_FULLWIDTH_TO_ASCII)
for _c in (*_ZERO_WIDTH, *_DASHES, ord("."), ord("("), ord(")"), ord("/")):
    _MOBILE_TABLE[_c] = None
_MOBILE_TABLE[0xFF0D] = None
_MOBILE_TABLE[0x3002] = None  # ideographic full stop "。" typed as a separator

# Prefixes in real use that phonenumbers (9.0.x) does not accept as mobile: 149 is China
# Telecom's data-only segment (like 145 China Unicom and 147 China Mobile, which it accepts).
_EXTRA_MOBILE_PREFIXES = frozenset({"149"})
_MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
_FLOAT_EXPORT = re.compile(r"\+?\d+\.0+")


def _not_mobile(digits: str) -> IdentifierError:
    return IdentifierError(
        _msg(
            _("%(number)s is not a Chinese mainland mobile number."),
            number=digits,
        ),
        "not_mobile",
    )


def normalize_mobile(raw: str) -> str:
    """The 11-digit national number of a Chinese mainland mobile ("+86 138-1234-5678" ->
    "13812345678"), or IdentifierError saying why it is not one."""
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    text = "".join(text.translate(_FULLWIDTH_TO_ASCII).split()).lstrip("'")
    if not text:
        raise IdentifierError(_("The mobile number is empty."), "empty")
    if "E+" in text.upper():
        raise IdentifierError(
            _(
                "Excel turned this mobile number into a number in scientific notation and its "
                "digits are lost. Format the column as text and export it again."
            ),
            "excel_number",
        )
    if _FLOAT_EXPORT.fullmatch(text):
        # "13812345678.0": a float from a spreadsheet reader; 11 digits survive a double intact.
        text = text.partition(".")[0]
    text = text.translate(_MOBILE_TABLE)

    if text.startswith("+"):
        international = True
        text = text[1:]
    elif text.startswith("00"):
        international = True
        text = text[2:]
    else:
        international = False
    for char in text:
        if not ("0" <= char <= "9"):
            raise IdentifierError(
                _msg(_("The character “%(char)s” is not allowed in a mobile number."), char=char),
                "characters",
            )
    if international:
        if not text.startswith("86"):
            country = _country_code(text)
            raise IdentifierError(
                _msg(
                    _(
                        "This is a number from outside the Chinese mainland (+%(country)s), not a Chinese "
                        "mainland mobile number."
                    ),
                    country=country,
                ),
                "country",
            )
        text = text[2:]
    elif len(text) == 13 and text.startswith("861"):
        text = text[2:]  # "86 138 1234 5678" written without the plus
    if len(text) == 12 and text.startswith("01"):
        text = text[1:]  # trunk prefix once dialled before an out-of-town mobile

    if _is_landline(text):
        raise IdentifierError(
            _msg(
                _("%(number)s is a landline number, not a Chinese mainland mobile number."),
                number=text,
            ),
            "not_mobile",
        )
    if text and not text.startswith("1"):
        raise _not_mobile(text)
    if len(text) != 11:
        raise IdentifierError(
            _msg(_("A mobile number has 11 digits; %(count)d were given."), count=len(text)),
            "length",
        )
    if text[:3] not in _EXTRA_MOBILE_PREFIXES:
        number = phonenumbers.PhoneNumber(country_code=86, national_number=int(text))
        if not (
            phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) in _MOBILE_TYPES
        ):
            raise _not_mobile(text)
    return text


def _country_code(digits: str) -> str:
    # Country calling codes are prefix-free, 1 to 3 digits long.
    for size in (1, 2, 3):
        if phonenumbers.region_code_for_country_code(int(digits[:size] or 0)) != "ZZ":
            return digits[:size]
    return digits[:3]


def _is_landline(digits: str) -> bool:
    # Eleven digits starting with 1 is the mobile shape; the only landline area code starting
    # with 1 is Beijing's 10, whose numbers have 10 digits in all. Skip the costly parse.
    if digits.startswith("1") and len(digits) == 11:
        return False
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE


# --------------------------------------------------------------------------------------------
# Masks for display and logs
# --------------------------------------------------------------------------------------------


def _mask_middle(value: str, head: int, tail: int) -> str:
    value = "".join(value.split())
    if len(value) <= head + tail:
        return "*" * len(value)  # too short to show anything without showing it all
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str) -> str:
    """ "360426199001010071" -> "3604**********0071"."""
    return _mask_middle(value or "", 4, 4)


def mask_mobile(value: str) -> str:
    """ "13812345678" -> "138****5678"."""
    return _mask_middle(value or "", 3, 4)


def mask_name(value: str) -> str:
    """ "张三" -> "张*", "李小龙" -> "李*龙", "欧阳娜娜" -> "欧**娜"."""
    value = (value or "").strip()
    if len(value) <= 1:
        return "*" * len(value)
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_bank_account(value: str) -> str:
    """Keep the first 4 and last 4 digits."""
    return _mask_middle(value or "", 4, 4)
