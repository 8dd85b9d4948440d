"""Denoising diffusion (DDPM, Ho et al. 2020) and its deterministic sampler (DDIM, Song et al. 2021) on images in [-1, 1]."""
