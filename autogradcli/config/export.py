"""Writing a config out: the resolved YAML of a run folder, and the JSON Schema for editors."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from autogradcli.config.experiment import KINDS, Config
from autogradcli.config.sections import keys_in_order

__all__ = ["config_schema", "config_to_yaml"]


def config_to_yaml(config: Config, relative_to: str | os.PathLike | None = None) -> str:
    """The resolved config (every default filled in) as YAML, keys in definition order.

    With `relative_to`, a csv data path is rewritten relative to that folder (where the YAML will be
    saved), so the saved file loads again from there.
    """
    data = config.model_dump(mode="json", exclude_none=False)
    if data.get("sweep") is None:
        data.pop("sweep", None)
    if data["output"].get("mlflow") is None:
        data["output"].pop("mlflow", None)  # untracked configs read as they did before MLflow
    if relative_to is not None and data["data"]["kind"] == "csv":
        absolute = (config.base_dir / data["data"]["path"]).resolve()
        relative = os.path.relpath(absolute, Path(relative_to).resolve())
        data["data"]["path"] = Path(relative).as_posix()
    for section, kinds in KINDS.items():
        # kind first, then its own keys, then the options every kind shares (standardize, init...)
        cls = kinds[data[section]["kind"]]
        data[section] = {key: data[section][key] for key in keys_in_order(cls)}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=100)


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, [a, b] flow style for lists of scalars."""

    def represent_list(self, items):
        flow = all(not isinstance(item, (list, dict)) for item in items)
        return self.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_Dumper.add_representer(list, _Dumper.represent_list)


def config_schema() -> dict:
    """The JSON Schema of the config file (for editors' YAML completion)."""
    from pydantic.json_schema import GenerateJsonSchema

    schema = Config.model_json_schema(schema_generator=GenerateJsonSchema)
    schema["title"] = "autogradcli experiment config"
    return schema
