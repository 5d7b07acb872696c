"""Reference values for four programs of examples/compositions/ that combine independent
inputs (X ~ N(mu, sigma^2), Phi and phi the standard Normal CDF and density), computed
without pushforward's numeric laws, in mpmath at DPS = 40 digits:

two_inputs.pf, Y = relu(X1) + tanh(X2), X2 ~ N(0, 1). No atoms.
  A (reported): over z = X2, with F_R(r) = Phi((r - mu)/sigma) for r >= 0 (relu's atom
  included) and 0 below,
      P(Y <= t) = int_{tanh z <= t} phi(z) Phi((t - tanh z - mu)/sigma) dz,
      f_Y(t)    = Phi(-mu/sigma) f_T(t) + int_{tanh z < t} phi(z) f_X1(t - tanh z) dz,
  f_T(u) = phi(atanh u)/(1 - u^2) on (-1, 1) the density of tanh(X2); Gauss-Legendre (20
  nodes) on pieces of z (width 1, 2 beyond |z| = 7) of (-13, min(atanh t, 13)) (the
  integrands are analytic there, the mass left off is below 2 Phi(-13) < 2e-38).
  B: over u = tanh(X2) (the form of the brief): Phi(-mu/sigma) F_T(t) + P(0 < X1 <= t - 1)
  + int_{-1}^{min(1, t)} f_X1(t - u) F_T(u) du, F_T(u) = Phi(atanh u), and the density
  likewise with f_T; mpmath.quad (tanh-sinh, which copes with the ends u = +-1), at 30
  digits.

dropout_layer.pf, E = M relu(X)/(4/5), M ~ Bernoulli(4/5), Y = E1/4 + E2/2 + E3/4 (iid).
  E = 0 with probability a0 = 1/5 + (4/5) Phi(-mu/sigma) (an atom) and otherwise has the
  density (4/5) f_V on (0, inf), V = 5X/4 ~ N(5mu/4, (5sigma/4)^2); w E for a weight w
  thus has CDF F_w(y) = a0 + (4/5)(Phi((y - w m)/(w s)) - Phi(-m/s)) for y >= 0
  (m, s = 5mu/4, 5sigma/4) and continuous density c_w = (4/5) N(w m, (w s)^2) on y > 0.
  The sum Q = w_a E_a + w_b E_b of two copies has the atom a0^2 at 0 and on x > 0 the
  continuous density q(x) = a0 (c_a(x) + c_b(x)) + (4/5)^2 h_ab(x), with the closed form
      h_ab(x) = int_0^x N(u; m_a, s_a^2) N(x - u; m_b, s_b^2) du
              = N(x; m_a + m_b, S^2) (Phi((x - c)/tau) - Phi(-c/tau)),
  S^2 = s_a^2 + s_b^2, tau = s_a s_b / S, c = m_a + (s_a/S)^2 (x - m_a - m_b) (the
  product of the two Normals is a Normal in u); then with the third copy w_c E_c,
      P(Y <= t) = a0^2 F_c(t) + int_0^t q(x) F_c(t - x) dx,
      f_Y(t)    = a0^2 c_c(t) + a0 q(t) + int_0^t q(x) c_c(t - x) dx      (t > 0),
  and Y = 0 with probability a0^3 (the only atom; P(Y <= t) = 0 for t < 0). The integrands
  are entire in x: Gauss-Legendre on pieces of [0, t].
  A (reported): Q = the two copies of weight 1/4, then the copy of weight 1/2; 20 nodes
  on pieces of width s/3.  B: Q = the copies of weights 1/4 and 1/2, then the other 1/4;
  16 nodes on pieces of width s/2 (against 30 nodes on pieces of width s/8, A is good
  to ~1e-34 and B to ~1e-26).  A third, structural, check (stderr only): the subset
  decomposition of tests/scipy/sums.py (nested scipy quad in double precision over the
  copies that are nonzero, the others at the atom) at a few points.

quantised.pf, Y = tanh(X + U), U ~ Uniform(-1/8, 1/8). No atoms.
  A (reported): S = X + U in closed form, F_S(s) = 4 sigma (Psi(z+) - Psi(z-)),
  Psi(z) = z Phi(z) + phi(z) (the antiderivative of Phi), z+- = (s +- 1/8 - mu)/sigma,
  f_S(s) = 4 (Phi(z+) - Phi(z-)); F_Y(t) = F_S(atanh t), f_Y(t) = f_S(atanh t)/(1 - t^2).
  B: F_S and f_S by Gauss-Legendre (24 nodes) over u of 4 Phi((s - u - mu)/sigma) and of
  4 phi((s - u - mu)/sigma)/sigma on [-1/8, 1/8].

dropout.pf, Y = M relu(X)/(4/5): P(Y <= t) = 1/5 + (4/5) Phi((4t/5 - mu)/sigma) for t >= 0,
  the density (4/5)^2 phi((4t/5 - mu)/sigma)/sigma for t > 0, the atom
  P(Y = 0) = 1/5 + (4/5) Phi(-mu/sigma).  A (reported) at DPS; B: the same law written
  through the upper tail, 1 - (4/5) Phi(-(4t/5 - mu)/sigma), at DPS + 20 digits.

Error estimates. Each value's "cdf_err" / "pdf_err" is 2 |A - B| (two independent routes,
different integrands and quadratures) plus half an ulp of the reported double (its
rounding) plus 1e-17 (cdf) or 1e-30 (pdf). The routes agree to ~1e-25 or better, so the
estimates are essentially the rounding. Atoms are closed forms (mpmath, rounded once).
Further self-checks printed to stderr: the largest |A - B| per program (absolute for the
CDF, relative for the density), the density against a central difference of route A's
CDF (step 1e-10, good to ~1e-18 relative) at a few points per case, the dropout_layer
structural check, and the runtime (about 17 s on this machine, one core).

The points t are multiples of 1/1024 spanning the law from where its CDF is ~1e-10 to where
it is ~1 - 1e-10 (for the laws on (-1, 1) also the points -1 + 2^-k, 1 - 2^-k near the
ends, inside that range), never at an atom (points such as +-2^-10, 2^-20 around 0).

Prints JSON: a list of cases (file, params, t, cdf, pdf, cdf_err, pdf_err, atoms) for
tests/scipy.rs.
"""
import json
import math
import sys
import time

