//! The instructions that dominate evaluation, four points at a time: `wide`'s `f64x4`
//! (one AVX register where the build targets AVX, two SSE2 halves otherwise) with its
//! exponential and logarithms (measured within 1 ulp of std's for exp and ln, 2 ulps
//! for ln_1p), and Φ built on them from fdlibm's erfc.
//!
//! Every kernel computes the common case in vector form and gives the lanes `wide`
//! gets wrong (subnormal results and arguments) or that the vector code does not cover
//! (erfc's far tails) to the scalar function of `special`; at ±∞ and NaN the vector
//! code gives what the scalar code gives, which the tests check on every kernel. A
//! batch's last partial group is padded to four lanes and goes through the same vector
//! code, so a value does not depend on where in a batch its point falls (for Φ(u)^n,
//! as long as n is the same at every point, as a parameter is).

use crate::lang::special;
use wide::f64x4;

const LANES: usize = 4;

/// `f` over `src` into `dst`, four points at a time.
pub fn map(src: &[f64], dst: &mut [f64], f: impl Fn(f64x4) -> f64x4) {
    let mut s = src.chunks_exact(LANES);
    let mut d = dst.chunks_exact_mut(LANES);
    for (x, y) in (&mut s).zip(&mut d) {
        store(y, f(load(x)));
    }
    let (x, y) = (s.remainder(), d.into_remainder());
    if !x.is_empty() {
        y.copy_from_slice(&f(load_padded(x)).to_array()[..x.len()]);
    }
}

/// `f` over the pairs of `a` and `b` into `dst`, four points at a time.
pub fn map2(a: &[f64], b: &[f64], dst: &mut [f64], f: impl Fn(f64x4, f64x4) -> f64x4) {
    let mut sa = a.chunks_exact(LANES);
    let mut sb = b.chunks_exact(LANES);
    let mut d = dst.chunks_exact_mut(LANES);
    for ((x, z), y) in (&mut sa).zip(&mut sb).zip(&mut d) {
        store(y, f(load(x), load(z)));
    }
    let (x, z, y) = (sa.remainder(), sb.remainder(), d.into_remainder());
    if !x.is_empty() {
        let out = f(load_padded(x), load_padded(z)).to_array();
        y.copy_from_slice(&out[..x.len()]);
    }
}

/// `f` over `src` into two outputs, four points at a time.
pub fn map_pair(src: &[f64], a: &mut [f64], b: &mut [f64], f: impl Fn(f64x4) -> [f64x4; 2]) {
    let mut s = src.chunks_exact(LANES);
    let mut da = a.chunks_exact_mut(LANES);
    let mut db = b.chunks_exact_mut(LANES);
    for ((x, ya), yb) in (&mut s).zip(&mut da).zip(&mut db) {
        let [va, vb] = f(load(x));
        store(ya, va);
        store(yb, vb);
    }
    let (x, ya, yb) = (s.remainder(), da.into_remainder(), db.into_remainder());
    if !x.is_empty() {
        let [va, vb] = f(load_padded(x));
        ya.copy_from_slice(&va.to_array()[..x.len()]);
        yb.copy_from_slice(&vb.to_array()[..x.len()]);
    }
}

/// `f` over `src` into three outputs, four points at a time.
pub fn map_triple(src: &[f64], [a, b, c]: [&mut [f64]; 3], f: impl Fn(f64x4) -> [f64x4; 3]) {
    let mut s = src.chunks_exact(LANES);
    let mut da = a.chunks_exact_mut(LANES);
    let mut db = b.chunks_exact_mut(LANES);
    let mut dc = c.chunks_exact_mut(LANES);
    for (((x, ya), yb), yc) in (&mut s).zip(&mut da).zip(&mut db).zip(&mut dc) {
        let [va, vb, vc] = f(load(x));
        store(ya, va);
        store(yb, vb);
        store(yc, vc);
    }
    let x = s.remainder();
    if !x.is_empty() {
        let v = f(load_padded(x));
        let ys = [
            da.into_remainder(),
            db.into_remainder(),
            dc.into_remainder(),
        ];
        for (y, v) in ys.into_iter().zip(v) {
            y.copy_from_slice(&v.to_array()[..x.len()]);
        }
    }
}

