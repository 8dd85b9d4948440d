"""Byte-level byte-pair encoding (BPE): a vocabulary learned from text by merging its most
frequent pair of adjacent tokens, again and again, starting from the 256 byte values.

Token ids: 0..255 are the bytes of UTF-8; merge k (counting from 0) makes id 256 + k; the
special tokens take the ids after the last merge, in the order given.

Text is first cut into chunks by `CHUNK`: a run of letters (with "_"), of digits, or of other
symbols, each with an optional leading space; or a run of whitespace. Merges never cross a
chunk boundary, so no token spans two words.

Training merges the most frequent pair; of pairs equally frequent, the one with the smallest
(left id, right id), so the merges depend on the text alone, never on dict order.
"""
from __future__ import annotations

import heapq
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from .datasets import DataFormatError

BYTES = 256
FILE_FORMAT, FILE_VERSION = "minidl-bpe", 1
# \s+(?!\S) leaves the last space of a run of spaces to the word after it.
CHUNK = re.compile(r" ?[^\W\d]+| ?\d+| ?[^\w\s]+|\s+(?!\S)|\s+")

Pair = tuple[int, int]


def pretokenize(text: str) -> list[str]:
    """The chunks of `text` (see CHUNK), in order; joined, they are `text` again."""
    return CHUNK.findall(text)


def merge_pair(tokens: list[int], pair: Pair, new_id: int) -> list[int]:
    """`tokens` with each occurrence of `pair`, scanned left to right, replaced by `new_id`."""
    ### BEGIN SOLUTION hw5
    merged, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) == pair:
            merged.append(new_id)
            i += 2
        else:
            merged.append(tokens[i])
            i += 1
    return merged
    ### END SOLUTION


class PairCounts:
    """How often each adjacent pair of tokens occurs in a text, and which chunks hold it.

    The text is its distinct chunks, `chunks[i]` a list of token ids occurring `weights[i]`
    times; a pair's count is the sum of the weights of its occurrences.
    """

    def __init__(self, chunks: list[list[int]], weights: list[int]):
        self.chunks, self.weights = chunks, weights
        self.counts: Counter[Pair] = Counter()
        self.where: defaultdict[Pair, set[int]] = defaultdict(set)  # pair -> indices of chunks
        self.changed: set[Pair] = set()  # pairs whose count changed since `most_frequent`
        self._heap: list[tuple[int, Pair]] = []  # (-count, pair); outdated entries are skipped
        for i in range(len(chunks)):
            self.count_chunk(i, +1)

    def count_chunk(self, i: int, sign: int) -> None:
        """Add (sign +1) or take away (sign -1) the pairs of chunk i in `counts` and `where`,
        noting each pair in `changed`."""
        ### BEGIN SOLUTION hw5
        tokens, weight = self.chunks[i], sign * self.weights[i]
        for pair in zip(tokens, tokens[1:]):
            self.counts[pair] += weight
            self.changed.add(pair)
            if sign > 0:
                self.where[pair].add(i)
            else:
                self.where[pair].discard(i)
        ### END SOLUTION

    def merge(self, pair: Pair, new_id: int) -> None:
        """Replace `pair` by `new_id` in every chunk holding it; no other chunk is touched."""
        ### BEGIN SOLUTION hw5
        for i in list(self.where[pair]):  # a copy: count_chunk changes the set
            self.count_chunk(i, -1)
            self.chunks[i] = merge_pair(self.chunks[i], pair, new_id)
            self.count_chunk(i, +1)
        ### END SOLUTION

    def most_frequent(self) -> Pair | None:
        """The pair to merge next: the most frequent, of equals the smallest (left id, right
        id); None when no chunk has two tokens left."""
        for pair in self.changed:
            if self.counts[pair] > 0:
                heapq.heappush(self._heap, (-self.counts[pair], pair))
            else:
                self.counts.pop(pair, None)
                self.where.pop(pair, None)
        self.changed.clear()
        while self._heap:
            negative_count, pair = self._heap[0]
            if self.counts.get(pair) == -negative_count:
                return pair
            heapq.heappop(self._heap)
        return None


