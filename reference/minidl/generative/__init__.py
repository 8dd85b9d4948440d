"""Generative models, one module per family: autoencoders and the VAE, diffusion (DDPM and
DDIM), and a GAN."""
from . import autoencoder, diffusion, gan
