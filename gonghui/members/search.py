"""Search keys for names: pinyin initials ("zs" for 张三) and full pinyin ("zhangsan")."""

from __future__ import annotations

from functools import lru_cache

from django.db import models
from pypinyin import Style, lazy_pinyin

# Surnames whose reading as a surname differs from their common reading (pypinyin reads
# words, not names): 曾 zeng not ceng, 单 shan not dan, 解 xie, 仇 qiu, 朴 piao, 区 ou, 查 zha,
# 盖 ge, 尉迟 yuchi, 万俟 moqi, 乐 yue, 覃 qin, 缪 miao, 长孙 zhangsun.
SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "秘": "bi",
    "召": "shao",
    "种": "chong",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
}


@lru_cache(maxsize=8192)
def _char_pinyin(char: str) -> str:
    result = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return result[0] if result else ""


def name_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name, lower case, for prefix search."""
    name = "".join(name.split())
    syllables: list[str] = []
    rest = name
    for surname in ("尉迟", "万俟", "长孙"):
        if name.startswith(surname):
            syllables.append(SURNAME_READINGS[surname])
            rest = name[len(surname) :]
            break
    else:
        if name and name[0] in SURNAME_READINGS:
            syllables.append(SURNAME_READINGS[name[0]])
            rest = name[1:]
    for char in rest:
        if char.isascii():
            if char.isalnum():
                syllables.append(char.lower())
            continue
        syllable = _char_pinyin(char)
        if syllable:
            syllables.append(syllable)
    initials = "".join(s[0] for s in syllables if s)
    return initials[:32], "".join(syllables)[:128]


def latin_query_filter(q: str) -> dict[str, str]:
    """A Latin-letter query as one prefix condition: initials ("zs") or full pinyin ("zhangs").

    One condition, not an OR of both, so the database can answer from one index. A query with
    a vowel and at least three letters is read as pinyin; shorter or vowel-less ones as initials.
    """
    q = q.lower()
    if len(q) >= 3 and any(v in q for v in "aeiouv"):
        return {"name_pinyin__prefix": q}
    return {"name_initials__prefix": q}


def is_latin_query(q: str) -> bool:
    q = q.strip()
    return bool(q) and q.isascii() and q.isalpha()


class PinyinKeyField(models.CharField):
    """Pinyin initials or full pinyin of another field, kept current on every save and bulk
    insert (like a keyed hash, it is derived data, never typed in)."""

    def __init__(self, *args, source: str = "name", part: str = "initials", **kwargs):
        self.source, self.part = source, part
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, part=self.part)
        for key in ("blank", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        initials, full = name_keys(getattr(model_instance, self.source) or "")
        value = initials if self.part == "initials" else full
        setattr(model_instance, self.attname, value)
        return value