import numpy as np
from mpmath import mp, mpf
from scipy.integrate import quad
from scipy.special import ndtr

DPS = 40
mp.dps = DPS
T0 = time.time()
PARAMS = [(0.3, 0.8), (0.0, 1.0), (-0.5, 1.5)]
KEEP = mpf(4) / 5  # the mask's probability of keeping the unit


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---- mpmath helpers ----

INV_SQRT_2PI = 1 / mp.sqrt(2 * mp.pi)


def Phi(x):
    return mp.ncdf(x)


def phi(x):
    return INV_SQRT_2PI * mp.exp(-x * x / 2)


def phid(b, a):
    """Phi(b) - Phi(a) for b >= a, through the upper tails when both are positive."""
    if a > 0:
        return Phi(-a) - Phi(-b)
    return Phi(b) - Phi(a)


_GL = {}


def gl_nodes(n):
    """n-point Gauss-Legendre nodes and weights on [-1, 1] at the working precision
    (numpy's double nodes refined by Newton's method on P_n)."""
    key = (n, mp.prec)
    if key in _GL:
        return _GL[key]
    out = []
    for x0 in np.polynomial.legendre.leggauss(n)[0]:
        x = mpf(float(x0))
        for _ in range(6):
            p0, p1 = mpf(1), x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            dp = n * (x * p1 - p0) / (x * x - 1)
            x -= p1 / dp
        p0, p1 = mpf(1), x
        for k in range(2, n + 1):
            p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
        dp = n * (x * p1 - p0) / (x * x - 1)
        out.append((x, 2 / ((1 - x * x) * dp * dp)))
    assert abs(sum(w for _, w in out) - 2) < mpf(10) ** (5 - mp.dps)
    _GL[key] = out
    return out


def gl(f, pts, n):
    """Gauss-Legendre (n nodes) of the pair-valued f over consecutive pieces of pts."""
    nodes = gl_nodes(n)
    s0 = s1 = mpf(0)
    for a, b in zip(pts[:-1], pts[1:]):
        h, c = (b - a) / 2, (a + b) / 2
        for x, w in nodes:
            v0, v1 = f(c + h * x)
            s0 += w * h * v0
            s1 += w * h * v1
    return s0, s1


def pieces(a, b, width):
    """a, a + width, a + 2 width, ... below b, then b."""
    pts, x = [a], a + width
    while x < b:
        pts.append(x)
        x += width
    return pts + [b]


# ---- two_inputs.pf: relu(X1) + tanh(X2) ----

Z_CUT = 13
Z_BREAKS = [-13, -11, -9, -7] + list(range(-6, 7)) + [7, 9, 11, 13]


