"""Reference values for Y = conv(relu(x), w) = sum_i w_i relu(X_i), X_i iid N(mu, sigma^2),
computed without pushforward's numeric laws: over the subsets S of the copies that are
positive (the others are 0, each with probability p = Phi(-mu/sigma)),

    P(Y <= t) = sum_S p^(n - |S|) P(sum_{i in S} w_i X_i <= t, X_i > 0 for i in S),

each term by nested scipy.integrate.quad over the positive copies (the innermost a
difference of scipy.special.ndtr values), and the density the same with the innermost
CDF replaced by its density. Each nested integral's error is estimated as the outer
quad's estimate plus the largest inner one (f has mass at most 1), and the case's
"cdf_err" and "pdf_err" carry them so that the test can allow for them.

Prints JSON: a list of cases (file, params, t, cdf, pdf, cdf_err, pdf_err, atoms) for
tests/scipy.rs. Weights must be positive here.
"""
import itertools
import json

import numpy as np
from scipy.integrate import quad
from scipy.special import ndtr

EPS = dict(epsabs=1e-15, epsrel=1e-13, limit=200)


def term(ws, t, mu, sigma, density):
    """P(sum w_i X_i <= t, all X_i > 0) (or its density in t), with its error estimate."""
    F = lambda x: ndtr((x - mu) / sigma)
    f = lambda x: np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    if t <= 0:
        return 0.0, 0.0
    w = ws[0]
    if len(ws) == 1:
        if density:
            return f(t / w) / w, 0.0
        return F(t / w) - F(0.0), 0.0
    worst = [0.0]

    def inner(x):
        v, e = term(ws[1:], t - w * x, mu, sigma, density)
        worst[0] = max(worst[0], e)
        return f(x) * v

    v, e = quad(inner, 0.0, t / w, **EPS)
    # the outer estimate, plus the inner ones weighted by f, whose mass is at most 1
    return v, e + worst[0]


def law(ws, t, mu, sigma):
    p = ndtr(-mu / sigma)
    n = len(ws)
    cdf = pdf = cdf_err = pdf_err = 0.0
    for k in range(n + 1):
        for S in itertools.combinations(range(n), k):
            weight = p ** (n - k)
            if k == 0:
                cdf += weight * (1.0 if t >= 0 else 0.0)
                continue
            sub = [ws[i] for i in S]
            c, ce = term(sub, t, mu, sigma, False)
            d, de = term(sub, t, mu, sigma, True)
            cdf, cdf_err = cdf + weight * c, cdf_err + weight * ce
            pdf, pdf_err = pdf + weight * d, pdf_err + weight * de
    return cdf, pdf, cdf_err, pdf_err


cases = []
ws = [0.25, 0.5, 0.25]
for mu, sigma in [(0.3, 0.8), (0.0, 1.0), (-0.5, 0.6)]:
    p = ndtr(-mu / sigma)
    hi = max(mu, 0.0) + 6 * sigma
    ts = [-0.5, 1e-9, 1e-6, 1e-3] + list(np.linspace(0.01, hi, 30))
    vals = [law(ws, t, mu, sigma) for t in ts]
    cases.append(
        {
            "file": "conv_relu.pf",
            "params": {"mu": mu, "sigma": sigma},
            "t": ts,
            "cdf": [v[0] for v in vals],
            "pdf": [v[1] for v in vals],
            "cdf_err": [v[2] for v in vals],
            "pdf_err": [v[3] for v in vals],
            "atoms": [[0.0, p**3]],
        }
    )
print(json.dumps(cases))