/// Four lanes from a whole group (`chunks_exact` gives slices of length `LANES`).
#[inline]
fn load(x: &[f64]) -> f64x4 {
    let lanes: &[f64; LANES] = x.try_into().unwrap_or(&[f64::NAN; LANES]);
    f64x4::new(*lanes)
}

/// Four lanes into a whole group, as one store rather than a copy of a slice.
#[inline]
fn store(y: &mut [f64], v: f64x4) {
    if let Ok(lanes) = <&mut [f64; LANES]>::try_from(y) {
        *lanes = v.to_array();
    }
}

/// A partial group, its missing lanes filled with its last value.
fn load_padded(x: &[f64]) -> f64x4 {
    let last = x[x.len() - 1];
    let mut lanes = [last; LANES];
    lanes[..x.len()].copy_from_slice(x);
    f64x4::new(lanes)
}

/// The lanes of `v` where `outside` is set, recomputed from `x` by the scalar `f`.
#[inline]
fn patch(v: f64x4, x: f64x4, outside: f64x4, f: impl Fn(f64) -> f64) -> f64x4 {
    let bits = outside.to_bitmask();
    if bits == 0 {
        return v;
    }
    let (mut out, x) = (v.to_array(), x.to_array());
    for (i, o) in out.iter_mut().enumerate() {
        if bits & (1 << i) != 0 {
            *o = f(x[i]);
        }
    }
    f64x4::new(out)
}

/// eˣ; from −708 to −745.2 the result is subnormal, where `wide` flushes to 0: scalar
/// there. Below, e^x rounds to 0 (at −∞ too), as std gives it. (NaN and ±∞ give what
/// std gives, checked by the tests.)
#[inline]
pub fn exp(x: f64x4) -> f64x4 {
    // where every lane's result is a normal number: `wide`'s own steps without its
    // checks of the special cases (the same operations in the same order, so the same
    // bits)
    let normal = x.simd_ge(f64x4::splat(-708.0)) & x.simd_le(f64x4::splat(709.0));
    if normal.all() {
        return exp_normal(x);
    }
    let subnormal = x.simd_lt(f64x4::splat(-708.0)) & x.simd_ge(f64x4::splat(-745.2));
    patch(x.exp(), x, subnormal, f64::exp)
}

/// eˣ for x in [−708, 709], as `wide`'s `f64x4::exp` computes it there: x = r·ln 2 + y
/// with r = round(x·log₂e) (ln 2 in two parts), e^y − 1 by its Taylor polynomial of
/// degree 13, and the factor 2^r made from r's bits.
#[inline]
#[allow(clippy::excessive_precision)]
fn exp_normal(x: f64x4) -> f64x4 {
    let s = |c: f64| f64x4::splat(c);
    let r = (x * f64x4::LOG2_E).round_ties_even();
    let y = r.mul_neg_add(s(0.693145751953125), x);
    let y = r.mul_neg_add(s(1.42860682030941723212E-6), y);
    let (y2, one) = (y * y, f64x4::ONE);
    let (y4, y8) = (y2 * y2, y2 * y2 * (y2 * y2));
    let c = |k: u32| s(1.0 / (1..=k).map(f64::from).product::<f64>());
    let z = y8.mul_add(
        y4.mul_add(
            y.mul_add(c(13), c(12)),
            y2.mul_add(y.mul_add(c(11), c(10)), y.mul_add(c(9), c(8))),
        ),
        y4.mul_add(
            y2.mul_add(y.mul_add(c(7), c(6)), y.mul_add(c(5), c(4))),
            y2.mul_add(y.mul_add(c(3), c(2)), y),
        ),
    );
    // 2^r: r + 1023 in the low bits of 2^52 + r + 1023, shifted into the exponent
    let biased: wide::u64x4 = wide::bytemuck::cast(r + s(1023.0 + 4503599627370496.0));
    let scale: f64x4 = wide::bytemuck::cast(biased << 52);
    (z + one) * scale
}

/// The lanes holding a subnormal, where `wide`'s logarithms give −∞.
#[inline]
fn subnormal(x: f64x4) -> f64x4 {
    x.abs().simd_lt(f64x4::splat(f64::MIN_POSITIVE)) & x.simd_ne(f64x4::ZERO)
}

