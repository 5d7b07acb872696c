"""Reference values for Y_k = H_k after k rounds of
    A_1 = (X_1+X_2+X_3+X_4)/2 = N(2 mu, sigma^2),   H_j = max of 2 iid copies of A_j,
    A_{j+1} = (H_{j,1}+...+H_{j,4})/2 (iid copies),
for X ~ N(mu, sigma^2): CDF and density of Y_k at ~25 points t (multiples of 1/1024) from
CDF ~1e-12 to 1 - 1e-12, for k in 1,2,3,5,10 and (mu, sigma) in (0.3,0.8), (0,1).

Method (x-space, independent of any uniform-grid / trapezoid / sinc scheme):
* Every law is stored in its own centred coordinate z = (x - c)/w, c dyadic (2^-20) and w a
  power of two, so every change of coordinate (x -> z, and the map between a round's sum
  variable and the next round's z) is exact or rounds only once.
* The log-density is a piecewise Chebyshev interpolant (first-kind points; panels of 1-1.8
  standard deviations, 28-36 points each, domain +-20..23 sd).  Storing log f keeps
  relative accuracy far into the tails (needed for f_H = 2 F_A f_A and the tail outputs).
* Sums: S2 = H + H' and S4 = S2 + S2' by direct convolution integrals
  (f*f)(u) = 2 int_0^W f(u/2+s) f(u/2-s) ds, composite Gauss-Legendre in s, evaluated at the
  Chebyshev nodes of the next interpolant (S2's nodes, then A_{j+1}'s nodes), with
  max-shifted exponentials (no underflow).  All laws are log-concave (A_1 Gaussian; max and
  convolution preserve log-concavity), so the integrand peaks at s = 0 and decays at least
  like a Gaussian: the window W = 9..11 sd truncates nothing visible.
* F_A at the nodes: Gauss-Legendre integrals of exp(interpolant) between consecutive nodes,
  cumulated from the left (and, for 1 - F, from the right), after renormalising the mass to 1.
  Then log f_H = log 2 + log F_A + log f_A at the same nodes gives H's interpolant.
  Round 1 uses exact log Phi (mpmath) at the nodes.
* Output at t: f_A(t) by the convolution integral itself (from S2's interpolant), F_A(t) by
  integrating the A interpolant; cdf = F_A^2 (as 1 - C(2 - C) on the right), pdf = 2 F_A f_A.
* Everything runs in x86 80-bit long double (eps 1.1e-19; Gauss-Legendre nodes polished by
  Newton in long double), results rounded to double at the end.  This is NECESSARY: the
  pipeline amplifies any location error by 2 per round (A_{j+1} = sum of 4 / 2 doubles a
  shift of H_j) while the spread shrinks by ~0.83 per round, so an error of relative size
  eps in round 1-2 reaches ~2.4^8 ~ 1000-3000 eps by round 10.  The same code in double
  precision gave round-10 lo/hi differences of 4e-13 in the CDF (a pure shift of ~2e-13 in
  t); any f64 implementation of this pipeline should be expected to carry errors of that
  order at k = 10 (~1e-15 at k = 5).

Error estimate.  Everything is computed at three resolutions (LO, HI, ALT below: different
panel widths, degrees, domains, windows and quadrature orders); the HI values are reported.
cdf_err = 2 max(|HI-LO|, |HI-ALT|) + |double(HI) - HI| + 1e-18, and pdf_err the same with
a relative floor 1e-17 pdf instead of 1e-18.  Discretisation error is far below the
rounding level (last Chebyshev coefficients ~1e-18 relative, mass defects ~1e-19), so the
differences measure the long-double rounding noise, whose only growing part is the
location mode above; the three runs scatter around each other and the factor 2 covers the
reported run's own share.  Self-checks (stderr): round 1 against Phi^2 and 2 Phi phi/sigma in
mpmath (errors ~1e-19 in the CDF, ~1e-17 relative in the density); round 2 against an
mpmath Fourier inversion of the closed-form characteristic function of A_2,
phi_A2(u) = e^{4 i mu u} phi(sigma u/2)^4, phi(u) = e^{-u^2/2}(1 + i erfi(u/2)) (errors ~1e-19)
and against nested scipy quad in double (agreement ~1e-15, quad's own limit); N(0,1) fed
through the convolution step must come back as N(0,1).  All checks are within the reported
error estimates.  Largest estimates: cdf_err ~6e-16 and pdf relative ~1e-14 at k = 10,
~5e-17 / ~2e-16 for k <= 5 (there dominated by the rounding to double).

Runtime: ~30-35 s on 2 cores (mostly the HI run), json on stdout, checks on stderr.
"""
import json
import math
import sys
import time

