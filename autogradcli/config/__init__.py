"""The experiment config: pydantic sections, YAML loading with line numbers, checks, export.

Knows the config file's words and turns mistakes into ConfigErrors that name file, line and key.
"""

from autogradcli.config.experiment import Config
from autogradcli.config.export import config_schema, config_to_yaml
from autogradcli.config.loading import config_with, load_config, output_dir, resolve_seed

__all__ = ["Config", "config_schema", "config_to_yaml", "config_with", "load_config",
           "output_dir", "resolve_seed"]
