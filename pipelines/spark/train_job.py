"""Reel's Spark trainer: both of Reel's models trained with Spark MLlib ALS, written as Reel's
model files (reel-model/1, the layout of functions/src/model/model-files.ts) under a staging
version directory, manifest.json last.

    spark-submit train_job.py --ratings URI --output URI --version V [--config JSON-URI] ...

Input: the current ratings as Parquet (BigQuery EXPORT DATA), CSV with a header, or JSON lines,
with columns userId (string), movieId (int), rating (stars) and ratedAtMicros (microseconds
since the epoch); MovieLens's `timestamp` (seconds) is accepted instead of ratedAtMicros.
URIs are gs:// on Dataproc and local paths (or file://) elsewhere.

The rating model: μ, then item biases b_i = Σ(r − μ)/(λ_b + n_i) and user biases
b_u = Σ(r − μ − b_i)/(λ_b + n_u) in Spark SQL, then explicit ALS on the residuals
r − μ − b_u − b_i. The ranking model: implicit ALS where every rating is a cell with Reel's
evidence weight w (functions/src/model/als/evidence.ts: α·(1 + β·(r − θ)) for r ≥ θ, α·negativeWeight
below, both times max(floor, 2^(−age/halfLife))), passed to MLlib as the signed rating ±w with
MLlib's alpha = 1, so MLlib's confidence 1 + alpha·|r| is Reel's α₀ + w with α₀ = 1 and its
preference (r > 0) is Reel's target. MLlib scales λ by each row's count of ratings (explicit)
or of positive cells (implicit), ALS-WR; the manifest's `trainer.userStep` says so, and
fold-in (functions/src/model/serve/spark-fold-in.ts) reproduces that user step.

Evaluation: the held-out slice of functions/src/evaluation/holdout.ts (users with ≥ 5 ratings, at
most 2,000 chosen by the FNV-1a hash of their id, each one's latest 20% by time then movie id)
and the metrics of functions/src/evaluation/evaluate-on-holdout.ts (NDCG@10 of the top 10 unrated movies,
relevant = held-out rating ≥ 4; RMSE of clipped predicted stars), with the candidate's own
user factors, which are what fold-in gives for the same ratings.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
from pyspark.ml.recommendation import ALS
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

MODEL_FORMAT = "reel-model/1"
MANIFEST_FILE = "manifest.json"
MOVIES_FILE = "movies.json"
USER_STEP = "spark-als-wr"
RELEVANT = 4.0
# functions/src/evaluation/holdout.ts DEFAULT_HOLDOUT and handlers/retrain-model.ts.
HOLDOUT = {"minRatings": 5, "fraction": 0.2, "maxUsers": 2000}
REFIT_ABOVE_HELD_OUT_SHARE = 0.01
MIN_STARS, MAX_STARS = 0.5, 5.0

# The Spark path's settings, in the shape of Reel's model config (functions/src/model/config.ts)
# so the manifest validates and serving reads them. MLlib's λ multiplies a row's count (ν = 1),
# so its values are not the in-process trainer's (which scales by n^0.5).
DEFAULT_CONFIG = {
    "explicit": {
        "factors": 16,
        "iterations": 20,
        "regularization": 0.1,
        "biasRegularization": 5,
        "frequencyExponent": 1,
        "biasFrequencyExponent": 0,
        "sessionGap": None,
        "sessionRegularization": 5,
        "initScale": 0.1,
    },
    "ranking": {
        "factors": 64,
        "iterations": 10,
        "regularization": 0.05,
        "frequencyExponent": 1,
        "unobservedWeight": 1,
        "unobservedExponent": 0,
        "alpha": 1.153,
        "positiveThreshold": 4,
        "ratingSlope": 0.137,
        "negativeWeight": 0.458,
        "recencyHalfLife": 3.793,
        "recencyFloor": 0.2,
        "cgSteps": 0,
        "initScale": 0.01,
    },
    "popularity": {"priorCount": 10},
    # The genre term is served from item-genres.i32, which this job does not write; the
    # popularity term of the same re-rank is off with it.
    "genres": {
        "weight": 0,
        "fadeRatings": 1,
        "candidates": 1,
        "popularityWeight": 0,
        "popularityFadeRatings": 1,
    },
}

RATINGS_SCHEMA = T.StructType(
    [
        T.StructField("userId", T.StringType()),
        T.StructField("movieId", T.LongType()),
        T.StructField("rating", T.DoubleType()),
        T.StructField("ratedAtMicros", T.LongType()),
    ]
)


def progress(stage: str, **fields) -> None:
    """One JSON line per stage on stdout: the local adapter relays it, Dataproc logs it."""
    print(json.dumps({"progress": stage, **fields}), flush=True)


# ---------------------------------------------------------------- input


def is_local(uri: str) -> bool:
    return urlparse(uri).scheme in ("", "file")


def local_path(uri: str) -> str:
    return urlparse(uri).path if uri.startswith("file:") else uri


def read_ratings(spark: SparkSession, uri: str) -> DataFrame:
    """The ratings as (userId string, movieId long, rating double, ratedAtMicros long)."""
    lower = uri.rstrip("/").lower()
    if lower.endswith(".csv"):
        raw = spark.read.csv(uri, header=True, inferSchema=False)
    elif lower.endswith((".json", ".jsonl", ".ndjson")):
        raw = spark.read.json(uri)
    else:
        raw = spark.read.parquet(uri)
    columns = set(raw.columns)
    missing = {"userId", "movieId", "rating"} - columns
    if missing or not ({"ratedAtMicros", "timestamp"} & columns):
        raise ValueError(
            f"ratings at {uri} need columns userId, movieId, rating and ratedAtMicros "
            f"(or timestamp in seconds); found {sorted(columns)}"
        )
    if "ratedAtMicros" in columns:
        micros = F.col("ratedAtMicros").cast("long")
    else:
        micros = (F.col("timestamp").cast("double") * 1_000_000).cast("long")
    ratings = raw.select(
        F.col("userId").cast("string").alias("userId"),
        F.col("movieId").cast("long").alias("movieId"),
        F.col("rating").cast("double").alias("rating"),
        micros.alias("ratedAtMicros"),
    )
    bad = ratings.filter(
        F.col("userId").isNull()
        | F.col("movieId").isNull()
        | F.col("rating").isNull()
        | F.col("ratedAtMicros").isNull()
        | (F.col("rating") < MIN_STARS)
        | (F.col("rating") > MAX_STARS)
    )
    example = bad.first()
    if example is not None:
        raise ValueError(f"ratings at {uri}: a row is incomplete or out of 0.5-5 stars: {example}")
    return ratings


def read_text(spark: SparkSession, uri: str) -> str:
    if is_local(uri):
        with open(local_path(uri), encoding="utf-8") as file:
            return file.read()
    return spark.read.text(uri, wholetext=True).first()[0]


def read_catalogue(spark: SparkSession, uri: str) -> list[int]:
    """The catalogue's movie ids (catalogue/movies.json), or none if there is no catalogue yet."""
    try:
        text = read_text(spark, uri)
    except Exception as error:  # noqa: BLE001 - a missing file surfaces as a JVM or OS error
        progress("no catalogue: movies.json lists the rated movies only", uri=uri, error=str(error)[:200])
        return []
    return json.loads(text)["movieIds"]


