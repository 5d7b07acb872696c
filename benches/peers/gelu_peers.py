#!/usr/bin/env python3
"""pushforward beside NumPy/SciPy and OpenTURNS on Y = gelu(X), X ~ Normal(0.5, 1) (issue 13).

Each peer evaluates the CDF and the density of Y at the same 10^6 evenly spaced points
t in [-0.169, 4) (GELU's minimum is -0.16997 at x* = -0.75179, so the points below 0
have two preimages), on one core; each timing is the median of 5 runs. Accuracy is
measured at 2000 of those points against an mpmath reference at 40 digits.

- pushforward: examples/eval_time (in process, the one-core figure), values from
  `pushforward eval`.
- NumPy/SciPy: the preimages by vectorised `scipy.optimize.newton` on the whole array
  (right branch x >= x*, and left branch x <= x* where t < 0), then `scipy.stats.norm`:
  F(t) = Phi(r2) - Phi(r1), f(t) = sum phi(r)/|g'(r)| with g' = Phi(x) + x phi(x).
- OpenTURNS: `CompositeDistribution(SymbolicFunction(x*0.5*(1+erf(x/sqrt(2)))), Normal(0.5, 1))`
  (SymbolicFunction has no Phi), `computeCDF` and `computePDF` on an `ot.Sample`.
- Reference (mpmath, 40 digits): each preimage by `mpmath.findroot` in a bracket around
  an f64 root that SciPy's `brentq` found on the branch (not the peers' Newton).

Usage, from the repository root: python3 benches/peers/gelu_peers.py [--no-build]

Every peer has a virtual environment of its own under target/peers/ (made here if
missing); the machine's Python is left alone and this script needs only its standard
library. Prints one Markdown table, then the points where pushforward misses the
issue's bounds (1e-13 absolute in the CDF, 1e-11 relative in the density).
"""

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
from decimal import Decimal, getcontext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS = os.path.join(ROOT, "target", "peers")
PROGRAM = os.path.join(ROOT, "examples", "compositions", "gelu.pf")
BINARY = os.path.join(ROOT, "target", "release", "pushforward")
TIMER = os.path.join(ROOT, "target", "release", "examples", "eval_time")

MU, SIGMA = 0.5, 1.0
LO, HI, N = -0.169, 4.0, 1_000_000
EVERY = 500  # accuracy at every 500th point: 2000 points
REPEAT = 5
# the bounds for pushforward
CDF_ABS, PDF_REL = 1e-13, 1e-11

# one thread for every library a peer might parallelise with
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# The points, as eval_time makes them: lo + (hi - lo) * i / n, in this order of
# operations, so that every peer sees the same f64s. Shared by the children below.
POINTS = """
def points(lo, hi, n):
    return [lo + (hi - lo) * i / n for i in range(n)]
"""

