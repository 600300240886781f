"""Data as plain numpy arrays: the Dataset, synthetic generators, CSV sources, split and scaling.

Below training; never imports the engine, the config layer or the CLI.
"""

from autogradcli.data.dataset import Dataset, check_batch_size, make_rng, split, val_rows
from autogradcli.data.loading import load_data

__all__ = ["Dataset", "check_batch_size", "load_data", "make_rng", "split", "val_rows"]
