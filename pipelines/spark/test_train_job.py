"""Tests of the Spark trainer (local[2], the project venv's pyspark): `npm run test:spark`."""

import hashlib
import json
import os
import random

import numpy as np
import pytest
from pyspark.sql import SparkSession

import train_job


@pytest.fixture(scope="session")
def spark():
    session = (
        SparkSession.builder.master("local[2]")
        .appName("reel-train-job-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # The job's UDFs run in Python workers, which import the job module by name.
    session.sparkContext.addPyFile(train_job.__file__)
    yield session
    session.stop()


def synthetic_csv(path, users=60, movies=40, seed=7):
    """Low-rank tastes plus noise, half stars, every user ≥ 8 ratings, distinct timestamps."""
    rng = random.Random(seed)
    taste = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(users)]
    trait = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(movies)]
    rows = ["userId,movieId,rating,timestamp"]
    t = 1_000_000
    for u in range(users):
        for m in rng.sample(range(movies), rng.randint(8, 25)):
            score = 3.2 + 0.6 * sum(a * b for a, b in zip(taste[u], trait[m])) + rng.gauss(0, 0.3)
            stars = min(5.0, max(0.5, round(score * 2) / 2))
            t += rng.randint(1, 500)
            rows.append(f"user-{u},{m + 1},{stars},{t}")
    path.write_text("\n".join(rows) + "\n")
    return len(rows) - 1


def relative(a, b):
    """‖a − b‖∞ / ‖b‖∞, absolute when b = 0 (a user with no liked movie has x = 0)."""
    scale = np.abs(b).max()
    return np.abs(a - b).max() / scale if scale > 0 else np.abs(a - b).max()


def test_fnv1a_matches_the_typescript_hash():
    # Values printed by functions/src/evaluation/holdout.ts's fnv1a for the same strings.
    assert [train_job.fnv1a(s) for s in ["1", "610", "user-é", "😀x"]] == [
        873244444,
        2191101768,
        2639561196,
        2673392192,
    ]