# ---------------------------------------------------------------- indices and the holdout


def fnv1a(text: str) -> int:
    """FNV-1a over UTF-16 code units, as functions/src/evaluation/holdout.ts hashes user ids."""
    digest = 0x811C9DC5
    units = text.encode("utf-16-le")
    for n in range(0, len(units), 2):
        digest ^= units[n] | (units[n + 1] << 8)
        digest = (digest * 0x01000193) & 0xFFFFFFFF
    return digest


@dataclass
class Indexed:
    """Ratings over dense indices: users by sorted id, items by ascending movie id."""

    ratings: DataFrame  # u, i, userId, movieId, rating, ratedAtMicros
    user_ids: DataFrame  # u, userId
    item_ids: np.ndarray  # int32, item index → movie id
    user_count: int
    count: int
    trained_through_micros: int


def index_ratings(spark: SparkSession, ratings: DataFrame) -> Indexed:
    users = (
        ratings.select("userId")
        .distinct()
        .orderBy("userId")
        .rdd.zipWithIndex()
        .map(lambda pair: (pair[0][0], pair[1]))
        .toDF(["userId", "u"])
        .withColumn("u", F.col("u").cast("int"))
    )
    item_ids = np.array(
        sorted(row[0] for row in ratings.select("movieId").distinct().collect()), dtype=np.int64
    )
    if item_ids.size and (item_ids.min() < 1 or item_ids.max() > 2**31 - 1):
        raise ValueError("movie ids must be positive 32-bit integers")
    items = spark.createDataFrame(
        [(int(movie), index) for index, movie in enumerate(item_ids)], ["movieId", "i"]
    ).withColumn("i", F.col("i").cast("int"))
    indexed = ratings.join(users, "userId").join(F.broadcast(items), "movieId").cache()
    stats = indexed.agg(F.count("*").alias("n"), F.max("ratedAtMicros").alias("latest")).first()
    return Indexed(
        ratings=indexed,
        user_ids=users,
        item_ids=item_ids.astype(np.int32),
        user_count=users.count(),
        count=stats["n"],
        trained_through_micros=stats["latest"] or 0,
    )


