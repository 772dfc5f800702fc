"""Common Procurement Vocabulary (CPV 2008): the 9,454 codes with English and bokmål labels.

Codes are kept as their eight digits; people often write a check digit after a dash
("72000000-5"), which is accepted and dropped. The list is read once from the CSV this package
ships (source: EU Regulation 213/2008; bokmål labels from DFØ's eforms-sdk-nor, see NOTICE).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "cpv_2008_en_nb.csv"
_CODE = re.compile(r"^(\d{8})(?:-\d)?$")


class UnknownCpvCode(ValueError):
    """The text is not a CPV 2008 code; the message says why."""


@dataclass(frozen=True, slots=True)
class CpvCode:
    code: str
    label_en: str
    label_nb: str

    @property
    def division(self) -> str:
        return self.code[:2]

    @property
    def level(self) -> int:
        """1 division, 2 group, 3 class, 4 category, 5 and deeper: sub-categories."""
        significant = self.code.rstrip("0")
        return max(1, len(significant) - 1)

    def label(self, language: str) -> str:
        return self.label_nb if language.startswith("nb") or language == "no" else self.label_en


@cache
def all_codes() -> dict[str, CpvCode]:
    with _DATA.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: CpvCode(row["code"], row["label_en"], row["label_nb"])
            for row in csv.DictReader(handle)
        }


@cache
def divisions() -> list[CpvCode]:
    return [code for code in all_codes().values() if code.code[2:] == "000000"]


def parse(value: str) -> str:
    """Return the eight digits of a known CPV code, or raise UnknownCpvCode."""
    text = value.strip()
    match = _CODE.match(text)
    if not match:
        raise UnknownCpvCode(f"“{text}” is not a CPV code: write eight digits, e.g. 72000000.")
    code = match.group(1)
    if code not in all_codes():
        raise UnknownCpvCode(f"{code} is not in the CPV 2008 list.")
    return code


def parse_many(value: str) -> tuple[list[str], list[str]]:
    """Split a comma- or space-separated list; return (known codes in order, error messages)."""
    codes: list[str] = []
    errors: list[str] = []
    for part in re.split(r"[,;\s]+", value):
        if not part:
            continue
        try:
            code = parse(part)
        except UnknownCpvCode as error:
            errors.append(str(error))
            continue
        if code not in codes:
            codes.append(code)
    return codes, errors


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).casefold()


@cache
def _index() -> list[tuple[CpvCode, str]]:
    return [(c, _fold(f"{c.code} {c.label_en} {c.label_nb}")) for c in all_codes().values()]


def search(query: str, limit: int = 20) -> list[CpvCode]:
    """Codes whose number starts with the query or whose labels contain every word of it."""
    text = query.strip()
    if not text:
        return []
    digits = text.split("-")[0]
    if digits.isdigit():
        return [c for c in all_codes().values() if c.code.startswith(digits)][:limit]
    words = _fold(text).split()
    hits = [code for code, haystack in _index() if all(word in haystack for word in words)]
    # Broader codes first: a division or group is usually what a buyer looks for.
    hits.sort(key=lambda c: (c.level, c.code))
    return hits[:limit]
