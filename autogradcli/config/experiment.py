"""The whole experiment config: its sections, its cross-section checks, where it came from.

Each section's kinds are registered in sections.py (KINDS; the model's kinds live in
model_sections.py); their rules of fit in nn/specs.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from autogradcli.config import checks
from autogradcli.config.fields import Integer
from autogradcli.config.model_sections import ModelConfig
from autogradcli.config.sections import (
    KINDS,
    DataConfig,
    LossConfig,
    MseLoss,
    OptimizerConfig,
    OutputConfig,
    TrainingConfig,
)
from autogradcli.config.yaml_source import FieldProblem

__all__ = ["KINDS", "PLAIN", "Config"]


class Config(BaseModel):
    """A whole experiment. `config.base_dir` is the folder relative data paths start from."""

    model_config = ConfigDict(extra="forbid", validate_default=True, frozen=True)

    name: str = Field(min_length=1, description="Experiment name; used in the default run folder.")
    seed: Integer | None = Field(
        None, ge=0,
        description="Seed for data, init and shuffling; null picks one, recorded in the run "
                    "folder's config.yaml.")
    data: DataConfig = Field(description="Where the data comes from.")
    model: ModelConfig = Field(description="The model and its initialisation.")
    loss: LossConfig = Field(default_factory=lambda: MseLoss(kind="mse"),
                             description="The loss minimised.")
    optimizer: OptimizerConfig = Field(description="The optimizer and its hyperparameters.")
    training: TrainingConfig = Field(default_factory=TrainingConfig, description="The loop.")
    output: OutputConfig = Field(default_factory=OutputConfig, description="The run folder.")
    sweep: dict[str, Annotated[list[Any], Field(min_length=1)] | str | int | None] | None = Field(
        None, description="What to sweep: dotted key path -> list of values or a distribution "
                          "(uniform(a, b), loguniform(a, b), int(a, b), choice(x, y)), e.g. "
                          "{optimizer.lr: [0.01, 0.1]}; and the settings trials, strategy "
                          "(grid, random, halving), eta, objective (docs/sweeps.md).")

    _source: Path | None = PrivateAttr(None)
    _yaml: Any = PrivateAttr(None)  # the YamlSource read: the line of each key, for later errors

    @property
    def source(self) -> Path | None:
        """The YAML file this config was loaded from, if any."""
        return self._source

    def where(self, key: str) -> str:
        """`file:line: key` of a dotted key, for mistakes found after validation (in the data)."""
        if self._yaml is not None:
            return self._yaml.where(tuple(key.split(".")))
        return f"{self._source}: {key}" if self._source is not None else key

    def copied(self, **changes: Any) -> Config:
        """A copy with fields replaced (not validated: only for values already checked) that
        remembers the file it came from."""
        new = self.model_copy(update=changes)
        return new.from_file_of(self)

    def from_file_of(self, other: Config) -> Config:
        """This config, remembering `other`'s file (for relative paths and error locations)."""
        self._source, self._yaml = other._source, other._yaml
        return self

    @property
    def base_dir(self) -> Path:
        """Folder that relative data paths are resolved against: the config file's, else cwd."""
        return self._source.parent if self._source is not None else Path.cwd()

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # the name becomes a folder name (runs/{name}): one plain component, never a path
        bad = [c for c in value if c in "/\\" or ord(c) < 32]
        if bad or value in (".", "..") or len(value) > 100:
            raise FieldProblem((), "a name is one folder name: at most 100 characters, no / or "
                                   "\\, no control characters, not . or ..",
                               hint="e.g. name: iris_lr0.1; choose the folder with output.dir")
        return value

    @model_validator(mode="after")
    def _consistent(self):
        checks.check_consistency(self)
        return self



PLAIN = {"training": TrainingConfig, "output": OutputConfig}