import numpy as np
from numpy.polynomial.legendre import leggauss
from scipy.special import ndtr

T0 = time.time()
LD = np.longdouble                     # x86-64 80-bit extended: 64-bit mantissa, eps 1.1e-19
PI = np.arctan(LD(1)) * 4
LOG2 = np.log(LD(2))
SQ2 = np.sqrt(LD(2))
LOG_SQRT_2PI = np.log(np.sqrt(2 * PI))
assert np.finfo(LD).nmant >= 63, "needs x86 extended long double"
ROUNDS = [1, 2, 3, 5, 10]
PARAMS = [(0.3, 0.8), (0.0, 1.0)]
# target CDF levels of Y_k at which the points t are placed (then rounded to 1/1024)
LEVELS = [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5,
          0.6, 0.7, 0.8, 0.9, 0.95, 1 - 1e-2, 1 - 1e-3, 1 - 1e-4, 1 - 1e-6, 1 - 1e-8,
          1 - 1e-10, 1 - 1e-12]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Res:
    """One resolution: panel width pw and degree n of the piecewise Chebyshev
    interpolants (widths in units of the law's own standard deviation), half-width Z
    of their domains, convolution window W and its Gauss-Legendre panels (width h, ng
    nodes each), ngi Gauss-Legendre nodes per interval between interpolation nodes in
    the CDF integrals."""

    def __init__(self, name, pw, n, Z, W, h, ng, ngi):
        self.name, self.pw, self.n, self.Z, self.W, self.h, self.ng, self.ngi = \
            name, pw, n, Z, W, h, ng, ngi


LO = Res("lo", pw=1.5, n=28, Z=20.0, W=9.0, h=1.0, ng=14, ngi=8)
HI = Res("hi", pw=1.0, n=36, Z=23.0, W=11.0, h=0.7, ng=18, ngi=12)
ALT = Res("alt", pw=1.8, n=30, Z=21.0, W=9.5, h=0.9, ng=14, ngi=8)   # a third, shifted layout

_cheb_cache = {}


def cheb(n):
    """Chebyshev points of the first kind (ascending) and the values->coefficients matrix."""
    if n not in _cheb_cache:
        k = np.arange(n).astype(LD)
        theta = PI * (k + LD(0.5)) / n
        x = -np.cos(theta)                     # ascending
        T = np.cos(np.outer(k, PI - theta))    # T_j(x_k)
        M = (LD(2) / n) * T
        M[0] *= 0.5
        _cheb_cache[n] = (x, M)
    return _cheb_cache[n]


_gl_cache = {}


def gl(n):
    """Gauss-Legendre nodes/weights on [-1, 1] in long double (Newton-polished)."""
    if n not in _gl_cache:
        x = leggauss(n)[0].astype(LD)
        for it in range(4):
            p0, p1 = np.ones_like(x), x.copy()
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            if it < 3:
                x = x - p1 / dp
        _gl_cache[n] = (x, 2 / ((1 - x * x) * dp * dp))
    return _gl_cache[n]


