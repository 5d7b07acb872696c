"""Reference values for two pipelines that end in a max of two copies, X ~ N(mu, sigma^2),
computed without pushforward's numeric laws. For Y = maxpool(E, 2) of a law E with CDF F
and continuous density f, P(Y <= t) = F(t)^2 (atoms included, as in sums.py) and Y's
continuous density is 2 F(t) f(t); the reference's error there is 2|F| eF + eF^2 for the
CDF and 2 (|F| ef + |f| eF + eF ef) for the density (plus their rounding), with eF, ef
those of E.

maxpool_conv_relu.pf: E = S = conv(relu(x), [1/4, 1/2, 1/4]), by the subset
decomposition of tests/scipy/sums.py (copied here): over the subsets of the copies that
are positive (the others are 0, each with probability p = Phi(-mu/sigma)), nested
scipy.integrate.quad, the innermost a difference of scipy.special.ndtr values. A nested
integral's error is the outer quad's estimate plus the inner ones weighted by the Normal
density f: since the integrands are >= 0, at most the largest inner one and at most the
largest relative one times the integral, so that small densities keep a small relative
error. Y has the atom P(Y = 0) = p^6.

pipeline2.pf: A = conv(x, [1/2]*4) ~ N(2 mu, sigma^2) exactly, B = maxpool(A, 2),
C = conv(B, [1/2]*4), Y = maxpool(C, 2); no atoms. C is taken through its moment
generating function, not by convolving densities. With M the max of two iid N(0, 1),
B = 2 mu + sigma M and C = 4 mu + (sigma/2)(M_1 + ... + M_4), so
    E[exp(w M)] = 2 exp(w^2/2) Phi(w/sqrt2) = exp(w^2/4) erfcx(-w/2)
(the Normal's MGF against 2 Phi(z) phi(z); on w = i s it is
exp(-s^2/2) + i (2/sqrt(pi)) exp(-s^2/4) dawsn(s/2), and check_cf compares both with quad
over the density 2 Phi(z) phi(z)), and K(w) = E[exp(w (C - 4 mu))] is its fourth power at
sigma w/2. K is entire, so Gil-Pelaez's inversion integrals may be taken along any
vertical line w = theta + i s instead of the imaginary axis (an Esscher tilt):
    f_C(t) = (1/pi) int_0^inf Re[K(w) e^{-w x}] ds,             x = t - 4 mu,
    (1/pi) int_0^inf Re[K(w) e^{-w x} / w] ds = 1 - F_C(t) for theta > 0, -F_C(t) for theta < 0.
theta is the saddle point (d/dtheta log K(theta) = x, by brentq), kept at least 1/sd(C)
from 0, so that the integrand, scaled by its value K(theta) e^{-theta x} at s = 0, neither
oscillates much nor cancels, and tail values come out with a small relative error, not
only a small absolute one (theta = 0 is plain Gil-Pelaez, whose absolute error ~1e-15 is
a relative one of 1e-9 where the density is 1e-6). The s-integral is cut where the scaled
|K(w) e^{-w x}| falls below 1e-20 (it decays like exp(-sigma^2 s^2 / 4)); the part left
off is bounded by quad of that modulus from the cut to infinity. Each value's error is
quad's estimate, plus that bound, plus DELTA = 1e-13 times the integral of the
integrand's modulus: one value of the integrand is good to that relative error (scipy's
complex erfcx is within 1.6e-14 of mpmath on the region used, it is taken to the fourth
power, and the exponent's parts, up to ~100, round to ~2e-14).

`--check` recomputes eight points of each pipeline2 case by plain Gil-Pelaez (theta = 0)
and by nested quad convolution of the density 2 Phi(z) phi(z) (no transform at all), and
prints the discrepancies to stderr; the JSON is the same.

Prints JSON: a list of cases (file, params, t, cdf, pdf, cdf_err, pdf_err, atoms) for
tests/scipy.rs.
"""
import itertools
import json
import sys
import warnings

