"""Real English sentences from Debian's fortunes-min package (installed by
scripts/setup.sh): the 'literature' file (quotations) for calibration and the
'fortunes' file for evaluation, so the two sets never share a sentence."""
import os
import re

FORTUNES = "/usr/share/games/fortunes"


def _read(name):
    path = os.path.join(FORTUNES, name)
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: install Debian's fortunes-min (scripts/setup.sh does)")
    with open(path, encoding="utf-8", errors="replace") as f:
        entries = f.read().split("\n%\n")
    seen, out = set(), []
    for entry in entries:
        text = re.sub(r"\s+", " ", entry.replace("%", " ")).strip()
        if 20 <= len(text) <= 400 and text not in seen:
            seen.add(text)
            out.append(text)
    return out


def calibration(count):
    return _read("literature")[:count]


def evaluation(count):
    return _read("fortunes")[:count]
