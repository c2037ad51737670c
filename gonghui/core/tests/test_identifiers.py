"""Tests for gonghui.core.identifiers: pure Python, no database.

Run alone with: .venv/bin/python -m pytest gonghui/core/tests/test_identifiers.py -p no:django -q
"""

from __future__ import annotations

import dataclasses
import os
import random
from datetime import date

import phonenumbers
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from gonghui.core import identifiers as ids
from gonghui.core.identifiers import IdentifierError, ResidentId

# Messages are lazy translations; rendering them needs settings. Under pytest-django the
# project settings are already loaded; run alone (-p no:django) a minimal setup is enough.
if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(USE_I18N=False)


@pytest.fixture(autouse=True)
def _english():
    # The project's default language is zh-hans; the assertions read the English source text.
    with translation.override("en"):
        yield


TODAY = date(2025, 6, 1)
# GB 11643-1999's own example: Beijing Chaoyang (110105), born 1949-12-31, sequence 002.
STANDARD_EXAMPLE = "11010519491231002X"


def id_error(raw: object, today: date = TODAY) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        ids.parse_resident_id(raw, today=today)  # type: ignore[arg-type]
    return info.value


def uscc_error(raw: str) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        ids.parse_uscc(raw)
    return info.value


def mobile_error(raw: object) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        ids.normalize_mobile(raw)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------------------------------
# Resident ID numbers: valid input
# --------------------------------------------------------------------------------------------


def test_the_standards_own_example_with_an_x_check_character_is_valid():
    result = ids.parse_resident_id(STANDARD_EXAMPLE, today=TODAY)

    assert result.number == STANDARD_EXAMPLE
    assert result.birth_date == date(1949, 12, 31)
    assert result.sex == "F"  # sequence 002 is even
    assert result.area_code == "110105"
    assert result.area_name == "朝阳区"
    assert result.warnings == ()
    assert result.upgraded_from_15 is False
    assert ids.resident_id_check_char(STANDARD_EXAMPLE[:17]) == "X"
    assert ids.is_valid_resident_id(STANDARD_EXAMPLE)
    assert stdnum_ric.is_valid(STANDARD_EXAMPLE)


def test_the_check_character_shortcut_equals_the_weights_printed_in_the_standard():
    rnd = random.Random(11643)
    for _ in range(2000):
        first17 = "".join(rnd.choice("0123456789") for _ in range(17))
        total = sum(int(d) * w for d, w in zip(first17, ids._ID_WEIGHTS, strict=True))
        assert ids.resident_id_check_char(first17) == "10X98765432"[total % 11]
        assert ids.resident_id_check_char(first17) == stdnum_ric.calc_check_digit(first17 + "0")


def test_resident_id_check_char_refuses_anything_but_17_ascii_digits():
    for bad in (
        "1101051949123100",
        "110105194912310021",
        "11010519491231００2",
        "1101051949123100X",
    ):
        with pytest.raises(ValueError):
            ids.resident_id_check_char(bad)


def test_lower_case_x_full_width_characters_spaces_and_hyphens_are_normalized():
    variants = [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５ １９４９１２３１ ００２ｘ",
        "110105\u300019491231\u3000002x",  # ideographic spaces
        "110105\u00a019491231\u00a0002X",  # no-break spaces
        " 110105-19491231-002X\t\n",
        "110105－19491231－002X",  # full-width hyphen
        "\ufeff1101051949\u200b1231002X",  # BOM and zero-width space from copy and paste
        "'11010519491231002X",  # Excel's "this is text" apostrophe
    ]
    for raw in variants:
        assert ids.normalize_id_number(raw) == STANDARD_EXAMPLE, raw
        assert ids.parse_resident_id(raw, today=TODAY).number == STANDARD_EXAMPLE, raw


