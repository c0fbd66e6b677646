"""nnlab vs PyTorch (CPU, float32) vs scikit-learn, one thread each.

    python benchmarks/bench.py            # full run (a few minutes)
    python benchmarks/bench.py --quick    # smoke run (~30 s)

Writes ``benchmarks/results.json`` and the Markdown table ``benchmarks/results.md``
(``--out DIR`` to write elsewhere). See benchmarks/README.md.

1. Throughput of ``nnlab.train.fit`` for a 784-256-256-10 ReLU MLP, plain SGD,
   one epoch over 60,000 random samples, batch 32 and 128, against the
   equivalent PyTorch loop; and the share of the measured single-thread matmul
   peak (GFLOP/s) that each reaches.
2. digits (8x8, 1,797 images), 64-128-10 ReLU, Adam lr=1e-3, batch 32, 50
   epochs: samples/s, wall time and test accuracy over several seeds, for
   nnlab, PyTorch and ``sklearn.neural_network.MLPClassifier``.

Runs alternate between the libraries and the medians are reported, because
timings on a shared machine drift.
"""
from __future__ import annotations

import os

# One thread for every library, set before NumPy / PyTorch load their BLAS.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
# Some machines set these for old OpenBLAS builds; they slow a current NumPy down.
_UNSET = {v: os.environ.pop(v) for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if v in os.environ}

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))          # run from a checkout without installing

import nnlab  # noqa: E402
from nnlab import data, optim  # noqa: E402
from nnlab.train import fit  # noqa: E402

SIZES = [784, 256, 256, 10]
DIGITS_SIZES = [64, 128, 10]


# ----------------------------------------------------------------- helpers
def median(xs):
    return float(statistics.median(xs))


def train_flops_per_sample(sizes):
    """Multiply-adds x2 of one training step per sample: forward, dW, and dX except the first layer."""
    mats = list(zip(sizes[:-1], sizes[1:]))
    fwd = sum(2 * a * b for a, b in mats)
    return 3 * fwd - 2 * mats[0][0] * mats[0][1]


def matmul_peak(torch, n=1024, repeats=7):
    """Single-thread float32 GEMM GFLOP/s of NumPy and PyTorch (median of repeats)."""
    r = np.random.default_rng(0)
    A = r.normal(size=(n, n)).astype(np.float32)
    B = r.normal(size=(n, n)).astype(np.float32)
    out = {}
    for name, a, b, mm in [("numpy", A, B, np.matmul),
                           ("torch", torch.from_numpy(A), torch.from_numpy(B), torch.mm)]:
        mm(a, b)
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            mm(a, b)
            times.append(time.perf_counter() - t)
        out[name] = 2 * n ** 3 / median(times) / 1e9
    return out