class LogRep:
    """log of a positive function on [edges[0], edges[-1]] as a piecewise Chebyshev
    interpolant (first-kind points, degree n-1 per panel); -inf outside."""

    def __init__(self, edges, n):
        self.edges = np.asarray(edges, LD)
        self.n = n
        self.P = len(self.edges) - 1
        self.mid = 0.5 * (self.edges[:-1] + self.edges[1:])
        self.half = 0.5 * (self.edges[1:] - self.edges[:-1])
        x, self.M = cheb(n)
        self.nodes = self.mid[:, None] + self.half[:, None] * x[None, :]

    def fit(self, logvals):
        self.vals = np.asarray(logvals, LD).reshape(self.P, self.n)
        self.coef = self.vals @ self.M.T            # (P, n)
        self.coefT = np.ascontiguousarray(self.coef.T)

    def shift(self, d):
        self.vals = self.vals + d
        self.coef = self.coef.copy()
        self.coef[:, 0] += d
        self.coefT = np.ascontiguousarray(self.coef.T)

    def __call__(self, x):
        x = np.asarray(x, LD)
        shp = x.shape
        x = x.ravel()
        idx = np.searchsorted(self.edges, x, side="right") - 1
        inside = (idx >= 0) & (idx < self.P)
        idx = np.clip(idx, 0, self.P - 1)
        t = (x - self.mid[idx]) / self.half[idx]
        t2 = 2.0 * t
        cT = self.coefT
        b1 = cT[self.n - 1][idx]
        b2 = np.zeros_like(t)
        for j in range(self.n - 2, 0, -1):
            b1, b2 = t2 * b1 - b2 + cT[j][idx], b1
        y = t * b1 - b2 + cT[0][idx]
        y[~inside] = -np.inf
        return y.reshape(shp)

    def tail_coef(self):
        """largest |last two Chebyshev coefficients| relative to max(1, |log f|) per panel,
        over panels where f > 1e-30 somewhere (an interpolation-error indicator)."""
        big = self.vals.max(axis=1) > np.log(LD(1e-30))
        scale = np.maximum(LD(1), np.abs(self.vals).max(axis=1))
        r = np.abs(self.coef[:, -2:]).max(axis=1) / scale
        return r[big].max()


def make_edges(centre, sd, Z, pw):
    P = int(math.ceil(2 * Z / pw))
    return LD(centre) + LD(sd) * np.linspace(LD(-Z), LD(Z), P + 1)


def composite_gl(a, b, h, ng):
    P = max(1, int(math.ceil(float(b - a) / float(h))))
    x, w = gl(ng)
    e = np.linspace(LD(a), LD(b), P + 1)
    m = 0.5 * (e[:-1] + e[1:])
    hw = 0.5 * (e[1:] - e[:-1])
    return (m[:, None] + hw[:, None] * x).ravel(), (hw[:, None] * w).ravel()


