"""Section 5: the DataLoader and image transforms."""
import numpy as np

from autograder.checks import graded


@graded(points=2, number="5.1")
def dataloader_batches(mdl, rng):
    """DataLoader: every example once per pass, batch sizes, seeded shuffling that repeats"""
    n, batch = int(rng.integers(5, 40)), int(rng.integers(1, 9))
    data = mdl.data.ArrayDataset(np.arange(n, dtype=np.float32)[:, None], np.arange(n) % 3)
    ordered = mdl.data.DataLoader(data, batch_size=batch)
    first = [x.numpy()[:, 0].astype(int) for x, _ in ordered]
    seed = int(rng.integers(1 << 30))
    shuffled = [[x.numpy()[:, 0].astype(int) for x, _ in mdl.data.DataLoader(
        data, batch_size=batch, shuffle=True, seed=seed)] for _ in range(2)]
    loader = mdl.data.DataLoader(data, batch_size=batch, shuffle=True, seed=seed)
    epochs = [np.concatenate([x.numpy()[:, 0] for x, _ in loader]) for _ in range(3)]
    return {"in order": np.concatenate(first), "sizes": np.array([len(b) for b in first]),
            "len": len(ordered),
            "shuffled is a permutation": sorted(np.concatenate(shuffled[0])) == list(range(n)),
            "same seed, same order": all(np.array_equal(a, b) for a, b in zip(*shuffled)),
            "passes differ": not all(np.array_equal(epochs[0], e) for e in epochs[1:]),
            "drop_last len": len(mdl.data.DataLoader(data, batch_size=batch, drop_last=True))}


@graded(points=1, number="5.2")
def flip(mdl, rng):
    """RandomFlipHorizontal mirrors width with probability p"""
    image = rng.standard_normal((3, 4, 5)).astype("float32")
    T = mdl.data.RandomFlipHorizontal
    generator = np.random.default_rng(int(rng.integers(1 << 30)))
    half = T(0.5, generator=generator)
    flips = [not np.array_equal(half(image), image) for _ in range(2000)]
    return {"p=1": T(1.0, generator=generator)(image), "p=0": T(0.0, generator=generator)(image),
            "fraction flipped": round(float(np.mean(flips)), 1)}


@graded(points=2, number="5.3")
def crop(mdl, rng):
    """RandomCrop: a window of the zero-padded image, each offset possible"""
    padding = int(rng.integers(1, 4))
    image = rng.uniform(1, 2, (2, 6, 7)).astype("float32")
    crop = mdl.data.RandomCrop(padding, generator=np.random.default_rng(int(rng.integers(1 << 30))))
    padded = np.pad(image, [(0, 0), (padding, padding), (padding, padding)])
    windows = [(i, j) for i in range(2 * padding + 1) for j in range(2 * padding + 1)]
    offsets, shapes = set(), set()
    for _ in range(800):
        out = crop(image)
        shapes.add(out.shape)
        offsets |= {next(((i, j) for i, j in windows
                          if np.array_equal(padded[:, i:i + 6, j:j + 7], out)), None)}
    offsets.discard(None)
    return {"shape kept": shapes == {image.shape}, "offsets seen": len(offsets)}


@graded(points=1, number="5.4")
def normalize(mdl, rng):
    """Normalize subtracts the mean and divides by the std of each channel"""
    image = rng.uniform(0, 1, (3, 4, 4)).astype("float32")
    mean, std = rng.uniform(0, 1, 3), rng.uniform(0.5, 2, 3)
    return {"out": mdl.data.Normalize(mean, std)(image)}