# Run inside venv-scipy: time the CDF and the density at 10^6 points, and give the
# values at every EVERY-th point. Arguments: lo hi n mu sigma every repeat.
SCIPY_CHILD = POINTS + r"""
import json, sys, time, warnings
import numpy as np
import scipy
from scipy.optimize import brentq, newton
from scipy.special import ndtr
from scipy.stats import norm

lo, hi, n, mu, sigma, every, repeat = sys.argv[1:]
lo, hi, mu, sigma = map(float, (lo, hi, mu, sigma))
n, every, repeat = int(n), int(every), int(repeat)
ts = np.array(points(lo, hi, n))
SQ2PI = np.sqrt(2 * np.pi)

def phi(x):
    return np.exp(-0.5 * x * x) / SQ2PI

def g(x, t):
    return x * ndtr(x) - t

def dg(x, t):
    return ndtr(x) + x * phi(x)

# GELU's turn and minimum, and g'' there for the quadratic start near it
XS = brentq(lambda x: ndtr(x) + x * phi(x), -1.0, -0.5, xtol=1e-16)
M = XS * ndtr(XS)
C = phi(XS) * (2 - XS * XS)

def closer(a, b, t):
    # of two starting points, the one whose residual is smaller
    return np.where(np.abs(g(a, t)) <= np.abs(g(b, t)), a, b)

def preimages(t):
    # right branch: near the turn g(x) ~ M + C(x - XS)^2/2; elsewhere one fixed-point
    # step of x = t/Phi(x) from x = t. Five Newton steps reach 1e-14 from there.
    q = np.sqrt(2 * np.maximum(t - M, 0) / C)
    right = newton(g, closer(XS + q, t / ndtr(t), t), fprime=dg, args=(t,), tol=1e-14, maxiter=50)
    # left branch, only for t < 0: the quadratic, or the tail g(x) ~ -phi(x)
    neg = t < 0
    tn = t[neg]
    qn = np.sqrt(2 * (tn - M) / C)
    tail = -np.sqrt(-2 * np.log(-tn * SQ2PI))
    left = newton(g, closer(XS - qn, tail, tn), fprime=dg, args=(tn,), tol=1e-14, maxiter=50)
    return right, neg, left

def cdf(t):
    right, neg, left = preimages(t)
    out = norm.cdf(right, loc=mu, scale=sigma)
    out[neg] -= norm.cdf(left, loc=mu, scale=sigma)
    return out

def pdf(t):
    right, neg, left = preimages(t)
    out = norm.pdf(right, loc=mu, scale=sigma) / np.abs(dg(right, t))
    out[neg] += norm.pdf(left, loc=mu, scale=sigma) / np.abs(dg(left, t[neg]))
    return out

def median(f):
    f(ts)  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        v = f(ts)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], v

with warnings.catch_warnings():
    warnings.simplefilter("error")  # a Newton that did not converge is a failure here
    cdf_s, c = median(cdf)
    pdf_s, p = median(pdf)
print(json.dumps({"version": f"NumPy {np.__version__}, SciPy {scipy.__version__}",
                  "cdf_s": cdf_s, "pdf_s": pdf_s,
                  "cdf": c[::every].tolist(), "pdf": p[::every].tolist()}))
"""

# Run inside venv-openturns (no NumPy there): the same, with OpenTURNS.
OT_CHILD = POINTS + r"""
import json, sys, time
import openturns as ot

lo, hi, n, mu, sigma, every, repeat = sys.argv[1:]
lo, hi, mu, sigma = map(float, (lo, hi, mu, sigma))
n, every, repeat = int(n), int(every), int(repeat)
ot.TBB.SetThreadsNumber(1)
ts = ot.Sample([[t] for t in points(lo, hi, n)])
# SymbolicFunction has no Phi; erf it is
gelu = ot.SymbolicFunction(["x"], ["x*0.5*(1+erf(x/sqrt(2)))"])
d = ot.CompositeDistribution(gelu, ot.Normal(mu, sigma))

def median(f):
    f(ts)  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        v = f(ts)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2], v

cdf_s, c = median(d.computeCDF)
pdf_s, p = median(d.computePDF)
c, p = c.asPoint(), p.asPoint()
print(json.dumps({"version": f"OpenTURNS {ot.__version__}",
                  "cdf_s": cdf_s, "pdf_s": pdf_s,
                  "cdf": [c[i] for i in range(0, n, every)], "pdf": [p[i] for i in range(0, n, every)]}))
"""