def test_normalize_id_number_only_cleans_and_never_validates():
    assert ids.normalize_id_number("abc 123") == "ABC123"
    assert ids.normalize_id_number("") == ""
    assert ids.normalize_id_number("  ") == ""
    assert ids.normalize_id_number("360426900101007") == "360426900101007"  # 15 digits kept


def test_a_15_digit_first_generation_number_is_upgraded_to_18_characters():
    # By hand: 360426 + "19" + 900101 + 007 -> 36042619900101007; weighted sum
    # 3*7 + 6*9 + 0*10 + 4*5 + 2*8 + 6*4 + 1*2 + 9*1 + 9*6 + 0*3 + 0*7 + 1*9 + 0*10 + 1*5
    # + 0*8 + 0*4 + 7*2 = 228; 228 mod 11 = 8; "10X98765432"[8] = "4".
    result = ids.parse_resident_id("360426900101007", today=TODAY)

    assert result.number == "360426199001010074"
    assert result.upgraded_from_15 is True
    assert result.birth_date == date(1990, 1, 1)
    assert result.sex == "M"  # sequence 007 is odd
    assert result.area_name == "德安县"
    upgraded = ids.parse_resident_id(result.number, today=TODAY)
    assert upgraded.upgraded_from_15 is False
    assert upgraded.number == result.number
    assert stdnum_ric.is_valid(result.number)


def test_birth_date_sex_and_age_are_read_from_the_number():
    man = ids.parse_resident_id(ids.make_resident_id("320102", date(1980, 2, 29), 13), today=TODAY)
    woman = ids.parse_resident_id(ids.make_resident_id("440305", date(2000, 7, 1), 24), today=TODAY)

    assert (man.birth_date, man.sex, man.area_name) == (date(1980, 2, 29), "M", "玄武区")
    assert (woman.birth_date, woman.sex, woman.area_name) == (date(2000, 7, 1), "F", "南山区")
    assert woman.age_on(date(2025, 6, 30)) == 24
    assert woman.age_on(date(2025, 7, 1)) == 25
    assert man.age_on(date(2025, 2, 28)) == 44


def test_a_person_born_today_is_valid_but_not_tomorrow():
    assert ids.parse_resident_id(ids.make_resident_id("110105", TODAY, 1), today=TODAY)
    tomorrow = date(2025, 6, 2)
    assert id_error(ids.make_resident_id("110105", tomorrow, 1)).code == "birth_date"


def test_without_a_today_argument_the_real_date_is_used():
    assert ids.parse_resident_id(STANDARD_EXAMPLE).birth_date == date(1949, 12, 31)
    future = ids.make_resident_id("110105", date(2099, 1, 1), 1)
    assert not ids.is_valid_resident_id(future)
    assert ids.is_valid_resident_id(STANDARD_EXAMPLE)


