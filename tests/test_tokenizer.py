"""The byte-level BPE tokenizer: training, encoding, decoding, saving."""
import json
from collections import Counter

import numpy as np
import pytest

from conftest import minidl_reference

mdl = minidl_reference()
data = mdl.data
BPETokenizer = data.BPETokenizer
pretokenize = data.tokenizer.pretokenize

ENGLISH = ("The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs off "
           "into the woods, where other foxes wait.\n    def run(self): return 42\n") * 20
# Code points drawn for the round trip: ASCII, Latin-1 and Latin Extended, combining marks,
# Greek and Cyrillic, CJK, Hangul, emoji and their joiners, odd whitespace, then anything.
CODE_POINT_RANGES = [(0x20, 0x7E), (0x00, 0x1F), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x4FF),
                     (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x1F300, 0x1FAFF), (0x200B, 0x200D),
                     (0x2028, 0x2029), (0xFE00, 0xFE0F), (0x0, 0xD7FF), (0xE000, 0x10FFFF)]


def random_text(rng, length):
    """`length` code points, each from a random range of CODE_POINT_RANGES (no surrogates)."""
    ranges = [CODE_POINT_RANGES[i] for i in rng.integers(0, len(CODE_POINT_RANGES), length)]
    return "".join(chr(int(rng.integers(low, high + 1))) for low, high in ranges)


def naive_merge(tokens, pair, new_id):
    out = list(tokens)
    for i in range(len(out) - 1):
        if out[i:i + 2] == list(pair):
            out[i:i + 2] = [new_id, None]  # None keeps the indices; an overlap cannot match it
    return [t for t in out if t is not None]


def naive_train(text, vocab_size):
    """The merges of BPE, recounting every pair of the text before each merge."""
    chunks = Counter(pretokenize(text))
    tokens = {chunk: list(chunk.encode("utf-8")) for chunk in chunks}
    merges = []
    for new_id in range(256, vocab_size):
        counts = Counter()
        for chunk, ids in tokens.items():
            for pair in zip(ids, ids[1:]):
                counts[pair] += chunks[chunk]
        if not counts:
            break
        best = max(counts.values())
        pair = min(p for p, n in counts.items() if n == best)
        tokens = {chunk: naive_merge(ids, pair, new_id) for chunk, ids in tokens.items()}
        merges.append(pair)
    return merges


def naive_encode(merges, text):
    """Token ids of `text` with every merge applied to every chunk, in the order learned."""
    ids = []
    for chunk in pretokenize(text):
        tokens = list(chunk.encode("utf-8"))
        for new_id, pair in enumerate(merges, start=256):
            tokens = naive_merge(tokens, pair, new_id)
        ids += tokens
    return ids


@pytest.fixture(scope="module")
def docs_text():
    train, test = data.python_docs_text()
    return train[:30_000], test[:10_000]


@pytest.fixture(scope="module")
def english():
    return BPETokenizer.train(ENGLISH, 256 + 60, special_tokens=["<|endoftext|>", "<pad>"])


def test_python_docs_text_is_the_text_of_python_docs():
    train, test = data.python_docs_text()
    corpus = data.python_docs()
    words = corpus.dictionary.idx2word
    assert " ".join(words[i] for i in corpus.test) == " <eos> ".join(
        " ".join(line.split()) for line in test.splitlines()) + " <eos>"
    assert train.endswith("\n") and "\n\n" not in train and len(train) > 10 * len(test)


def test_pretokenize_cuts_words_numbers_symbols_and_spaces():
    assert pretokenize("Hello, world  42x __init__()\n    end\n\tx") == [
        "Hello", ",", " world", " ", " 42", "x", " __init__", "()", "\n   ", " end", "\n", "\t",
        "x"]
    assert pretokenize("") == []


def test_merge_pair_replaces_occurrences_left_to_right():
    merge_pair = data.tokenizer.merge_pair
    assert merge_pair([1, 2, 3, 1, 2], (1, 2), 256) == [256, 3, 256]
    assert merge_pair([7, 7, 7], (7, 7), 300) == [300, 7]
    assert merge_pair([1], (1, 2), 256) == [1] and merge_pair([], (1, 2), 256) == []