import numpy as np
from scipy.integrate import IntegrationWarning, quad
from scipy.optimize import brentq
from scipy.special import dawsn, erfcx, log_ndtr, ndtr

# quad's tolerances: relative (just above its floor 50 eps) and, for CDFs, absolute; where
# the integrand's own rounding makes quad give up (IntegrationWarning) they are loosened
TIGHT, LOOSE = 2e-14, 1e-13
ULP = np.finfo(float).eps
# relative error of one value of the inversion integrand (see the docstring)
DELTA = 1e-13
SQPI = np.sqrt(np.pi)


def integrate(g, a, b, epsabs):
    """quad of g over [a, b] and its error estimate, never one that quad flags as unsure."""
    for rel in [TIGHT, LOOSE]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", IntegrationWarning)
            try:
                return quad(g, a, b, epsabs=epsabs, epsrel=rel, limit=200)
            except IntegrationWarning:
                pass
    raise RuntimeError(f"quad could not reach {LOOSE:e} over [{a}, {b}]")


# ---- E = conv(relu(x), w): the subset decomposition of sums.py ----


def term(ws, t, mu, sigma, density):
    """P(sum w_i X_i <= t, all X_i > 0) (or its density in t), with its error estimate."""
    F = lambda x: ndtr((x - mu) / sigma)
    f = lambda x: np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    if t <= 0:
        return 0.0, 0.0
    w = ws[0]
    if len(ws) == 1:
        if density:
            v = f(t / w) / w
            return v, 4 * ULP * v
        a, b = F(0.0), F(t / w)
        return b - a, 2 * ULP * (a + b)
    worst, rel, flat = [0.0], [0.0], [0.0]

    def inner(x):
        v, e = term(ws[1:], t - w * x, mu, sigma, density)
        worst[0] = max(worst[0], e)
        if v > 0:
            rel[0] = max(rel[0], e / v)
        else:
            flat[0] = max(flat[0], e)
        return f(x) * v

    v, e = integrate(inner, 0.0, t / w, 0.0 if density else 1e-17)
    # the outer estimate, plus the inner ones weighted by f, whose mass is at most 1: at
    # most the largest inner one, and at most (largest relative one) * int f v + the rest
    return v, e + min(worst[0], rel[0] * (v + e) + flat[0])


def conv_relu(ws, t, mu, sigma):
    """CDF (with the atom at 0), continuous density, and their errors, of conv(relu(x), ws)."""
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
    # the rounding of the sum of 2^n terms; a CDF is in [0, 1], so clipping only helps
    return min(cdf, 1.0), pdf, cdf_err + 2**n * ULP * cdf, pdf_err + 2**n * ULP * pdf


def maxpool2(F, f, eF, ef):
    """The law of the max of two copies from one copy's (F, f, eF, ef) at a point."""
    F2, f2 = F * F, 2 * F * f
    eF2 = 2 * abs(F) * eF + eF * eF + ULP * F2
    ef2 = 2 * (abs(F) * ef + abs(f) * eF + eF * ef) + ULP * abs(f2)
    return F2, f2, eF2, ef2


# ---- C = conv(maxpool(N(2 mu, sigma^2), 2), [1/2]*4): inversion of its MGF ----


def log_mgf_max(w):
    """log E[exp(w M)], M the max of two iid N(0, 1), for complex w (any branch)."""
    return w * w / 4 + np.log(erfcx(-w / 2))


def log_mgf_c(w, sigma):
    """log E[exp(w (C - 4 mu))]: four iid (sigma/2) M."""
    return 4 * log_mgf_max(sigma * w / 2)


def saddle(x, sigma):
    """The real theta with d/dtheta log E[exp(theta (C - 4 mu))] = x."""
    # d/du log E[exp(u M)] = u + phi(u/sqrt2) / (sqrt2 Phi(u/sqrt2)), increasing in u
    dk = lambda u: u + np.exp(-u * u / 4 - log_ndtr(u / np.sqrt(2))) / (2 * SQPI)
    u = brentq(lambda u: 2 * sigma * dk(u) - x, -500.0, 500.0, xtol=1e-14)
    return 2 * u / sigma


