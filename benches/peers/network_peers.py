#!/usr/bin/env python3
"""pushforward, PaCAL and OpenTURNS on small "network" laws: sums of weighted ReLUs, rounds of a
sum/max pipeline, and relu + tanh, all with X ~ N(mu, sigma^2), mu = 0.3, sigma = 0.8.

Cases
  A  Y = 0.25 R1 + 0.5 R2 + 0.25 R3, R_i = max(0, X_i) iid (atom Phi(-mu/sigma)^3 at 0)
  B  Y = sum_i w_i R_i, w = [1,2,3,4,5,4,3,2,1]/25 (atom Phi(-mu/sigma)^9 at 0)
  C  two rounds of  A_1 = N(2 mu, sigma^2),  H_j = max of 2 iid A_j,
     A_{j+1} = (sum of 4 iid H_j)/2;  Y = H_2
  D  the same, ten rounds: Y = H_10
  E  Y = relu(X1) + tanh(X2), X1 ~ N(0.3, 0.8^2), X2 ~ N(0, 1) independent

For every tool and case: construction + CDF at 1000 evenly spaced points over the law's
bulk (its 1e-6 .. 1-1e-6 quantiles, taken from the reference; 0 .. q(1-1e-6) for A and B,
whose 1e-6 quantile is the atom at 0), timed together with time.perf_counter, best of 3
runs, each run in a fresh process (imports are not timed).  A run that takes more than
120 s is killed and recorded as "> 120 s".  The CDF is then compared with the reference
at ~20 points, and the jump of the CDF at 0 with the atom's mass.

References (mpmath, 30 digits, computed here, independent of both tools):
  A  sum over the subsets S of positive copies of p^(3-|S|) P(sum_S w_i X_i <= t, X_i > 0),
     nested mpmath.quad (as tests/scipy/sums.py does with scipy).
  B  the |S| <= 1 terms in closed form; the |S| >= 2 terms (a measure without atoms) by
     Gil-Pelaez inversion (mpmath.quadosc) of its characteristic function
     prod_i (p + g(w_i u)) - p^9 - p^8 sum_i g(w_i u),
     g(u) = E[e^{iuX}; X > 0] = e^{i mu u - sigma^2 u^2/2} Phi((mu + i sigma^2 u)/sigma).
     The same code applied to case A agrees with the nested quadrature to ~1e-31
     (checked at the start of `ref`, printed to stderr).
  C, D  tests/scipy/rounds.py's values for k = 2 and k = 10 (mu = 0.3, sigma = 0.8), whose
     stated error estimates are <= 5e-17 (k = 2) and <= 6e-16 (k = 10); its k = 2 values
     were validated there against an mpmath Fourier inversion.  Pass its JSON output.
  E  P(Y <= t) = p F_T(t) + int_0^inf f_X1(r) F_T(t - r) dr,  F_T(u) = Phi(atanh u).

Usage (network_peers.sh does all of this):
  python network_peers.py ref ROUNDS_JSON OUT_JSON          # in a venv with mpmath
  python network_peers.py bench TOOL REF_JSON OUT_JSON      # TOOL = pushforward | pacal |
                                                            # openturns, in that tool's venv
  python network_peers.py report REF_JSON RES_JSON... > network_peers.md
(`run TOOL VARIANT REF_JSON` is the per-process worker that `bench` calls.)
"""
import json
import math
import os
import platform
import subprocess
import sys
import time

