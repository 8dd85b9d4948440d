"""Autoencoders and the variational autoencoder (VAE) on (N, 1, 8, 8) images in [0, 1]."""