def cut(g, scale):
    """The s beyond which |g(s)| < 1e-20 (g(0) = 1), on a grid of step 0.01 * scale."""
    s = np.arange(1, 20001) * (0.01 * scale)
    big = np.nonzero(np.abs(g(s)) >= 1e-20)[0]
    assert len(big) < len(s) - 1, "the integrand does not decay"
    return s[big[-1] + 1] if len(big) else s[0]


def law_c(t, mu, sigma, theta=None):
    """F_C(t), f_C(t) and their errors, inverting along Re w = theta (saddle by default)."""
    x = t - 4 * mu
    sd = sigma * np.sqrt(1 - 1 / np.pi)
    if theta is None:
        theta = saddle(x, sigma)
        if abs(theta) < 1 / sd:
            theta = np.copysign(1 / sd, theta)
    l0 = (log_mgf_c(theta, sigma) - theta * x).real
    g = lambda s: np.exp(log_mgf_c(theta + 1j * s, sigma) - (theta + 1j * s) * x - l0)
    S = cut(g, 1 / sigma)
    tail = quad(lambda s: abs(g(s)), S, np.inf, epsrel=1e-3)[0]
    mod_f = quad(lambda s: abs(g(s)), 0, S, epsrel=1e-3, limit=200)[0]
    scale = np.exp(l0) / np.pi
    # untilted (--check), the integrals cancel in the tails: an absolute tolerance then
    tol = 5e-14 if theta == 0 else 0.0
    d, de = integrate(lambda s: g(s).real, 0, S, tol)
    pdf = scale * d
    pdf_err = scale * (de + tail + DELTA * mod_f) + ULP * abs(pdf)
    if theta == 0:
        # Gil-Pelaez: F = 1/2 - (1/pi) int_0^inf Im(e^{-isx} phi(s)) / s ds
        h = lambda s: g(s).imag / s
        mod_h = quad(lambda s: abs(h(s)), 0, S, epsrel=1e-3, limit=200)[0]
        c, ce = integrate(h, 0, S, max(tol, 1e-17))
        cdf = 0.5 - c / np.pi
    else:
        h = lambda s: (g(s) / (theta + 1j * s)).real
        mod_h = quad(lambda s: abs(h(s)), 0, S, epsrel=1e-3, limit=200)[0]
        c, ce = integrate(h, 0, S, max(tol, 1e-17))
        cdf = 1 - scale * c if theta > 0 else -scale * c
    cdf_err = scale * (ce + tail / max(S, abs(theta)) + DELTA * mod_h) + ULP * abs(cdf)
    return min(max(cdf, 0.0), 1.0), pdf, cdf_err, pdf_err


