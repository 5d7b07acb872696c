#!/usr/bin/env python3
"""pushforward beside SymPy's sympy.stats on the paper's transforms (and |x|, x²).

For each transform: the time SymPy's density() and cdf() take on Y = g(X) with
X ~ Normal(mu, sigma) symbolic (each call in a process of its own, stopped after
--timeout seconds), whether SymPy's answers are right (evaluated at points with
mu = 0.3, sigma = 0.8 and compared with pushforward's, which the test suite checks
against closed forms, quadrature and Monte Carlo), and the time of `pushforward
derive` (CDF, PDF, derivation, LaTeX) on the same program. Prints one Markdown table.

A second table: the PDF of each paper program at 10^6 points, pushforward's compiled
formula (one core, and every core) against NumPy evaluating the same formula through
`sympy.lambdify` (its exp, log and erf are vectorized).

Usage: python3 benches/peers/sympy_compare.py [--timeout 60] [--repeat 20]

SymPy is installed with pip into a virtual environment of its own
(benches/peers/.venv), so the machine's Python is left alone. pushforward is built
with `cargo build --release` first.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(HERE, ".venv")
PY = os.path.join(VENV, "bin", "python")

# name, pushforward program, SymPy expression of X (and of iid copies X1, X2, X3)
TRANSFORMS = [
    ("conv", "y = conv(x, [0.25, 0.5, 0.25])", "Rational(1,4)*X1 + Rational(1,2)*X2 + Rational(1,4)*X3"),
    ("relu", "y = relu(x)", "Max(0, X)"),
    ("leaky_relu", "y = leaky_relu(x, 0.1)", "Piecewise((X, X >= 0), (Rational(1,10)*X, True))"),
    ("tanh", "y = tanh(x)", "tanh(X)"),
    ("sigmoid", "y = sigmoid(x)", "1/(1 + exp(-X))"),
    ("maxpool", "y = maxpool(x, 2)", "Max(X1, X2)"),
    ("abs", "y = abs(x)", "Abs(X)"),
    ("square", "y = x^2", "X**2"),
]

POINTS = [-0.5, 0.2, 0.5, 0.9, 1.5]
MU, SIGMA = 0.3, 0.8

# Run inside the venv: one SymPy call on one transform, result as JSON on stdout.
CHILD = r"""
import json, sys, time
from sympy import *
from sympy.stats import Normal, density, cdf
which, expr_text, points, mu_v, sigma_v = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
mu, sigma = symbols('mu sigma', real=True)
sigma = Symbol('sigma', positive=True)
X = Normal('X', mu, sigma)
X1, X2, X3 = Normal('X1', mu, sigma), Normal('X2', mu, sigma), Normal('X3', mu, sigma)
Y = eval(expr_text)
t = Symbol('t', real=True)
start = time.perf_counter()
if which == 'density':
    f = density(Y)(t)
else:
    f = cdf(Y)(t)
took = time.perf_counter() - start
values = []
for p in points:
    try:
        v = complex(N(f.subs({mu: mu_v, sigma: sigma_v, t: p})))
        values.append(v.real if abs(v.imag) < 1e-12 else None)
    except Exception as e:
        values.append(None)
