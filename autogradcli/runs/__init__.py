"""The run-folder format: file names, statuses, atomic writes, the writer and the reader.

Everything that writes or reads a run folder later (training, sweeps, plotting) goes through here.
"""
