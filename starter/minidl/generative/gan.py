"""A small generative adversarial network (GAN) on images in [-1, 1]."""
