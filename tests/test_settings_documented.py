"""Every environment variable the settings read is listed in .env.example and README."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_variable_is_documented():
    source = (ROOT / "gonghui" / "settings.py").read_text()
    names = set(re.findall(r'env(?:_bool|_int|_list)?\("([A-Z_]+)"', source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    assert len(names) > 30
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    missing_example = sorted(n for n in names if n not in example)
    missing_readme = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing_example, f".env.example lacks {missing_example}"
    assert not missing_readme, f"README's table lacks {missing_readme}"