def hold_out(spark: SparkSession, data: Indexed, options=HOLDOUT) -> tuple[DataFrame, DataFrame]:
    """(train, held_out): holdout.ts's split, the evaluated users' latest ratings held out."""
    fnv = F.udf(fnv1a, T.LongType())
    counts = data.ratings.groupBy("u", "userId").agg(F.count("*").alias("n"))
    chosen = (
        counts.filter(F.col("n") >= options["minRatings"])
        .withColumn("hash", fnv("userId"))
        .orderBy("hash", "userId")
        .limit(options["maxUsers"])
        .select("u", "n")
    )
    chosen = spark.createDataFrame(chosen.collect(), "u int, n long")
    latest_first = Window.partitionBy("u").orderBy(F.desc("ratedAtMicros"), F.desc("movieId"))
    marked = (
        data.ratings.join(F.broadcast(chosen), "u", "left")
        .withColumn("position", F.row_number().over(latest_first))
        .withColumn(
            "held",
            F.col("n").isNotNull()
            & (F.col("position") <= F.greatest(F.lit(1), F.floor(F.col("n") * options["fraction"]))),
        )
        .drop("n", "position")
        .cache()
    )
    return marked.filter(~F.col("held")).drop("held"), marked.filter(F.col("held")).drop("held")


# ---------------------------------------------------------------- training


@dataclass
class ExplicitFit:
    global_mean: float
    item_biases: np.ndarray  # float32, per item index
    item_factors: np.ndarray  # float32, items × k
    user_biases: DataFrame  # u, b_u
    user_factors: DataFrame  # id, features


@dataclass
class RankingFit:
    item_factors: np.ndarray  # float32, items × k
    user_factors: DataFrame  # id, features


def dense_factors(factors: DataFrame, rows: int, k: int) -> np.ndarray:
    out = np.zeros((rows, k), dtype=np.float32)
    for row in factors.collect():
        out[row["id"]] = np.asarray(row["features"], dtype=np.float32)
    return out


def blocks(frame: DataFrame) -> int:
    """ALS's user and item blocks: one per core (MLlib's default of 10 only adds tasks locally)."""
    return max(2, frame.sparkSession.sparkContext.defaultParallelism)