def test_the_fast_constructor_builds_an_ordinary_frozen_resident_id():
    result = ids.parse_resident_id("360426900101007", today=TODAY)
    expected = ResidentId(
        number="360426199001010074",
        birth_date=date(1990, 1, 1),
        sex="M",
        area_code="360426",
        area_name="德安县",
        warnings=(),
        upgraded_from_15=True,
    )

    assert result == expected
    assert dataclasses.astuple(result) == dataclasses.astuple(expected)
    assert hash(result) == hash(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.sex = "F"  # type: ignore[misc]


def test_make_resident_id_builds_valid_numbers_and_refuses_bad_arguments():
    number = ids.make_resident_id("360426", date(1990, 1, 1), 7)
    assert number == "360426199001010074"
    assert ids.make_resident_id("110105", date(1949, 12, 31), 2) == STANDARD_EXAMPLE
    for bad in [("36042", date(1990, 1, 1), 7), ("3604a6", date(1990, 1, 1), 7)]:
        with pytest.raises(ValueError):
            ids.make_resident_id(*bad)
    for seq in (-1, 1000):
        with pytest.raises(ValueError):
            ids.make_resident_id("360426", date(1990, 1, 1), seq)


# --------------------------------------------------------------------------------------------
# Resident ID numbers: area codes, python-stdnum issue #442
# --------------------------------------------------------------------------------------------


def test_a_genuine_id_from_an_area_abolished_before_the_birth_year_is_accepted():
    # 110103 (Chongwen district) was merged into Dongcheng in 2010, yet ids carrying it with
    # later birth dates exist (python-stdnum issue #442): an ID number never changes.
    number = ids.make_resident_id("110103", date(2015, 3, 1), 21)
    result = ids.parse_resident_id(number, today=TODAY)

    assert result.area_code == "110103"
    assert result.area_name == "崇文区"
    assert result.warnings == ()
    # python-stdnum 2.2 rejects it because 110103 was not listed in 2015 (issue #442).
    assert stdnum_ric.is_valid(number) is False, "stdnum fixed #442: revisit this workaround"


def test_an_area_code_that_never_existed_in_a_real_province_is_accepted_with_a_warning():
    number = ids.make_resident_id("119999", date(1990, 1, 1), 1)
    result = ids.parse_resident_id(number, today=TODAY)

    assert result.number == number
    assert result.area_code == "119999"
    assert result.area_name is None
    assert [str(w) for w in result.warnings] == [
        "Area code 119999 is not in the national code table of any year; "
        "check the number against the card."
    ]
    assert isinstance(result.warnings[0], Promise)
    assert ids.is_valid_resident_id(number) is True


def test_stdnum_is_valid_raises_key_error_for_an_unknown_county_where_ours_does_not():
    number = ids.make_resident_id("119999", date(1990, 1, 1), 1)
    # python-stdnum 2.2: the province "11" is found, the county is not, and get_birth_place()
    # reads info["county"] unguarded, so is_valid() raises instead of returning a bool.
    with pytest.raises(KeyError):
        stdnum_ric.is_valid(number)
    assert ids.is_valid_resident_id(number) is True


def test_the_area_table_holds_every_code_of_every_year_with_its_names():
    codes = ids.all_area_codes()

    assert isinstance(codes, frozenset)
    assert codes is ids.all_area_codes()  # cached
    assert len(codes) > 6000
    assert {"110103", "110105", "120110", "360426", "710000", "810000", "820000"} <= codes
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert ids.area_code_known("110103") and not ids.area_code_known("119999")
    assert ids.area_name("110103") == "崇文区"
    assert ids.area_name("120110") == "东丽区"  # was 东郊区 until 1991: the latest name wins
    assert ids.area_history("120110") == (
        ids.AreaName("东郊区", None, 1991),
        ids.AreaName("东丽区", 1992, None),
    )
    assert ids.area_history("110103") == (ids.AreaName("崇文区", None, 2010),)
    assert ids.area_name("999999") is None and ids.area_history("999999") == ()
    assert ids.province_name("11") == "北京市" and ids.province_name("99") is None


def test_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_accepted():
    for area, name in [
        ("810000", "香港特别行政区"),
        ("820000", "澳门特别行政区"),
        ("830000", "台湾居民居住证"),
    ]:
        result = ids.parse_resident_id(ids.make_resident_id(area, date(1985, 5, 5), 3), today=TODAY)
        assert (result.area_code, result.area_name, result.warnings) == (area, name, ())


# --------------------------------------------------------------------------------------------
# Resident ID numbers: rejections, each with its code and message
# --------------------------------------------------------------------------------------------


def test_an_empty_id_number_is_refused():
    for raw in ("", "   ", "\u3000", None):
        error = id_error(raw)
        assert error.code == "empty"
        assert str(error.message) == "The ID number is empty."
        assert str(error) == "The ID number is empty."
        assert isinstance(error, ValueError)


def test_a_wrong_length_says_how_many_characters_were_given():
    error = id_error("36042619900101007")
    assert error.code == "length"
    assert str(error.message) == (
        "The ID number has 17 characters; 18 are expected (or 15 for an old first-generation card)."
    )
    assert "has 19 characters" in str(id_error("3604261990010100741").message)
    assert "has 16 characters" in str(id_error("3604269001010071").message)


def test_a_letter_or_symbol_in_the_digits_is_named_with_its_position():
    error = id_error("3604261990010100A4")
    assert error.code == "characters"
    assert str(error.message) == (
        "The character “A” at position 17 is not allowed: an ID number has only digits, "
        "and X as its last character."
    )
    assert "“号” at position 1" in str(id_error("号360426199001010074").message)


def test_an_x_anywhere_but_last_is_refused():
    error = id_error("36042619900101X074")
    assert error.code == "characters"
    assert str(error.message) == (
        "X can only be the last (18th) character of an ID number, but there is one at position 15."
    )
    assert id_error("360426900101X07").code == "characters"  # no X on 15-digit cards


def test_a_last_character_other_than_a_digit_or_x_is_refused():
    error = id_error("36042619900101007Y")
    assert error.code == "characters"
    assert str(error.message) == "The last character of an ID number must be a digit or X, not “Y”."


def test_numbers_mangled_by_excel_are_explained():
    expected = (
        "Excel turned this ID number into a number, and its last digits are lost. "
        "Format the column as text in the spreadsheet, type or export the numbers again, "
        "and import the file again."
    )
    for raw in (
        "3.60426E+17",
        "3.60426e+17",
        "360426199001010071.0",
        "3.60426199001010E+17",
        "3,60426E+17",
        3.60426199001010071e17,  # a float straight from a spreadsheet reader
    ):
        error = id_error(raw)
        assert error.code == "excel_number", raw
        assert str(error.message) == expected


def test_an_18_digit_number_ending_in_000_with_a_bad_check_is_blamed_on_excel():
    # Excel keeps 15 significant digits: 360426199001010074 comes back as ...010000.
    error = id_error("360426199001010000")
    assert error.code == "excel_number"
    assert "ends in 000" in str(error.message)
    assert "Excel" in str(error.message)


def test_a_birth_date_that_is_not_a_real_date_is_refused():
    error = id_error("360426199002300074")
    assert error.code == "birth_date"
    assert str(error.message) == "The birth date part 19900230 (digits 7 to 14) is not a real date."
    legacy = id_error("360426900230007")
    assert str(legacy.message) == "The birth date part 900230 (digits 7 to 12) is not a real date."


def test_a_birth_date_in_the_future_or_before_1900_is_refused():
    future = id_error(ids.make_resident_id("360426", date(2030, 1, 1), 7))
    assert future.code == "birth_date"
    assert str(future.message) == "The birth date 2030-01-01 is in the future."
    # Even GB 11643-1999's second example (born 1880) is refused by the project's rule.
    old = id_error("440524188001010014")
    assert old.code == "birth_date"
    assert str(old.message) == "The birth date 1880-01-01 is before 1900."


def test_a_wrong_check_character_is_refused_without_revealing_the_right_one():
    error = id_error("11010519491231002" + "1")
    assert error.code == "checksum"
    assert (
        str(error.message) == "The check character does not match: a digit was probably mistyped."
    )
    assert "X" not in str(error.message)
    # Two swapped digits are caught as well.
    assert id_error("11010591491231002X").code in {"checksum", "birth_date"}
    assert id_error("11001519491231002X").code == "checksum"


def test_a_number_outside_every_province_is_refused():
    for first2 in ("99", "00", "16", "47"):
        number = ids.make_resident_id(first2 + "0101", date(1990, 1, 1), 7)
        error = id_error(number)
        assert error.code == "province", first2
        assert str(error.message) == (
            f"An ID number cannot start with {first2}: the first two digits are the province "
            f"where the card was first issued, and {first2} is not a province code."
        )


def test_error_messages_are_lazy_translations():
    for error in (id_error(""), id_error("1234"), id_error("3.6E+17"), uscc_error("1")):
        assert isinstance(error.message, Promise)
    assert "IdentifierError(" in repr(id_error("1234"))


def test_is_valid_resident_id_answers_true_or_false_and_never_raises():
    assert ids.is_valid_resident_id(STANDARD_EXAMPLE) is True
    assert ids.is_valid_resident_id("360426900101007") is True
    for raw in ("", "abc", "3.60426E+17", "11010519491231002Y", "110105194912310021"):
        assert ids.is_valid_resident_id(raw) is False


# --------------------------------------------------------------------------------------------
# Unified social credit codes (GB 32100-2015)
# --------------------------------------------------------------------------------------------


def test_the_organization_code_check_character_follows_gb_11714():
    assert ids.organization_code_check_char("60003734") == "1"  # real code 60003734-1
    assert ids.organization_code_check_char("00009000") == "X"  # 9*5 = 45, 45 mod 11 = 1 -> 10
    assert ids.organization_code_check_char("00000000") == "0"  # 11 - 0 = 11 -> "0"
    with pytest.raises(ValueError):
        ids.organization_code_check_char("6000373")


def test_a_generated_credit_code_is_valid_here_and_in_stdnum():
    code = ids.make_uscc("91", "110000", "60003734")
    assert code == "91110000600037341L"  # a real company's code, quoted in stdnum's docs
    assert ids.parse_uscc(code) == code
    assert stdnum_uscc.is_valid(code)
    assert ids.make_uscc("91", "110000", "600037341") == code  # 9 characters: used as given

    rnd = random.Random(32100)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(500):
        region = "".join(rnd.choice("0123456789") for _ in range(6))
        body = "".join(rnd.choice(alphabet) for _ in range(8))
        code = ids.make_uscc(rnd.choice("123456789") + rnd.choice("1239"), region, body)
        assert ids.parse_uscc(code) == code
        assert stdnum_uscc.is_valid(code), code
        assert ids.uscc_check_char(code[:17]) == stdnum_uscc.calc_check_digit(code)


def test_union_and_rural_collective_codes_are_valid_although_stdnum_refuses_letters():
    union = ids.make_uscc("81", "330100", "MA2H3K4L")  # 81 = grassroots trade union
    assert ids.parse_uscc(union) == union
    assert stdnum_uscc.is_valid(union)
    # python-stdnum 2.2 demands digits in positions 1-8, so the departments A (military),
    # N (agriculture: village collectives) and Y (other) of GB 32100 are refused there.
    for prefix in ("N2", "A1", "Y1"):
        code = ids.make_uscc(prefix, "110000", "60003734")
        assert ids.parse_uscc(code) == code
        assert stdnum_uscc.is_valid(code) is False, "stdnum now accepts department letters"


def test_a_credit_code_is_normalized_before_checking():
    assert ids.normalize_uscc(" 9111 0000-6000 3734 1l ") == "91110000600037341L"
    assert ids.normalize_uscc("９１１１００００６０００３７３４１ｌ") == "91110000600037341L"
    assert ids.parse_uscc("91110000 600037341l") == "91110000600037341L"
    assert ids.parse_uscc("９１１１０００\u3000０６０００３７３４１Ｌ") == "91110000600037341L"


def test_the_excluded_letters_are_named_with_their_look_alike():
    for letter, position, lookalike in [
        ("I", 17, "1"),
        ("O", 12, "0"),
        ("Z", 9, "2"),
        ("S", 10, "5"),
        ("V", 18, "U"),
    ]:
        code = list("91110000600037341L")
        code[position - 1] = letter
        error = uscc_error("".join(code))
        assert error.code == "characters"
        assert str(error.message) == (
            f"The letter {letter} at position {position} is never used in a unified social "
            "credit code (I, O, Z, S and V are left out because they look like 1, 0, 2, 5 and "
            f"U); it is probably {lookalike}."
        )
    assert "The letter O at position 12" in str(uscc_error("91110000600o37341l").message)


def test_other_characters_in_a_credit_code_are_named():
    error = uscc_error("9111000060003#341L")
    assert error.code == "characters"
    assert str(error.message) == (
        "The character “#” at position 14 is not allowed: a unified social credit code has only "
        "digits and capital letters (without I, O, Z, S and V)."
    )


def test_a_credit_code_of_the_wrong_length_is_refused():
    error = uscc_error("91110000600037341")
    assert error.code == "length"
    assert str(error.message) == (
        "The unified social credit code has 17 characters; 18 are expected."
    )
    assert "has 19 characters" in str(uscc_error("91110000600037341LL").message)


def test_an_unknown_registration_department_is_refused():
    error = uscc_error("B1110000600037341L")
    assert error.code == "department"
    assert str(error.message) == (
        "The first character “B” is not a registration department: it must be a digit 1 to 9, "
        "or A, N or Y."
    )
    assert uscc_error("01110000600037341L").code == "department"


def test_letters_in_the_region_part_of_a_credit_code_are_refused():
    error = uscc_error("91ABCDEF600037341L")
    assert error.code == "region"
    assert str(error.message) == (
        "Characters 3 to 8 are the region code of the registration office and must be digits, "
        "not “ABCDEF”."
    )


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    error = uscc_error("91110000600037341M")
    assert error.code == "checksum"
    assert str(error.message) == (
        "The check character does not match: a character was probably mistyped."
    )
    assert uscc_error("91110000600073341L").code == "checksum"  # swapped digits


def test_an_empty_or_excel_mangled_credit_code_is_refused():
    assert uscc_error("").code == "empty"
    assert str(uscc_error(" ").message) == "The unified social credit code is empty."
    error = uscc_error("9.11100E+17")
    assert error.code == "excel_number"
    assert "Excel turned this credit code into a number" in str(error.message)


def test_make_uscc_refuses_bad_arguments():
    for args in [
        ("B1", "110000", "60003734"),
        ("9", "110000", "60003734"),
        ("91", "11000", "60003734"),
        ("91", "11000A", "60003734"),
        ("91", "110000", "6000373"),
        ("91", "110000", "6000373412"),
        ("91", "110000", "6000373I"),  # I is outside the credit-code alphabet
    ]:
        with pytest.raises(ValueError):
            ids.make_uscc(*args)


# --------------------------------------------------------------------------------------------
# Mobile numbers
# --------------------------------------------------------------------------------------------


def test_the_usual_ways_of_writing_a_mobile_number_are_normalized():
    for raw in [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "138.1234.5678",
        "(138) 1234 5678",
        "+86 138-1234-5678",
        "+8613812345678",
        "(+86) 138 1234 5678",
        "+86 (0) 138 1234 5678",
        "0086 13812345678",
        "86-138 1234 5678",
        "8613812345678",
        "１３８　１２３４　５６７８",
        "＋８６ １３８－１２３４－５６７８",
        "\u00a0138\u00a01234\u00a05678\u200b",
        "013812345678",  # the 0 once dialled before an out-of-town mobile
        "13812345678.0",  # a float from a spreadsheet reader: 11 digits survive intact
    ]:
        assert ids.normalize_mobile(raw) == "13812345678", raw


def test_newer_and_special_segments_are_accepted():
    for number in [
        "19212345678",  # China Broadnet (192)
        "19912345678",  # China Telecom
        "19012345678",
        "19612345678",
        "19712345678",
        "16612345678",  # China Unicom
        "16212345678",  # virtual operators on Telecom, Mobile, Unicom
        "16512345678",
        "16712345678",
        "17012345678",
        "17112345678",
        "14512345678",  # data-only cards
        "14712345678",
        "14912345678",
        "17400012345",  # 1740 0-5: satellite
    ]:
        assert ids.normalize_mobile(number) == number


def test_phonenumbers_misses_the_149_data_segment_which_our_rule_accepts():
    # phonenumbers 9.0.x accepts 145 and 147 but not China Telecom's 149 data segment.
    parsed = phonenumbers.parse("14912345678", "CN")
    assert phonenumbers.is_valid_number(parsed) is False, "phonenumbers now knows 149"
    assert ids.normalize_mobile("149 1234 5678") == "14912345678"


def test_numbers_that_start_with_1_but_no_operator_issues_are_refused():
    for number in ("12012345678", "11012345678", "10012345678", "14012345678"):
        error = mobile_error(number)
        assert error.code == "not_mobile", number
        assert str(error.message) == f"{number} is not a Chinese mainland mobile number."


def test_a_landline_is_not_a_mobile():
    error = mobile_error("010-12345678")
    assert error.code == "not_mobile"
    assert str(error.message) == (
        "01012345678 is a landline number, not a Chinese mainland mobile number."
    )
    assert mobile_error("+86 10 1234 5678").code == "not_mobile"
    assert mobile_error("021-6123 4567").code == "not_mobile"
    assert mobile_error("400 123 4567").code == "not_mobile"  # a service number


def test_a_number_of_another_country_is_refused_with_its_country_code():
    error = mobile_error("+1 415 555 0100")
    assert error.code == "country"
    assert str(error.message) == (
        "This is a number from outside the Chinese mainland (+1), not a Chinese mainland mobile number."
    )
    assert "(+852)" in str(mobile_error("+852 9123 4567").message)
    assert "(+44)" in str(mobile_error("0044 20 7946 0958").message)


def test_a_mobile_number_of_the_wrong_length_says_how_many_digits_were_given():
    error = mobile_error("1381234567")
    assert error.code == "length"
    assert str(error.message) == "A mobile number has 11 digits; 10 were given."
    assert "12 were given" in str(mobile_error("138 1234 56789").message)
    assert mobile_error("+86").code == "length"


def test_letters_and_symbols_in_a_mobile_number_are_named():
    error = mobile_error("138-1234-567a")
    assert error.code == "characters"
    assert str(error.message) == "The character “a” is not allowed in a mobile number."
    assert mobile_error("138+12345678").code == "characters"


def test_an_empty_or_excel_mangled_mobile_number_is_refused():
    for raw in ("", "  ", None):
        error = mobile_error(raw)
        assert error.code == "empty"
        assert str(error.message) == "The mobile number is empty."
    assert mobile_error("1.38123E+10").code == "excel_number"


# --------------------------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------------------------


def test_an_id_number_is_masked_except_its_first_and_last_four_characters():
    assert ids.mask_id_number("360426199001010071") == "3604**********0071"
    assert ids.mask_id_number("11010519491231002X") == "1101**********002X"
    assert ids.mask_id_number("360426900101007") == "3604*******1007"
    assert ids.mask_id_number("") == ""
    assert ids.mask_id_number("12345678") == "********"  # too short to show any part


def test_a_mobile_number_is_masked_in_the_middle():
    assert ids.mask_mobile("13812345678") == "138****5678"
    assert ids.mask_mobile("") == ""
    assert ids.mask_mobile("1234") == "****"


def test_a_name_keeps_its_first_and_for_three_or_more_characters_its_last_character():
    assert ids.mask_name("张三") == "张*"
    assert ids.mask_name("李小龙") == "李*龙"
    assert ids.mask_name("欧阳娜娜") == "欧**娜"
    assert ids.mask_name(" 王五 ") == "王*"
    assert ids.mask_name("张") == "*"
    assert ids.mask_name("") == ""


def test_a_bank_account_keeps_its_first_and_last_four_digits():
    assert ids.mask_bank_account("6222021234567890123") == "6222***********0123"
    assert ids.mask_bank_account("6222 0212 3456 7890") == "6222********7890"
    assert ids.mask_bank_account("") == ""
