"""Tracking codes and PINs that a worker, even an anonymous one, follows a case with.

A tracking code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, no U/V
pair confusion kept: U is dropped), shown in groups of four: ``K7QM-3XPD-9HTW``. 30 symbols ^ 12
≈ 5.3 × 10^17 codes, from ``secrets``: not guessable, and a guess is slowed down anyway
(portal and public API rate limits). Typing is forgiving: case, spaces and dashes are ignored.

The PIN is six digits shown once to the worker. Only a keyed hash is stored (HMAC with the
platform's hash key and the tracking code, so equal PINs hash differently per case).
"""

from __future__ import annotations

import hmac
import secrets

from gonghui.core import crypto

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
PIN_LENGTH = 6


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_code(text: str) -> str:
    """What a worker typed → the stored form ('' when it cannot be a code)."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return cleaned


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def pin_hash(code: str, pin: str) -> str:
    return crypto.blind_index(f"{code}:{pin.strip()}", "case_pin")


def pin_matches(code: str, pin: str, stored: str) -> bool:
    if not pin or not stored:
        return False
    return hmac.compare_digest(pin_hash(code, pin), stored)