def test_pair_counts_touch_only_the_chunks_holding_the_merged_pair():
    chunks, weights = [[1, 2, 3], [4, 5], [1, 2, 1, 2], [2, 3]], [3, 1, 2, 5]
    pairs = data.tokenizer.PairCounts([list(c) for c in chunks], weights)
    assert pairs.most_frequent() == (2, 3)  # 3 + 5 = 8 times; (1, 2) only 3 + 2 * 2 = 7
    untouched = pairs.chunks[1]
    pairs.merge((1, 2), 256)
    assert pairs.chunks == [[256, 3], [4, 5], [256, 256], [2, 3]]
    assert pairs.chunks[1] is untouched
    fresh = data.tokenizer.PairCounts([list(c) for c in pairs.chunks], weights)
    assert +pairs.counts == +fresh.counts  # + drops the pairs counted down to zero
    assert {p: w for p, w in pairs.where.items() if w} == dict(fresh.where)
    assert pairs.most_frequent() == (2, 3)


def test_merges_follow_the_tie_rule_whatever_the_order_of_the_text():
    # Every pair occurs twice: ties go to the smallest (left id, right id).
    expected = [(32, 97), (32, 99), (256, 98), (257, 100)]  # " a", " c", " ab", " cd"
    for text in [" ab cd ab cd", " cd cd ab ab", " cd ab ab cd"]:
        tokenizer = BPETokenizer.train(text, 300)
        assert list(tokenizer.merges) == expected
        assert [tokenizer.vocab[i] for i in range(256, 260)] == [b" a", b" c", b" ab", b" cd"]
    assert list(BPETokenizer.train(" cd cd ab ab", 258).merges) == expected[:2]
    # More frequent first: "b" follows "a" 3 times, "c" follows " " only twice.
    assert list(BPETokenizer.train("ab ab cc ab", 257).merges) == [(97, 98)]


def test_merges_never_cross_chunks_and_stop_when_no_pair_is_left():
    tokenizer = BPETokenizer.train("aa aa", 1000)
    # "aa" is merged first, leaving " aa" as " " + "aa": no " a" is ever counted again.
    assert [tokenizer.vocab[i] for i in tokenizer.merges.values()] == [b"aa", b" aa"]
    assert tokenizer.vocab_size == len(tokenizer) == 258


def test_training_is_deterministic_and_matches_recounting_every_merge(docs_text):
    train, test = docs_text
    tokenizer = BPETokenizer.train(train, 256 + 150)
    merges = list(tokenizer.merges)
    assert len(merges) == 150
    assert merges == list(BPETokenizer.train(train, 256 + 150).merges)
    assert merges == naive_train(train, 256 + 150)
    for text in (train[:5_000], test):
        assert tokenizer.encode(text) == naive_encode(merges, text)


def test_encoding_the_training_text_gives_its_merged_chunks(docs_text):
    train = docs_text[0][:8_000]
    tokenizer = BPETokenizer.train(train, 256 + 100)
    ids = tokenizer.encode(train)
    assert len(ids) < 0.6 * len(train.encode("utf-8"))
    assert ids == naive_encode(list(tokenizer.merges), train)
    assert tokenizer.decode(ids) == train


def test_round_trip_of_random_unicode(english):
    rng = np.random.default_rng(5)
    texts = ["", " ", "\n\n", "naïve café", "日本語のテキスト", "👩‍👩‍👧 🇫🇷", "e\u0301\u0302",
             "\x00\x7f\ufffd\U0010ffff"] + [random_text(rng, n) for n in rng.integers(1, 60, 300)]
    for text in texts:
        ids = english.encode(text)
        assert english.decode(ids) == text, f"round trip of {text!r}"
        assert all(0 <= i < english.vocab_size for i in ids)
    mixed = "".join(texts[-50:])
    assert english.decode(english.encode(mixed)) == mixed


