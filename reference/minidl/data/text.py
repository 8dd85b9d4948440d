"""Text for language models: a Dictionary of words, a Corpus of token ids, and the batching of
PyTorch's word-language-model example (batchify, then get_batch windows of bptt steps)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..autograd import Tensor
from .datasets import DataFormatError

END_OF_LINE = "<eos>"


class Dictionary:
    """Words and their ids, in order of first appearance."""

    def __init__(self):
        self.word2idx: dict[str, int] = {}
        self.idx2word: list[str] = []

    def add_word(self, word: str) -> int:
        """The id of `word`, added when new."""
        if word not in self.word2idx:
            self.word2idx[word] = len(self.idx2word)
            self.idx2word.append(word)
        return self.word2idx[word]

    def __len__(self) -> int:
        return len(self.idx2word)


class Corpus:
    """Token ids of a training and a test text (whitespace-separated words, `<eos>` ending
    every line) over one shared Dictionary; at most `max_lines` lines of each."""

    def __init__(self, train_lines, test_lines, max_lines: int | None = None):
        self.dictionary = Dictionary()
        self.train = self.tokenize(train_lines, max_lines)
        self.test = self.tokenize(test_lines, max_lines)

    def tokenize(self, lines, max_lines: int | None = None) -> np.ndarray:
        """The ids of the words of `lines` (each followed by <eos>), adding new words."""
        ids = []
        for number, line in enumerate(lines):
            if max_lines is not None and number >= max_lines:
                break
            ids += [self.dictionary.add_word(w) for w in line.split() + [END_OF_LINE]]
        return np.array(ids, dtype=np.int64)

    @classmethod
    def from_folder(cls, folder, max_lines: int | None = None) -> "Corpus":
        """The corpus of `folder`/train.txt and `folder`/test.txt (UTF-8 text)."""
        texts = []
        for name in ("train.txt", "test.txt"):
            path = Path(folder) / name
            try:
                texts.append(path.read_text(encoding="utf-8").splitlines())
            except FileNotFoundError:
                raise DataFormatError(f"{path}: missing (a corpus folder holds train.txt and "
                                      "test.txt)") from None
            except UnicodeDecodeError as error:
                raise DataFormatError(f"{path}: not UTF-8 text ({error.reason} at byte "
                                      f"{error.start})") from None
        return cls(*texts, max_lines=max_lines)


def python_docs_text() -> tuple[str, str]:
    """The train and test text of `python_docs`: the non-blank lines of Python's reference
    topics (`pydoc_data`), each ending in a newline; the last tenth of every topic's lines is
    the test text."""
    from pydoc_data.topics import topics

    train, test = [], []
    for name in sorted(topics):
        lines = [line for line in topics[name].splitlines() if line.strip()]
        split = len(lines) - len(lines) // 10
        train += lines[:split]
        test += lines[split:]
    return "".join(line + "\n" for line in train), "".join(line + "\n" for line in test)


def python_docs(max_lines: int | None = None) -> Corpus:
    """The English text of Python's own reference topics (`pydoc_data`, in every CPython):
    about 75,000 words, split as `python_docs_text` splits them."""
    train, test = python_docs_text()
    return Corpus(train.splitlines(), test.splitlines(), max_lines)


def batchify(ids: np.ndarray, batch_size: int) -> np.ndarray:
    """ids as batch_size columns, (steps, batch_size), dropping the remainder."""
    steps = len(ids) // batch_size
    if steps == 0:
        raise ValueError(f"batchify: {len(ids)} tokens cannot fill a batch of {batch_size}")
    return ids[:steps * batch_size].reshape(batch_size, steps).T.copy()


def get_batch(batches: np.ndarray, i: int, bptt: int, device=None,
              dtype: str = "float32") -> tuple[Tensor, Tensor]:
    """Inputs rows i..i+bptt of `batches` (seq, batch) and their targets, the next tokens,
    flattened to (seq * batch,); the last window may be shorter."""
    seq = min(bptt, len(batches) - 1 - i)
    if seq < 1:
        raise IndexError(f"get_batch: no window starts at row {i} of {len(batches)}")
    data = Tensor(batches[i:i + seq], device=device, dtype=dtype)
    target = Tensor(batches[i + 1:i + 1 + seq].reshape(-1), device=device, dtype=dtype)
    return data, target