/// log x; subnormal x is scalar (0, negatives, ∞ and NaN give what std gives).
#[inline]
pub fn ln(x: f64x4) -> f64x4 {
    patch(x.ln(), x, subnormal(x), f64::ln)
}

/// log(1 + x), as std's on all of R (checked by the tests).
#[inline]
pub fn ln_1p(x: f64x4) -> f64x4 {
    x.ln_1p()
}

/// φ(x) = e^(−x²/2)/√(2π), in the order `special::std_normal_pdf` computes it.
#[inline]
pub fn std_normal_pdf(x: f64x4) -> f64x4 {
    let sqrt_2pi = (2.0 * std::f64::consts::PI).sqrt();
    exp(f64x4::splat(-0.5) * x * x) / f64x4::splat(sqrt_2pi)
}

/// artanh x = ½·log(1 + 2|x|/(1 − |x|)) with x's sign, as musl computes it (below
/// |x| = ½ the argument as 2|x| + 2x²/(1 − |x|)); ±∞ at ±1 and NaN beyond, as musl.
#[inline]
pub fn atanh(x: f64x4) -> f64x4 {
    let a = x.abs();
    let one = f64x4::ONE;
    let two_a = a + a;
    let small = a.simd_lt(f64x4::splat(0.5));
    let arg = small.select(two_a + two_a * a / (one - a), two_a / (one - a));
    let v = (f64x4::splat(0.5) * ln_1p(arg)).copysign(x);
    a.simd_gt(one).select(f64x4::splat(f64::NAN), v)
}

/// logit x = log(x/(1 − x)) as `special::logit` computes it: near ½ from
/// log(1 + (2x − 1)/(1 − x)), elsewhere log x − log(1 − x), each only where a lane
/// needs it; subnormal x is scalar.
#[inline]
pub fn logit(x: f64x4) -> f64x4 {
    let one = f64x4::ONE;
    let middle = x.simd_ge(f64x4::splat(0.25)) & x.simd_le(f64x4::splat(0.75));
    let v = match middle.to_bitmask() {
        0b1111 => ln_1p((x + x - one) / (one - x)),
        0 => ln(x) - ln_1p(-x),
        _ => middle.select(ln_1p((x + x - one) / (one - x)), ln(x) - ln_1p(-x)),
    };
    patch(v, x, subnormal(x), special::logit)
}

/// 1/(1 + e^−x) as `special::sigmoid` computes it: from e^−|x| on either side.
#[inline]
pub fn sigmoid(x: f64x4) -> f64x4 {
    let e = exp(-x.abs());
    let r = f64x4::ONE / (f64x4::ONE + e);
    let v = x.simd_ge(f64x4::ZERO).select(r, e * r);
    patch(v, x, x.is_nan(), special::sigmoid)
}

/// Φ(x) = erfc(−x/√2)/2, with erfc after fdlibm's s_erf.c (the coefficients and
/// the splitting of e^(−z²) below are Sun's, as musl and the `libm` crate use them).
/// For x/√2 ≥ 6 (∞ included) Φ rounds to 1 and below −27.3 (−∞ included) to 0, as
/// the scalar Φ gives them; the lower tail between, and NaN, is scalar.
#[inline]
pub fn std_normal_cdf(x: f64x4) -> f64x4 {
    let z = -x * f64x4::splat(std::f64::consts::FRAC_1_SQRT_2);
    let a = z.abs();
    let inside = a.simd_lt(f64x4::splat(6.0));
    if inside.all() {
        return erfc(z, a) * f64x4::splat(0.5);
    }
    let (upper, lower) = (z.simd_le(f64x4::splat(-6.0)), z.simd_gt(f64x4::splat(27.3)));
    let ends = upper.select(f64x4::ONE, f64x4::ZERO);
    if (upper | lower).all() {
        return ends;
    }
    let v = (upper | lower).select(ends, erfc(z, a) * f64x4::splat(0.5));
    patch(v, x, !(inside | upper | lower), special::std_normal_cdf)
}

/// Lanes that are ±∞ or NaN, where a product with a vanishing factor (x·Φ(x) at −∞) is
/// left to the scalar value.
fn not_finite(x: f64x4) -> f64x4 {
    !(x.abs().simd_lt(f64x4::splat(f64::INFINITY)))
}