def test_unseen_characters_fall_back_to_their_bytes(english):
    assert english.encode("€") == list("€".encode("utf-8"))
    assert english.encode("the fox 🦊") == english.encode("the fox ") + list("🦊".encode("utf-8"))
    assert english.decode([0xE2, 0x82]) == "\ufffd"  # a character cut short


def test_special_tokens_are_matched_exactly_and_never_merged(english):
    end, pad = english.special_tokens["<|endoftext|>"], english.special_tokens["<pad>"]
    assert (end, pad) == (256 + len(english.merges), 257 + len(english.merges))
    assert english.vocab_size == 256 + 60
    ids = english.encode("the fox<|endoftext|><pad><|endoftext|")
    assert ids == english.encode("the fox") + [end, pad] + english.encode("<|endoftext|")
    assert english.decode(ids) == "the fox<|endoftext|><pad><|endoftext|"
    trained = BPETokenizer.train("<x>hello<x>" * 50, 300, special_tokens=["<x>"])
    assert not any(b"<" in trained.vocab[i] for i in trained.merges.values())
    longest = BPETokenizer(special_tokens=["<a>", "<a><b>"])
    assert longest.encode("<a><b><a>") == [257, 256]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"vocab_size 257 is below the 256 byte tokens plus "
                                         r"2 special tokens \(258\)"):
        BPETokenizer.train("text", 257, special_tokens=["<a>", "<b>"])
    with pytest.raises(ValueError, match=r"distinct, got \['<a>'\]"):
        BPETokenizer.train("text", 300, special_tokens=["<a>", "<a>"])
    with pytest.raises(ValueError, match="non-empty strings, got ''"):
        BPETokenizer(special_tokens=[""])
    with pytest.raises(TypeError, match="list of strings"):
        BPETokenizer(special_tokens="<a>")
    with pytest.raises(ValueError, match=r"merge 1 \(5, 257\) must join two ids below its own "
                                         r"id 257"):
        BPETokenizer([(1, 2), (5, 257)])
    tokenizer = BPETokenizer([(1, 2)])
    for bad in (-1, 257):
        with pytest.raises(ValueError, match=rf"token id {bad} is not in the vocabulary"):
            tokenizer.decode([1, bad])


def test_save_and_load_round_trip(english, tmp_path):
    path = tmp_path / "bpe.json"
    english.save(path)
    loaded = BPETokenizer.load(path)
    assert loaded.merges == english.merges and loaded.special_tokens == english.special_tokens
    assert loaded.vocab == english.vocab
    text = "the lazy fox<|endoftext|>"
    assert loaded.encode(text) == english.encode(text)
    contents = json.loads(path.read_text())
    assert contents["merges"][0] == list(next(iter(english.merges)))


@pytest.mark.parametrize("contents, problem", [
    ("{not json", "not JSON"),
    ("[1, 2]", "not a tokenizer file"),
    ('{"format": "minidl-bpe", "version": 7, "merges": [], "special_tokens": []}',
     "version 7; this minidl reads version 1"),
    ('{"format": "minidl-bpe", "version": 1, "merges": [[1, 2, 3]], "special_tokens": []}',
     r"\[left, right\] id pairs"),
    ('{"format": "minidl-bpe", "version": 1, "merges": [[1, 300]], "special_tokens": []}',
     r"merge 0 \(1, 300\) must join two ids below"),
    ('{"format": "minidl-bpe", "version": 1, "merges": [["a", 1]], "special_tokens": []}',
     r"merge 0 \('a', 1\)"),
    ('{"format": "minidl-bpe", "version": 1, "merges": [], "special_tokens": [3]}',
     "non-empty strings, got 3"),
])
def test_a_corrupt_file_is_named(tmp_path, contents, problem):
    path = tmp_path / "bpe.json"
    path.write_text(contents)
    with pytest.raises(data.DataFormatError, match=rf"bpe.json: .*{problem}"):
        BPETokenizer.load(path)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(data.DataFormatError, match="bpe.json: not a tokenizer file"):
        BPETokenizer.load(path)
