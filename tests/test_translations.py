"""The Chinese catalog is complete, keeps every placeholder, covers every source string, and the
pages really come out in Chinese (and, switched to English, in English only).

The catalog is regenerated with

    manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=tests \
        --ignore=bench --no-location --no-obsolete

then translated, and compiled with ``manage.py compile_translations`` (``make messages``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "gonghui" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The same directories the makemessages invocation above leaves out.
IGNORED = ["tests", "bench", ".venv", "node_modules"]
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")

NAMED = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)[-#0 +]*\d*(?:\.\d+)?[sdif]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdif]")
CJK = re.compile(r"[\u4e00-\u9fff]")
CONTEXT = re.compile(r"[^<>]{0,30}[\u4e00-\u9fff]+[^<>]{0,30}")


def _catalog() -> polib.POFile:
    assert CATALOG.exists(), f"{CATALOG} is missing: run makemessages (see this module's docstring)"
    return polib.pofile(str(CATALOG))


def _entries(catalog: polib.POFile) -> list[polib.POEntry]:
    return [e for e in catalog if not e.obsolete]


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def _placeholders(text: str) -> tuple[frozenset[str], Counter]:
    text = text.replace("%%", "")
    named = frozenset(NAMED.findall(text))
    positional = Counter(POSITIONAL.findall(NAMED.sub("", text)))
    return named, positional


# --- (a) complete ---------------------------------------------------------------------------


def test_catalog_header():
    catalog = _catalog()
    assert not catalog.metadata_is_fuzzy, "remove the '#, fuzzy' flag above the header"
    assert catalog.metadata.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in catalog.metadata.get("Content-Type", "")
    assert catalog.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = _entries(_catalog())
    assert entries, "the catalog is empty"
    fuzzy = [_label(e) for e in entries if "fuzzy" in e.flags]
    untranslated = [
        _label(e)
        for e in entries
        if (not any(e.msgstr_plural.values()) if e.msgid_plural else not e.msgstr.strip())
    ]
    assert not fuzzy, "fuzzy entries (check the translation, then drop the flag):\n" + "\n".join(
        fuzzy
    )
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_catalog():
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(CATALOG)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- (b) placeholders ------------------------------------------------------------------------


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in _entries(_catalog()):
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, s) for s in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            if translation and _placeholders(source) != _placeholders(translation):
                wrong.append(f"{source!r} -> {translation!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


# --- (c) every source string is in the catalog -----------------------------------------------


def _copy_sources(target: Path) -> None:
    """The files makemessages reads (.py, .html, .txt) and the catalog, outside ignored dirs."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name in IGNORED or name.startswith(".") or name == "__pycache__":
                    skipped.add(name)
            elif path.suffix not in {".py", ".html", ".txt"} and path != CATALOG:
                skipped.add(name)
        return skipped

    shutil.copytree(ROOT, target, ignore=ignore)


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in GETTEXT_TOOLS),
    reason="GNU gettext tools (xgettext, msguniq, msgmerge, msgattrib) are not installed",
)
def test_every_source_string_is_in_the_catalog(tmp_path, monkeypatch, settings):
    """makemessages run on a copy of the sources, so the real catalog is never touched: a
    string added to the code or a template without a translation fails here."""
    copy = tmp_path / "src"
    _copy_sources(copy)
    copied_catalog = copy / CATALOG.relative_to(ROOT)
    before = {(e.msgctxt, e.msgid) for e in _entries(polib.pofile(str(copied_catalog)))}

    settings.LOCALE_PATHS = [copy / "gonghui" / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        ignore_patterns=list(IGNORED),
        no_location=True,
        no_obsolete=True,
        verbosity=0,
    )

    merged = _entries(polib.pofile(str(copied_catalog)))
    new = sorted(_label(e) for e in merged if (e.msgctxt, e.msgid) not in before)
    untranslated = sorted(
        _label(e)
        for e in merged
        if "fuzzy" in e.flags
        or (not any(e.msgstr_plural.values()) if e.msgid_plural else not e.msgstr.strip())
    )
    hint = (
        "\nRun makemessages (see tests/test_translations.py), translate the new entries in "
        f"{CATALOG.relative_to(ROOT)} and run manage.py compile_translations."
    )
    assert not new, "source strings missing from the catalog:\n" + "\n".join(new) + hint
    assert not untranslated, (
        "source strings without a translation:\n" + "\n".join(untranslated) + hint
    )


# --- (d) the pages speak the chosen language --------------------------------------------------


@pytest.fixture
def compiled_catalog(settings):
    """The .mo as `make messages` builds it (a no-op when it is up to date); then Django's
    translation caches are dropped so that the fresh catalog is the one in use."""
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # resets the cached translations


def _organization_list(client, world, language: str) -> str:
    client.force_login(world.county_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("organizations:list"))
    assert response.status_code == 200
    return response.content.decode()


ZH_NAVIGATION = [
    "工作台",
    "基础信息",
    "组织机构",
    "用人单位",
    "职工",
    "监督",
    "通知",
    "审计日志",
    "接口文档",
    "菜单",
    "退出登录",
    "搜索",
    "导出Excel",
    "工会工作平台",
]


def test_organization_list_in_chinese(client, world, compiled_catalog):
    html = _organization_list(client, world, "zh-hans")
    assert '<html lang="zh-hans">' in html
    missing = [label for label in ZH_NAVIGATION if label not in html]
    assert not missing, f"Chinese labels missing from the page: {missing}"
    for english in ("Workbench", "Sign out", "Export to Excel", "API documentation"):
        assert english not in html
    assert world.county.name in html  # the data itself is there


def test_organization_list_in_english_has_no_chinese_outside_data(client, world, compiled_catalog):
    html = _organization_list(client, world, "en")
    assert '<html lang="en">' in html
    for label in ("Workbench", "Organizations", "Employers", "Workers", "Sign out"):
        assert label in html
    data = {"简体中文"}  # the language switch names each language in its own tongue
    for record in [world.county, *world.a_records(), *world.b_records()]:
        data.add(str(record))
    for text in sorted(data, key=len, reverse=True):
        html = html.replace(text, "")
    leftovers = sorted({m.group() for m in CONTEXT.finditer(html)})
    assert not CJK.search(html), f"Chinese text in the English page: {leftovers}"
