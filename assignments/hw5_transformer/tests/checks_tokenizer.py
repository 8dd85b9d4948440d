"""Section 1: the byte-level BPE tokenizer (minidl/data/tokenizer.py)."""
import numpy as np

from autograder.checks import graded

# Pieces of words: ASCII, accents, CJK and an emoji (several UTF-8 bytes each), digits, "_"
SYLLABLES = ("th", "e", "in", "an", "re", "on", "s", "t", "é", "ß", "数", "学", "🙂", "12",
             "7", "_")


def _text(rng, words: int = 300) -> str:
    """Words of a small made-up language, drawn with Zipf-like frequencies, so that many
    pairs tie in count (the tie rule decides) and some repeat often."""
    vocabulary = ["".join(rng.choice(SYLLABLES, int(rng.integers(1, 5))))
                  for _ in range(int(rng.integers(12, 30)))]
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    drawn = rng.choice(vocabulary, words, p=weights / weights.sum())
    separators = rng.choice([" ", " ", " ", ", ", ".\n", "  ", "\t"], words)
    return "".join(f"{word}{separator}" for word, separator in zip(drawn, separators))


def _merges(tokenizer) -> np.ndarray:
    return np.array(list(tokenizer.merges), dtype=np.int64).reshape(-1, 2)


@graded(points=2, number="1.1")
def merge_pair(mdl, rng):
    """merge_pair replaces a pair left to right, overlapping runs and the ends included"""
    merge = mdl.data.tokenizer.merge_pair
    out = {"a run of three": merge([7, 7, 7], (7, 7), 300),
           "a run of four": merge([7, 7, 7, 7], (7, 7), 300),
           "at both ends": merge([1, 2, 5, 1, 2], (1, 2), 256),
           "absent": merge([1, 3, 2], (1, 2), 256),
           "one token": merge([1], (1, 2), 256)}
    tokens = [int(t) for t in rng.integers(0, 3, int(rng.integers(20, 40)))]
    pair = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
    out["random"] = merge(tokens, pair, 256)
    return out


@graded(points=3, number="1.2")
def pair_counts(mdl, rng):
    """PairCounts: weighted pair counts, and a merge re-counts only the chunks holding the pair"""
    chunks = [[int(t) for t in rng.integers(0, 4, int(rng.integers(1, 9)))] for _ in range(25)]
    weights = [int(w) for w in rng.integers(1, 6, len(chunks))]
    pairs = mdl.data.tokenizer.PairCounts([list(c) for c in chunks], weights)
    out = {"first pair": np.array(pairs.most_frequent())}
    for new_id in range(256, 260):
        pair = pairs.most_frequent()
        holding = {i for i, c in enumerate(pairs.chunks) if pair in zip(c, c[1:])}
        before = list(pairs.chunks)
        pairs.merge(pair, new_id)
        out[f"merge {new_id}: the pair"] = np.array(pair)
        out[f"merge {new_id}: other chunks untouched"] = all(
            pairs.chunks[i] is before[i] for i in range(len(before)) if i not in holding)
    counts = {p: n for p, n in pairs.counts.items() if n}
    out["counts after (left, right, count)"] = np.array(
        sorted((*p, n) for p, n in counts.items()), dtype=np.int64).reshape(-1, 3)
    out["where: the chunks holding each pair"] = all(
        set(pairs.where.get(p, ())) == {i for i, c in enumerate(pairs.chunks)
                                                if p in zip(c, c[1:])} for p in counts)
    return out


@graded(points=3, number="1.3")
def train_merges(mdl, rng):
    """BPETokenizer.train: the merges learned, ties broken by the smallest (left, right)"""
    text = _text(rng)
    merges = int(rng.integers(20, 80))
    tokenizer = mdl.data.BPETokenizer.train(text, 256 + merges + 1, special_tokens=["<|end|>"])
    return {"merges": _merges(tokenizer), "vocab_size": tokenizer.vocab_size,
            "encoding of the text's start": np.array(tokenizer.encode(text[:120]))}


@graded(points=3, number="1.4")
def encode_unseen_text(mdl, rng):
    """encode merges in the order learned; unseen characters and special tokens round-trip"""
    tokenizer = mdl.data.BPETokenizer.train(_text(rng), 256 + int(rng.integers(30, 90)),
                                            special_tokens=["<|end|>"])
    unseen = "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x9FFF, 3)) + " ∑ 👩‍🔬 Ω"
    text = _text(rng, 40) + unseen + "<|end|>" + _text(rng, 20)
    ids = tokenizer.encode(text)
    return {"ids": np.array(ids), "decoded equals the text": tokenizer.decode(ids) == text}