def fit_explicit(train: DataFrame, items: int, config: dict, seed: int) -> ExplicitFit:
    explicit = config["explicit"]
    bias_lambda = float(explicit["biasRegularization"])
    mu = train.agg(F.avg("rating")).first()[0]
    item_biases = train.groupBy("i").agg(
        # Rounded to float32 as the model file stores it, so the user biases below are what
        # fold-in computes from the file.
        (F.sum(F.col("rating") - mu) / (bias_lambda + F.count("*")))
        .cast("float")
        .cast("double")
        .alias("b_i")
    )
    with_items = train.join(F.broadcast(item_biases), "i")
    user_biases = with_items.groupBy("u").agg(
        (F.sum(F.col("rating") - mu - F.col("b_i")) / (bias_lambda + F.count("*"))).alias("b_u")
    )
    residuals = with_items.join(user_biases, "u").select(
        "u", "i", (F.col("rating") - mu - F.col("b_u") - F.col("b_i")).alias("residual")
    )
    als = ALS(
        rank=explicit["factors"],
        maxIter=explicit["iterations"],
        regParam=explicit["regularization"],
        userCol="u",
        itemCol="i",
        ratingCol="residual",
        nonnegative=False,
        numUserBlocks=blocks(train),
        numItemBlocks=blocks(train),
        seed=seed,
    )
    model = als.fit(residuals)
    biases = np.zeros(items, dtype=np.float32)
    for row in item_biases.collect():
        biases[row["i"]] = row["b_i"]
    return ExplicitFit(
        global_mean=float(mu),
        item_biases=biases,
        item_factors=dense_factors(model.itemFactors, items, explicit["factors"]),
        user_biases=user_biases,
        user_factors=model.userFactors,
    )


def evidence(train: DataFrame, ranking: dict) -> DataFrame:
    """Each rating's signed evidence weight ±w (evidence.ts), rounded to float32 as Reel's is."""
    theta = float(ranking["positiveThreshold"])
    base = F.when(
        F.col("rating") >= theta,
        ranking["alpha"] * (1 + ranking["ratingSlope"] * (F.col("rating") - theta)),
    ).otherwise(ranking["alpha"] * ranking["negativeWeight"])
    if ranking["recencyHalfLife"] is not None:
        # age = how many of the user's ratings are strictly newer: rank() − 1, newest first.
        newest_first = Window.partitionBy("u").orderBy(F.desc("ratedAtMicros"))
        age = F.rank().over(newest_first) - 1
        base = base * F.greatest(
            F.lit(float(ranking["recencyFloor"])), F.pow(F.lit(2.0), -age / ranking["recencyHalfLife"])
        )
    weight = base.cast("float")
    signed = F.when(F.col("rating") >= theta, weight).otherwise(-weight)
    return train.select("u", "i", signed.alias("evidence"))


def fit_ranking(train: DataFrame, items: int, config: dict, seed: int) -> RankingFit:
    ranking = config["ranking"]
    if ranking["unobservedWeight"] != 1 or ranking["unobservedExponent"] != 0:
        raise ValueError(
            "MLlib's implicit ALS gives every unobserved cell confidence 1: the Spark path needs "
            "ranking.unobservedWeight = 1 and ranking.unobservedExponent = 0"
        )
    als = ALS(
        rank=ranking["factors"],
        maxIter=ranking["iterations"],
        regParam=ranking["regularization"],
        implicitPrefs=True,
        alpha=1.0,
        userCol="u",
        itemCol="i",
        ratingCol="evidence",
        nonnegative=False,
        numUserBlocks=blocks(train),
        numItemBlocks=blocks(train),
        seed=seed,
    )
    model = als.fit(evidence(train, ranking))
    return RankingFit(
        item_factors=dense_factors(model.itemFactors, items, ranking["factors"]),
        user_factors=model.userFactors,
    )


# ---------------------------------------------------------------- evaluation


DISCOUNT = 1 / np.log2(np.arange(10) + 2)


def top_n(scores: np.ndarray, exclude: np.ndarray, count: int) -> np.ndarray:
    """The best `count` rows by score, ties to the lower row, never an excluded one (top-n.ts)."""
    scores = scores.copy()
    scores[exclude] = -np.inf
    order = np.argsort(-scores, kind="stable")[:count]
    return order[np.isfinite(scores[order])]