MU, SIGMA = 0.3, 0.8
W_A = [0.25, 0.5, 0.25]
W_B = [w / 25.0 for w in [1, 2, 3, 4, 5, 4, 3, 2, 1]]
N_TIMED = 1000
TIMEOUT = 120.0
RUNS = 3


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------
# references (mpmath)
# ----------------------------------------------------------------------------------------
def ref_main(rounds_json, out_json):
    import itertools
    import mpmath as mp
    from multiprocessing import Pool

    mp.mp.dps = 30
    mu, s = mp.mpf("0.3"), mp.mpf("0.8")
    p = mp.ncdf(-mu / s)

    def F(x):
        return mp.ncdf((x - mu) / s)

    def f(x):
        return mp.npdf(x, mu, s)

    out = {}
    t0 = time.time()

    # ---- A: nested quadrature over subsets
    wa = [mp.mpf(1) / 4, mp.mpf(1) / 2, mp.mpf(1) / 4]
    # validation of the Fourier method (used for B) against the subset quadrature on A
    for t in ["0.3", "1.7"]:
        a = cdf_subsets(wa, mp.mpf(t), mp, F, f, p)
        b = cdf_fourier(wa, mp.mpf(t), mp, F, p, mu, s)
        log("check A at t=%s: subsets %s, Fourier %s, diff %s" % (t, mp.nstr(a, 22), mp.nstr(b, 22),
                                                                  mp.nstr(a - b, 3)))

    def quantile(cdf, level, lo, hi, dps=20):
        """root of cdf(t) = level in [lo, hi] (Illinois), at dps digits."""
        with mp.workdps(dps):
            return float(mp.findroot(lambda t: cdf(t) - level, (mp.mpf(lo), mp.mpf(hi)),
                                     solver="illinois", tol=1e-18, verify=False))

    qa = quantile(lambda t: cdf_subsets(wa, t, mp, F, f, p), 1 - mp.mpf("1e-6"), 2.0, 4.0)
    ta = [-0.5, 0.0, 1e-6] + [qa * k / 17 for k in range(1, 18)]
    out["A"] = dict(q_lo=0.0, q_hi=qa, atom=float(p ** 3), t=ta,
                    cdf=[float(cdf_subsets(wa, mp.mpf(t), mp, F, f, p)) for t in ta],
                    how="mpmath 30 digits, subsets + nested quad")
    log("A done %.0fs, q_hi %.6f" % (time.time() - t0, qa))

    # ---- B: closed-form |S| <= 1 terms + Gil-Pelaez for the rest
    wb = [mp.mpf(k) / 25 for k in [1, 2, 3, 4, 5, 4, 3, 2, 1]]
    qb = quantile(lambda t: cdf_fourier(wb, t, mp, F, p, mu, s), 1 - mp.mpf("1e-6"), 1.0, 2.5, dps=16)
    tb = [-0.5, 0.0] + [qb * k / 18 for k in range(1, 19)]
    with Pool(2) as pool:
        cb = pool.map(_ref_b_point, tb)
    out["B"] = dict(q_lo=0.0, q_hi=qb, atom=float(p ** 9), t=tb, cdf=cb,
                    how="mpmath 30 digits, closed-form atom and one-copy terms + "
                        "Gil-Pelaez (quadosc) for >= 2 positive copies")
    log("B done %.0fs, q_hi %.6f" % (time.time() - t0, qb))

    # ---- C, D: tests/scipy/rounds.py output
    rounds = json.load(open(rounds_json))
    for name, k in [("C", 2), ("D", 10)]:
        case = [c for c in rounds if c["rounds"] == k and abs(c["params"]["mu"] - MU) < 1e-12
                and abs(c["params"]["sigma"] - SIGMA) < 1e-12][0]
        # rounds.py places its points at CDF levels 1e-12 .. 1-1e-12; keep 1e-6 .. 1-1e-6
        idx = [i for i, c in enumerate(case["cdf"]) if 5e-7 <= c <= 1 - 5e-7]
        out[name] = dict(q_lo=case["t"][idx[0]], q_hi=case["t"][idx[-1]], atom=None,
                         t=[case["t"][i] for i in idx], cdf=[case["cdf"][i] for i in idx],
                         ref_err=max(case["cdf_err"][i] for i in idx),
                         how="tests/scipy/rounds.py (k=%d), stated error <= %.1e" %
                             (k, max(case["cdf_err"][i] for i in idx)))
    # ---- E
    ce = lambda t: cdf_e(t, mp, F, f, p)
    qe_lo = quantile(ce, mp.mpf("1e-6"), -0.99999, 0.0)
    qe_hi = quantile(ce, 1 - mp.mpf("1e-6"), 2.0, 5.0)
    te = [qe_lo + (qe_hi - qe_lo) * k / 19 for k in range(20)]
    out["E"] = dict(q_lo=qe_lo, q_hi=qe_hi, atom=None, t=te,
                    cdf=[float(ce(mp.mpf(t))) for t in te],
                    how="mpmath 30 digits, 1-D quad of f_X1(r) Phi(atanh(t - r))")
    log("E done %.0fs" % (time.time() - t0))
    json.dump(out, open(out_json, "w"), indent=1)


