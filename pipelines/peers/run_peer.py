"""Fits one benchmark peer on a split the TypeScript harness exported, and writes back what the
harness scores with its own metric code: predicted ratings (Protocol R) or top-N lists
(Protocol T). Fit time is measured here around the peer's fit call only.

Peers: Surprise's SVD and SVD++ (rating models; their top-N ranks by predicted stars), implicit's
ALS, and EASE (Steck 2019, "Embarrassingly Shallow Autoencoders": B = I - P diag(1/diag P) with
P = (X'X + λI)^-1, here in numpy).

Input directory (little-endian binaries written by pipelines/src/peers/peers.ts):
  meta.json                          {"userCount", "itemCount"}
  train_user.i32 train_item.i32 train_value.f32
  test_user.i32 test_item.i32        (task "rating": the pairs to predict)
  rank_users.i32                     (task "ranking": the users to rank for)
Output: predictions.f64 (one per test pair) or top.i32 (N per ranked user, -1 padded), and one
JSON line on stdout: {"peer", "version", "task", "fitSeconds", "iterations", "params", "threads"}
(iterations: epochs or ALS sweeps, 1 for EASE's closed form; threads the fit used: implicit's
num_threads, 1 for Surprise, whose SGD is single-threaded, BLAS threads for EASE).
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


def surprise_model(args, params, plus):
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
    algo = (surprise.SVDpp if plus else surprise.SVD)(random_state=args.seed, **params)
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
        # Score every movie: b_i + q_i·p_u (μ + b_u is the same for all of a user's movies), and
        # for SVD++ p_u + |N(u)|^-½ Σ y_j over the user's rated movies, as its estimate has it;
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
                inner_user = trainset.to_inner_uid(str(u))
                pu = algo.pu[inner_user]
                if plus:
                    rated_inner = [j for (j, _) in trainset.ur[inner_user]]
                    pu = pu + algo.yj[rated_inner].sum(axis=0) / np.sqrt(len(rated_inner))
                scores[known] = algo.bi[inner_item[known]] + algo.qi[inner_item[known]] @ pu
            except ValueError:
                pass  # a user without train ratings: every movie scores 0
            best = top_n_excluding(scores, np.array(rated.get(u, []), dtype=np.int64), args.top)
            top[row, : len(best)] = best
        top.tofile(os.path.join(args.output, "top.i32"))
    # Surprise's SGD runs on one thread whatever the machine has.
    return surprise.__version__, fit_seconds, algo.n_epochs, 1


def surprise_svd(args, params):
    return surprise_model(args, params, plus=False)


def surprise_svdpp(args, params):
    return surprise_model(args, params, plus=True)


def positives(values, params):
    """Binary evidence: the ratings at or above params.positiveThreshold (0.5 = every rating)."""
    import numpy as np

    threshold = float(params.pop("positiveThreshold", 0.5))
    return (values >= threshold).astype(np.float32)


def implicit_als(args, params):
    import implicit
    import numpy as np
    from implicit.als import AlternatingLeastSquares
    from scipy.sparse import csr_matrix

    meta, users, items, values = load(args.input)
    data = positives(values, params)
    user_items = csr_matrix(
        (data, (users, items)), shape=(meta["userCount"], meta["itemCount"]), dtype=np.float32
    )
    model = AlternatingLeastSquares(num_threads=args.threads, random_state=args.seed, **params)
    started = time.perf_counter()
    model.fit(user_items, show_progress=False)
    fit_seconds = time.perf_counter() - started
    rank_users = read(args.input, "rank_users.i32", "i4").astype(np.int64)
    # Every movie the user rated is left out of their list (the harness's rule), whether or
    # not it counted as a positive.
    rated = csr_matrix(
        (np.ones(len(values), dtype=np.float32), (users, items)),
        shape=(meta["userCount"], meta["itemCount"]),
    )
    ids, _ = model.recommend(
        rank_users, rated[rank_users], N=args.top, filter_already_liked_items=True
    )
    top = np.full((len(rank_users), args.top), -1, dtype="<i4")
    top[:, : ids.shape[1]] = ids
    top.tofile(os.path.join(args.output, "top.i32"))
    return implicit.__version__, fit_seconds, model.iterations, args.threads


def ease(args, params):
    """EASE over the movies with train ratings: B = I - P diag(1/diag P), P = (X'X + λI)^-1, and a
    user's scores x_u B. With fewer users than movies (ml-latest-small: 610 and ~9,000) the same B
    is reached through the Woodbury identity, P = (I - X'(XX' + λI)^-1 X) / λ, which needs only a
    users × users solve; the scores x_u B = x_u - (x_u P) diag(1/diag P) then never form the
    movies × movies matrix. Otherwise P is the direct inverse."""
    import numpy as np

    meta, users, items, values = load(args.input)
    regularization = float(params.pop("regularization"))
    data = positives(values, params)
    if params:
        raise SystemExit(f"ease: unknown params {sorted(params)}")
    rank_users = read(args.input, "rank_users.i32", "i4").astype(np.int64)
    started = time.perf_counter()
    known = np.unique(items)
    column = np.full(meta["itemCount"], -1, dtype=np.int64)
    column[known] = np.arange(len(known))
    x = np.zeros((meta["userCount"], len(known)), dtype=np.float64)
    np.add.at(x, (users, column[items]), data)
    if x.shape[0] < x.shape[1]:
        kernel = x @ x.T
        kernel[np.diag_indices_from(kernel)] += regularization
        solved = np.linalg.solve(kernel, x)
        diagonal = (1 - np.einsum("ui,ui->i", x, solved)) / regularization
        fit_seconds = time.perf_counter() - started
        xr = x[rank_users]
        xr_p = (xr - (xr @ x.T) @ solved) / regularization
    else:
        gram = x.T @ x
        gram[np.diag_indices_from(gram)] += regularization
        p = np.linalg.inv(gram)
        diagonal = np.diag(p).copy()
        fit_seconds = time.perf_counter() - started
        xr = x[rank_users]
        xr_p = xr @ p
    known_scores = xr - xr_p / diagonal

    rated = {}
    for u, i in zip(users.tolist(), items.tolist()):
        rated.setdefault(u, []).append(i)
    top = np.full((len(rank_users), args.top), -1, dtype="<i4")
    for row, u in enumerate(rank_users.tolist()):
        scores = np.zeros(meta["itemCount"])
        scores[known] = known_scores[row]
        best = top_n_excluding(scores, np.array(rated.get(u, []), dtype=np.int64), args.top)
        top[row, : len(best)] = best
    top.tofile(os.path.join(args.output, "top.i32"))
    return np.__version__, fit_seconds, 1, args.threads


PEERS = {
    "surprise-svd": ("surprise", surprise_svd),
    "surprise-svdpp": ("surprise", surprise_svdpp),
    "implicit-als": ("implicit", implicit_als),
    "ease": ("numpy", ease),
}
RANKING_ONLY = {"implicit-als", "ease"}


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
    if args.peer in RANKING_ONLY and args.task == "rating":
        parser.error(f"{args.peer} predicts no ratings: use --task ranking")
    module, run = PEERS[args.peer]
    try:
        __import__(module)
    except ImportError as error:
        print(json.dumps({"error": "import", "module": module, "message": str(error)}))
        sys.exit(3)
    params = json.loads(args.params)
    shown = dict(params)
    version, fit_seconds, iterations, threads = run(args, params)
    print(
        json.dumps(
            {
                "peer": args.peer,
                "version": version,
                "task": args.task,
                "fitSeconds": fit_seconds,
                "iterations": iterations,
                "params": shown,
                "threads": threads,
            }
        )
    )


if __name__ == "__main__":
    main()