def check_cf():
    """E[exp(i s M)] in closed form against quad over M's density 2 Phi(z) phi(z)."""
    fm = lambda z: 2 * ndtr(z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
    for s in [0.1, 0.7, 1.5, 3.0, 6.0, 10.0]:
        closed = np.exp(log_mgf_max(1j * s))
        dawson = np.exp(-s * s / 2) + 1j * (2 / SQPI) * np.exp(-s * s / 4) * dawsn(s / 2)
        # the density is below 2 phi(z): beyond +-12 lies less than 1e-32; the parts
        # cancel to ~1e-17 for large s, so the tolerance is absolute
        with warnings.catch_warnings():
            warnings.simplefilter("error", IntegrationWarning)
            re, im = (
                sum(
                    quad(lambda z: fm(z) * trig(s * z), a, b, epsabs=1e-14, epsrel=1e-13)[0]
                    for a, b in [(-12, 0), (0, 12)]
                )
                for trig in (np.cos, np.sin)
            )
        assert abs(closed - (re + 1j * im)) < 1e-14, (s, closed, re + 1j * im)
        assert abs(closed - dawson) < 1e-15, (s, closed, dawson)


def check_c(t, mu, sigma):
    """F_C(t), f_C(t) by nested quad: C = 4 mu + (sigma/2) T, T = (M_1 + M_2) + (M_3 + M_4)."""
    q = dict(epsabs=0.0, epsrel=1e-12, limit=200)
    fm = lambda z: 2 * ndtr(z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)
    # fm(y) fm(u - y) peaks at y = u/2 and falls like exp(-(y - u/2)^2); fm(y) Phi(v - y)^2
    # is negligible below min(v/2, 0) - 12 and above min(v, 0) + 12
    f2 = lambda u: quad(lambda y: fm(y) * fm(u - y), u / 2 - 12, u / 2 + 12, **q)[0]
    F2 = lambda v: quad(
        lambda y: fm(y) * ndtr(v - y) ** 2, min(v / 2, 0) - 12, min(v, 0) + 12, **q
    )[0]
    z = 2 * (t - 4 * mu) / sigma
    lo, hi = min(z / 2, 2 / SQPI) - 14, max(z / 2, 2 / SQPI) + 14
    fT = quad(lambda u: f2(u) * f2(z - u), lo, hi, points=[z / 2], **q)[0]
    FT = quad(lambda u: f2(u) * F2(z - u), lo, hi, points=[z / 2], **q)[0]
    return FT, 2 * fT / sigma


def case(file, mu, sigma, ts, vals, atoms):
    return {
        "file": file,
        "params": {"mu": mu, "sigma": sigma},
        "t": [float(t) for t in ts],
        "cdf": [float(v[0]) for v in vals],
        "pdf": [float(v[1]) for v in vals],
        "cdf_err": [float(v[2]) for v in vals],
        "pdf_err": [float(v[3]) for v in vals],
        "atoms": atoms,
    }


check_cf()
checking = "--check" in sys.argv[1:]
cases = []
for mu, sigma in [(0.3, 0.8), (0.0, 1.0)]:
    p = ndtr(-mu / sigma)
    hi = max(mu, 0.0) + 6 * sigma
    ts = [-0.5, 1e-6, 1e-3] + list(np.linspace(0.01, hi, 30))
    vals = [maxpool2(*conv_relu([0.25, 0.5, 0.25], t, mu, sigma)) for t in ts]
    cases.append(case("maxpool_conv_relu.pf", mu, sigma, ts, vals, [[0.0, float(p**6)]]))
for mu, sigma in [(0.3, 0.8), (0.0, 1.0)]:
    # E[max of two iid N(m, s^2)] = m + s/sqrt(pi), variance s^2 (1 - 1/pi); C sums 4 halves
    m_c, s_c = 2 * (2 * mu + sigma / SQPI), sigma * np.sqrt(1 - 1 / np.pi)
    ts = [m_c - 7 * s_c] + list(np.linspace(m_c - 5 * s_c, m_c + 6 * s_c, 30))
    laws = [law_c(t, mu, sigma) for t in ts]
    cases.append(case("pipeline2.pf", mu, sigma, ts, [maxpool2(*v) for v in laws], []))
    if checking:
        for i in [0, 1, 6, 12, 18, 24, 27, 30]:
            F, f, eF, ef = laws[i]
            gF, gf, _, _ = law_c(ts[i], mu, sigma, theta=0.0)
            nF, nf = check_c(ts[i], mu, sigma)
            print(
                f"mu={mu} sigma={sigma} t={ts[i]:+.4f}: F={F:.6e} (err {eF:.1e}) "
                f"gil-pelaez {gF - F:+.1e}, nested {nF - F:+.1e}; f={f:.6e} (err {ef:.1e}) "
                f"rel gil-pelaez {(gf - f) / f:+.1e}, nested {(nf - f) / f:+.1e}",
                file=sys.stderr,
            )
print(json.dumps(cases))