def cdf_subsets(ws, t, mp, F, f, p):
    import itertools

    def term(ws, t):
        if t <= 0:
            return mp.mpf(0)
        w = ws[0]
        if len(ws) == 1:
            return F(t / w) - p
        return mp.quad(lambda x: f(x) * term(ws[1:], t - w * x), [0, t / w])

    n = len(ws)
    if t < 0:
        return mp.mpf(0)
    tot = mp.mpf(0)
    for k in range(n + 1):
        for S in itertools.combinations(range(n), k):
            tot += p ** (n - k) * (1 if k == 0 else term([ws[i] for i in S], t))
    return tot


def cdf_fourier(ws, t, mp, F, p, mu, s):
    n = len(ws)
    if t < 0:
        return mp.mpf(0)
    if t == 0:
        return p ** n
    sq2 = mp.sqrt(2)
    distinct = sorted(set(ws))
    mult = [ws.count(w) for w in distinct]

    def g(u):
        z = (mu + 1j * s * s * u) / s
        return mp.exp(1j * mu * u - s * s * u * u / 2) * mp.erfc(-z / sq2) / 2

    def psi(u):
        gs = [g(w * u) for w in distinct]
        prod = mp.mpf(1)
        for gi, m in zip(gs, mult):
            prod *= (p + gi) ** m
        return prod - p ** n - p ** (n - 1) * sum(m * gi for gi, m in zip(gs, mult))

    mass = 1 - p ** n - n * p ** (n - 1) * (1 - p)          # psi(0)
    base = p ** n + p ** (n - 1) * sum(F(t / w) - p for w in ws)
    I = mp.quadosc(lambda u: mp.im(mp.exp(-1j * u * t) * psi(u)) / u, [0, mp.inf], omega=t)
    return base + mass / 2 - I / mp.pi


def _ref_b_point(t):
    import mpmath as mp
    mp.mp.dps = 30
    mu, s = mp.mpf("0.3"), mp.mpf("0.8")
    p = mp.ncdf(-mu / s)
    F = lambda x: mp.ncdf((x - mu) / s)
    wb = [mp.mpf(k) / 25 for k in [1, 2, 3, 4, 5, 4, 3, 2, 1]]
    return float(cdf_fourier(wb, mp.mpf(t), mp, F, p, mu, s))


def cdf_e(t, mp, F, f, p):
    def FT(u):
        if u <= -1:
            return mp.mpf(0)
        if u >= 1:
            return mp.mpf(1)
        return mp.ncdf(mp.atanh(u))

    if t <= -1:
        return mp.mpf(0)
    lo, hi = max(mp.mpf(0), t - 1), t + 1
    val = p * FT(t) + mp.quad(lambda r: f(r) * FT(t - r), [lo, hi])
    if t - 1 > 0:
        val += F(t - 1) - p                      # r in (0, t-1): tanh part certainly <= t - r
    return val