def two_inputs_A(t, mu, sigma, n=20):
    t, mu, sigma = mpf(t), mpf(mu), mpf(sigma)
    top = mp.atanh(t) if abs(t) < 1 else (mpf(Z_CUT) if t >= 1 else -mp.inf)
    top = min(top, mpf(Z_CUT))
    if top <= -Z_CUT:
        return mpf(0), mpf(0)
    pts = [mpf(b) for b in Z_BREAKS if b < top] + [top]

    def f(z):
        r = (t - mp.tanh(z) - mu) / sigma
        pz = phi(z)
        return pz * Phi(r), pz * phi(r) / sigma

    cdf, pdf = gl(f, pts, n)
    if abs(t) < 1:
        pdf += Phi(-mu / sigma) * phi(mp.atanh(t)) / (1 - t * t)
    return cdf, pdf


def two_inputs_B(t, mu, sigma):
    with mp.workdps(30):
        return _two_inputs_B(mpf(t), mpf(mu), mpf(sigma))


def _two_inputs_B(t, mu, sigma):
    p = Phi(-mu / sigma)
    if t <= -1:
        return mpf(0), mpf(0)
    fX = lambda r: phi((r - mu) / sigma) / sigma

    def FT(u):
        if u <= -1:
            return mpf(0)
        if u >= 1:
            return mpf(1)
        return Phi(mp.atanh(u))

    def fT(u):
        if abs(u) >= 1:
            return mpf(0)
        return phi(mp.atanh(u)) / (1 - u * u)

    top = min(t, mpf(1))
    pts = [mpf(-1), mpf(0), top] if top > 0 else [mpf(-1), top]
    cdf = p * FT(t) + mp.quad(lambda u: fX(t - u) * FT(u), pts)
    if t > 1:
        cdf += phid((t - 1 - mu) / sigma, -mu / sigma)
    pdf = p * fT(t) + mp.quad(lambda u: fX(t - u) * fT(u), pts)
    return cdf, pdf


# ---- dropout_layer.pf: conv(M relu(X)/(4/5), [1/4, 1/2, 1/4]) ----


def dl_atom(mu, sigma):
    return 1 / mpf(5) + KEEP * Phi(-mpf(mu) / mpf(sigma))


def dropout_layer(t, mu, sigma, wa, wb, wc, n, width):
    """CDF and density of Y = (wa E_a + wb E_b) + wc E_c (see the docstring)."""
    t, mu, sigma = mpf(t), mpf(mu), mpf(sigma)
    if t < 0:
        return mpf(0), mpf(0)
    a0 = dl_atom(mu, sigma)
    m, s = 5 * mu / 4, 5 * sigma / 4
    wa, wb, wc = mpf(wa), mpf(wb), mpf(wc)
    ma, sa, mb, sb, mc, sc = wa * m, wa * s, wb * m, wb * s, wc * m, wc * s
    S = mp.sqrt(sa * sa + sb * sb)
    tau, kappa = sa * sb / S, (sa / S) ** 2

    def q(x):
        c = ma + kappa * (x - ma - mb)
        h = phi((x - ma - mb) / S) / S * phid((x - c) / tau, -c / tau)
        single = phi((x - ma) / sa) / sa + phi((x - mb) / sb) / sb
        return a0 * KEEP * single + KEEP * KEEP * h

    def Fc(y):
        return a0 + KEEP * phid((y - mc) / sc, -mc / sc)

    def cc(y):
        return KEEP * phi((y - mc) / sc) / sc

    def f(x):
        qx = q(x)
        return qx * Fc(t - x), qx * cc(t - x)

    if t == 0:
        i0 = i1 = mpf(0)
    else:
        i0, i1 = gl(f, pieces(mpf(0), t, width * s), n)
    cdf = a0 * a0 * Fc(t) + i0
    pdf = a0 * a0 * cc(t) + a0 * q(t) + i1
    return cdf, pdf


def dropout_layer_A(t, mu, sigma):
    return dropout_layer(t, mu, sigma, 0.25, 0.25, 0.5, 20, mpf(1) / 3)


def dropout_layer_B(t, mu, sigma):
    return dropout_layer(t, mu, sigma, 0.25, 0.5, 0.25, 16, mpf(1) / 2)


