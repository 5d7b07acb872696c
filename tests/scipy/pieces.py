"""Reference values for maps of the input derived by their pieces (GELU, SiLU, Mish,
hardswish, x*tanh(x), ...), computed without pushforward's pieces or inverses.

For each map g (written here in NumPy from its textbook definition) and each t:
- the preimages of t are found by scanning g - t for sign changes on a grid of step
  1e-3 over mu +- 40 sigma and refining each with scipy.optimize.brentq (xtol 1e-300,
  rtol 8.9e-16);
- P(g(X) <= t) is the Normal's mass over the set {x : g(x) <= t} between them, each
  interval's mass a difference of scipy.special.ndtr values (the Normal CDF, exact in
  the tails), plus the flat pieces' atoms where they lie below t;
- the density is the sum over preimages of phi((r - mu)/sigma)/sigma/|g'(r)|, with g'
  written here by hand.

Prints JSON: a list of cases (file, params, t, cdf, pdf, atoms) for tests/scipy.rs.
"""
import json

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, ndtr
from scipy.stats import norm

K = np.sqrt(2 / np.pi)


def softplus(x):
    return np.logaddexp(0.0, x)


def gelu(x):
    return x * ndtr(x)


def dgelu(x):
    return ndtr(x) + x * norm.pdf(x)


def gelu_tanh(x):
    # (1 + tanh v)/2 = expit(2v): the left form cancels for v << 0 (1 + tanh(-10) keeps
    # 8 digits), the right one does not
    return x * expit(2 * K * (x + 0.044715 * x**3))


def dgelu_tanh(x):
    s = 2 * K * (x + 0.044715 * x**3)
    ds = 2 * K * (1 + 3 * 0.044715 * x * x)
    return expit(s) + x * expit(s) * expit(-s) * ds


def silu(x):
    return x * expit(x)


def dsilu(x):
    s = expit(x)
    return s + x * s * (1 - s)


def mish(x):
    return x * np.tanh(softplus(x))


def dmish(x):
    th = np.tanh(softplus(x))
    return th + x * (1 - th * th) * expit(x)


def hardswish(x):
    return x * np.clip(x + 3, 0, 6) / 6


def dhardswish(x):
    return np.where(x < -3, 0.0, np.where(x > 3, 1.0, (2 * x + 3) / 6))


# file, map, its derivative, its flat pieces (value, lo, hi), the points t to test
MAPS = [
    ("gelu.pf", gelu, dgelu, []),
    ("gelu_tanh.pf", gelu_tanh, dgelu_tanh, []),
    ("silu.pf", silu, dsilu, []),
    ("mish.pf", mish, dmish, []),
    ("hardswish.pf", hardswish, dhardswish, [(0.0, -np.inf, -3.0)]),
    ("x_tanh_x.pf", lambda x: x * np.tanh(x), lambda x: np.tanh(x) + x * (1 - np.tanh(x) ** 2), []),
    ("x_plus_relu.pf", lambda x: x + np.maximum(x, 0), lambda x: np.where(x > 0, 2.0, 1.0), []),
    ("relu_difference.pf", lambda x: np.clip(x, 0, 1), lambda x: np.ones_like(x), [(0.0, -np.inf, 0.0), (1.0, 1.0, np.inf)]),
    ("relu_twice.pf", lambda x: 2 * np.maximum(x, 0), lambda x: 2 * np.ones_like(x), [(0.0, -np.inf, 0.0)]),
    ("bump.pf", lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2, []),
    ("softsign_written.pf", lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2, []),
]


def law(g, dg, flats, mu, sigma, t):
    lo, hi = mu - 40 * sigma, mu + 40 * sigma
    xs = np.linspace(lo, hi, int((hi - lo) / 1e-3) + 1)
    f = lambda x: g(x) - t
    v = f(xs)
    # g - t is a nonzero constant on a flat piece (t is never a flat value here), so a
    # sign change is a preimage off the flat pieces
    roots = []
    for i in np.nonzero(np.sign(v[:-1]) != np.sign(v[1:]))[0]:
        if v[i] == 0:
            roots.append(xs[i])
        else:
            roots.append(brentq(f, xs[i], xs[i + 1], xtol=1e-300, rtol=8.9e-16, maxiter=500))
    roots = sorted(set(roots))
    # the set {g <= t}: between consecutive cut points (the preimages and the ends of
    # the flat pieces), by the sign at the midpoint
    ends = [e for (_, a, b) in flats for e in (a, b) if np.isfinite(e)]
    cuts = [-np.inf] + sorted(set(roots + ends)) + [np.inf]
    cdf = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        if np.isinf(a) and np.isinf(b):
            m = mu
        elif np.isinf(a):
            m = b - 1.0
        elif np.isinf(b):
            m = a + 1.0
        else:
            m = 0.5 * (a + b)
        inside = [(fa, fb) for (_, fa, fb) in flats if fa < m < fb]
        if inside:
            continue
        if g(m) <= t:
            za = (a - mu) / sigma
            zb = (b - mu) / sigma
            # the mass of [a, b], from the nearer tail
            if za > 0:
                cdf += ndtr(-za) - ndtr(-zb)
            else:
                cdf += ndtr(zb) - ndtr(za)
    atoms = []
    for c, a, b in flats:
        mass = ndtr((b - mu) / sigma) - ndtr((a - mu) / sigma)
        atoms.append((c, mass))
        if c <= t:
            cdf += mass
    pdf = sum(norm.pdf((r - mu) / sigma) / sigma / abs(dg(r)) for r in roots if not any(a <= r <= b for (_, a, b) in flats))
    return float(cdf), float(pdf), atoms


def points(g, mu, sigma):
    xs = np.linspace(mu - 8 * sigma, mu + 8 * sigma, 20001)
    gs = g(xs)
    lo, hi = float(np.min(gs)), float(np.max(gs))
    t = list(np.linspace(lo + 1e-3 * (hi - lo), hi - 1e-3 * (hi - lo), 52))
    # tails: far out on the right, and on the left where g has not underflowed to a
    # constant in f64 (there its preimages are not isolated)
    t += [float(g(np.array(mu + 12 * sigma))), float(g(np.array(mu + 20 * sigma)))]
    for k in [6, 4]:
        left = float(g(np.array(mu - k * sigma)))
        if abs(left) > 1e-200 and abs(dgs(g, mu - k * sigma)) > 1e-200:
            t.append(left)
    return t


def dgs(g, x):
    """A central difference of g, to tell whether it still moves at x."""
    h = 1e-6 * max(1.0, abs(x))
    return float(g(np.array(x + h)) - g(np.array(x - h))) / (2 * h)


def cases():
    out = []
    for file, g, dg, flats in MAPS:
        for mu, sigma in [(0.3, 0.8), (-1.0, 2.0), (0.5, 1.0)]:
            ts = points(g, mu, sigma)
            rows = [law(g, dg, flats, mu, sigma, t) for t in ts]
            # points within 1e-9 of a flat value or a turn's value are left out
            keep = [i for i, t in enumerate(ts) if all(abs(t - c) > 1e-9 for c, _, _ in flats) and np.isfinite(rows[i][1])]
            out.append(dict(
                file=file,
                params=dict(mu=mu, sigma=sigma),
                t=[ts[i] for i in keep],
                cdf=[rows[i][0] for i in keep],
                pdf=[rows[i][1] for i in keep],
                atoms=[[float(c), float(m)] for c, m in rows[0][2]],
            ))
    return out


if __name__ == "__main__":
    print(json.dumps(cases()))
