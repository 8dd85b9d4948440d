"""Datasets, the DataLoader, image transforms, text corpora, the BPE tokenizer and graphs."""
from .datasets import (DataFormatError, cifar10, digits, digits32, download, load_digits, mnist,
                       read_cifar10_batch, read_idx)
from .loader import ArrayDataset, DataLoader, Dataset
from .transforms import Normalize, RandomCrop, RandomFlipHorizontal
from .text import Corpus, Dictionary, batchify, get_batch, python_docs, python_docs_text
from .tokenizer import BPETokenizer
from .graphs import (Graph, GraphListDataset, add_remaining_self_loops, add_self_loops,
                     batch_graphs, degree, karate_club, motif_graphs, remove_self_loops)
