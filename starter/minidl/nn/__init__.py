"""Layers, losses and the Module they are built from, one module per topic."""
from .module import Module, Parameter
from .linear import Identity, Linear
from .container import Flatten, Residual, Sequential
from .activation import GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh
from .dropout import Dropout
from .normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, LayerNorm1d
from .loss import BCEWithLogitsLoss, GaussianNLLLoss, MSELoss, SoftmaxLoss
from .convolution import AvgPool2d, Conv2d, ConvTranspose2d, MaxPool2d, Upsample
from .embedding import Embedding, LearnedPositionalEmbedding, SinusoidalPositionalEmbedding
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .attention import KVCache, MultiheadAttention, causal_mask, generate_square_subsequent_mask
from .transformer import TransformerEncoderLayer
from .graph import (GATConv, GCNConv, SAGEConv, gcn_norm, global_add_pool, global_max_pool,
                    global_mean_pool)
from . import utils
from . import functional
