"""`make bench`: the speed of hw5's byte-level BPE tokenizer on the Python-docs corpus.

Seconds to learn 1,000 merges from `python_docs_text()`'s train text (pre-tokenization
included), and the encode throughput in MB of UTF-8 per second on the same text and on the
test text, each measured ROUNDS times: min / median / max, so the spread shows how much load
from other work on the machine weighed on a figure.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.implementation import load_package  # noqa: E402

mdl = load_package(ROOT / "reference" / "minidl", "minidl")
MERGES, ROUNDS = 1_000, 3


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def spread(values: list[float]) -> str:
    return f"{min(values):8.2f} {statistics.median(values):8.2f} {max(values):8.2f}"


def main() -> None:
    train, test = mdl.data.python_docs_text()
    sizes = {name: len(text.encode("utf-8")) for name, text in (("train", train), ("test", test))}
    print(f"byte-level BPE on python_docs_text(): train {sizes['train'] / 1e6:.2f} MB, "
          f"test {sizes['test'] / 1e6:.2f} MB; {ROUNDS} rounds")
    train_s, encode_rates = [], {"train": [], "test": []}
    for _ in range(ROUNDS):
        seconds, tokenizer = timed(lambda: mdl.data.BPETokenizer.train(train, 256 + MERGES))
        train_s.append(seconds)
        for name, text in (("train", train), ("test", test)):
            seconds, ids = timed(lambda: tokenizer.encode(text))
            encode_rates[name].append(sizes[name] / seconds / 1e6)
            assert tokenizer.decode(ids) == text, f"the {name} text does not round-trip"
    assert len(tokenizer.merges) == MERGES
    print(f"{'':<34} {'min':>8} {'median':>8} {'max':>8}")
    print(f"{f'train {MERGES:,} merges (s)':<34} {spread(train_s)}")
    for name, rates in encode_rates.items():
        print(f"{f'encode the {name} text (MB/s)':<34} {spread(rates)}")
    print(f"test text: {sizes['test'] / len(tokenizer.encode(test)):.2f} bytes per token")


if __name__ == "__main__":
    main()
