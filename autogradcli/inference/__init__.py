"""Using what a run trained: its model read back from model.npz, predictions and evaluation.

Above nn, data and runs; the API and the autograd-predict and autograd-eval commands call it.
"""
