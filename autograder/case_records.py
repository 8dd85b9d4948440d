"""How a check's process hands its case results to the grader: plain records in one file.

Each record is one JSON line (case number, seed, error, and the name, dtype and shape of each
output array) followed by the arrays' raw bytes. The reader trusts nothing: it accepts only
numeric dtypes, sizes that add up, and complete records, within a byte budget.
"""
from __future__ import annotations

import json
from typing import BinaryIO

import numpy as np

from .case import CaseResult

MAX_HEADER = 1 << 16
_NUMERIC_KINDS = "biufc"


class RecordError(ValueError):
    """A results file that is not what the child process is meant to write."""


def write_record(file: BinaryIO, number: int, result: CaseResult) -> None:
    """Append one case's result to `file` and flush it."""
    arrays = [(name, np.asarray(value)) for name, value in (result.outputs or {}).items()]
    header = {"case": number, "seed": result.seed, "error": result.error,
              "arrays": [[name, a.dtype.str, list(a.shape), a.nbytes] for name, a in arrays]}
    file.write(json.dumps(header).encode() + b"\n")
    for _, array in arrays:
        file.write(array.tobytes())
    file.flush()


def read_records(data: bytes) -> dict[int, CaseResult]:
    """The complete records in `data`, by case number; RecordError for a malformed one."""
    results, position = {}, 0
    while position < len(data):
        end = data.find(b"\n", position, position + MAX_HEADER)
        if end < 0:
            break  # an unfinished record: the process stopped while writing it
        try:
            header = json.loads(data[position:end])
            number, seed, error = int(header["case"]), int(header["seed"]), header["error"]
            specs = header["arrays"]
        except (ValueError, KeyError, TypeError) as problem:
            raise RecordError(f"unreadable record ({problem})") from None
        position = end + 1
        outputs = {}
        for spec in specs:
            try:
                name, dtype_text, shape, nbytes = spec
                dtype, shape = np.dtype(str(dtype_text)), tuple(int(n) for n in shape)
                plain = dtype.kind in _NUMERIC_KINDS and dtype.names is None \
                    and min(shape, default=0) >= 0 \
                    and nbytes == dtype.itemsize * int(np.prod(shape))
            except (ValueError, TypeError):
                plain = False
            if not plain:
                raise RecordError(f"output {spec!r:.80} is not a plain numeric array")
            if position + nbytes > len(data):
                return results
            outputs[str(name)] = np.frombuffer(data, dtype, int(np.prod(shape)), position) \
                .reshape(shape).copy()
            position += nbytes
        results[number] = CaseResult(seed, outputs=None if error is not None else outputs,
                                     error=None if error is None else str(error)[:4000])
    return results