/// GELU(x) = x·Φ(x), as the registry's value computes it.
#[inline]
pub fn gelu(x: f64x4) -> f64x4 {
    patch(x * std_normal_cdf(x), x, not_finite(x), |u| {
        (crate::lang::functions::GELU.value)(&[u])
    })
}

/// GELU′(x) = Φ(x) + x·φ(x).
#[inline]
pub fn gelu_d(x: f64x4) -> f64x4 {
    patch(
        std_normal_cdf(x) + x * std_normal_pdf(x),
        x,
        not_finite(x),
        |u| (crate::lang::functions::GELU_D.value)(&[u]),
    )
}

/// GELU, GELU′ = Φ(x) + x·φ(x) and GELU″ = φ(x)·(2 − x²) together, one Φ(x) and
/// one φ(x) for all three.
#[inline]
pub fn gelu_with_derivatives(x: f64x4) -> [f64x4; 3] {
    // at ±∞ (the clamp of a piece's infinite end), where x·Φ(x) and x·φ(x) are ∞·0,
    // the limits: GELU(−∞) = 0, GELU′(±∞) = Φ(±∞), GELU″(±∞) = 0
    let (p, d) = (std_normal_cdf(x), std_normal_pdf(x));
    let infinite = x.abs().simd_eq(f64x4::splat(f64::INFINITY));
    let value = x
        .simd_eq(f64x4::splat(f64::NEG_INFINITY))
        .select(f64x4::ZERO, x * p);
    // (and where φ(x) underflows, as x² may overflow: φ(x)·x² → 0)
    let second = d
        .simd_eq(f64x4::ZERO)
        .select(f64x4::ZERO, d * (f64x4::splat(2.0) - x * x));
    [value, infinite.select(p, p + x * d), second]
}

/// SiLU, SiLU′ = σ(x)(1 + x·σ(−x)) and SiLU″ = σ(x)σ(−x)(2 + x(σ(−x) − σ(x)))
/// together, one e^(−|x|) for σ(x) and σ(−x).
#[inline]
pub fn silu_with_derivatives(x: f64x4) -> [f64x4; 3] {
    let e = exp(-x.abs());
    let r = f64x4::ONE / (f64x4::ONE + e);
    let right = x.simd_ge(f64x4::ZERO);
    let (up, down) = (right.select(r, e * r), right.select(e * r, r));
    // at ±∞, where x·σ(x) and x·σ(−x) are ∞·0, the limits: SiLU(−∞) = 0,
    // SiLU′(±∞) = σ(±∞), SiLU″(±∞) = 0
    let infinite = x.abs().simd_eq(f64x4::splat(f64::INFINITY));
    let value = x
        .simd_eq(f64x4::splat(f64::NEG_INFINITY))
        .select(f64x4::ZERO, x * up);
    let second = up * down * (f64x4::splat(2.0) + x * (down - up));
    [
        value,
        infinite.select(up, up * (f64x4::ONE + x * down)),
        infinite.select(f64x4::ZERO, second),
    ]
}

/// SiLU(x) = x·σ(x).
#[inline]
pub fn silu(x: f64x4) -> f64x4 {
    patch(x * sigmoid(x), x, not_finite(x), |u| {
        (crate::lang::functions::SILU.value)(&[u])
    })
}

/// Mish(x) = x·(1 − q²)/(1 + q²) with q = σ(−x).
#[inline]
pub fn mish(x: f64x4) -> f64x4 {
    // as `special::mish`: sums of positive terms in r = e^(−|x|) on either side of 0
    let r = exp(-x.abs());
    let two = f64x4::splat(2.0);
    let below = r * (r + two);
    let above = f64x4::ONE + two * r;
    let neg = x.simd_le(f64x4::ZERO);
    let n = neg.select(below, above);
    let d = neg.select(below + two, above + two * r * r);
    patch(x * n / d, x, not_finite(x), special::mish)
}

