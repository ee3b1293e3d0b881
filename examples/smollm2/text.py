"""Real English for calibrating and evaluating SmolLM2: Ambrose Bierce's
The Devil's Dictionary (1911; public domain, its copyright expired), about
61,000 words, from Debian's dict-devil package (installed by scripts/setup.sh;
/usr/share/dictd/devil.dict.dz is the book's text in dictd's dictzip format,
which is gzip).

The book is split into its preface and 982 entries (ABASEMENT .. ZOOLOGY).
Calibration text is the preface and the entries A-D; evaluation text is the
entries E-Z; the two share no entry. Each paragraph of prose is unwrapped
into one line (with single spaces between sentences), verse keeps its lines
without the indentation, and the _underscores_ that mark italics are
dropped. Everything is deterministic.

    calibration(n_samples, seq_len) -> int64 [n_samples, seq_len] token ids
    evaluation(n_windows, seq_len)  -> int64 [n_windows, seq_len] token ids
    (consecutive, non-overlapping windows of the tokenized text, from its start)

usage: text.py   (prints the sizes of both parts; checks that the tokenizer
       round-trips them)
"""
import functools
import gzip
import os
import re
import sys

import numpy as np

SOURCE = "/usr/share/dictd/devil.dict.dz"
_HEADWORD = re.compile(r"(?m)^(?=[A-Z][A-Z0-9 '\-.]*[A-Z], [a-z])")


@functools.lru_cache(maxsize=None)
def _parts():
    if not os.path.exists(SOURCE):
        raise SystemExit(f"{SOURCE} is missing: install Debian's dict-devil (scripts/setup.sh does)")
    with gzip.open(SOURCE, "rt", encoding="utf-8") as f:
        raw = f.read()
    start, first = raw.index("PREFACE"), raw.index("ABASEMENT, n.")
    preface = raw[start + len("PREFACE"):first]
    body = raw[first:].rstrip()
    if body.endswith("abcdefghijklmnopqrstuvwxyz"):  # dictfmt's alphabet line
        body = body[: -len("abcdefghijklmnopqrstuvwxyz")]
    entries = [e for e in _HEADWORD.split(body) if e.strip()]
    return _clean(preface), [_clean(e) for e in entries]


def _clean(text):
    paragraphs = []
    for para in re.split(r"\n\s*\n", text.strip("\n")):
        lines = [l for l in para.split("\n") if l.strip()]
        if not lines:
            continue
        if all(l.startswith("    ") for l in lines[1:]) and lines[0].startswith("    "):
            # Verse, a quotation or an attribution: one line each.
            para = "\n".join(l.strip() for l in lines)
        else:
            para = ""
            for l in lines:
                l = l.strip()
                # A word hyphenated at the end of a line joins the next one.
                join = re.search(r"[A-Za-z]-$", para) is not None
                para = para + l if join or not para else para + " " + l
            # The typewriter's two spaces after a sentence become one.
            para = re.sub(r" {2,}", " ", para)
        paragraphs.append(re.sub(r"_([^_]+)_", r"\1", para))
    return "\n\n".join(paragraphs)


def calibration_text():
    preface, entries = _parts()
    return "\n\n".join([preface] + [e for e in entries if e[0] <= "D"])


def evaluation_text():
    _, entries = _parts()
    return "\n\n".join(e for e in entries if e[0] > "D")


@functools.lru_cache(maxsize=None)
def _tokens(which):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import tokenizer
    text = calibration_text() if which == "calibration" else evaluation_text()
    return np.asarray(tokenizer.load().encode(text), np.int64)


def _windows(ids, n, seq_len, what):
    available = len(ids) // seq_len
    if n is None:
        n = available
    if n > available:
        raise ValueError(f"{what}: {n} windows of {seq_len} tokens asked, the text has "
                         f"{len(ids)} tokens ({available} windows)")
    return ids[: n * seq_len].reshape(n, seq_len).copy()


def calibration(n_samples, seq_len):
    """int64 [n_samples, seq_len]: consecutive windows of the calibration text."""
    return _windows(_tokens("calibration"), n_samples, seq_len, "calibration")


def evaluation(n_windows, seq_len):
    """int64 [n_windows, seq_len]: consecutive non-overlapping windows of the
    evaluation text (n_windows=None: all of them)."""
    return _windows(_tokens("evaluation"), n_windows, seq_len, "evaluation")


def main():
    import tokenizer
    ok = True
    for name, text in (("calibration", calibration_text()), ("evaluation", evaluation_text())):
        ids = _tokens(name)
        same = tokenizer.load().decode(ids) == text
        ok &= same
        print(f"{name}: {len(text.split())} words, {len(text)} characters, {len(ids)} tokens "
              f"({len(ids) // 512} windows of 512, {len(ids) // 256} of 256); "
              f"decode(encode(text)) == text: {same}")
    print(evaluation_text()[:600])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
