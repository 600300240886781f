"""Training: the loop (progress through a callback), building an experiment from a config, one run.

Above nn, data, config and runs; below the API and the sweeps. Never prints.
"""