# ----------------------------------------------------------------------------------------
# the tools
# ----------------------------------------------------------------------------------------
def pushforward_program(case):
    """the case in pushforward's language (C and D as in benches/eval.rs's rounds), with
    mu a parameter (set to MU) so that a law is never taken from the cache."""
    if case in "AB":
        ws = ", ".join(repr(w) for w in (W_A if case == "A" else W_B))
        return "x ~ Normal(mu, %r)\ny = conv(relu(x), [%s])\n" % (SIGMA, ws)
    if case in "CD":
        k = 2 if case == "C" else 10
        text = "x ~ Normal(mu, %r)\nh0 = x\n" % SIGMA
        for i in range(1, k + 1):
            text += "h%d = maxpool(conv(h%d, [1/2, 1/2, 1/2, 1/2]), 2)\n" % (i, i - 1)
        return text + "y = h%d\n" % k
    return "x1 ~ Normal(mu, %r)\nx2 ~ Normal(0, 1)\ny = relu(x1) + tanh(x2)\n" % SIGMA


PUSHFORWARD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target",
                           "release", "pushforward")


def pushforward_eval(path, ts):
    """one `pushforward eval` process: its JSON (cdf, error_bound, atoms)."""
    at = ",".join(repr(float(t)) for t in ts)
    cp = subprocess.run([PUSHFORWARD, "eval", path, "--at", at, "--format", "json",
                         "--set", "mu=%r" % MU],
                        capture_output=True, text=True)
    if cp.returncode != 0:
        raise RuntimeError(cp.stderr.strip()[-500:])
    return json.loads(cp.stdout)


def pushforward_variants():
    return [(c, "cli") for c in "ABCDE"]


def pacal_variants():
    return [("A", "pacal"), ("B", "pacal"), ("C", "pacal"), ("D", "pacal"), ("E", "pacal")]


def openturns_variants():
    return [("A", "composite"), ("A", "mixture-atoms"), ("A", "split"),
            ("B", "composite"), ("B", "mixture-atoms"), ("B", "split"),
            ("C", "ot"), ("D", "ot"),
            ("E", "composite"), ("E", "split")]


VARIANT_TEXT = {
    ("pacal", "A", "pacal"): "`max(NormalDistr(mu, s), 0)` x3 (new objects), `0.25*R1 + 0.5*R2 + 0.25*R3`",
    ("pacal", "B", "pacal"): "`max(NormalDistr(mu, s), 0)` x9, sum of `(w_i)*R_i` with `+`",
    ("pacal", "C", "pacal"): "`iid_max(A, 2)`, `iid_sum(H, 4) / 2`, from `A1 = NormalDistr(2 mu, s)`",
    ("pacal", "D", "pacal"): "same as C, 10 rounds",
    ("pacal", "E", "pacal"): "`max(NormalDistr(mu, s), 0) + tanh(NormalDistr(0, 1))`",
    ("openturns", "A", "composite"): "`R = CompositeDistribution(SymbolicFunction('max(0,x)'), Normal)`, "
                                     "`LinearCombinationDistribution([R]*3, w)`",
    ("openturns", "A", "mixture-atoms"): "`R = Mixture([Dirac(0), TruncatedDistribution(Normal, 0, LOWER)], [p, 1-p])`, "
                                         "`LinearCombinationDistribution([R]*3, w)`",
    ("openturns", "A", "split"): "atom split by hand: `Mixture([Dirac(0)] + [LinearCombinationDistribution(TruncatedNormal "
                                 "copies of subset S, w_S)], [p^(n-|S|) (1-p)^|S|])` over the non-empty subsets S "
                                 "(identical weight multisets merged: %d components)",
    ("openturns", "B", "composite"): "as A/composite, 9 copies",
    ("openturns", "B", "mixture-atoms"): "as A/mixture-atoms, 9 copies",
    ("openturns", "B", "split"): "as A/split (%d components)",
    ("openturns", "C", "ot"): "`MaximumDistribution(A, 2)`, `LinearCombinationDistribution([H]*4, [0.5]*4)`, "
                              "from `A1 = Normal(2 mu, s)`",
    ("openturns", "D", "ot"): "same as C, 10 rounds",
    ("openturns", "E", "composite"): "`CompositeDistribution(max(0,x), N(mu,s)) + CompositeDistribution(tanh(x), N(0,1))` "
                                     "(a `LinearCombinationDistribution`)",
    ("openturns", "E", "split"): "atom split by hand: `Mixture([T, LinearCombinationDistribution([TN, T])], [p, 1-p])`, "
                                 "`T = CompositeDistribution(tanh(x), N(0,1))`, TN = N(mu, s) truncated to x > 0",
}


