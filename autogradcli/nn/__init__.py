"""Models, losses and optimizers on the engine's Tensors: plain arguments in, never a config.

The layer between the engine and training; imports only the engine, numpy and errors.
"""