/// PyTorch's tanh GELU, x·σ(2k(x + 0.044715x³)).
#[inline]
pub fn gelu_tanh(x: f64x4) -> f64x4 {
    let s = f64x4::splat(1.5957691216057308) * (x + f64x4::splat(0.044715) * x * x * x);
    patch(x * sigmoid(s), x, not_finite(x), |u| {
        (crate::lang::functions::GELU_TANH.value)(&[u])
    })
}

/// Φ(u)^n: the plain power for the same integer n in every lane with |n| ≤ 1000 (as
/// `special::std_normal_cdf_pow` does; by squaring here), scalar otherwise.
#[inline]
pub fn std_normal_cdf_pow(u: f64x4, n: f64x4) -> f64x4 {
    let ns = n.to_array();
    let k = ns[0];
    if ns.iter().all(|&m| m == k) && k.fract() == 0.0 && k.abs() <= 1000.0 && k != 0.0 {
        let p = powi(std_normal_cdf(u), k.abs() as u32);
        return if k < 0.0 { f64x4::ONE / p } else { p };
    }
    let (us, mut out) = (u.to_array(), [0.0; LANES]);
    for i in 0..LANES {
        out[i] = special::std_normal_cdf_pow(us[i], ns[i]);
    }
    f64x4::new(out)
}

fn powi(mut b: f64x4, mut k: u32) -> f64x4 {
    let mut acc = f64x4::ONE;
    while k > 0 {
        if k & 1 == 1 {
            acc *= b;
        }
        k >>= 1;
        if k > 0 {
            b *= b;
        }
    }
    acc
}

/// fdlibm's erf on |z| < 0.84375: erf(z) = z + z·P(z²)/Q(z²).
#[allow(clippy::excessive_precision)]
const ERF_P: [f64; 5] = [
    1.28379167095512558561e-01,
    -3.25042107247001499370e-01,
    -2.84817495755985104766e-02,
    -5.77027029648944159157e-03,
    -2.37630166566501626084e-05,
];
#[allow(clippy::excessive_precision)]
const ERF_Q: [f64; 6] = [
    1.0,
    3.97917223959155352819e-01,
    6.50222499887672944485e-02,
    5.08130628187576562776e-03,
    1.32494738004321644526e-04,
    -3.96022827877536812320e-06,
];
/// fdlibm's erfc on 0.84375 ≤ |z| < 1.25: erx + P(|z| − 1)/Q(|z| − 1).
#[allow(clippy::excessive_precision)]
const ERX_P: [f64; 7] = [
    -2.36211856075265944077e-03,
    4.14856118683748331666e-01,
    -3.72207876035701323847e-01,
    3.18346619901161753674e-01,
    -1.10894694282396677476e-01,
    3.54783043256182359371e-02,
    -2.16637559486879084300e-03,
];
#[allow(clippy::excessive_precision)]
const ERX_Q: [f64; 7] = [
    1.0,
    1.06420880400844228286e-01,
    5.40397917702171048937e-01,
    7.18286544141962662868e-02,
    1.26171219808761642112e-01,
    1.36370839120290507362e-02,
    1.19844998467991074170e-02,
];
/// fdlibm's erfc on 1.25 ≤ |z| < 1/0.35: R(1/z²)/S(1/z²) in the exponent.
#[allow(clippy::excessive_precision)]
const ERFC_NEAR_R: [f64; 8] = [
    -9.86494403484714822705e-03,
    -6.93858572707181764372e-01,
    -1.05586262253232909814e+01,
    -6.23753324503260060396e+01,
    -1.62396669462573470355e+02,
    -1.84605092906711035994e+02,
    -8.12874355063065934246e+01,
    -9.81432934416914548592e+00,
];
#[allow(clippy::excessive_precision)]
const ERFC_NEAR_S: [f64; 9] = [
    1.0,
    1.96512716674392571292e+01,
    1.37657754143519042600e+02,
    4.34565877475229228821e+02,
    6.45387271733267880336e+02,
    4.29008140027567833386e+02,
    1.08635005541779435134e+02,
    6.57024977031928170135e+00,
    -6.04244152148580987438e-02,
];
/// fdlibm's erfc on 1/0.35 ≤ |z| < 6.
#[allow(clippy::excessive_precision)]
const ERFC_FAR_R: [f64; 7] = [
    -9.86494292470009928597e-03,
    -7.99283237680523006574e-01,
    -1.77579549177547519889e+01,
    -1.60636384855821916062e+02,
    -6.37566443368389627722e+02,
    -1.02509513161107724954e+03,
    -4.83519191608651397019e+02,
];
#[allow(clippy::excessive_precision)]
const ERFC_FAR_S: [f64; 8] = [
    1.0,
    3.03380607434824582924e+01,
    3.25792512996573918826e+02,
    1.53672958608443695994e+03,
    3.19985821950859553908e+03,
    2.55305040643316442583e+03,
    4.74528541206955367215e+02,
    -2.24409524465858183362e+01,
];