def subset_groups(ws):
    """the distinct multisets of weights over the non-empty subsets, with the probability
    p^(n-k) (1-p)^k times their number of subsets."""
    import itertools
    n = len(ws)
    p = 0.5 * math.erfc(MU / SIGMA / math.sqrt(2))
    groups = {}
    for k in range(1, n + 1):
        for S in itertools.combinations(range(n), k):
            key = tuple(sorted(ws[i] for i in S))
            groups[key] = groups.get(key, 0.0) + p ** (n - k) * (1 - p) ** k
    return p, groups


def build_pacal(case):
    import pacal as pc

    def relu():
        return pc.max(pc.NormalDistr(MU, SIGMA), 0)

    if case in ("A", "B"):
        ws = W_A if case == "A" else W_B
        Y = None
        for w in ws:
            term = w * relu()
            Y = term if Y is None else Y + term
        return Y
    if case in ("C", "D"):
        k = 2 if case == "C" else 10
        A = pc.NormalDistr(2 * MU, SIGMA)
        t0 = time.perf_counter()
        for j in range(1, k + 1):
            H = pc.iid_max(A, 2)
            if j == k:
                return H
            A = pc.iid_sum(H, 4) / 2
            A.get_piecewise_pdf()
            log("progress: round %d of %d built at %.1f s" % (j, k, time.perf_counter() - t0))
    if case == "E":
        return relu() + pc.tanh(pc.NormalDistr(0, 1))


def build_openturns(case, variant):
    import openturns as ot
    LCD = ot.LinearCombinationDistribution
    N = ot.Normal(MU, SIGMA)
    p = ot.Normal().computeCDF(-MU / SIGMA)
    relu = ot.SymbolicFunction(["x"], ["max(0,x)"])
    TN = ot.TruncatedDistribution(N, 0.0, ot.TruncatedDistribution.LOWER)
    T = ot.CompositeDistribution(ot.SymbolicFunction(["x"], ["tanh(x)"]), ot.Normal(0.0, 1.0))
    if case in ("A", "B"):
        ws = W_A if case == "A" else W_B
        if variant == "composite":
            R = ot.CompositeDistribution(relu, N)
            return LCD([R] * len(ws), ws)
        if variant == "mixture-atoms":
            R = ot.Mixture([ot.Dirac(0.0), TN], [p, 1 - p])
            return LCD([R] * len(ws), ws)
        if variant == "split":
            _, groups = subset_groups(ws)
            comps, probs = [ot.Dirac(0.0)], [p ** len(ws)]
            for key, pr in groups.items():
                comps.append(LCD([TN] * len(key), list(key)))
                probs.append(pr)
            return ot.Mixture(comps, probs)
    if case in ("C", "D"):
        k = 2 if case == "C" else 10
        A = ot.Normal(2 * MU, SIGMA)
        for j in range(1, k + 1):
            H = ot.MaximumDistribution(A, 2)
            if j == k:
                return H
            A = LCD([H] * 4, [0.5] * 4)
    if case == "E":
        if variant == "composite":
            return ot.CompositeDistribution(relu, N) + T
        if variant == "split":
            return ot.Mixture([T, LCD([TN, T])], [p, 1 - p])
    raise ValueError((case, variant))


