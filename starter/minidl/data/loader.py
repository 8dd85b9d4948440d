"""Datasets and the DataLoader that batches them."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..autograd import Tensor


class Dataset:
    """Indexable examples; `transforms` are applied, in order, to each example's first field."""

    def __init__(self, transforms: Sequence[Callable] | None = None):
        self.transforms = list(transforms or [])

    def __len__(self) -> int:
        raise NotImplementedError()

    def __getitem__(self, index: int) -> tuple:
        raise NotImplementedError()

    def apply_transforms(self, x: np.ndarray) -> np.ndarray:
        for transform in self.transforms:
            x = transform(x)
        return x


class ArrayDataset(Dataset):
    """Examples held in arrays of equal length: (inputs[i], labels[i], ...)."""

    def __init__(self, *arrays: np.ndarray, transforms=None):
        super().__init__(transforms)
        if not arrays or len({len(a) for a in arrays}) != 1:
            raise ValueError(f"ArrayDataset needs arrays of one length, got lengths "
                             f"{[len(a) for a in arrays]}")
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple:
        first, *rest = (a[index] for a in self.arrays)
        return (self.apply_transforms(first), *rest)


class DataLoader:
    """Batches of a dataset, optionally shuffled with its own seeded generator.

    Each pass over the loader draws a new order; a seed makes the sequence of orders repeat.
    The last batch is smaller when the dataset does not divide evenly, unless drop_last.
    A batch is `collate_fn(examples)` (a list of the dataset's examples), or with no
    collate_fn each field of the examples stacked into a float32 Tensor.
    """

    def __init__(self, dataset: Dataset, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int | None = None,
                 collate_fn: Callable[[list], object] | None = None):
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        if len(dataset) == 0:
            raise ValueError("DataLoader: the dataset is empty")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.collate_fn = collate_fn
        self.generator = np.random.default_rng(seed)

    def __len__(self) -> int:
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def batch_order(self) -> list[np.ndarray]:
        """The example indices of each batch of the next pass."""
        # YOUR CODE HERE (hw2)
        raise NotImplementedError("hw2")

    def __iter__(self):
        for indices in self.batch_order():
            examples = [self.dataset[int(i)] for i in indices]
            if self.collate_fn is not None:
                yield self.collate_fn(examples)
            else:
                yield tuple(Tensor(np.stack(field), dtype="float32") for field in zip(*examples))