def dropout_layer_subsets(t, mu, sigma):
    """The subset decomposition of sums.py in double precision (CDF only): over the
    nonzero copies S, a0^(3-|S|) (4/5)^|S| P(sum_S w_i V_i <= t, V_i > 0)."""
    if t < 0:
        return 0.0
    a0 = float(dl_atom(mu, sigma))
    m, s = 1.25 * mu, 1.25 * sigma
    F = lambda v: ndtr((v - m) / s)
    f = lambda v: math.exp(-0.5 * ((v - m) / s) ** 2) / (s * math.sqrt(2 * math.pi))
    ep = dict(epsabs=1e-15, epsrel=1e-13, limit=200)

    def term(ws, t):
        if t <= 0:
            return 0.0
        if len(ws) == 1:
            return F(t / ws[0]) - F(0.0)
        return quad(lambda v: f(v) * term(ws[1:], t - ws[0] * v), 0.0, t / ws[0], **ep)[0]

    ws = [0.25, 0.5, 0.25]
    out = a0**3
    for S in [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]]:
        out += a0 ** (3 - len(S)) * 0.8 ** len(S) * term([ws[i] for i in S], t)
    return out


# ---- quantised.pf: tanh(X + U), U ~ Uniform(-1/8, 1/8) ----

EIGHTH = mpf(1) / 8


def quantised_A(t, mu, sigma):
    t, mu, sigma = mpf(t), mpf(mu), mpf(sigma)
    s = mp.atanh(t)
    zp, zm = (s + EIGHTH - mu) / sigma, (s - EIGHTH - mu) / sigma
    Psi = lambda z: z * Phi(z) + phi(z)
    cdf = 4 * sigma * (Psi(zp) - Psi(zm))
    pdf = 4 * phid(zp, zm) / (1 - t * t)
    return cdf, pdf


def quantised_B(t, mu, sigma):
    t, mu, sigma = mpf(t), mpf(mu), mpf(sigma)
    s = mp.atanh(t)

    def f(u):
        z = (s - u - mu) / sigma
        return 4 * Phi(z), 4 * phi(z) / sigma

    cdf, pdf = gl(f, [-EIGHTH, EIGHTH], 24)
    return cdf, pdf / (1 - t * t)


# ---- dropout.pf: M relu(X)/(4/5) ----


def dropout_A(t, mu, sigma):
    t, mu, sigma = mpf(t), mpf(mu), mpf(sigma)
    if t < 0:
        return mpf(0), mpf(0)
    z = (KEEP * t - mu) / sigma
    return 1 / mpf(5) + KEEP * Phi(z), KEEP * KEEP * phi(z) / sigma


def dropout_B(t, mu, sigma):
    with mp.workdps(DPS + 20):
        t, mu, sigma = mpf(t), mpf(mu), mpf(sigma)
        if t < 0:
            return mpf(0), mpf(0)
        keep = mpf(4) / 5
        z = (keep * t - mu) / sigma
        dens = keep * keep * mp.exp(-z * z / 2) / (sigma * mp.sqrt(2 * mp.pi))
        return 1 - keep * mp.ncdf(-z), dens


# ---- the points ----


def grid(a, b, n):
    """About n multiples of 1/1024 spread over [a, b]."""
    return sorted({round(x * 1024) / 1024 for x in np.linspace(a, b, n)})


def crossing(F, a, b, level, iters=24):
    """t in [a, b] with F(t) ~ level (F increasing, F(a) < level <= F(b))."""
    for _ in range(iters):
        c = (a + b) / 2
        if F(c) < level:
            a = c
        else:
            b = c
    return b


def near_ends(F, lower, upper, most=6):
    """Points -1 + 2^-k (lower) and 1 - 2^-k (upper), k >= 10, whose CDF lies within
    [1e-10, 1 - 1e-10], at most `most` of them per end, the deepest included."""
    out = []
    for end, on in [(-1.0, lower), (1.0, upper)]:
        if not on:
            continue
        ks = []
        for k in range(10, 50):
            t = end - math.copysign(2.0**-k, end)
            v = F(t)
            if (end < 0 and v < 1e-10) or (end > 0 and v > 1 - 1e-10):
                break
            ks.append(k)
        if len(ks) > most:
            ks = sorted({ks[round(i)] for i in np.linspace(0, len(ks) - 1, most)})
        out += [end - math.copysign(2.0**-k, end) for k in ks]
    return out


def coarse(route):
    """A route's CDF at 20 digits, for placing the points only."""

    def F(t, mu, sigma):
        with mp.workdps(20):
            return float(route(t, mu, sigma)[0])

    return F