class BPETokenizer:
    """Byte-level BPE: any text to token ids and back.

    `merges` maps each merged pair to its new id (in the order learned), `vocab[id]` is the
    bytes of a token, `special_tokens` maps each special token to its id.
    """

    def __init__(self, merges: Sequence[Pair] = (), special_tokens: Sequence[str] = ()):
        special_tokens = _checked_special_tokens(special_tokens)
        self.merges: dict[Pair, int] = {}
        self.vocab: list[bytes] = [bytes([b]) for b in range(BYTES)]
        for number, (left, right) in enumerate(merges):
            new_id = len(self.vocab)
            if not all(type(i) is int and 0 <= i < new_id for i in (left, right)):
                raise ValueError(f"merge {number} ({left!r}, {right!r}) must join two ids "
                                 f"below its own id {new_id}")
            if (left, right) in self.merges:
                raise ValueError(f"merge {number} ({left}, {right}) repeats merge "
                                 f"{self.merges[left, right] - BYTES}")
            self.merges[left, right] = new_id
            self.vocab.append(self.vocab[left] + self.vocab[right])
        self.special_tokens = {token: len(self.vocab) + k for k, token in enumerate(special_tokens)}
        self.vocab += [token.encode("utf-8") for token in special_tokens]
        # Longest first, so that a special token holding another is matched whole.
        longest_first = sorted(special_tokens, key=len, reverse=True)
        self._special = re.compile("(" + "|".join(map(re.escape, longest_first)) + ")")

    @classmethod
    def train(cls, text: str, vocab_size: int,
              special_tokens: Sequence[str] = ()) -> BPETokenizer:
        """A tokenizer of `vocab_size` tokens (256 bytes, merges, then `special_tokens`) learned
        from `text`, or fewer when no pair is left to merge; special tokens in `text` are left
        out of the counts."""
        if not isinstance(text, str):
            raise TypeError(f"train needs text as a str, got {type(text).__name__}")
        special_tokens = _checked_special_tokens(special_tokens)
        least = BYTES + len(special_tokens)
        if type(vocab_size) is not int or vocab_size < least:
            raise ValueError(f"vocab_size {vocab_size!r} is below the {BYTES} byte tokens plus "
                             f"{len(special_tokens)} special tokens ({least})")
        plain = cls(special_tokens=special_tokens)
        chunk_counts = Counter(chunk for piece, special in plain._pieces(text) if not special
                               for chunk in pretokenize(piece))
        pairs = PairCounts([list(chunk.encode("utf-8")) for chunk in chunk_counts],
                           list(chunk_counts.values()))
        merges = []
        for new_id in range(BYTES, vocab_size - len(special_tokens)):
            pair = pairs.most_frequent()
            if pair is None:
                break
            pairs.merge(pair, new_id)
            merges.append(pair)
        return cls(merges, special_tokens)

    @property
    def vocab_size(self) -> int:
        """The number of token ids: bytes, merges and special tokens."""
        return len(self.vocab)

    def __len__(self) -> int:
        return len(self.vocab)

    def __repr__(self) -> str:
        return (f"BPETokenizer({len(self.vocab)} tokens: {BYTES} bytes, {len(self.merges)} "
                f"merges, {len(self.special_tokens)} special)")

    def encode(self, text: str) -> list[int]:
        """The token ids of `text`; a special token in it becomes its id."""
        if not isinstance(text, str):
            raise TypeError(f"encode needs a str, got {type(text).__name__}")
        ids: list[int] = []
        encoded: dict[str, list[int]] = {}  # text repeats its words: each is encoded once
        for piece, special in self._pieces(text):
            if special:
                ids.append(self.special_tokens[piece])
                continue
            for chunk in pretokenize(piece):
                if chunk not in encoded:
                    encoded[chunk] = self.encode_chunk(chunk.encode("utf-8"))
                ids += encoded[chunk]
        return ids

    def encode_chunk(self, chunk: bytes) -> list[int]:
        """The token ids of one chunk: its bytes, merged in the order the merges were learned."""
        ### BEGIN SOLUTION hw5
        tokens = list(chunk)
        while len(tokens) > 1:
            pair = min(zip(tokens, tokens[1:]), key=lambda p: self.merges.get(p, math.inf))
            if pair not in self.merges:
                break
            tokens = merge_pair(tokens, pair, self.merges[pair])
        return tokens
        ### END SOLUTION

    def decode(self, ids: Iterable[int]) -> str:
        """The text of token ids; bytes that are not UTF-8 (a character cut short) become
        U+FFFD."""
        pieces = []
        for i in ids:
            if not 0 <= i < len(self.vocab):
                raise ValueError(f"decode: token id {i} is not in the vocabulary "
                                 f"(ids 0..{len(self.vocab) - 1})")
            pieces.append(self.vocab[i])
        return b"".join(pieces).decode("utf-8", errors="replace")

    def save(self, path: str | Path) -> None:
        """Write the tokenizer to `path` as JSON: its merges as pairs of ids, its special
        tokens."""
        contents = {"format": FILE_FORMAT, "version": FILE_VERSION,
                    "merges": [list(pair) for pair in self.merges],
                    "special_tokens": list(self.special_tokens)}
        Path(path).write_text(json.dumps(contents) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BPETokenizer:
        """The tokenizer `save` wrote to `path`."""
        path = Path(path)
        try:
            contents = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise DataFormatError(f"{path}: not a tokenizer file (not JSON: {error})") from None
        if not isinstance(contents, dict) or contents.get("format") != FILE_FORMAT:
            raise DataFormatError(f"{path}: not a tokenizer file (no \"format\": "
                                  f"\"{FILE_FORMAT}\")")
        if contents.get("version") != FILE_VERSION:
            raise DataFormatError(f"{path}: tokenizer file of version "
                                  f"{contents.get('version')!r}; this minidl reads version "
                                  f"{FILE_VERSION}")
        merges, special_tokens = contents.get("merges"), contents.get("special_tokens")
        if not isinstance(merges, list) or not all(isinstance(m, list) and len(m) == 2
                                                   for m in merges):
            raise DataFormatError(f"{path}: \"merges\" must be a list of [left, right] id pairs")
        if not isinstance(special_tokens, list):
            raise DataFormatError(f"{path}: \"special_tokens\" must be a list of strings")
        try:
            return cls([tuple(m) for m in merges], special_tokens)
        except (TypeError, ValueError) as error:
            raise DataFormatError(f"{path}: {error}") from None

    def _pieces(self, text: str) -> Iterable[tuple[str, bool]]:
        """`text` cut around its special tokens: (piece, whether it is a special token)."""
        if not self.special_tokens:
            yield text, False
            return
        for k, piece in enumerate(self._special.split(text)):
            if piece:
                yield piece, k % 2 == 1  # split puts each matched special token at an odd index


def _checked_special_tokens(tokens: Sequence[str]) -> list[str]:
    """`tokens` as a list, once they are known to be distinct non-empty strings."""
    if isinstance(tokens, str):
        raise TypeError(f"special_tokens must be a list of strings, got the string {tokens!r}")
    tokens = list(tokens)
    for token in tokens:
        if not isinstance(token, str) or not token:
            raise ValueError(f"special tokens must be non-empty strings, got {token!r}")
    repeated = sorted(token for token, n in Counter(tokens).items() if n > 1)
    if repeated:
        raise ValueError(f"special tokens must be distinct, got {repeated} more than once")
    return tokens
