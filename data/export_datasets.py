"""Export scikit-learn's bundled diabetes, iris and digits datasets to small CSV files here.

Run once by a maintainer (`python data/export_datasets.py`); scikit-learn is needed only here,
never by autogradcli itself. The output is deterministic, so rerunning it must leave git with no
changes.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _number(value: float) -> str:
    """Shortest text that reads back as the same float (no 0.30000000000000004 noise for 0.3)."""
    return format(float(value), ".10g")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {path.name}: {len(rows)} rows, {len(header)} columns")


def export_diabetes() -> None:
    from sklearn.datasets import load_diabetes

    # scaled=False: the original units (age in years, sex coded 1/2, bmi, mean blood pressure, six
    # serum measurements), so `standardize: true` in a config has real work to do.
    bunch = load_diabetes(scaled=False)
    header = [*bunch.feature_names, "progression"]
    rows = [[*(_number(v) for v in x), _number(t)] for x, t in zip(bunch.data, bunch.target)]
    write_csv(HERE / "diabetes.csv", header, rows)


def export_iris() -> None:
    from sklearn.datasets import load_iris

    bunch = load_iris()
    header = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    names = list(bunch.target_names)
    rows = [[*(_number(v) for v in x), names[t]] for x, t in zip(bunch.data, bunch.target)]
    write_csv(HERE / "iris.csv", header, rows)


def export_digits() -> None:
    from sklearn.datasets import load_digits

    # 8x8 images, one column per pixel in row-major order (pixel_<row>_<col>, grey levels 0..16),
    # then the digit as a label; a config reshapes the 64 columns with model.image: [1, 8, 8].
    bunch = load_digits()
    header = [*bunch.feature_names, "digit"]
    rows = [[*(str(int(v)) for v in x), str(int(t))] for x, t in zip(bunch.data, bunch.target)]
    write_csv(HERE / "digits.csv", header, rows)


if __name__ == "__main__":
    export_diabetes()
    export_iris()
    export_digits()
