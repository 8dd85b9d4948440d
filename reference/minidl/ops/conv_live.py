### BEGIN REFERENCE ONLY
"""The kit's tuned convolution (the "live_conv" capability): a Conv computed over only the
outputs and kernel taps that read some value of x. The starter does not include this module.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from .convolution import Conv


class Span(NamedTuple):
    """One spatial axis of a Conv: the outputs and kernel taps that read any value of x."""

    size: int  # all the outputs along the axis
    first_output: int  # the live ones, from first_output on
    outputs: int
    first_tap: int  # the taps they read x through, from first_tap on
    taps: int
    first_input: int  # x's values they read, first_input..last_input
    last_input: int
    before: int  # and the zeros their windows span around those values
    after: int


@functools.lru_cache(maxsize=1024)
def live_span(length: int, before: int, after: int, kernel: int, stride: int, dilation: int,
              input_dilation: int) -> Span:
    """The Span of `length` values `input_dilation` apart, `before` and `after` zeros around."""
    extent = input_dilation * (length - 1) + 1 + before + after
    size = (extent - dilation * (kernel - 1) - 1) // stride + 1
    if size < 1:
        raise ValueError(f"conv: the kernel reaches over {dilation * (kernel - 1) + 1} "
                         f"positions, more than the {extent} of the padded input")

    def holds_value(position: int) -> bool:
        offset = position - before
        return 0 <= offset <= input_dilation * (length - 1) and offset % input_dilation == 0

    hits = [[holds_value(stride * o + dilation * i) for i in range(kernel)] for o in range(size)]
    outputs = [o for o in range(size) if any(hits[o])]
    taps = [i for i in range(kernel) if any(row[i] for row in hits)]
    if not outputs:
        return Span(size, 0, 0, 0, 0, 0, -1, 0, 0)
    start = stride * outputs[0] + dilation * taps[0]
    stop = stride * outputs[-1] + dilation * taps[-1] + 1
    first = max(0, -((before - start) // input_dilation))
    last = min(length - 1, (stop - 1 - before) // input_dilation)
    return Span(size, outputs[0], outputs[-1] - outputs[0] + 1, taps[0], taps[-1] - taps[0] + 1,
                first, last, before + input_dilation * first - start,
                stop - 1 - before - input_dilation * last)


def live_conv(op: Conv, x, weight):
    """`op`'s Conv.compute over only the outputs and kernel taps that read some value of x,
    None where all of them do."""
    # the rest read only zeros: 8 of 9 taps of a 3x3 kernel over a 1x1 map padded by 1
    n, _, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    rows = live_span(h, *op.padding[0], kh, op.stride, op.dilation, op.input_dilation)
    cols = live_span(w, *op.padding[1], kw, op.stride, op.dilation, op.input_dilation)
    full = (n, out_channels, rows.size, cols.size)
    if rows.outputs == 0 or cols.outputs == 0:
        return x.device.full(full, 0.0, x.dtype)
    if all(span.outputs == span.size and span.taps == kernel and span.first_input == 0
           and span.last_input == length - 1
           for span, kernel, length in ((rows, kh, h), (cols, kw, w))):
        return None  # all of it is live: the plain Conv
    live = Conv(op.stride, ((rows.before, rows.after), (cols.before, cols.after)),
                op.dilation, op.input_dilation)
    out = live.compute(x[:, :, rows.first_input:rows.last_input + 1,
                         cols.first_input:cols.last_input + 1],
                       weight[:, :, rows.first_tap:rows.first_tap + rows.taps,
                              cols.first_tap:cols.first_tap + cols.taps])
    if out.shape == full:
        return out
    padded = x.device.full(full, 0.0, x.dtype)
    padded[:, :, rows.first_output:rows.first_output + rows.outputs,
           cols.first_output:cols.first_output + cols.outputs] = out
    return padded
### END REFERENCE ONLY