def conv_log(rep, u, W, h, ng, chunk=200000):
    """log of (f*f)(u) = integral f(u/2+s) f(u/2-s) ds over |s| <= W, with log f = rep;
    the integrand is even in s and (f log-concave) peaks at s = 0.  Composite
    Gauss-Legendre on [0, W]; max-shifted exponentials, so nothing underflows."""
    s, w = composite_gl(0.0, W, h, ng)
    u = np.asarray(u, LD).ravel()
    out = np.empty_like(u)
    step = max(1, chunk // len(s))
    for i in range(0, len(u), step):
        uh = u[i:i + step, None] / 2
        a = rep(uh + s) + rep(uh - s)
        m = a.max(axis=1)
        out[i:i + step] = np.log(2.0 * (np.exp(a - m[:, None]) @ w)) + m
    return out


class Law:
    """A continuous law in a coordinate z = (x - c)/w (c dyadic, w a power of two):
    log-density rep, and CDF integrals between consecutive interpolation nodes."""

    def __init__(self, rep, c, w, ngi, normalise=True):
        self.rep, self.c, self.w = rep, c, w
        # breakpoints: panel edges and all nodes, ascending
        P, n = rep.P, rep.n
        bp = np.concatenate([rep.edges[:-1, None], rep.nodes], axis=1).ravel()
        bp = np.append(bp, rep.edges[-1])
        self.bp = bp
        self.node_bp = (np.arange(P)[:, None] * (n + 1) + 1 + np.arange(n)[None, :]).ravel()
        xg, wg = gl(ngi)
        self.xg, self.wg = xg, wg
        I = self._integrals(bp[:-1], bp[1:])
        mass = np.sum(I)
        self.mass_defect = float(mass - 1)
        if normalise:
            rep.shift(-np.log(mass))
            I = I / mass
        self.Fbp = np.concatenate([[LD(0)], np.cumsum(I)])          # mass left of bp
        self.Cbp = np.concatenate([np.cumsum(I[::-1])[::-1], [LD(0)]])  # mass right of bp
        self.I = I

    def _integrals(self, a, b, weight=None):
        m = 0.5 * (a + b)
        hw = 0.5 * (b - a)
        x = m[:, None] + hw[:, None] * self.xg
        f = np.exp(self.rep(x))
        if weight is not None:
            f = f * weight(x)
        return (f @ self.wg) * hw

    def node_logF(self):
        """log F at the interpolation nodes (left part directly, right part as log1p(-C))."""
        F = self.Fbp[self.node_bp]
        C = self.Cbp[self.node_bp]
        with np.errstate(divide="ignore"):
            out = np.where(F <= 0.5, np.log(F), np.log1p(-np.minimum(C, LD(0.75))))
        return out.reshape(self.rep.P, self.rep.n)

    def cdf(self, z):
        """(F(z), 1 - F(z)) for an array z inside the domain."""
        z = np.asarray(z, LD)
        i = np.searchsorted(self.bp, z, side="right") - 1
        i = np.clip(i, 0, len(self.bp) - 2)
        a, b = self.bp[i], self.bp[i + 1]
        left = self._integrals(a, z)
        right = self._integrals(z, b)
        F = self.Fbp[i] + left
        C = self.Cbp[i + 1] + right
        return F, C

    def moments(self):
        a, b = self.bp[:-1], self.bp[1:]
        m1 = np.sum(self._integrals(a, b, lambda x: x))
        m2 = np.sum(self._integrals(a, b, lambda x: (x - m1) ** 2))
        return m1, np.sqrt(m2)


def dyadic(x, bits=20):
    return LD(round(float(x) * 2.0 ** bits) / 2.0 ** bits)


def pow2(x):
    return LD(2.0 ** round(math.log2(float(x))))


def max_law(A, res):
    """H = max of two iid copies of A, on A's panels: log f_H = log 2 + log F_A + log f_A."""
    H = LogRep(A.rep.edges, A.rep.n)
    H.fit(LOG2 + A.logF_nodes + A.rep.vals)
    return Law(H, A.c, A.w, res.ngi, normalise=False)


def next_round(H, res):
    """A' = (H_1+H_2+H_3+H_4)/2: S2 = H_1 + H_2 (in H's z units) by convolution, then
    S4 = S2 + S2' evaluated at the nodes of A's new coordinate."""
    mH, sH = H.moments()
    e2 = make_edges(2 * mH, SQ2 * sH, res.Z + 2.0, res.pw)
    S2 = LogRep(e2, res.n)
    S2.fit(conv_log(H.rep, S2.nodes, res.W * sH, res.h * sH, res.ng))
    c, w = H.c, H.w
    meanA = 2 * c + w * 2 * mH
    sdA = w * sH
    c2, w2 = dyadic(meanA), pow2(sdA)
    mA, sA = (meanA - c2) / w2, sdA / w2
    A = LogRep(make_edges(mA, sA, res.Z, res.pw), res.n)
    d = c2 - 2 * c                              # exact (dyadic)
    s2par = (SQ2 * sH, res.W * SQ2 * sH, res.h * SQ2 * sH, res.ng, d, w, w2)
    v = (2 / w) * (d + w2 * A.nodes.ravel())
    A.fit(conv_log(S2, v, *s2par[1:4]) + np.log(2 * w2 / w))
    law = Law(A, c2, w2, res.ngi)
    law.S2, law.s2par = S2, s2par
    law.logF_nodes = law.node_logF()
    return law


def mp_logPhi(x):
    """log Phi(x) and log(1 - Phi(x)) in extended precision (mpmath, 30 digits)."""
    import mpmath as mp
    mp.mp.dps = 30
    lf, lc = [], []
    for xi in np.asarray(x).ravel():
        X = mp.mpf(float(xi)) + mp.mpf(float(xi - LD(float(xi))))   # exact
        lf.append(LD(mp.nstr(mp.log(mp.ncdf(X)), 25)))
        lc.append(LD(mp.nstr(mp.log(mp.ncdf(-X)), 25)))
    return np.array(lf, LD).reshape(np.shape(x)), np.array(lc, LD).reshape(np.shape(x))


def first_round(mu, sigma, res):
    c, w = dyadic(2 * mu), pow2(sigma)
    m, s = (LD(2 * mu) - c) / w, LD(sigma) / w     # 2*mu - c exact
    A = LogRep(make_edges(m, s, res.Z, res.pw), res.n)
    zz = (A.nodes - m) / s
    A.fit(-zz * zz / 2 - np.log(s) - LOG_SQRT_2PI)
    law = Law(A, c, w, res.ngi)
    law.S2 = None
    law.logF_nodes = mp_logPhi(zz)[0]            # exact Phi at the nodes
    return law


def law_A_pdf(A, z):
    """density of A (in z units) at z: exp(rep) for round 1, else direct convolution
    from the S2 interpolant (not the A interpolant)."""
    if A.S2 is None:
        return np.exp(A.rep(z))
    _, W, h, ng, d, w, w2 = A.s2par
    v = (2 / w) * (d + w2 * np.asarray(z, LD))
    return np.exp(conv_log(A.S2, v, W, h, ng) + np.log(2 * w2 / w))


def outputs(A, t):
    """CDF and density of Y = max of two copies of A at points t (original units), in
    long double."""
    z = (np.asarray(t, float).astype(LD) - A.c) / A.w    # exact: dyadic c, power-of-two w
    fA = law_A_pdf(A, z)
    F, C = A.cdf(z)
    cdf = np.where(F <= 0.5, F * F, 1 - C * (2 - C))
    Fm = np.where(F <= 0.5, F, 1 - C)
    pdf = 2 * Fm * fA / A.w
    return cdf, pdf


def run(mu, sigma, res, diag=None):
    """All rounds up to max(ROUNDS); returns {k: law A_k}."""
    laws = {}
    A = first_round(mu, sigma, res)
    for k in range(1, max(ROUNDS) + 1):
        laws[k] = A
        if diag is not None:
            diag.append([k, A.mass_defect, float(A.rep.tail_coef()), float("nan"), float("nan")])
        if k == max(ROUNDS):
            break
        H = max_law(A, res)
        if diag is not None:
            diag[-1][3:] = [float(H.rep.tail_coef()), float(H.Fbp[-1] - 1)]
        A = next_round(H, res)
    return laws


def choose_t(A):
    """points t at the CDF levels LEVELS of Y = max(A, A'), rounded to 1/1024."""
    F = A.Fbp.astype(float)
    C = A.Cbp.astype(float)
    bp = A.bp.astype(float)
    ts = []
    for p in LEVELS:
        if p <= 0.5:
            ok = F > 0
            z = np.interp(0.5 * math.log(p), np.log(F[ok]), bp[ok])
        else:
            q = 1 - p                    # 1 - F_Y = C_A (2 - C_A)
            cA = q / (1 + math.sqrt(1 - q))
            ok = C > 0
            z = np.interp(-math.log(cA), -np.log(C[ok]), bp[ok])
        ts.append(round((float(A.c) + float(A.w) * z) * 1024) / 1024)
    return sorted(set(ts))


# ----------------------------------------------------------------------------- checks

def round2_cf_mp(mu, sigma, t, dps=30):
    """Y_2 at points t by Fourier inversion, in mpmath, of the closed-form characteristic
    function: H_std = max of 2 iid N(0,1) has phi(u) = e^{-u^2/2} (1 + i erfi(u/2)), and
    A_2 = 4 mu + (sigma/2) (sum of 4 copies of H_std), so phi_A2(u) = e^{4 i mu u} phi(sigma u/2)^4.
    f = (1/pi) int_0^oo Re(e^{-iux} phi) du, F = 1/2 - (1/pi) int_0^oo Im(e^{-iux} phi)/u du
    (Gil-Pelaez), both by mpmath Gauss-Legendre quadrature on [0, U] split in pieces;
    |phi_A2(u)| <= e^{-sigma^2 u^2 / 16}, so U = 16/sigma leaves < 1e-30."""
    import mpmath as mp
    mp.mp.dps = dps
    s = mp.mpf(float(sigma))
    cen = 4 * mp.mpf(float(mu)) + 2 * s / mp.sqrt(mp.pi)      # mean of A_2
    mu4 = 4 * mp.mpf(float(mu)) - cen

    def ph(u):
        v = s * u / 2
        return (mp.exp(-v * v / 2) * (1 + 1j * mp.erfi(v / 2))) ** 4 * mp.expj(mu4 * u)

    U = 34 / s
    pts = mp.linspace(0, U, 25)
    res = []
    for ti in t:
        x = mp.mpf(float(ti)) - cen
        f = mp.quad(lambda u: mp.re(mp.expj(-u * x) * ph(u)), pts) / mp.pi
        F = mp.mpf(1) / 2 - mp.quad(lambda u: mp.im(mp.expj(-u * x) * ph(u)) / u, pts) / mp.pi
        res.append((F * F, 2 * F * f))
    return res


def round2_nested_quad(mu, sigma, t):
    """f_{A2}, F_{A2} at t by nested scipy.integrate.quad (double precision) with f_H =
    2 Phi phi exactly: g = f_H * f_H (inner quad), f_S4(v) = int g(y) g(v-y) dy,
    F_S4(v) = int g(y) G(v-y) dy with G(s) = int f_H(x) F_H(s-x) dx."""
    from scipy.integrate import quad
    m = 2 * mu
    fH = lambda x: 2 * ndtr((x - m) / sigma) * math.exp(-0.5 * ((x - m) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    FH = lambda x: ndtr((x - m) / sigma) ** 2
    mh = m + sigma / math.sqrt(math.pi)
    L = 9 * sigma
    opt = dict(epsabs=1e-17, epsrel=1e-13, limit=100)
    g = lambda s: quad(lambda x: fH(x) * fH(s - x), s / 2 - L, s / 2 + L, **opt)[0]
    G = lambda s: quad(lambda x: fH(x) * FH(s - x), mh - L, mh + L, **opt)[0]
    v = 2 * t
    fS4 = quad(lambda y: g(y) * g(v - y), v / 2 - L, v / 2 + L, **opt)[0]
    FS4 = quad(lambda y: g(y) * G(v - y), 2 * mh - L * 1.5, 2 * mh + L * 1.5, **opt)[0]
    fA, FA = 2 * fS4, FS4
    return FA * FA, 2 * FA * fA


def gaussian_conv_check(res):
    """feed an exact N(0,1) as 'H' through next_round: A' = (sum of 4)/2 must be N(0,1)."""
    A1 = first_round(0.0, 1.0, res)
    A1.logF_nodes = None
    A = next_round(A1, res)
    x = A.c + A.w * A.rep.nodes.ravel()
    exact = -x * x / 2 - LOG_SQRT_2PI + np.log(A.w)
    err = np.abs(A.rep.vals.ravel() - exact)
    zt = np.linspace(-8, 8, 33).astype(LD)
    xt = A.c + A.w * zt
    F, C = A.cdf(zt)
    lF, lC = mp_logPhi(xt)
    cerr = np.max(np.abs(np.where(xt <= 0, F - np.exp(lF), C - np.exp(lC))))
    return float(err[np.abs(x) < 8].max()), float(err[np.abs(x) < 16].max()), float(cerr)


def mp_round1(mu, sigma, t):
    """closed form for Y_1 = max of 2 iid N(2 mu, sigma^2), in mpmath."""
    import mpmath as mp
    mp.mp.dps = 30
    out = []
    for ti in t:
        x = (mp.mpf(float(ti)) - 2 * mp.mpf(float(mu))) / mp.mpf(float(sigma))
        F = mp.ncdf(x)
        out.append((F * F, 2 * F * mp.npdf(x) / mp.mpf(float(sigma))))
    return out


def ulpdiff(ld_vals):
    """|double(x) - x| for long-double x: the rounding of the reported value."""
    return np.abs(ld_vals.astype(float).astype(LD) - ld_vals)


def mpf_ld(x):
    import mpmath as mp
    return mp.mpf(float(x)) + mp.mpf(float(x - LD(float(x))))


def main():
    import mpmath as mp
    cases = []
    summary = []
    for mu, sigma in PARAMS:
        t_run = time.time()
        diag = []
        lo = run(mu, sigma, LO, diag)
        t_lo = time.time() - t_run
        hi = run(mu, sigma, HI)
        t_hi = time.time() - t_run - t_lo
        alt = run(mu, sigma, ALT)
        log(f"[mu={mu} sigma={sigma}] lo {t_lo:.1f}s, hi {t_hi:.1f}s, alt {time.time() - t_run - t_lo - t_hi:.1f}s")
        log("  per round (lo): mass defect of A before normalising, of H; largest last Chebyshev "
            "coefficients / max(1,|log f|) of A, H")
        for d in diag:
            log("    round %2d: %9.1e %9.1e   %.1e %.1e" % (d[0], d[1], d[4], d[2], d[3]))
        for k in ROUNDS:
            t = choose_t(lo[k])
            c_lo, p_lo = outputs(lo[k], t)
            c_hi, p_hi = outputs(hi[k], t)
            c_alt, p_alt = outputs(alt[k], t)
            dc = np.maximum(np.abs(c_hi - c_lo), np.abs(c_hi - c_alt))
            dp = np.maximum(np.abs(p_hi - p_lo), np.abs(p_hi - p_alt))
            # error estimate: twice the largest difference to the other two resolutions, plus
            # the rounding of the reported double, plus a long-double rounding floor
            cdf_err = 2 * dc + ulpdiff(c_hi) + LD(1e-18)
            pdf_err = 2 * dp + ulpdiff(p_hi) + p_hi * LD(1e-17)
            big = p_hi > 1e-6
            summary.append((mu, sigma, k, float(dc.max()), float((dp[big] / p_hi[big]).max()),
                            float(cdf_err.max()), float((pdf_err[big] / p_hi[big]).max())))
            cases.append(dict(mu=mu, sigma=sigma, k=k, t=t, cdf=c_hi, pdf=p_hi,
                              cdf_err=cdf_err, pdf_err=pdf_err))
    log("resolution differences max(|hi-lo|, |hi-alt|) (long double) and reported error estimates "
        "(pdf relative where pdf > 1e-6):")
    log("   mu  sigma  k   max|dcdf|  max|dpdf|/pdf   max cdf_err  max pdf_err/pdf")
    for r in summary:
        log("  %4.1f  %4.1f %2d   %9.1e   %9.1e      %9.1e    %9.1e" % r)
    # ---- independent checks (errors of the long-double values, before rounding to double)
    for case in cases:
        k, mu, sigma, t = case["k"], case["mu"], case["sigma"], case["t"]
        if k not in (1, 2):
            continue
        if k == 1:
            idx = list(range(len(t)))
            ex = mp_round1(mu, sigma, t)
            what = "round 1 vs closed form Phi^2, 2 Phi phi/sigma (mpmath) at all %d points" % len(t)
        else:
            idx = [0, 4, 9, 12, 16, 20, 24]
            ex = round2_cf_mp(mu, sigma, [t[i] for i in idx])
            what = "round 2 vs mpmath Fourier inversion of the closed-form CF at t=%s" % [t[i] for i in idx]
        ec = [abs(mpf_ld(case["cdf"][i]) - e[0]) for i, e in zip(idx, ex)]
        ep = [abs(mpf_ld(case["pdf"][i]) - e[1]) for i, e in zip(idx, ex)]
        okc = all(ec[j] <= mpf_ld(case["cdf_err"][i]) for j, i in enumerate(idx))
        okp = all(ep[j] <= mpf_ld(case["pdf_err"][i]) for j, i in enumerate(idx))
        rel = [ep[j] / e[1] for j, e in enumerate(ex) if e[1] > 1e-6]
        log("%s, mu=%g sigma=%g: max |cdf err| %.1e, max |pdf err| %.1e, max rel pdf err %.1e; "
            "within cdf_err/pdf_err: %s/%s" % (what, mu, sigma, float(max(ec)), float(max(ep)),
                                                float(max(rel)), okc, okp))
        if k == 2:
            for i in (9, 12, 16):
                qc, qp = round2_nested_quad(mu, sigma, t[i])
                log("  round 2 vs nested scipy quad (double) at t=%g: |cdf diff| %.1e, pdf rel diff %.1e"
                    % (t[i], abs(qc - float(case["cdf"][i])), abs(qp / float(case["pdf"][i]) - 1)))
    g = gaussian_conv_check(HI)
    log("N(0,1) through the convolution step (hi): max |log f err| at nodes |x|<8: %.1e, |x|<16: %.1e;"
        " max |F err| on [-8,8]: %.1e" % g)
    out = []
    for case in cases:
        out.append(dict(file="rounds", rounds=case["k"], params=dict(mu=case["mu"], sigma=case["sigma"]),
                        t=[float(x) for x in case["t"]],
                        cdf=[float(x) for x in case["cdf"]], pdf=[float(x) for x in case["pdf"]],
                        cdf_err=[float(x) for x in case["cdf_err"]],
                        pdf_err=[float(x) for x in case["pdf_err"]], atoms=[]))
    log(f"total {time.time() - T0:.1f}s")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