def torch_mlp(torch, sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_fit(torch, net, opt, X, y, epochs, batch_size, seed):
    """The usual PyTorch loop: shuffle, gather, forward, loss, backward, step."""
    F = torch.nn.functional
    g = torch.Generator().manual_seed(seed)
    m = len(X)
    for _ in range(epochs):
        perm = torch.randperm(m, generator=g)
        total = 0.0
        for s in range(0, m, batch_size):
            idx = perm[s:s + batch_size]
            loss = F.cross_entropy(net(X[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)       # nnlab's fit keeps this running mean too


# ----------------------------------------------------------------- part 1
def throughput(torch, n_samples, batch_sizes, repeats, log):
    r = np.random.default_rng(0)
    X = r.normal(size=(n_samples, SIZES[0])).astype(np.float32)
    y = r.integers(0, SIZES[-1], size=n_samples)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    flops = train_flops_per_sample(SIZES)
    results = {}
    for bs in batch_sizes:
        runs = {"nnlab": [], "torch": []}
        for rep in range(repeats):
            order = ["nnlab", "torch"] if rep % 2 == 0 else ["torch", "nnlab"]
            for lib in order:
                if lib == "nnlab":
                    model = nnlab.mlp(SIZES, rng=rep, dtype=np.float32)
                    t = time.perf_counter()
                    fit(model, X, y, optimizer=optim.SGD(lr=0.01), epochs=1, batch_size=bs,
                        seed=rep, progress=False)
                    dt = time.perf_counter() - t
                else:
                    torch.manual_seed(rep)
                    net = torch_mlp(torch, SIZES)
                    opt = torch.optim.SGD(net.parameters(), lr=0.01)
                    t = time.perf_counter()
                    torch_fit(torch, net, opt, Xt, yt, 1, bs, rep)
                    dt = time.perf_counter() - t
                runs[lib].append(n_samples / dt)
            log(f"  batch {bs:>3} run {rep + 1}/{repeats}: nnlab {runs['nnlab'][-1]:,.0f}  "
                f"torch {runs['torch'][-1]:,.0f} samples/s")
        res = {lib: {"samples_per_s": median(v), "runs": v,
                     "gflops": median(v) * flops / 1e9} for lib, v in runs.items()}
        res["speedup_vs_torch"] = res["nnlab"]["samples_per_s"] / res["torch"]["samples_per_s"]
        results[str(bs)] = res
    return results, flops


# ----------------------------------------------------------------- part 2
def digits(torch, seeds, epochs, log):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y = data.load_digits()
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_size=0.25, stratify=True, seed=0)
    st = data.Standardizer().fit(Xtr)
    Xtr = st.transform(Xtr).astype(np.float32)
    Xte = st.transform(Xte).astype(np.float32)
    n = len(Xtr)
    libs = ["nnlab", "torch", "sklearn"]
    runs = {lib: {"samples_per_s": [], "seconds": [], "accuracy": []} for lib in libs}
    for k, seed in enumerate(seeds):
        order = libs[k % 3:] + libs[:k % 3]              # rotate who goes first
        for lib in order:
            if lib == "nnlab":
                model = nnlab.mlp(DIGITS_SIZES, rng=seed, dtype=np.float32)
                t = time.perf_counter()
                fit(model, Xtr, ytr, optimizer=optim.Adam(lr=1e-3), epochs=epochs, batch_size=32,
                    seed=seed, progress=False)
                dt = time.perf_counter() - t
                acc = float(np.mean(model.predict(Xte).argmax(1) == yte))
            elif lib == "torch":
                torch.manual_seed(seed)
                net = torch_mlp(torch, DIGITS_SIZES)
                opt = torch.optim.Adam(net.parameters(), lr=1e-3)
                Xt, yt = torch.from_numpy(Xtr), torch.from_numpy(ytr)
                t = time.perf_counter()
                torch_fit(torch, net, opt, Xt, yt, epochs, 32, seed)
                dt = time.perf_counter() - t
                with torch.no_grad():
                    acc = float(np.mean(net(torch.from_numpy(Xte)).argmax(1).numpy() == yte))
            else:
                clf = MLPClassifier(hidden_layer_sizes=(DIGITS_SIZES[1],), activation="relu", solver="adam",
                                    learning_rate_init=1e-3, batch_size=32, max_iter=epochs, alpha=0.0,
                                    tol=0.0, n_iter_no_change=epochs + 1, shuffle=True, random_state=seed)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    t = time.perf_counter()
                    clf.fit(Xtr, ytr)
                    dt = time.perf_counter() - t
                acc = float(clf.score(Xte, yte))
            runs[lib]["samples_per_s"].append(n * epochs / dt)
            runs[lib]["seconds"].append(dt)
            runs[lib]["accuracy"].append(acc)
        log(f"  seed {seed}: " + "  ".join(
            f"{lib} {runs[lib]['samples_per_s'][-1]:,.0f}/s acc {runs[lib]['accuracy'][-1]:.4f}" for lib in libs))
    summary = {lib: {"samples_per_s": median(r["samples_per_s"]), "seconds": median(r["seconds"]),
                     "accuracy_median": median(r["accuracy"]), "accuracy_min": min(r["accuracy"]),
                     "accuracy_max": max(r["accuracy"]), "runs": r} for lib, r in runs.items()}
    summary["speedup_vs_torch"] = summary["nnlab"]["samples_per_s"] / summary["torch"]["samples_per_s"]
    summary["speedup_vs_sklearn"] = summary["nnlab"]["samples_per_s"] / summary["sklearn"]["samples_per_s"]
    summary["n_train"], summary["n_test"], summary["epochs"] = n, len(Xte), epochs
    return summary


# ----------------------------------------------------------------- report
def environment(torch):
    import sklearn
    try:
        from threadpoolctl import threadpool_info
        pools = [{k: p.get(k) for k in ("internal_api", "architecture", "num_threads", "version", "prefix")}
                 for p in threadpool_info()]
    except ImportError:
        pools = "threadpoolctl not installed"
    cpu = platform.processor()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "sklearn": sklearn.__version__, "nnlab": nnlab.__version__, "cpu": cpu,
            "cores": os.cpu_count(), "threads_per_library": 1,
            "torch_threads": torch.get_num_threads(), "blas": pools,
            "unset_for_this_run": _UNSET,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}


def _kernels(pools) -> str:
    if not isinstance(pools, list):
        return str(pools)
    names = sorted({f"{p['internal_api']} {p['version']} {p['architecture']}" for p in pools if p.get("architecture")})
    return "; ".join(names) or "unknown"


def markdown(res) -> str:
    env, tp, dg = res["environment"], res["throughput"], res["digits"]
    goals = res["goals"]
    lines = [
        "# Benchmark: nnlab vs PyTorch vs scikit-learn (CPU, one thread each)",
        "",
        f"{env['cpu']}; NumPy {env['numpy']} (BLAS kernel: "
        f"{_kernels(env['blas'])}), "
        f"PyTorch {env['torch']}, scikit-learn {env['sklearn']}; {env['date']}. "
        f"Mode: {res['mode']}. Medians of alternating runs.",
        "",
        f"Single-thread float32 matmul peak: NumPy {res['matmul_peak_gflops']['numpy']:.1f} GFLOP/s, "
        f"PyTorch {res['matmul_peak_gflops']['torch']:.1f} GFLOP/s.",
        "",
        f"## 784-256-256-10 ReLU MLP, SGD, {res['config']['throughput_samples']:,} random samples, one epoch",
        "",
        "| batch | nnlab samples/s | PyTorch samples/s | nnlab / PyTorch | goal | nnlab % of peak | PyTorch % of peak |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for bs, r in tp.items():
        goal = goals[f"throughput_batch_{bs}"]
        lines.append(
            f"| {bs} | {r['nnlab']['samples_per_s']:,.0f} | {r['torch']['samples_per_s']:,.0f} | "
            f"{r['speedup_vs_torch']:.2f}x | >= {goal['target']}x {'met' if goal['met'] else 'NOT met'} | "
            f"{100 * r['nnlab']['gflops'] / res['matmul_peak_gflops']['numpy']:.0f}% | "
            f"{100 * r['torch']['gflops'] / res['matmul_peak_gflops']['torch']:.0f}% |")
    lines += [
        "",
        f"## digits 64-128-10, Adam lr=1e-3, batch 32, {dg['epochs']} epochs "
        f"({dg['n_train']} train / {dg['n_test']} test, {len(res['config']['seeds'])} seeds)",
        "",
        "| library | samples/s | wall time (s) | test accuracy, median (min-max) |",
        "|---|---:|---:|---:|",
    ]
    for lib, label in [("nnlab", "nnlab"), ("torch", "PyTorch"), ("sklearn", "scikit-learn MLPClassifier")]:
        r = dg[lib]
        lines.append(f"| {label} | {r['samples_per_s']:,.0f} | {r['seconds']:.2f} | "
                     f"{100 * r['accuracy_median']:.1f}% ({100 * r['accuracy_min']:.1f}-{100 * r['accuracy_max']:.1f}%) |")
    lines += [
        "",
        f"nnlab is {dg['speedup_vs_torch']:.2f}x PyTorch (goal >= 1.5x: "
        f"{'met' if goals['digits_vs_torch']['met'] else 'NOT met'}) and {dg['speedup_vs_sklearn']:.2f}x "
        f"scikit-learn (goal >= 1x: {'met' if goals['digits_vs_sklearn']['met'] else 'NOT met'}); "
        f"median accuracy goal >= 97%: {'met' if goals['digits_accuracy']['met'] else 'NOT met'}.",
        "",
        "Note: the machine has 2 cores shared with other work while this ran; each library used one "
        "thread, runs alternate between libraries and medians are reported, but single runs can still "
        "swing by 10-20%.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small smoke run (~30 s)")
    p.add_argument("--out", default=str(HERE), help="folder for results.json and results.md")
    args = p.parse_args(argv)

    import torch
    torch.set_num_threads(1)

    if args.quick:
        cfg = {"throughput_samples": 6000, "batch_sizes": [32, 128], "repeats": 2,
               "seeds": [0, 1], "digits_epochs": 5}
    else:
        cfg = {"throughput_samples": 60000, "batch_sizes": [32, 128], "repeats": 5,
               "seeds": [0, 1, 2, 3, 4], "digits_epochs": 50}

    def log(msg):
        print(msg, flush=True)

    env = environment(torch)
    log(f"BLAS: {env['blas']}; unset for this run: {env['unset_for_this_run'] or 'nothing'}")
    peak = matmul_peak(torch)
    log(f"matmul peak (1 thread, float32): numpy {peak['numpy']:.1f}  torch {peak['torch']:.1f} GFLOP/s")
    log("throughput, 784-256-256-10 SGD:")
    tp, flops = throughput(torch, cfg["throughput_samples"], cfg["batch_sizes"], cfg["repeats"], log)
    log("digits, 64-128-10 Adam:")
    dg = digits(torch, cfg["seeds"], cfg["digits_epochs"], log)

    goals = {f"throughput_batch_{bs}": {"target": t, "measured": tp[str(bs)]["speedup_vs_torch"],
                                        "met": tp[str(bs)]["speedup_vs_torch"] >= t}
             for bs, t in ((32, 1.2), (128, 1.15)) if str(bs) in tp}
    goals["digits_vs_torch"] = {"target": 1.5, "measured": dg["speedup_vs_torch"], "met": dg["speedup_vs_torch"] >= 1.5}
    goals["digits_vs_sklearn"] = {"target": 1.0, "measured": dg["speedup_vs_sklearn"],
                                  "met": dg["speedup_vs_sklearn"] >= 1.0}
    goals["digits_accuracy"] = {"target": 0.97, "measured": dg["nnlab"]["accuracy_median"],
                                "met": dg["nnlab"]["accuracy_median"] >= 0.97}
    res = {"mode": "quick" if args.quick else "full", "config": cfg, "environment": env,
           "matmul_peak_gflops": peak, "train_flops_per_sample": flops,
           "throughput": tp, "digits": dg, "goals": goals,
           "note": "2-core machine shared with other work during the run; one thread per library"}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(res, indent=2) + "\n")
    (out / "results.md").write_text(markdown(res))
    log("")
    log(markdown(res))
    log(f"wrote {out / 'results.json'} and {out / 'results.md'}")


if __name__ == "__main__":
    main()
