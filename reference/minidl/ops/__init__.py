"""Operators: `compute` on arrays, `gradient` on Tensors."""
from .mathematic import (
    AddScalar, BroadcastTo, DivScalar, EWiseAdd, EWiseDiv, EWiseMul, EWisePow, Erf, Exp, Log,
    MatMul, Max, MulScalar, Negate, PowerScalar, ReLU, Reshape, Sigmoid, Summation, Tanh,
    Transpose, erf, exp, log, matmul, reduce_to_shape, relu, sigmoid, tanh,
)
from .logarithmic import LogSumExp, Softmax, logsumexp, softmax
from .convolution import (AddRows, Concatenate, Conv, Flip, GetItem, Permute, ScatterInto, Stack,
                          TakeRows, cat, conv, conv_transpose, dilate, flip, getitem, pad,
                          permute, split, stack, take_rows, undilate)
from .scatter import (IndexAdd, IndexSelect, ScatterMax, index_add, index_select, scatter,
                      segment_softmax)