def evaluate(
    explicit: ExplicitFit, ranking: RankingFit, train: DataFrame, held_out: DataFrame
) -> dict:
    """evaluate-on-holdout.ts's metrics on the held-out slice, from the candidate's own user sides."""
    users = held_out.select("u").distinct()
    ids = F.broadcast(users.withColumnRenamed("u", "id"))
    train_items: dict[int, list[int]] = {}
    for row in train.join(F.broadcast(users), "u").select("u", "i").collect():
        train_items.setdefault(row["u"], []).append(row["i"])
    held: dict[int, list[tuple[int, float]]] = {}
    for row in held_out.select("u", "i", "rating").collect():
        held.setdefault(row["u"], []).append((row["i"], row["rating"]))

    def factors_of(frame: DataFrame) -> dict[int, np.ndarray]:
        return {r["id"]: np.asarray(r["features"], np.float64) for r in frame.join(ids, "id").collect()}

    x_rank = factors_of(ranking.user_factors)
    x_expl = factors_of(explicit.user_factors)
    b_user = {r["u"]: r["b_u"] for r in explicit.user_biases.join(F.broadcast(users), "u").collect()}
    y_rank = ranking.item_factors.astype(np.float64)
    y_expl = explicit.item_factors.astype(np.float64)
    b_item = explicit.item_biases.astype(np.float64)
    k_rank = y_rank.shape[1]
    k_expl = y_expl.shape[1]
    ndcg_sum, evaluated, squared, predicted = 0.0, 0, 0.0, 0
    for user in sorted(held):
        p = x_expl.get(user, np.zeros(k_expl))
        for item, rating in held[user]:
            stars = explicit.global_mean + b_user.get(user, 0.0) + b_item[item] + p @ y_expl[item]
            squared += (min(MAX_STARS, max(MIN_STARS, stars)) - rating) ** 2
            predicted += 1
        relevant = {item for item, rating in held[user] if rating >= RELEVANT}
        if not relevant:
            continue
        x = x_rank.get(user, np.zeros(k_rank))
        top = top_n(y_rank @ x, np.asarray(train_items.get(user, []), dtype=np.int64), 10)
        dcg = sum(DISCOUNT[rank] for rank, item in enumerate(top) if item in relevant)
        ndcg_sum += dcg / DISCOUNT[: min(10, len(relevant))].sum()
        evaluated += 1
    return {
        "ndcg10": ndcg_sum / evaluated if evaluated else 0.0,
        "rmse": math.sqrt(squared / predicted) if predicted else float("nan"),
        "evaluatedUsers": evaluated,
    }


# ---------------------------------------------------------------- model files


