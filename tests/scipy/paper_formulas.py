"""Reference values of the paper's formulas (with a mean), computed by SciPy.

Prints JSON: for each case, the program file, the parameters, the points t and the
CDF, density and atoms at them. tests/scipy.rs compares pushforward's compiled
evaluator with these to 1e-9 relative. Points reach far into the tails, where
Phi must not lose relative accuracy.
"""
import json

import numpy as np
from scipy.special import ndtr, logit
from scipy.stats import norm


def pdf(z):
    return norm.pdf(z)


def cases():
    out = []
    for mu, sigma in [(0.0, 1.0), (0.5, 2.0), (-1.0, 0.3)]:
        t = np.concatenate([np.linspace(-0.999999, 0.999999, 61), [-1 + 1e-12, 1 - 1e-12, 0.9999999999]])
        z = (np.arctanh(t) - mu) / sigma
        out.append(dict(file="tanh.pf", params=dict(mu=mu, sigma=sigma), t=t, cdf=ndtr(z), pdf=pdf(z) / (sigma * (1 - t * t)), atoms=[]))
        t = np.concatenate([np.linspace(1e-9, 1 - 1e-9, 61), [1e-300, 1e-15]])
        z = (logit(t) - mu) / sigma
        out.append(dict(file="sigmoid.pf", params=dict(mu=mu, sigma=sigma), t=t, cdf=ndtr(z), pdf=pdf(z) / (sigma * t * (1 - t)), atoms=[]))
        t = np.concatenate([np.linspace(0, 8 * sigma + abs(mu), 61), [40 * sigma]])
        z = (t - mu) / sigma
        out.append(dict(file="relu.pf", params=dict(mu=mu, sigma=sigma), t=t, cdf=ndtr(z), pdf=pdf(z) / sigma, atoms=[[0.0, float(ndtr(-mu / sigma))]]))
        for alpha in [0.1, 0.5]:
            t = np.linspace(-10 * sigma, 10 * sigma, 61) + 1e-3
            u = np.where(t >= 0, t, t / alpha)
            z = (u - mu) / sigma
            scale = np.where(t >= 0, 1.0, 1.0 / alpha)
            out.append(dict(file="leaky_relu.pf", params=dict(mu=mu, sigma=sigma, alpha=alpha), t=t, cdf=ndtr(z), pdf=scale * pdf(z) / sigma, atoms=[]))
        for n in [2, 9, 1000]:
            t = np.linspace(mu - 30 * sigma, mu + 8 * sigma, 61)
            z = (t - mu) / sigma
            out.append(dict(file="maxpool.pf", params=dict(mu=mu, sigma=sigma, N=n), t=t, cdf=ndtr(z) ** n, pdf=n * ndtr(z) ** (n - 1) * pdf(z) / sigma, atoms=[]))
        w = [0.25, -0.5, 2.0]
        s = sum(w)
        norm_w = np.sqrt(sum(x * x for x in w))
        t = np.linspace(mu * s - 30 * sigma * norm_w, mu * s + 30 * sigma * norm_w, 61)
        z = (t - mu * s) / (sigma * norm_w)
        out.append(dict(file="conv.pf", params=dict(mu=mu, sigma=sigma, w1=w[0], w2=w[1], w3=w[2]), t=t, cdf=ndtr(z), pdf=pdf(z) / (sigma * norm_w), atoms=[]))
    return out


def plain(x):
    if isinstance(x, np.ndarray):
        return [float(v) for v in x]
    return x


print(json.dumps([{k: plain(v) for k, v in c.items()} for c in cases()]))