def test_read_ratings_refuses_missing_columns_and_out_of_range_stars(spark, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("userId,movieId,stars\na,1,4\n")
    with pytest.raises(ValueError, match="need columns"):
        train_job.read_ratings(spark, str(bad))
    wild = tmp_path / "wild.csv"
    wild.write_text("userId,movieId,rating,ratedAtMicros\na,1,7.5,1000\n")
    with pytest.raises(ValueError, match="0.5-5 stars"):
        train_job.read_ratings(spark, str(wild))


def test_hold_out_takes_each_chosen_users_latest_fifth(spark, tmp_path):
    csv = tmp_path / "r.csv"
    lines = ["userId,movieId,rating,timestamp"]
    lines += [f"a,{m},4,{100 + m}" for m in range(1, 11)]  # 10 ratings: the last 2 held out
    lines += [f"b,{m},3,{50}" for m in range(1, 7)]  # 6 at one time: ties by movie id, 1 held
    lines += ["c,1,5,10", "c,2,5,11"]  # too few: never evaluated
    csv.write_text("\n".join(lines) + "\n")
    data = train_job.index_ratings(spark, train_job.read_ratings(spark, str(csv)))
    train, held = train_job.hold_out(spark, data)
    got = sorted((r["userId"], r["movieId"]) for r in held.collect())
    assert got == [("a", 9), ("a", 10), ("b", 6)]
    assert train.count() == 18 - 3


def test_evidence_is_reels_weight_signed_by_the_threshold(spark):
    ranking = train_job.DEFAULT_CONFIG["ranking"]
    frame = spark.createDataFrame(
        [(0, 0, 5.0, 300), (0, 1, 2.0, 200), (0, 2, 4.0, 100)], "u int, i int, rating double, ratedAtMicros long"
    )
    got = {r["i"]: r["evidence"] for r in train_job.evidence(frame, ranking).collect()}
    a, b, th, hl, floor = (ranking[k] for k in ("alpha", "ratingSlope", "positiveThreshold", "recencyHalfLife", "recencyFloor"))
    want = {
        0: a * (1 + b * (5 - th)),
        1: -a * ranking["negativeWeight"] * max(floor, 2 ** (-1 / hl)),
        2: a * max(floor, 2 ** (-2 / hl)),
    }
    for item, weight in want.items():
        assert got[item] == pytest.approx(np.float32(weight), rel=1e-7)


def test_the_job_writes_reels_model_files_and_its_user_step_is_the_documented_one(spark, tmp_path):
    count = synthetic_csv(tmp_path / "ratings.csv")
    config = json.loads(json.dumps(train_job.DEFAULT_CONFIG))
    config["explicit"].update(factors=4, iterations=8)
    config["ranking"].update(factors=6, iterations=6)
    (tmp_path / "config.json").write_text(json.dumps(config))
    out = tmp_path / "staging" / "v1"
    users_dir = tmp_path / "users"
    summary = train_job.run(
        spark,
        train_job.parse_args(
            [
                "--ratings", str(tmp_path / "ratings.csv"),
                "--output", str(out),
                "--version", "v1",
                "--config", str(tmp_path / "config.json"),
                "--user-factors", str(users_dir),
            ]
        ),
    )
    assert 0 < summary["ndcg10"] <= 1 and 0 < summary["rmse"] < 2

    manifest = json.loads((out / "manifest.json").read_text())
    # The manifest is written last: every file it lists is older than it.
    assert all(os.path.getmtime(out / name) <= os.path.getmtime(out / "manifest.json") for name in manifest["files"])
    assert manifest["format"] == "reel-model/1" and manifest["version"] == "v1"
    assert manifest["trainer"]["userStep"] == "spark-als-wr"
    assert manifest["training"]["ratings"] == count
    assert manifest["metrics"]["evaluatedUsers"] > 0
    items = len(manifest["itemIds"])
    assert manifest["itemIds"] == sorted(manifest["itemIds"])
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert len(data) == entry["bytes"] == 4 * int(np.prod(entry["shape"]))
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert manifest["files"]["ranking-item-factors.f32"]["shape"] == [items, 6]
    assert json.loads((out / "movies.json").read_text())["movieIds"] == manifest["itemIds"]

    # MLlib's last user step, recomputed from the files: what fold-in (spark-fold-in.ts) solves.
    y = np.fromfile(out / "ranking-item-factors.f32", "<f4").astype(np.float64).reshape(items, 6)
    q = np.fromfile(out / "explicit-item-factors.f32", "<f4").astype(np.float64).reshape(items, 4)
    b_item = np.fromfile(out / "explicit-item-biases.f32", "<f4").astype(np.float64)
    x_spark = np.fromfile(users_dir / "ranking-user-factors.f32", "<f4").reshape(-1, 6)
    p_spark = np.fromfile(users_dir / "explicit-user-factors.f32", "<f4").reshape(-1, 4)
    b_spark = np.fromfile(users_dir / "explicit-user-biases.f64", "<f8")
    user_ids = json.loads((users_dir / "user-ids.json").read_text())
    assert user_ids == sorted(user_ids)
    data = train_job.index_ratings(spark, train_job.read_ratings(spark, str(tmp_path / "ratings.csv")))
    weights = {(r["u"], r["i"]): r["evidence"] for r in train_job.evidence(data.ratings, config["ranking"]).collect()}
    mu = manifest["globalMean"]
    lam_r, lam_e = config["ranking"]["regularization"], config["explicit"]["regularization"]
    lam_b = config["explicit"]["biasRegularization"]
    rated_by: dict[int, list[tuple[int, float]]] = {}
    for r in data.ratings.select("u", "i", "rating").collect():
        rated_by.setdefault(r["u"], []).append((r["i"], r["rating"]))
    worst = 0.0
    for u in range(len(user_ids)):
        cells = [(i, w) for (v, i), w in weights.items() if v == u]
        a = y.T @ y
        rhs = np.zeros(6)
        liked = 0
        for i, w in cells:
            a += abs(w) * np.outer(y[i], y[i])
            if w > 0:
                rhs += (1 + w) * y[i]
                liked += 1
        x = np.linalg.solve(a + lam_r * liked * np.eye(6), rhs)
        worst = max(worst, relative(x, x_spark[u]))
        rated = rated_by[u]
        bias = sum(r - mu - b_item[i] for i, r in rated) / (lam_b + len(rated))
        assert bias == pytest.approx(b_spark[u], rel=1e-9)
        a = sum(np.outer(q[i], q[i]) for i, _ in rated) + lam_e * len(rated) * np.eye(4)
        p = np.linalg.solve(a, sum((r - mu - bias - b_item[i]) * q[i] for i, r in rated))
        worst = max(worst, relative(p, p_spark[u]))
    assert worst < 1e-4
