"""Static checks over every template."""

from pathlib import Path

LUPIN = Path(__file__).resolve().parents[1]


def test_no_template_has_a_multi_line_short_comment():
    # Django's {# … #} comments end at the line's end: a second line is printed as text.
    offenders = []
    for path in LUPIN.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "{#" in line and "#}" not in line[line.index("{#") :]:
                offenders.append(f"{path.relative_to(LUPIN)}:{number}")
    assert offenders == []