# Run inside venv-scipy: the reference at the given points (JSON on stdin), as decimal
# strings of 40 digits, and GELU's minimum value.
REFERENCE_CHILD = r"""
import json, sys
import mpmath as mp
from scipy.optimize import brentq
from scipy.special import ndtr

mp.mp.dps = 40
ts, mu, sigma = json.load(sys.stdin)
mu, sigma = mp.mpf(mu), mp.mpf(sigma)
g = lambda x: x * mp.ncdf(x)
dg = lambda x: mp.ncdf(x) + x * mp.npdf(x)
xs = mp.findroot(dg, mp.mpf("-0.75"))
m = g(xs)
xs64 = float(xs)
g64 = lambda x, t: x * ndtr(x) - t

def root(t, a, b):
    # f64 root by brentq on the branch [a, b], then 40 digits by findroot in a bracket
    # around it, widened until g - t changes sign in it (never past the branch's ends)
    r = brentq(g64, a, b, args=(t,), xtol=1e-15, rtol=8.9e-16, maxiter=200)
    t = mp.mpf(t)
    f = lambda x: g(x) - t
    w = mp.mpf(1e-12) * max(1, abs(r))
    while True:
        lo, hi = max(mp.mpf(r) - w, a), min(mp.mpf(r) + w, b)
        if f(lo) * f(hi) <= 0:
            break
        w *= 1000
    x = mp.findroot(f, (lo, hi), solver="anderson")
    assert lo <= x <= hi and abs(f(x)) < mp.mpf(10) ** -35, (t, x)
    return x

cdf, pdf = [], []
for t in ts:
    rs = [root(t, xs64, max(2 * t, t + 1, 1.0))]  # right branch
    if t < 0:
        rs.append(root(t, -40.0, xs64))  # left branch (g(-40) is -0 in f64)
    F = mp.ncdf((rs[0] - mu) / sigma) - (mp.ncdf((rs[1] - mu) / sigma) if t < 0 else 0)
    f = sum(mp.npdf(r, mu, sigma) / abs(dg(r)) for r in rs)
    cdf.append(mp.nstr(F, 40))
    pdf.append(mp.nstr(f, 40))
print(json.dumps({"version": f"mpmath {mp.__version__}", "min": mp.nstr(m, 40), "cdf": cdf, "pdf": pdf}))
"""


def venv(name, packages, probe):
    """The python of target/peers/NAME, made and filled quietly if missing; None if it can't be."""
    py = os.path.join(PEERS, name, "bin", "python")
    if os.path.exists(py) and subprocess.run([py, "-c", probe], capture_output=True).returncode == 0:
        return py
    try:
        subprocess.run([sys.executable, "-m", "venv", os.path.join(PEERS, name)], check=True, capture_output=True)
        subprocess.run([py, "-m", "pip", "install", "--quiet", *packages], check=True, capture_output=True)
    except subprocess.CalledProcessError as e:
        print(f"{name}: could not install {' '.join(packages)}: {(e.stderr or b'').decode()[-300:]}", file=sys.stderr)
        return None
    ok = os.path.exists(py) and subprocess.run([py, "-c", probe], capture_output=True).returncode == 0
    return py if ok else None


def child(py, code, stdin=None):
    env = dict(os.environ, **ONE_THREAD)
    args = [py, "-c", code, str(LO), str(HI), str(N), str(MU), str(SIGMA), str(EVERY), str(REPEAT)]
    out = subprocess.run(args, input=stdin, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def points(lo, hi, n):
    return [lo + (hi - lo) * i / n for i in range(n)]


def pushforward():
    """pushforward's one-core seconds (CDF, density), and its values at the accuracy points."""
    common = [TIMER, PROGRAM, str(LO), str(HI), f"mu={MU}", f"sigma={SIGMA}", f"--repeat={REPEAT}"]
    # eval_time prints one-core and every-core seconds; the first is the figure here
    cdf_s = float(subprocess.run(common + ["--cdf"], capture_output=True, text=True, check=True).stdout.split()[0])
    pdf_s = float(subprocess.run(common, capture_output=True, text=True, check=True).stdout.split()[0])
    ts = points(LO, HI, N)[::EVERY]
    cdf, pdf = [], []
    for k in range(0, len(ts), 250):  # in chunks, so that no command line is too long
        at = ",".join(repr(t) for t in ts[k:k + 250])
        ev = subprocess.run([BINARY, "eval", PROGRAM, "--set", f"mu={MU}", "--set", f"sigma={SIGMA}", "--at=" + at],
                            capture_output=True, text=True, check=True)
        r = json.loads(ev.stdout)
        cdf += r["cdf"]
        pdf += r["pdf"]
    return {"version": "pushforward " + git_rev(), "cdf_s": cdf_s, "pdf_s": pdf_s, "cdf": cdf, "pdf": pdf}


def git_rev():
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout
    return rev + ("+changes" if dirty.strip() else "")


def errors(values, ref, ts, minimum):
    """Max |ΔF|, max |ΔF|/F (F > 1e-300), max |Δf|/f, and the points past the issue's bounds,
    over the points at least 1e-6 above the minimum value. Decimal, so that the
    reference's 40 digits are kept."""
    getcontext().prec = 50
    abs_cdf = rel_cdf = rel_pdf = Decimal(0)
    bad = []
    for t, c, p, rc, rp in zip(ts, values["cdf"], values["pdf"], ref["cdf"], ref["pdf"]):
        if Decimal(t) - minimum < Decimal("1e-6"):
            continue
        rc, rp = Decimal(rc), Decimal(rp)
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (c, p)):
            bad.append((t, c, p, rc, rp))  # NaN, an infinity, or a refusal in the JSON
            continue
        dc, dp = abs(Decimal(c) - rc), abs(Decimal(p) - rp) / rp
        abs_cdf = max(abs_cdf, dc)
        if rc > Decimal("1e-300"):
            rel_cdf = max(rel_cdf, dc / rc)
        rel_pdf = max(rel_pdf, dp)
        if dc > Decimal(CDF_ABS) or dp > Decimal(PDF_REL):
            bad.append((t, c, p, rc, rp))
    return float(abs_cdf), float(rel_cdf), float(rel_pdf), bad