/// erfc(z) for |z| = a < 6, each of fdlibm's four ranges computed only when a lane
/// falls in it. The coefficients are written as fdlibm publishes them, so that they
/// can be compared with its source digit for digit.
#[inline]
#[allow(clippy::excessive_precision)]
fn erfc(z: f64x4, a: f64x4) -> f64x4 {
    const ERX: f64 = 8.45062911510467529297e-01;
    let one = f64x4::ONE;
    let s = |c: f64| f64x4::splat(c);
    let poly = |x: f64x4, cs: &[f64]| cs.iter().rev().fold(f64x4::ZERO, |acc, &c| acc * x + s(c));
    let negative = z.simd_lt(f64x4::ZERO);
    let mut out = f64x4::ZERO;
    // |z| < 0.84375: 1 − erf(z), erf(z) = z + z·P(z²)/Q(z²)
    let r1 = a.simd_lt(s(0.84375));
    if r1.any() {
        let zz = z * z;
        let p = poly(zz, &ERF_P);
        let q = poly(zz, &ERF_Q);
        let y = p / q;
        let below_quarter = z.simd_lt(s(0.25));
        let v = below_quarter.select(one - (z + z * y), s(0.5) - (z - s(0.5) + z * y));
        out = r1.select(v, out);
    }
    // 0.84375 ≤ |z| < 1.25: erx + P(|z| − 1)/Q(|z| − 1)
    let r2 = !r1 & a.simd_lt(s(1.25));
    if r2.any() {
        let t = a - one;
        let p = poly(t, &ERX_P);
        let q = poly(t, &ERX_Q);
        let v = negative.select(one + s(ERX) + p / q, one - s(ERX) - p / q);
        out = r2.select(v, out);
    }
    // 1.25 ≤ |z| < 6: e^(−z²)·R(1/z²)/S(1/z²)/|z|, in two ranges split at 1/0.35
    let r3 = !(r1 | r2);
    if r3.any() {
        let w = one / (a * a);
        let near = a.simd_lt(s(1.0 / 0.35));
        let mut rs = f64x4::ZERO;
        if (r3 & near).any() {
            let r = poly(w, &ERFC_NEAR_R);
            let q = poly(w, &ERFC_NEAR_S);
            rs = near.select(r / q, rs);
        }
        if (r3 & !near).any() {
            let r = poly(w, &ERFC_FAR_R);
            let q = poly(w, &ERFC_FAR_S);
            rs = near.select(rs, r / q);
        }
        // e^(−z²) as e^(−h² − 0.5625)·e^((h − |z|)(h + |z|)) with h = |z| rounded to
        // its high 32 bits, so that h² is exact
        let h = a & f64x4::splat(f64::from_bits(0xffff_ffff_0000_0000));
        let e = exp(-h * h - s(0.5625)) * exp((h - a) * (h + a) + rs) / a;
        let v = negative.select(s(2.0) - e, e);
        out = r3.select(v, out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest distance, in units of the reference's last place, between a kernel
    /// and its scalar reference over `xs`.
    fn worst_ulps(
        kernel: impl Fn(f64x4) -> f64x4,
        reference: impl Fn(f64) -> f64,
        xs: &[f64],
    ) -> (f64, f64) {
        let mut out = vec![0.0; xs.len()];
        map(xs, &mut out, kernel);
        let mut worst = (0.0, f64::NAN);
        for (&x, &v) in xs.iter().zip(&out) {
            let r = reference(x);
            let ulps = if v == r || (v.is_nan() && r.is_nan()) {
                0.0
            } else if r == 0.0 || !r.is_finite() {
                f64::INFINITY
            } else {
                ((v - r) / r).abs() / f64::EPSILON
            };
            if ulps > worst.0 || ulps.is_nan() {
                worst = (ulps, x);
            }
        }
        worst
    }

    fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
        (0..=n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .collect()
    }

    fn edges() -> Vec<f64> {
        vec![
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1.0,
            -1.0,
            5e-324,
            -5e-324,
            1e-310,
            f64::MIN_POSITIVE,
            1e300,
            -1e300,
            709.9,
            -745.5,
        ]
    }

    // References: the scalar functions of std, the libm crate (musl's) and
    // `special`, each within an ulp or two of the true value (special's against
    // mpmath and SciPy in its own tests and tests/scipy.rs). The bounds below are
    // those kernels' documented errors plus the reference's own.
    #[test]
    fn exp_and_logarithms_agree_with_std() {
        let mut xs = grid(-745.0, 710.0, 200_000);
        xs.extend(edges());
        assert!(worst_ulps(exp, f64::exp, &xs).0 <= 1.0);
        let mut pos: Vec<f64> = grid(-320.0, 308.0, 200_000)
            .into_iter()
            .map(|e| 10f64.powf(e))
            .collect();
        pos.extend(edges());
        assert!(worst_ulps(ln, f64::ln, &pos).0 <= 1.0);
        let mut small = grid(-1.0, 3.0, 200_000);
        small.extend(pos.iter().map(|x| -x.min(1.5)));
        small.extend(&pos);
        assert!(worst_ulps(ln_1p, f64::ln_1p, &small).0 <= 2.0);
    }

    /// The fast path of `exp` gives `wide`'s bits on [−708, 709], at 10^6 points and
    /// the ends, so that the accuracy measured above is `wide`'s there too.
    #[test]
    fn exp_fast_path_is_wides_exp() {
        let mut xs = grid(-708.0, 709.0, 1_000_000);
        xs.extend([
            -708.0,
            709.0,
            0.0,
            -0.0,
            1e-300,
            -1e-300,
            0.5 * std::f64::consts::LN_2,
        ]);
        for x in xs {
            let (fast, wide) = (exp_normal(f64x4::splat(x)), f64x4::splat(x).exp());
            assert_eq!(
                fast.to_array()[0].to_bits(),
                wide.to_array()[0].to_bits(),
                "e^{x}"
            );
        }
    }

    #[test]
    fn normal_functions_agree_with_the_scalar_ones() {
        let mut xs = grid(-40.0, 40.0, 400_000);
        xs.extend(edges());
        let (u, at) = worst_ulps(std_normal_cdf, special::std_normal_cdf, &xs);
        assert!(u <= 4.0, "Φ: {u} ulps at {at}");
        let (u, at) = worst_ulps(std_normal_pdf, special::std_normal_pdf, &xs);
        assert!(u <= 2.0, "φ: {u} ulps at {at}");
        let pow3 = |x| std_normal_cdf_pow(x, f64x4::splat(3.0));
        let (u, at) = worst_ulps(pow3, |x| special::std_normal_cdf(x).powi(3), &xs);
        assert!(u <= 12.0, "Φ³: {u} ulps at {at}");
        let big = |x| std_normal_cdf_pow(x, f64x4::splat(5000.0));
        let (u, at) = worst_ulps(big, |x| special::std_normal_cdf_pow(x, 5000.0), &xs);
        assert_eq!(u, 0.0, "Φ^5000 (scalar in both): {u} ulps at {at}");
    }

    #[test]
    fn inverse_maps_agree_with_the_scalar_ones() {
        let mut xs = grid(-1.0, 1.0, 400_000);
        xs.extend([1.0 - 1e-12, -1.0 + 1e-12, 1e-300, 0.5, 0.25, 0.75, 2.0]);
        xs.extend(edges());
        let (u, at) = worst_ulps(atanh, libm::atanh, &xs);
        assert!(u <= 4.0, "artanh: {u} ulps at {at}");
        let (u, at) = worst_ulps(logit, special::logit, &xs);
        assert!(u <= 4.0, "logit: {u} ulps at {at}");
        let mut ys = grid(-50.0, 50.0, 200_000);
        ys.extend(edges());
        let (u, at) = worst_ulps(sigmoid, special::sigmoid, &ys);
        assert!(u <= 2.0, "sigmoid: {u} ulps at {at}");
    }

    /// Each function's value-and-derivatives kernel: the value is its vector kernel's,
    /// bit for bit; the derivative is its derivative rule's right side (with u = x)
    /// evaluated by the scalar functions, to 16 ulps of the larger of the derivative
    /// and the first of its terms (Φ(x) or σ(x): near the turn the sum cancels); the
    /// second derivative is the one written here by hand, φ(x)(2 − x²) for GELU and
    /// σ(x)σ(−x)(2 + x(σ(−x) − σ(x))) for SiLU by the scalar functions, to 16 ulps of
    /// the larger of it and its first factor (φ(x) or σ(x)σ(−x)); at ±∞ they are the
    /// limits, 0 or 1 and 0.
    #[test]
    fn values_with_derivatives_agree_with_the_kernels_and_the_rules() {
        let mut xs = grid(-40.0, 40.0, 100_000);
        xs.extend(edges());
        let functions: Vec<_> = crate::lang::FUNCTIONS
            .iter()
            .filter(|f| f.with_derivatives.is_some())
            .collect();
        assert!(functions.len() >= 2);
        for f in functions {
            let (three, vector) = (f.with_derivatives.unwrap(), f.vector.unwrap());
            let rule = f
                .derivative
                .unwrap()
                .rhs
                .replace("(Dc ?u)", "1")
                .replace("?u", "t");
            let rule: crate::lang::Expr = rule.parse().unwrap();
            let mut value = vec![0.0; xs.len()];
            let mut slope = vec![0.0; xs.len()];
            let mut bend = vec![0.0; xs.len()];
            let mut plain = vec![0.0; xs.len()];
            map_triple(&xs, [&mut value, &mut slope, &mut bend], three);
            map(&xs, &mut plain, vector);
            for (k, &x) in xs.iter().enumerate() {
                assert!(
                    value[k].to_bits() == plain[k].to_bits(),
                    "{}({x:e}): {:e}, its kernel {:e}",
                    f.op,
                    value[k],
                    plain[k]
                );
                if x.is_nan() {
                    assert!(slope[k].is_nan() && bend[k].is_nan());
                    continue;
                }
                if x.is_infinite() {
                    // both rise from slope 0 at −∞ to slope 1 at ∞, straight at both
                    assert_eq!(slope[k], f64::from(u8::from(x > 0.0)), "{}′({x})", f.op);
                    assert_eq!(bend[k], 0.0, "{}″({x})", f.op);
                    continue;
                }
                let want = crate::lang::implicit::at(&rule, x).unwrap();
                let first = if f.op == "gelu" {
                    special::std_normal_cdf(x)
                } else {
                    special::sigmoid(x)
                };
                let tol = 16.0 * f64::EPSILON * want.abs().max(first);
                assert!(
                    (slope[k] - want).abs() <= tol,
                    "{}′({x:e}): {:e}, its rule {want:e}",
                    f.op,
                    slope[k]
                );
                let (factor, rest) = if f.op == "gelu" {
                    (special::std_normal_pdf(x), 2.0 - x * x)
                } else {
                    let (up, down) = (special::sigmoid(x), special::sigmoid(-x));
                    (up * down, 2.0 + x * (down - up))
                };
                // (φ(x)·x² → 0 where φ(x) underflows and x² overflows)
                let want = if factor == 0.0 { 0.0 } else { factor * rest };
                let tol = 16.0 * f64::EPSILON * want.abs().max(factor);
                assert!(
                    (bend[k] - want).abs() <= tol,
                    "{}″({x:e}): {:e}, by hand {want:e}",
                    f.op,
                    bend[k]
                );
            }
        }
    }

    #[test]
    fn a_point_has_one_value_wherever_it_falls_in_a_batch() {
        let xs = grid(-3.0, 3.0, 10);
        let mut whole = vec![0.0; xs.len()];
        map(&xs, &mut whole, std_normal_cdf);
        for (i, &x) in xs.iter().enumerate() {
            let mut one = [0.0];
            map(&[x], &mut one, std_normal_cdf);
            assert_eq!(one[0].to_bits(), whole[i].to_bits());
        }
    }
}