def popularity(train: DataFrame, items: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.zeros(items, dtype=np.int32)
    means = np.zeros(items, dtype=np.float32)
    for row in train.groupBy("i").agg(F.count("*").alias("n"), F.avg("rating").alias("m")).collect():
        counts[row["i"]] = row["n"]
        means[row["i"]] = row["m"]
    return counts, means


def encode_model_files(
    *,
    version: str,
    config: dict,
    item_ids: np.ndarray,
    explicit: ExplicitFit,
    ranking: RankingFit,
    counts: np.ndarray,
    means: np.ndarray,
    trained_through: str,
    training: dict,
    metrics: dict,
    spark_version: str,
    created_at: str,
) -> dict[str, bytes]:
    """model-files.ts's encodeModelFiles: every array little-endian, then manifest.json."""
    items = len(item_ids)
    arrays = {
        "explicit-item-factors.f32": ("float32", [items, config["explicit"]["factors"]], explicit.item_factors),
        "explicit-item-biases.f32": ("float32", [items], explicit.item_biases),
        "ranking-item-factors.f32": ("float32", [items, config["ranking"]["factors"]], ranking.item_factors),
        "ranking-item-weights.f32": ("float32", [items], np.ones(items, dtype=np.float32)),
        "item-rating-counts.i32": ("int32", [items], counts),
        "item-rating-means.f32": ("float32", [items], means),
    }
    files: dict[str, bytes] = {}
    entries = {}
    for name, (dtype, shape, values) in arrays.items():
        data = np.ascontiguousarray(values, dtype="<f4" if dtype == "float32" else "<i4").tobytes()
        files[name] = data
        entries[name] = {
            "dtype": dtype,
            "shape": shape,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    # MLlib's ALS has no implicit-feedback term (y factors): the manifest says so, so fold-in
    # runs the user step this model was trained with.
    config = {**config, "explicit": {**config["explicit"], "implicitRegularization": None}}
    manifest = {
        "format": MODEL_FORMAT,
        "version": version,
        "createdAt": created_at,
        "trainedThrough": trained_through,
        "itemIds": [int(movie) for movie in item_ids],
        "globalMean": explicit.global_mean,
        "config": config,
        "training": training,
        "metrics": metrics,
        "trainer": {"engine": "spark-mllib-als", "sparkVersion": spark_version, "userStep": USER_STEP},
        "files": entries,
    }
    files[MANIFEST_FILE] = (json.dumps(manifest, indent=1) + "\n").encode("utf-8")
    return files


def write_files(spark: SparkSession, directory: str, files: dict[str, bytes], last: str = MANIFEST_FILE) -> None:
    """Every file, manifest.json last: its arrival says the version is complete."""
    names = [name for name in files if name != last] + [last]
    base = directory.rstrip("/") + "/"
    if is_local(directory):
        os.makedirs(local_path(base), exist_ok=True)
        for name in names:
            with open(local_path(base + name), "wb") as file:
                file.write(files[name])
        return
    jvm = spark._jvm
    conf = spark._jsc.hadoopConfiguration()
    for name in names:
        path = jvm.org.apache.hadoop.fs.Path(base + name)
        stream = path.getFileSystem(conf).create(path, True)
        stream.write(bytearray(files[name]))
        stream.close()


def write_user_factors(
    directory: str, data: Indexed, explicit: ExplicitFit, ranking: RankingFit | None, config: dict
) -> None:
    """The trainer's own user sides (for the bench's fold-in consistency), by user index."""
    users = data.user_count
    os.makedirs(directory, exist_ok=True)
    sides = [("explicit-user-factors.f32", explicit.user_factors, config["explicit"]["factors"])]
    if ranking is not None:
        sides.append(("ranking-user-factors.f32", ranking.user_factors, config["ranking"]["factors"]))
    for name, frame, k in sides:
        dense_factors(frame, users, k).astype("<f4").tofile(os.path.join(directory, name))
    biases = np.zeros(users, dtype=np.float64)
    for row in explicit.user_biases.collect():
        biases[row["u"]] = row["b_u"]
    biases.astype("<f8").tofile(os.path.join(directory, "explicit-user-biases.f64"))
    with open(os.path.join(directory, "user-ids.json"), "w", encoding="utf-8") as file:
        json.dump([row["userId"] for row in data.user_ids.orderBy("u").collect()], file)


# ---------------------------------------------------------------- the job


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ratings", required=True, help="URI of the ratings (Parquet, CSV or JSON lines)")
    parser.add_argument("--output", required=True, help="URI of the version's directory (staging)")
    parser.add_argument("--version", required=True, help="the model version the manifest names")
    parser.add_argument("--config", help="URI of a JSON model config (default: the Spark path's)")
    parser.add_argument("--catalogue", help="URI of catalogue/movies.json: movies.json lists its movies too")
    parser.add_argument("--holdout", type=json.loads, default=HOLDOUT, help="holdout.ts's options as JSON")
    parser.add_argument("--no-holdout", action="store_true", help="train once on every rating, no evaluation")
    parser.add_argument("--created-at", help="the manifest's createdAt (RFC 3339; default now)")
    parser.add_argument("--user-factors", help="local directory for the trainer's user sides (bench)")
    parser.add_argument(
        "--rating-model-only",
        action="store_true",
        help="bench: train the rating model on every rating and write its sides to --user-factors only",
    )
    parser.add_argument("--seed", type=int, default=20261123)
    return parser.parse_args(argv)


def run(spark: SparkSession, args: argparse.Namespace) -> dict:
    started = time.time()
    config = json.loads(read_text(spark, args.config)) if args.config else DEFAULT_CONFIG
    progress("reading ratings", uri=args.ratings)
    data = index_ratings(spark, read_ratings(spark, args.ratings))
    if data.count == 0:
        raise ValueError(f"no ratings at {args.ratings}: load some first")
    items = len(data.item_ids)
    progress("ratings read", ratings=data.count, users=data.user_count, movies=items)

    def fit(train: DataFrame, what: str) -> tuple[ExplicitFit, RankingFit]:
        progress(f"training the rating model on {what}")
        explicit = fit_explicit(train, items, config, args.seed)
        progress(f"training the ranking model on {what}")
        return explicit, fit_ranking(train, items, config, args.seed)

    if args.rating_model_only:
        if not args.user_factors:
            raise ValueError("--rating-model-only writes to --user-factors: give that directory")
        progress("training the rating model on all ratings")
        explicit = fit_explicit(data.ratings, items, config, args.seed)
        write_user_factors(args.user_factors, data, explicit, None, config)
        explicit.item_factors.astype("<f4").tofile(os.path.join(args.user_factors, "explicit-item-factors.f32"))
        explicit.item_biases.astype("<f4").tofile(os.path.join(args.user_factors, "explicit-item-biases.f32"))
        with open(os.path.join(args.user_factors, "item-ids.json"), "w", encoding="utf-8") as file:
            json.dump({"itemIds": [int(m) for m in data.item_ids], "globalMean": explicit.global_mean}, file)
        summary = {"version": args.version, "seconds": round(time.time() - started, 3)}
        progress("done", **summary)
        return summary

    metrics: dict = {}
    final_train = data.ratings
    if args.no_holdout:
        explicit, ranking = fit(data.ratings, "all ratings")
    else:
        train, held_out = hold_out(spark, data, {**HOLDOUT, **args.holdout})
        held = held_out.count()
        explicit, ranking = fit(train, "the evaluation split")
        progress("evaluating on held-out ratings", heldOut=held)
        metrics = evaluate(explicit, ranking, train, held_out)
        progress("evaluated", **metrics)
        if held / data.count > REFIT_ABOVE_HELD_OUT_SHARE:
            explicit, ranking = fit(data.ratings, "all ratings")
        else:
            final_train = train
    trained_on = data.count if final_train is data.ratings else final_train.count()
    counts, means = popularity(final_train, items)
    files = encode_model_files(
        version=args.version,
        config=config,
        item_ids=data.item_ids,
        explicit=explicit,
        ranking=ranking,
        counts=counts,
        means=means,
        trained_through=iso(data.trained_through_micros),
        training={"users": data.user_count, "ratings": trained_on},
        metrics=metrics,
        spark_version=spark.version,
        created_at=args.created_at or iso(int(time.time() * 1e6)),
    )
    movies = set(int(movie) for movie in data.item_ids)
    if args.catalogue:
        movies |= set(read_catalogue(spark, args.catalogue))
    files[MOVIES_FILE] = json.dumps({"movieIds": sorted(movies)}).encode("utf-8")
    if args.user_factors:
        write_user_factors(args.user_factors, data, explicit, ranking, config)
    progress("writing the model files", output=args.output)
    write_files(spark, args.output, files)
    summary = {"version": args.version, "seconds": round(time.time() - started, 3), **metrics}
    progress("done", **summary)
    return summary


def iso(micros: int) -> str:
    moment = datetime.datetime.fromtimestamp(micros / 1e6, tz=datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


FAILED_FILE = "failed.json"


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    spark = (
        SparkSession.builder.appName(f"reel-train-{args.version}")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    try:
        run(spark, args)
    except Exception as error:
        # Its arrival under staging/ tells the publish step (through the same notification as a
        # manifest) that this version failed, and why; the current model keeps serving.
        reason = f"{type(error).__name__}: {error}"[:2000]
        progress("failed", reason=reason)
        record = json.dumps({"version": args.version, "reason": reason}).encode("utf-8")
        try:
            write_files(spark, args.output, {FAILED_FILE: record}, last=FAILED_FILE)
        except Exception as write_error:  # noqa: BLE001 - the job's own error is the one to raise
            progress("could not write failed.json", reason=str(write_error)[:500])
        raise
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