print(json.dumps({"seconds": took, "values": values, "text": str(f)[:200]}))
"""


def ensure_venv():
    if not os.path.exists(PY):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    probe = subprocess.run([PY, "-c", "import sympy, numpy, scipy; print(sympy.__version__)"], capture_output=True, text=True)
    if probe.returncode != 0:
        subprocess.run([PY, "-m", "pip", "install", "--quiet", "sympy", "mpmath", "numpy", "scipy"], check=True)
        probe = subprocess.run([PY, "-c", "import sympy, numpy, scipy; print(sympy.__version__)"], capture_output=True, text=True)
    return probe.stdout.strip()


def sympy_call(which, expr, timeout):
    args = [PY, "-c", CHILD, which, expr, json.dumps(POINTS), str(MU), str(SIGMA)]
    start = time.perf_counter()
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"no answer in {timeout} s", "seconds": None, "values": None}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["error"])[-1]
        return {"status": "error: " + last[:80], "seconds": time.perf_counter() - start, "values": None}
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["status"] = "answered"
    return r


def pushforward(binary, timer, program, repeat):
    src = f"x ~ Normal(mu, sigma)\n{program}\n"
    path = os.path.join(HERE, ".venv", "program.pf")
    with open(path, "w") as f:
        f.write(src)
    # in process, as criterion measures it (a process start adds about a millisecond)
    median = float(subprocess.run([timer, path, str(repeat)], capture_output=True, text=True, check=True).stdout)
    ev = subprocess.run(
        [binary, "eval", "-e", src, "--set", f"mu={MU}", "--set", f"sigma={SIGMA}",
         "--at=" + ",".join(str(p) for p in POINTS)],
        capture_output=True, text=True, check=True)
    return median, json.loads(ev.stdout)


def verdict(ours, theirs):
    """Right, or where SymPy's values are wrong or undefined."""
    if theirs is None:
        return "not evaluable"
    wrong, undefined = [], []
    for o, s, p in zip(ours, theirs, POINTS):
        if s is None:
            undefined.append(f"{p:g}")
        elif abs(o - s) > 1e-6 * max(abs(o), 1e-3):
            wrong.append(f"t = {p:g}: {s:.3g}, not {o:.3g}")
    out = []
    if wrong:
        out.append("wrong (" + "; ".join(wrong) + ")")
    if undefined:
        out.append("not a real number at t = " + ", ".join(undefined))
    return "; ".join(out) if out else "right"


# Run inside the venv: our PDF's s-expression to SymPy, lambdified for NumPy, timed.
NUMPY_CHILD = r"""
import json, sys, time
import numpy as np
from sympy import *
sexp, lo, hi, params = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])
t = Symbol('t', real=True)
def parse(tokens):
    tok = tokens.pop(0)
    if tok != '(':
        if tok == 't':
            return t
        if tok in params:
            return Float(params[tok])
        return Rational(tok)
    op = tokens.pop(0)
    args = []
    while tokens[0] != ')':
        args.append(parse(tokens))
    tokens.pop(0)
    a = args
    bracket = lambda c: Piecewise((1, c), (0, True))
    table = {
        '+': lambda: a[0] + a[1], '-': lambda: a[0] - a[1], '*': lambda: a[0] * a[1],
        '/': lambda: a[0] / a[1], '^': lambda: a[0] ** a[1], 'neg': lambda: -a[0],
        'abs': lambda: Abs(a[0]), 'exp': lambda: exp(a[0]), 'log': lambda: log(a[0]),
        'sqrt': lambda: sqrt(a[0]), 'tanh': lambda: tanh(a[0]), 'atanh': lambda: atanh(a[0]),
        'sigmoid': lambda: 1 / (1 + exp(-a[0])), 'logit': lambda: log(a[0] / (1 - a[0])),
        'Phi': lambda: (1 + erf(a[0] / sqrt(2))) / 2,
        'phi': lambda: exp(-a[0] ** 2 / 2) / sqrt(2 * pi),
        '>=': lambda: bracket(a[0] >= a[1]), '>': lambda: bracket(a[0] > a[1]),
        'max': lambda: Max(a[0], a[1]), 'min': lambda: Min(a[0], a[1]),
        'fact': lambda: factorial(a[0]),
    }
    return table[op]()
tokens = sexp.replace('(', ' ( ').replace(')', ' ) ').split()
# NumPy, with SciPy's vectorized erf for Phi
f = lambdify(t, parse(tokens), ['scipy', 'numpy'])
ts = np.linspace(lo, hi, 1_000_000, endpoint=False)
with np.errstate(all='ignore'):
    f(ts)
    times = []
    for _ in range(21):
        start = time.perf_counter()
        f(ts)
        times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2])
"""

