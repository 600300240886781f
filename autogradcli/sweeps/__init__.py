"""Sweeps: grids of config values, the sweep folder and sweep.csv, resume, and the executors.

Imported only when a sweep runs, so a single training run never pays for it.
"""
