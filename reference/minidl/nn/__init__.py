"""Layers, losses and the Module they are built from."""
from .basic import (BatchNorm1d, Dropout, Flatten, Identity, LayerNorm1d, Linear, MSELoss, ReLU,
                    Residual, Sequential, Sigmoid, SoftmaxLoss, Tanh)
from .module import Module, Parameter
from .recurrent import GRU, LSTM, RNN, Embedding, GRUCell, LSTMCell, RNNCell
from .spatial import AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d
from .attention import (GELU, KVCache, LayerNorm, LearnedPositionalEmbedding,
                        MultiheadAttention, SinusoidalPositionalEmbedding,
                        TransformerEncoderLayer, generate_square_subsequent_mask)
from . import utils
from . import functional