# paper program, its parameters, and the range of t its PDF is evaluated on
NUMPY_CASES = [
    ("conv", "examples/paper/conv.pf", {"mu": 0.3, "sigma": 0.8, "w1": 0.25, "w2": 0.5, "w3": 0.25}, -3.0, 3.0),
    ("relu", "examples/paper/relu.pf", {"mu": 0.3, "sigma": 0.8}, -1.0, 3.0),
    ("leaky_relu", "examples/paper/leaky_relu.pf", {"mu": 0.3, "sigma": 0.8, "alpha": 0.1}, -1.0, 3.0),
    ("tanh", "examples/paper/tanh.pf", {"mu": 0.3, "sigma": 0.8}, -1.2, 1.2),
    ("sigmoid", "examples/paper/sigmoid.pf", {"mu": 0.3, "sigma": 0.8}, -0.2, 1.2),
    ("maxpool", "examples/paper/maxpool.pf", {"mu": 0.3, "sigma": 0.8, "N": 4}, -2.0, 4.0),
]


def numpy_table(binary):
    timer = os.path.join(ROOT, "target", "release", "examples", "eval_time")
    print("\n| paper program | pushforward, one core | pushforward, every core | NumPy (lambdify) | one core / NumPy | every core / NumPy |")
    print("|---|---|---|---|---|---|")
    for name, path, params, lo, hi in NUMPY_CASES:
        full = os.path.join(ROOT, path)
        d = json.loads(subprocess.run([binary, "derive", full, "--format", "json"], capture_output=True, text=True, check=True).stdout)
        sets = [f"{k}={v}" for k, v in params.items()]
        one, every = map(float, subprocess.run([timer, full, str(lo), str(hi)] + sets, capture_output=True, text=True, check=True).stdout.split())
        np_t = float(subprocess.run([PY, "-c", NUMPY_CHILD, d["density"]["sexp"], str(lo), str(hi), json.dumps(params)], capture_output=True, text=True, check=True).stdout)
        rate = lambda s: f"{1e6 / s / 1e6:.0f} M points/s ({s * 1e3:.1f} ms)"
        print(f"| {name} | {rate(one)} | {rate(every)} | {rate(np_t)} | {np_t / one:.2f}× | {np_t / every:.2f}× |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--numpy-only", action="store_true", help="only the evaluation table")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "pushforward", "--example", "derive_time", "--example", "eval_time"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "pushforward")
    timer = os.path.join(ROOT, "target", "release", "examples", "derive_time")
    version = ensure_venv()
    if args.numpy_only:
        numpy_table(binary)
        return
    rows = []
    for name, program, expr in TRANSFORMS:
        ours_t, ours = pushforward(binary, timer, program, args.repeat)
        dens = sympy_call("density", expr, args.timeout)
        cdfr = sympy_call("cdf", expr, args.timeout)
        dv = verdict(ours["pdf"], dens.get("values")) if dens["status"] == "answered" else dens["status"]
        cv = verdict(ours["cdf"], cdfr.get("values")) if cdfr["status"] == "answered" else cdfr["status"]
        both = None
        if dens["status"] == "answered" and cdfr["status"] == "answered":
            both = dens["seconds"] + cdfr["seconds"]
        rows.append((name, ours_t, dens, dv, cdfr, cv, both))
    print(f"SymPy {version}; pushforward `derive` timed in process (median of {args.repeat});"
          f" answers compared at t = {POINTS} with mu = {MU}, sigma = {SIGMA}.\n")
    print("| transform | pushforward derive | SymPy density() | its answer | SymPy cdf() | its answer | ratio (SymPy / pushforward) |")
    print("|---|---|---|---|---|---|---|")
    for name, ours_t, dens, dv, cdfr, cv, both in rows:
        def cell(r):
            return f"{r['seconds']:.3f} s" if r.get("seconds") is not None and r["status"] == "answered" else "—"
        ratio = f"{both / ours_t:,.0f}×" if both is not None else "SymPy did not finish both"
        print(f"| {name} | {ours_t * 1e3:.2f} ms | {cell(dens)} | {dv} | {cell(cdfr)} | {cv} | {ratio} |")

    numpy_table(binary)


if __name__ == "__main__":
    main()