def run_main(tool, case, variant, ref_json):
    """one timed run in this process: build + 1000 CDF values, then the accuracy points."""
    import numpy as np
    ref = json.load(open(ref_json))[case]
    ts = np.linspace(ref["q_lo"], ref["q_hi"], N_TIMED)
    res = dict(tool=tool, case=case, variant=variant)
    if tool == "pushforward":
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), "case%s.pf" % case)
        with open(path, "w") as f:
            f.write(pushforward_program(case))
        # the whole process is timed: reading the program, deriving, the numeric law
        # and the 1000 values (its start-up included, where the peers' imports are not)
        t0 = time.perf_counter()
        try:
            out = pushforward_eval(path, ts)
        except Exception as e:
            res.update(error=str(e), time=time.perf_counter() - t0)
            print(json.dumps(res))
            return
        res["time"] = time.perf_counter() - t0
        vals = np.asarray(out["cdf"], float)
        res["error_bound"] = out.get("error_bound", 0.0)
        # and in process, as the peers are timed (after their imports): derive, law and
        # 1000 CDF values, the median of 11 runs with mu moved by 1e-12 each run
        timer = os.path.join(os.path.dirname(PUSHFORWARD), "examples", "law_time")
        cp = subprocess.run([timer, path, repr(float(ts[0])), repr(float(ts[-1])), "11",
                             "mu=%r" % MU], capture_output=True, text=True, check=True)
        parts = dict(l.split(":")[0].strip() and (l.split(":")[0].strip(),
                     float(l.split(":")[1].split()[0])) for l in cp.stdout.splitlines())
        res["in_process"] = (parts["derive"] + parts["laws"] + parts["cdf x1000"]) / 1e3
        cdf = lambda x: np.asarray(pushforward_eval(path, x)["cdf"], float)
    elif tool == "pacal":
        import pacal  # noqa: F401  (import outside the timer)
        t0 = time.perf_counter()
        try:
            Y = build_pacal(case)
            vals = np.asarray(Y.cdf(ts), float)
        except Exception as e:
            res.update(error="%s: %s" % (type(e).__name__, e), time=time.perf_counter() - t0)
            print(json.dumps(res))
            return
        res["time"] = time.perf_counter() - t0
        cdf = lambda x: np.asarray(Y.cdf(np.asarray(x, float)), float)
        try:
            res["int_error"] = float(Y.int_error())
        except Exception as e:
            res["int_error"] = "n/a (%s)" % type(e).__name__
        try:
            res["interp_error"] = float(Y.interp_error())
        except Exception as e:
            res["interp_error"] = "n/a (%s)" % type(e).__name__
    else:
        import openturns as ot
        ot.Log.Show(ot.Log.NONE)
        t0 = time.perf_counter()
        try:
            Y = build_openturns(case, variant)
            vals = np.asarray(Y.computeCDF(ot.Sample([[float(x)] for x in ts])), float).ravel()
        except Exception as e:
            res.update(error="%s: %s" % (type(e).__name__, str(e).strip()), time=time.perf_counter() - t0)
            print(json.dumps(res))
            return
        res["time"] = time.perf_counter() - t0
        cdf = lambda x: np.asarray(Y.computeCDF(ot.Sample([[float(v)] for v in x])), float).ravel()
        res["continuous_flag"] = bool(Y.isContinuous())
        if variant == "split":
            res["components"] = Y.getDistributionCollection().getSize()
    res["timed_nan"] = int(np.sum(~np.isfinite(vals)))
    res["timed_monotone_violations"] = int(np.sum(np.diff(vals) < -1e-15))
    got = cdf(ref["t"])
    res["t"] = ref["t"]
    res["cdf"] = [float(v) for v in got]
    err = np.abs(got - np.asarray(ref["cdf"]))
    res["max_err"] = float(np.max(err)) if np.all(np.isfinite(err)) else float("nan")
    res["nan_acc"] = int(np.sum(~np.isfinite(got)))
    res["argmax_t"] = float(ref["t"][int(np.nanargmax(err))]) if np.any(np.isfinite(err)) else None
    a = cdf([-1e-12, 0.0, 1e-12])
    res["cdf_near0"] = [float(v) for v in a]
    print(json.dumps(res))