def machine():
    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
                  if line.startswith("Model name")), "unknown CPU")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, load average {load} at the start; {datetime.date.today().isoformat()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-build", action="store_true", help="use target/release as it is")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "pushforward", "--example", "eval_time"], cwd=ROOT, check=True)
    scipy_py = venv("venv-scipy", ["numpy", "scipy", "mpmath"], "import numpy, scipy, mpmath")
    ot_py = venv("venv-openturns", ["openturns"], "import openturns")
    if scipy_py is None:
        sys.exit("NumPy/SciPy could not be installed: no peer and no reference")
    where = machine()  # before the timings load the machine

    rows = [("pushforward", pushforward())]
    # a peer that fails is a row saying so, not the end of the table
    for name, py, code in [("NumPy/SciPy (vectorised newton + scipy.stats.norm)", scipy_py, SCIPY_CHILD),
                           ("OpenTURNS CompositeDistribution", ot_py, OT_CHILD)]:
        if py is None:
            rows.append((name, "could not be installed"))
            continue
        try:
            rows.append((name, child(py, code)))
        except RuntimeError as e:
            rows.append((name, f"failed: {e}"))

    ts = points(LO, HI, N)[::EVERY]
    ref = child(scipy_py, REFERENCE_CHILD, stdin=json.dumps([ts, MU, SIGMA]))
    minimum = Decimal(ref["min"])
    ours = rows[0][1]

    print(f"Y = gelu(X), X ~ Normal({MU}, {SIGMA}): CDF and density at {N:,} evenly spaced points in [{LO}, {HI}),"
          f" one core, median of {REPEAT} runs; accuracy at {len(ts)} of them (those ≥ 1e-6 above the minimum"
          f" {float(minimum):.10f}) against {ref['version']} at 40 digits.\n")
    print(f"Machine: {where}.\n")
    print("| peer | version | CDF, s per 10^6 points | density, s per 10^6 points | CDF time / pushforward's |"
          " density time / pushforward's | max abs CDF error | max rel CDF error | max rel density error |")
    print("|---|---|---|---|---|---|---|---|---|")
    bad_ours = []
    for name, r in rows:
        if isinstance(r, str):
            print(f"| {name} | — | {r} | | | | | | |")
            continue
        abs_c, rel_c, rel_p, bad = errors(r, ref, ts, minimum)
        if r is ours:
            bad_ours = bad
        print(f"| {name} | {r['version']} | {r['cdf_s']:.3f} | {r['pdf_s']:.3f} | {r['cdf_s'] / ours['cdf_s']:.2f}× |"
              f" {r['pdf_s'] / ours['pdf_s']:.2f}× | {abs_c:.1e} | {rel_c:.1e} | {rel_p:.1e} |")

    print(f"\npushforward past the issue's bounds ({CDF_ABS:g} absolute in the CDF, {PDF_REL:g} relative in the density):"
          f" {len(bad_ours)} of {len(ts)} points.")
    for t, c, p, rc, rp in bad_ours[:20]:
        print(f"- t = {t!r}: CDF {c!r} (reference {float(rc)!r}), density {p!r} (reference {float(rp)!r})")


if __name__ == "__main__":
    main()