def points(file, mu, sigma):
    if file == "two_inputs.pf":
        F = lambda t: coarse(lambda *a: two_inputs_A(*a, n=10))(t, mu, sigma)
        lo = crossing(F, -1 + 2.0**-9, 0.0, 1e-10) if F(-1 + 2.0**-9) < 1e-10 else -1 + 2.0**-9
        hi = crossing(F, 0.0, 1 + abs(mu) + 10 * sigma, 1 - 1e-10)
        ts = grid(max(lo, -1 + 2.0**-9), hi, 24) + near_ends(F, True, False)
        ts += [-0.875, -0.75, -0.5, -0.25, 0.0, 0.5, 1.0]
    elif file == "quantised.pf":
        F = lambda t: coarse(quantised_A)(t, mu, sigma)
        a, b = -1 + 2.0**-9, 1 - 2.0**-9
        lo = crossing(F, a, 0.0, 1e-10) if F(a) < 1e-10 else a
        hi = crossing(F, 0.0, b, 1 - 1e-10) if F(b) > 1 - 1e-10 else b
        ts = grid(lo, hi, 26) + near_ends(F, True, True) + [0.0]
    else:
        route = dropout_A
        if file == "dropout_layer.pf":
            route = lambda *a: dropout_layer(*a, 0.25, 0.25, 0.5, 12, mpf(1) / 2)
        F = lambda t: coarse(route)(t, mu, sigma)
        hi = crossing(F, 0.0, 2 * abs(mu) + 10 * sigma, 1 - 1e-10)
        ts = grid(2.0**-6, hi, 28) + [-0.5, -(2.0**-10), 2.0**-20, 2.0**-10]
    return sorted(set(ts))


# ---- the cases ----

PROGRAMS = [
    ("two_inputs.pf", two_inputs_A, two_inputs_B, None),
    ("dropout_layer.pf", dropout_layer_A, dropout_layer_B, lambda mu, s: [[0.0, float(dl_atom(mu, s) ** 3)]]),
    ("quantised.pf", quantised_A, quantised_B, None),
    ("dropout.pf", dropout_A, dropout_B, lambda mu, s: [[0.0, float(dl_atom(mu, s))]]),
]


def half_ulp(x):
    return 0.5 * math.ulp(abs(float(x)))


cases = []
for file, route_a, route_b, atoms in PROGRAMS:
    t_file = time.time()
    worst_cdf = worst_pdf = worst_diff = 0.0
    for mu, sigma in PARAMS:
        ts = points(file, mu, sigma)
        cdf, pdf, cdf_err, pdf_err = [], [], [], []
        for t in ts:
            ca, da = route_a(t, mu, sigma)
            cb, db = route_b(t, mu, sigma)
            dc, dd = abs(ca - cb), abs(da - db)
            cdf.append(float(ca))
            pdf.append(float(da))
            cdf_err.append(float(2 * dc) + half_ulp(ca) + 1e-17)
            pdf_err.append(float(2 * dd) + half_ulp(da) + 1e-30)
            worst_cdf = max(worst_cdf, float(dc))
            if da > 0:
                worst_pdf = max(worst_pdf, float(dd / da))
        # the density against a central difference of route A's CDF, at a few points
        for t in [ts[len(ts) // 4], ts[len(ts) // 2], ts[(3 * len(ts)) // 4]]:
            h = mpf(10) ** -10
            d = (route_a(mpf(t) + h, mu, sigma)[0] - route_a(mpf(t) - h, mu, sigma)[0]) / (2 * h)
            dens = route_a(t, mu, sigma)[1]
            worst_diff = max(worst_diff, float(abs(d - dens) / dens))
        if file == "dropout_layer.pf":
            worst_sub = 0.0
            for t in [ts[len(ts) // 3], ts[len(ts) // 2], ts[-3]]:
                worst_sub = max(worst_sub, abs(dropout_layer_subsets(t, mu, sigma) - cdf[ts.index(t)]))
            log(f"  dropout_layer mu={mu} sigma={sigma}: subsets (scipy, double) vs A, cdf {worst_sub:.1e}")
            assert worst_sub < 1e-13
        assert max(cdf_err) < 1e-15 and all(e <= 1e-13 * p + 1e-30 for e, p in zip(pdf_err, pdf)), file
        cases.append(
            {
                "file": file,
                "params": {"mu": mu, "sigma": sigma},
                "t": [float(t) for t in ts],
                "cdf": cdf,
                "pdf": pdf,
                "cdf_err": cdf_err,
                "pdf_err": pdf_err,
                "atoms": atoms(mu, sigma) if atoms else [],
                # the mixture of dropout.pf is a closed form: no numeric part
                "closed": file == "dropout.pf",
            }
        )
    log(
        f"{file}: largest |A - B| cdf {worst_cdf:.1e}, pdf {worst_pdf:.1e} relative; "
        f"density vs d/dt of the CDF {worst_diff:.1e} relative; {time.time() - t_file:.1f}s"
    )
    assert worst_diff < 1e-12

log(f"total {time.time() - T0:.1f}s")
print(json.dumps(cases))