def bench_main(tool, ref_json, out_json):
    variants = {"pacal": pacal_variants, "openturns": openturns_variants,
                "pushforward": pushforward_variants}[tool]()
    only = os.environ.get("NETWORK_PEERS_ONLY")        # e.g. "A,C" to run a subset
    results = []
    t_all = time.time()
    for case, variant in variants:
        if only and case not in only.split(","):
            continue
        runs, status, note = [], "ok", ""
        for r in range(RUNS):
            cmd = [sys.executable, os.path.abspath(__file__), "run", tool, case, variant, ref_json]
            try:
                cp = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
            except subprocess.TimeoutExpired as e:
                err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
                prog = [l for l in err.splitlines() if l.startswith("progress:")]
                status, note = "timeout", (prog[-1][len("progress: "):] if prog else "")
                break
            lines = [l for l in cp.stdout.splitlines() if l.startswith("{")]
            if cp.returncode != 0 or not lines:
                status, note = "crash", "exit %d: %s" % (cp.returncode, cp.stderr.strip()[-500:])
                break
            res = json.loads(lines[-1])
            runs.append(res)
            if "error" in res:
                status = "error"
                break
        entry = dict(tool=tool, case=case, variant=variant, status=status, note=note)
        if runs:
            best = min(runs, key=lambda x: x["time"])
            entry.update(best)
            entry["times"] = [x["time"] for x in runs]
        entry["status"] = status
        results.append(entry)
        log("%s %s/%s: %s %s" % (tool, case, variant, status,
                                 ("%.3f s, err %s" % (entry["time"], entry.get("max_err", entry.get("error"))))
                                 if runs else note))
    env = dict(tool=tool, python=platform.python_version(), total_s=time.time() - t_all)
    if tool == "pushforward":
        env["version"] = subprocess.run([PUSHFORWARD, "--version"], capture_output=True,
                                        text=True).stdout.strip()
    elif tool == "pacal":
        import pacal
        from importlib.metadata import version
        env["version"] = version("PaCal")
        env["deps"] = {k: version(k) for k in ["numpy", "scipy", "sympy", "Cython", "setuptools"]}
        try:
            import pacal.bary_interp  # noqa: F401
            env["compiled_interp"] = True
        except Exception:
            env["compiled_interp"] = False
        env["parallel"] = bool(pacal.params.general.parallel)
    else:
        import openturns as ot
        env["version"] = ot.__version__
        env["cdf_epsilon"] = ot.ResourceMap.Get("LinearCombinationDistribution-DefaultCDFEpsilon")
    json.dump(dict(env=env, results=results), open(out_json, "w"), indent=1)


# ----------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------
CASE_NAME = {"A": "A conv of 3 relus", "B": "B conv of 9 relus", "C": "C two rounds (H2)",
             "D": "D ten rounds (H10)", "E": "E relu(x1) + tanh(x2)"}


def fmt_e(x):
    if x is None:
        return "-"
    if isinstance(x, float) and math.isnan(x):
        return "NaN"
    return "%.1e" % x


def atom_text(r, ref):
    if ref["atom"] is None:
        if "cdf_near0" not in r:
            return "n/a"
        return "n/a (no atom)"
    if "cdf_near0" not in r:
        return "-"
    lo, at, hi = r["cdf_near0"]
    jump = at - lo
    if abs(jump - ref["atom"]) < 1e-9 and abs(hi - at) < 1e-6:
        return "yes: jump %.6g (err %.0e)" % (jump, abs(jump - ref["atom"]))
    return "NO: F(0-)=%.4g F(0)=%.4g F(0+)=%.4g, mass %.4g" % (lo, at, hi, ref["atom"])


