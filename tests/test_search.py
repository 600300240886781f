"""Search spaces, seeded trials, successive halving's arithmetic and ranking, the run listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import cli_text

from autogradcli import api
from autogradcli.config import load_config
from autogradcli.errors import ConfigError, UserError
from autogradcli.runs import listing
from autogradcli.sweeps.grid import parse_sweep_args
from autogradcli.sweeps.halving import rank, rungs
from autogradcli.sweeps.runner import sweep
from autogradcli.sweeps.space import Distribution, draw_points, parse_distribution
from autogradcli.sweeps.table import read_sweep_csv

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "configs" / "seed_linear.yaml"


def _tutorial(*overrides):
    return load_config(TUTORIAL, ["training.epochs=4", "data.n=40", *overrides])


# ------------------------------------------------------------------------------ distributions


@pytest.mark.parametrize("text, kind, args", [
    ("loguniform(1e-4, 1e-1)", "loguniform", (1e-4, 0.1)),
    ("uniform(0,1)", "uniform", (0.0, 1.0)),
    ("int(8, 64)", "int", (8, 64)),
    ("choice(sgd, adam)", "choice", ("sgd", "adam")),
    ("choice([8], [16, 16])", "choice", ([8], [16, 16])),
])
def test_distributions_are_read_from_their_text(text, kind, args):
    assert parse_distribution(text, "here") == Distribution(kind, args)


@pytest.mark.parametrize("text, message", [
    ("lognormal(1, 2)", "unknown distribution 'lognormal'"),
    ("loguniform(0, 1)", "loguniform() needs 0 < low < high"),
    ("uniform(1, 0)", "uniform(1, 0): low must be below high"),
    ("int(1.5, 4)", "int() takes two whole numbers"),
    ("uniform(1)", "uniform() takes two finite numbers, low and high"),
    ("choice()", "choice() needs at least one value"),
])
def test_bad_distributions_say_what_is_wrong(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_distribution(text, "{--sweep} optimizer.lr=" + text)
    assert cli_text(caught.value, "message") == message
    assert cli_text(caught.value, "where") == "--sweep optimizer.lr=" + text


def test_the_command_line_takes_a_distribution_or_values():
    grid = parse_sweep_args(["optimizer.lr=loguniform(1e-4,1e-1)", "training.batch_size=5,10"])
    assert grid == {"optimizer.lr": Distribution("loguniform", (1e-4, 0.1)),
                    "training.batch_size": [5, 10]}


def test_the_same_seed_draws_the_same_trials_and_stays_in_range():
    space = {"optimizer.lr": Distribution("loguniform", (1e-4, 0.1)),
             "training.batch_size": Distribution("int", (2, 5)), "model.init": ["random", "zeros"]}
    first = draw_points(space, 50, seed=7)
    assert first == draw_points(space, 50, seed=7)
    assert first != draw_points(space, 50, seed=8)
    assert all(1e-4 <= p["optimizer.lr"] <= 0.1 for p in first)
    assert {p["training.batch_size"] for p in first} == {2, 3, 4, 5}  # both ends included
    assert {p["model.init"] for p in first} == {"random", "zeros"}
    assert all(len(f"{p['optimizer.lr']:.10g}".replace("0.", "").lstrip("0")) <= 4 + 2
               for p in first)


@pytest.mark.parametrize("options, where, message", [
    ({}, None, "a distribution needs a number of trials to draw"),
    ({"trials": 4, "strategy": "grid"}, "--strategy",
     "a grid runs every combination: it takes no distributions or trials"),
    ({"trials": 4, "strategy": "bayes"}, "--strategy", "unknown strategy 'bayes'"),
    ({"trials": 0}, "--trials", "expected a whole number >= 1, got 0"),
    ({"trials": 4, "eta": 1}, "--eta", "expected a whole number >= 2, got 1"),
    ({"trials": 4, "objective": "val_loss"}, "--objective",
     "cannot rank by 'val_loss': there is no validation split (data.val_fraction is 0)"),
])
def test_bad_search_settings_are_refused_before_anything_runs(tmp_path, options, where, message):
    grid = parse_sweep_args(["optimizer.lr=loguniform(1e-4,1e-1)"])
    with pytest.raises(ConfigError) as caught:
        sweep(_tutorial(), grid, out=tmp_path / "s", **options)
    assert cli_text(caught.value, "message") == message
    if where in ("--trials", "--eta", "--objective"):
        assert cli_text(caught.value, "where") == where
    assert not (tmp_path / "s").exists()


def test_a_random_search_of_a_grid_needs_trials(tmp_path):
    with pytest.raises(ConfigError) as caught:
        sweep(_tutorial(), {"optimizer.lr": [0.01, 0.1]}, out=tmp_path / "s", strategy="random")
    assert cli_text(caught.value, "message") == "a random search needs a number of trials to draw"
    assert cli_text(caught.value, "hint") == "add --trials N (or trials: N in the sweep: section)"


def test_a_distribution_outside_the_field_range_names_the_key(tmp_path):
    grid = parse_sweep_args(["optimizer.lr=uniform(-1,1)"])
    with pytest.raises(ConfigError) as caught:
        sweep(_tutorial(), grid, out=tmp_path / "s", trials=2)
    assert cli_text(caught.value, "where") == "--sweep optimizer.lr=uniform(-1.0, 1.0)"


def test_the_config_sweep_section_holds_distributions_and_settings(tmp_path):
    config_file = tmp_path / "search.yaml"
    data = yaml.safe_load(TUTORIAL.read_text())
    data["training"]["epochs"] = 3
    data["data"]["n"] = 40
    data["sweep"] = {"optimizer.lr": "loguniform(1e-3, 1e-1)", "trials": 3}
    config_file.write_text(yaml.safe_dump(data))
    result = sweep(load_config(config_file), out=tmp_path / "s")
    assert [r.trial for r in result.rows] == [1, 2, 3]
    assert result.strategy == "random"
    stored = yaml.safe_load((tmp_path / "s" / "sweep.yaml").read_text())
    assert stored["sweep"] == {"optimizer.lr": "loguniform(0.001, 0.1)", "trials": 3,
                               "strategy": "random"}
    data["sweep"]["optimizer.lr"] = "loguniform(1e-3)"
    config_file.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        sweep(load_config(config_file), out=tmp_path / "s2")
    assert cli_text(caught.value, "where").endswith("search.yaml: sweep.optimizer.lr")


# ------------------------------------------------------------------------------------ halving


@pytest.mark.parametrize("trials, epochs, eta, expected", [
    (16, 10, 3, [(16, 1), (5, 3), (1, 10)]),
    (16, 10, 2, [(16, 1), (8, 2), (4, 5), (2, 10)]),
    (4, 10, 3, [(4, 3), (1, 10)]),
    (1, 10, 3, [(1, 10)]),
    (16, 1, 3, [(16, 1)]),
    (27, 30, 3, [(27, 1), (9, 3), (3, 10), (1, 30)]),
])
def test_halving_rungs_follow_the_documented_arithmetic(trials, epochs, eta, expected):
    assert rungs(trials, epochs, eta) == expected


def test_ranking_is_by_score_then_trial_with_missing_scores_last():
    scores = [(1, 0.5), (2, None), (3, 0.2), (4, 0.5), (5, None)]
    assert rank(scores, "val_loss", 3) == [3, 1, 4]
    assert rank(scores, "val_accuracy", 2) == [1, 4]
    assert rank(scores, "val_loss", 5) == [3, 1, 4, 2, 5]


def test_halving_continues_the_best_and_a_rerun_keeps_everything(tmp_path):
    grid = parse_sweep_args(["optimizer.lr=loguniform(1e-3,1e-1)"])
    events = []
    result = sweep(_tutorial("training.epochs=9"), grid, out=tmp_path / "s", trials=9,
                   strategy="halving", progress=events.append)
    assert events[0].rungs == [(9, 1), (3, 3), (1, 9)] and events[0].total == 13
    epochs = sorted(r.epochs for r in result.rows)
    assert epochs == [1] * 6 + [3] * 2 + [9]
    best = result.sorted_by_objective()[0]
    assert best.epochs == 9
    # the survivors were the best at each rung
    rung0 = sorted(result.rows, key=lambda r: _loss_at(r.folder, 1))[:3]
    assert {r.trial for r in rung0} == {r.trial for r in result.rows if r.epochs >= 3}
    first = (tmp_path / "s" / "sweep.csv").read_text()
    again = []
    sweep(_tutorial("training.epochs=9"), grid, out=tmp_path / "s", trials=9, strategy="halving",
          progress=again.append)
    done = [e for e in again if type(e).__name__ == "RunDone"]
    assert done and all(e.skipped for e in done)
    assert (tmp_path / "s" / "sweep.csv").read_text() == first


def test_halving_refuses_a_cosine_schedule(tmp_path):
    grid = parse_sweep_args(["optimizer.lr=loguniform(1e-3,1e-1)"])
    config = _tutorial("optimizer.schedule.kind=cosine")
    with pytest.raises(ConfigError, match="cosine schedule spans"):
        sweep(config, grid, out=tmp_path / "s", trials=3, strategy="halving")


def _loss_at(folder: Path, epoch: int) -> float:
    lines = (folder / "epochs.csv").read_text().splitlines()
    return float(lines[epoch].split(",")[1])


def test_an_old_sweep_csv_without_trials_still_reads(tmp_path):
    (tmp_path / "sweep.csv").write_text("optimizer.lr,status,final_train_loss,final_val_loss,"
                                        "seconds,folder,message\n0.1,completed,1.0,,0.1,a,\n")
    assert read_sweep_csv(tmp_path / "sweep.csv")[0] == ["optimizer.lr"]


# ------------------------------------------------------------------------------------ listing


def test_the_fast_config_reader_agrees_with_yaml_on_every_example_config(tmp_path):
    fast = 0
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        text = api.config_yaml(api.load_config(path), seed=3)
        (tmp_path / "config.yaml").write_text(text)
        assert listing.read_config_fast(tmp_path / "config.yaml") == yaml.safe_load(text)
        try:
            assert listing._parse_plain(text) == yaml.safe_load(text), path.name
            fast += 1
        except ValueError:  # flow mappings (a cnn's conv layers) are left to PyYAML
            pass
    assert fast >= 8


@pytest.mark.parametrize("text", ["a: 1e-3\n", "a: yes\n", "a: &x 1\n", "a: 1 # c\n",
                                  "a: |\n  text\n", "- 1\n"])
def test_the_fast_config_reader_leaves_anything_else_to_yaml(tmp_path, text):
    (tmp_path / "config.yaml").write_text(text)
    with pytest.raises(ValueError):
        listing._parse_plain(text)
    assert listing.read_config_fast(tmp_path / "config.yaml") == (yaml.safe_load(text)
                                                                  if text != "- 1\n" else {})


def _record(name, status="completed", loss=1.0, lr=0.1, acc=None):
    fields = {"name": name, "status": status, "loss": loss, "train_loss": loss}
    if acc is not None:
        fields["val_accuracy"] = acc
    return listing.RunRecord(Path(name), fields, {"optimizer.lr": lr, "optimizer.kind": "sgd"})


def test_where_filters_numbers_and_words():
    records = [_record("a", lr=0.01), _record("b", "diverged", lr=0.5), _record("c", lr=0.1)]
    names = [r.fields["name"] for r in listing.filter_records(records, ["optimizer.lr<0.1"])]
    assert names == ["a"]
    names = [r.fields["name"] for r in listing.filter_records(records, ["status=completed",
                                                                        "optimizer.lr>=0.1"])]
    assert names == ["c"]
    assert listing.filter_records(records, ["optimizer.kind!=sgd"]) == []


@pytest.mark.parametrize("condition, message", [
    ("optimizer.lr~0.1", "expected KEY=VALUE, KEY!=VALUE, KEY<VALUE, KEY<=VALUE, KEY>VALUE or "
                         "KEY>=VALUE"),
    ("optimizer.lrr<0.1", "no run has 'optimizer.lrr'"),
])
def test_a_bad_where_is_one_message(condition, message):
    with pytest.raises(UserError) as caught:
        listing.filter_records([_record("a")], [condition])
    assert cli_text(caught.value, "message") == message


def test_sort_puts_the_best_first_and_missing_values_last():
    records = [_record("a", loss=2.0, acc=0.5), _record("b", loss=None),
               _record("c", loss=1.0, acc=0.9)]
    assert [r.fields["name"] for r in listing.sort_records(records, "loss")] == ["c", "a", "b"]
    assert [r.fields["name"] for r in listing.sort_records(records, "-loss")] == ["a", "c", "b"]
    assert [r.fields["name"] for r in listing.sort_records(records, "val_accuracy")] == [
        "c", "a", "b"]


def test_differing_keys_leave_out_the_name_and_output():
    a = listing.RunRecord(Path("a"), {}, {"name": "a", "output.dir": "x", "optimizer.lr": 0.1,
                                          "seed": 1})
    b = listing.RunRecord(Path("b"), {}, {"name": "b", "output.dir": "y", "optimizer.lr": 0.2,
                                          "seed": 1})
    assert listing.differing_keys([a, b]) == ["optimizer.lr"]
    assert json.dumps(a.as_dict(["optimizer.lr"]))


def test_a_stopped_halving_search_resumes_to_the_same_result(tmp_path):
    grid = parse_sweep_args(["optimizer.lr=loguniform(1e-3,1e-1)"])
    config = _tutorial("training.epochs=9")
    whole = sweep(config, grid, out=tmp_path / "whole", trials=9, strategy="halving")

    def stop_in_rung_1(event):  # after the first run continued to 3 epochs
        if type(event).__name__ == "RunDone" and event.epochs == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(config, grid, out=tmp_path / "stopped", trials=9, strategy="halving",
              progress=stop_in_rung_1)
    events = []
    again = sweep(config, grid, out=tmp_path / "stopped", trials=9, strategy="halving",
                  progress=events.append)
    done = [e for e in events if type(e).__name__ == "RunDone"]
    assert sum(not e.skipped for e in done) == 3  # two more of rung 1, then rung 2
    for ours, theirs in zip(again.rows, whole.rows):
        assert (ours.trial, ours.epochs, ours.final_train_loss) == (
            theirs.trial, theirs.epochs, theirs.final_train_loss)
        assert (ours.folder / "history.csv").read_bytes() == (
            theirs.folder / "history.csv").read_bytes()


def test_listing_skips_hidden_folders_and_marks_unreadable_runs(tmp_path):
    for name in ("a", ".partial-b", "sweep/c"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "summary.json").write_text('{"status": "completed"}')
    (tmp_path / "sweep" / "c" / "summary.json").write_text('{"status": ')  # cut short
    found = listing.find_runs([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a", "sweep/c"]
    records = [listing.read_record(p, tmp_path) for p in found]
    assert [(r.fields["name"], r.fields["status"]) for r in records] == [
        ("a", "completed"), ("sweep/c", "unreadable")]
    with pytest.raises(UserError, match="no such folder"):
        listing.find_runs([tmp_path / "nowhere"])
