"""Fits one benchmark peer on a split the TypeScript harness exported, and writes back what the
harness scores with its own metric code: predicted ratings (Protocol R) or top-N lists
(Protocol T). Fit time is measured here around the peer's fit call only.

Input directory (little-endian binaries written by pipelines/src/peers/peers.ts):
  meta.json                          {"userCount", "itemCount"}
  train_user.i32 train_item.i32 train_value.f32
  test_user.i32 test_item.i32        (task "rating": the pairs to predict)
  rank_users.i32                     (task "ranking": the users to rank for)
Output: predictions.f64 (one per test pair) or top.i32 (N per ranked user, -1 padded), and one
JSON line on stdout: {"peer", "version", "task", "fitSeconds", "params", "threads"} (threads
the fit used: implicit's num_threads, 1 for Surprise, whose SGD is single-threaded).
Exit code 3 with {"error": "import", ...} when the peer's package is not installed.
"""

import argparse
import json
import os
import sys
import time


def read(directory, name, dtype):
    import numpy as np

    return np.fromfile(os.path.join(directory, name), dtype=np.dtype(dtype).newbyteorder("<"))


def load(directory):
    with open(os.path.join(directory, "meta.json")) as handle:
        meta = json.load(handle)
    users = read(directory, "train_user.i32", "i4")
    items = read(directory, "train_item.i32", "i4")
    values = read(directory, "train_value.f32", "f4")
    return meta, users, items, values


def top_n_excluding(scores, exclude, n):
    """Best n of `scores` not in `exclude`, ties to the lower index (the harness's rule)."""
    import numpy as np

    scores = scores.astype(np.float64, copy=True)
    scores[exclude] = -np.inf
    order = np.argsort(-scores, kind="stable")[:n]
    return order[np.isfinite(scores[order])]


def surprise_svd(args, params):
    import numpy as np
    import surprise

    meta, users, items, values = load(args.input)
    # Surprise reads ratings from text; raw ids are then strings of our dense indices.
    path = os.path.join(args.input, "surprise_train.txt")
    with open(path, "w") as handle:
        for u, i, r in zip(users.tolist(), items.tolist(), values.tolist()):
            handle.write(f"{u} {i} {r}\n")
    reader = surprise.Reader(line_format="user item rating", sep=" ", rating_scale=(0.5, 5))
    trainset = surprise.Dataset.load_from_file(path, reader=reader).build_full_trainset()
    algo = surprise.SVD(random_state=args.seed, **params)
    started = time.perf_counter()
    algo.fit(trainset)
    fit_seconds = time.perf_counter() - started

    if args.task == "rating":
        test_users = read(args.input, "test_user.i32", "i4").tolist()
        test_items = read(args.input, "test_item.i32", "i4").tolist()
        predictions = np.array(
            [algo.predict(str(u), str(i), clip=False).est for u, i in zip(test_users, test_items)],
            dtype="<f8",
        )
        predictions.tofile(os.path.join(args.output, "predictions.f64"))
    else:
        # Score every movie: b_i + q_i·p_u (μ + b_u is the same for all of a user's movies);
        # movies without train ratings score 0, as Surprise's own estimate would give them.
        item_count = meta["itemCount"]
        inner_item = np.full(item_count, -1, dtype=np.int64)
        for inner in trainset.all_items():
            inner_item[int(trainset.to_raw_iid(inner))] = inner
        known = inner_item >= 0
        rated = {}
        for u, i in zip(users.tolist(), items.tolist()):
            rated.setdefault(u, []).append(i)
        rank_users = read(args.input, "rank_users.i32", "i4").tolist()
        top = np.full((len(rank_users), args.top), -1, dtype="<i4")
        for row, u in enumerate(rank_users):
            scores = np.zeros(item_count)
            try:
                pu = algo.pu[trainset.to_inner_uid(str(u))]
                scores[known] = algo.bi[inner_item[known]] + algo.qi[inner_item[known]] @ pu
            except ValueError:
                pass  # a user without train ratings: every movie scores 0
            best = top_n_excluding(scores, np.array(rated.get(u, []), dtype=np.int64), args.top)
            top[row, : len(best)] = best
        top.tofile(os.path.join(args.output, "top.i32"))
    # Surprise's SGD runs on one thread whatever the machine has.
    return surprise.__version__, fit_seconds, 1


def implicit_als(args, params):
    import implicit
    import numpy as np
    from implicit.als import AlternatingLeastSquares
    from scipy.sparse import csr_matrix

    meta, users, items, values = load(args.input)
    evidence = params.pop("evidence", "binary")
    if evidence == "binary":
        data = np.ones(len(values), dtype=np.float32)
    elif evidence == "rating":
        data = values.astype(np.float32)
    else:
        raise SystemExit(f'implicit-als: params.evidence must be "binary" or "rating", not {evidence!r}')
    user_items = csr_matrix(
        (data, (users, items)), shape=(meta["userCount"], meta["itemCount"]), dtype=np.float32
    )
    model = AlternatingLeastSquares(num_threads=args.threads, random_state=args.seed, **params)
    started = time.perf_counter()
    model.fit(user_items, show_progress=False)
    fit_seconds = time.perf_counter() - started
    rank_users = read(args.input, "rank_users.i32", "i4").astype(np.int64)
    ids, _ = model.recommend(
        rank_users, user_items[rank_users], N=args.top, filter_already_liked_items=True
    )
    top = np.full((len(rank_users), args.top), -1, dtype="<i4")
    top[:, : ids.shape[1]] = ids
    top.tofile(os.path.join(args.output, "top.i32"))
    return implicit.__version__, fit_seconds, args.threads


PEERS = {"surprise-svd": ("surprise", surprise_svd), "implicit-als": ("implicit", implicit_als)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True, choices=sorted(PEERS))
    parser.add_argument("--task", required=True, choices=["rating", "ranking"])
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--params", default="{}", help="JSON object of the peer's parameters")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    if args.peer == "implicit-als" and args.task == "rating":
        parser.error("implicit-als predicts no ratings: use --task ranking")
    module, run = PEERS[args.peer]
    try:
        __import__(module)
    except ImportError as error:
        print(json.dumps({"error": "import", "module": module, "message": str(error)}))
        sys.exit(3)
    params = json.loads(args.params)
    shown = dict(params)
    version, fit_seconds, threads = run(args, params)
    print(
        json.dumps(
            {
                "peer": args.peer,
                "version": version,
                "task": args.task,
                "fitSeconds": fit_seconds,
                "params": shown,
                "threads": threads,
            }
        )
    )


if __name__ == "__main__":
    main()