def report_main(ref_json, res_jsons):
    ref = json.load(open(ref_json))
    data = [json.load(open(f)) for f in res_jsons]
    print("| case | tool | time (construction + 1000 CDF points) | largest CDF error vs reference | atom? | notes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for case in "ABCDE":
        for d in data:
            tool = d["env"]["tool"]
            for r in d["results"]:
                if r["case"] != case:
                    continue
                label = {"pacal": "PaCAL", "pushforward": "pushforward"}.get(
                    tool, "OpenTURNS (%s)" % r["variant"])
                how = VARIANT_TEXT.get((tool, case, r["variant"]), "")
                if "%d" in how:
                    _, g = subset_groups(W_A if case == "A" else W_B)
                    how = how % (len(g) + 1)
                bits = [how]
                if r["status"] == "timeout":
                    t = "> 120 s"
                    err = "-"
                    bits.append("killed after 120 s" + (" (%s)" % r["note"] if r["note"] else ""))
                elif r["status"] == "crash":
                    t, err = "crash", "-"
                    bits.append(r["note"])
                elif r["status"] == "error":
                    t, err = "fails (after %.3f s)" % r["time"], "-"
                    bits.append("raises `%s`" % r["error"])
                else:
                    t = "%.3f s" % r["time"]
                    err = fmt_e(r["max_err"])
                    if r["max_err"] is not None and not math.isnan(r["max_err"]) and r["max_err"] > 1e-9:
                        err += " (at t=%.4g)" % r["argmax_t"]
                    if r.get("nan_acc"):
                        bits.append("NaN at %d of %d check points" % (r["nan_acc"], len(r["t"])))
                    if r.get("timed_nan"):
                        bits.append("NaN at %d of the 1000 timed points" % r["timed_nan"])
                    if r.get("timed_monotone_violations"):
                        bits.append("CDF decreases at %d steps of the 1000 points" % r["timed_monotone_violations"])
                    if "in_process" in r:
                        t += " (in process %.4f s)" % r["in_process"]
                    if "error_bound" in r:
                        bits.append("its error bound %s" % fmt_e(r["error_bound"]))
                    if "int_error" in r:
                        ie = r["int_error"]
                        bits.append("own diagnostics: 1 - mass = %s, interp_error() = %s" %
                                    (fmt_e(ie) if isinstance(ie, float) else ie,
                                     fmt_e(r["interp_error"]) if isinstance(r["interp_error"], float)
                                     else r["interp_error"]))
                    if r.get("continuous_flag") is not None and ref[case]["atom"] is not None:
                        bits.append("isContinuous() = %s" % r["continuous_flag"])
                print("| %s | %s | %s | %s | %s | %s |" % (CASE_NAME[case], label, t, err,
                                                          atom_text(r, ref[case]),
                                                          "; ".join(b for b in bits if b)))
    print()
    for d in data:
        print("- %s %s on Python %s: %s (bench wall time %.0f s)" %
              (d["env"]["tool"], d["env"]["version"], d["env"]["python"],
               ", ".join("%s=%s" % (k, v) for k, v in d["env"].items()
                         if k not in ("tool", "version", "python", "total_s")), d["env"]["total_s"]))
    print()
    print("References:")
    for case in "ABCDE":
        r = ref[case]
        print("- %s: %s; %d check points in [%.6g, %.6g]; timed points linspace(%.6g, %.6g, 1000)%s" %
              (case, r["how"], len(r["t"]), min(r["t"]), max(r["t"]), r["q_lo"], r["q_hi"],
               "; atom %.17g at 0" % r["atom"] if r["atom"] is not None else ""))


def main():
    cmd = sys.argv[1]
    if cmd == "ref":
        ref_main(sys.argv[2], sys.argv[3])
    elif cmd == "run":
        run_main(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif cmd == "bench":
        bench_main(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "report":
        report_main(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
