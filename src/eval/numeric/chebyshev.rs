//! Chebyshev interpolants on an interval, the approximation a numeric law's density
//! is made of (as in Chebfun and PaCAL): the values at the n + 1 Chebyshev points of
//! the second kind to the coefficients of the interpolating series Σ c_j T_j and back,
//! its value (Clenshaw's recurrence), its integral and antiderivative, and the
//! adaptive fit of a function, with an estimate of the fit's error.

use std::f64::consts::PI;
use wide::f64x4;

/// A polynomial on [a, b] as the coefficients of Σ c_j T_j(s), s = (2x − a − b)/(b − a).
#[derive(Clone, Debug, PartialEq)]
pub struct Cheb {
    pub a: f64,
    pub b: f64,
    pub c: Vec<f64>,
}

/// The n + 1 Chebyshev points of the second kind on [−1, 1], ascending: −cos(πk/n).
pub fn points(n: usize) -> Vec<f64> {
    if n == 0 {
        return vec![0.0];
    }
    // sin of a symmetric angle gives points symmetric to the last bit
    (0..=n)
        .map(|k| (PI * (2.0 * k as f64 - n as f64) / (2.0 * n as f64)).sin())
        .collect()
}

/// The coefficients of the interpolant through `values` at `points(n)` (n + 1 values):
/// c_j = (2/n) Σ'' f_k T_j(x_k), the first and last terms of the sum and c_0, c_n
/// halved (a direct sum: n stays below a few hundred here).
pub fn coefficients(values: &[f64]) -> Vec<f64> {
    let n = values.len() - 1;
    if n == 0 {
        return values.to_vec();
    }
    let nf = n as f64;
    // cos(πm/n) for m < 2n, the only angles the sums take
    let cosines: Vec<f64> = (0..2 * n).map(|m| (m as f64 * PI / nf).cos()).collect();
    (0..=n)
        .map(|j| {
            let sum: f64 = values
                .iter()
                .enumerate()
                .map(|(k, &f)| {
                    // x_k = −cos(πk/n), so T_j(x_k) = (−1)^j cos(πjk/n)
                    let w = if k == 0 || k == n { 0.5 } else { 1.0 };
                    w * f * cosines[(j * k) % (2 * n)]
                })
                .sum();
            let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
            let half = if j == 0 || j == n { 0.5 } else { 1.0 };
            sign * half * 2.0 / nf * sum
        })
        .collect()
}

/// Σ c_j T_j(s) by Clenshaw's recurrence.
pub fn clenshaw(c: &[f64], s: f64) -> f64 {
    let (mut b1, mut b2) = (0.0, 0.0);
    for &cj in c.iter().skip(1).rev() {
        (b1, b2) = (2.0 * s * b1 - b2 + cj, b1);
    }
    s * b1 - b2 + c.first().copied().unwrap_or(0.0)
}

/// Σ c_j T_j(s) at four points at once (Clenshaw's recurrence in lanes).
pub fn clenshaw4(c: &[f64], s: f64x4) -> f64x4 {
    let (mut b1, mut b2) = (f64x4::ZERO, f64x4::ZERO);
    let two_s = s + s;
    for &cj in c.iter().skip(1).rev() {
        (b1, b2) = (two_s.mul_add(b1, f64x4::splat(cj) - b2), b1);
    }
    s.mul_add(b1, f64x4::splat(c.first().copied().unwrap_or(0.0)) - b2)
}

/// `clenshaw4` at eight points, two independent recurrences interleaved (each step
/// waits on the one before: two chains keep the multiply-add unit busy).
pub fn clenshaw8(c: &[f64], s: [f64x4; 2]) -> [f64x4; 2] {
    let (mut b1, mut b2) = ([f64x4::ZERO; 2], [f64x4::ZERO; 2]);
    let two_s = [s[0] + s[0], s[1] + s[1]];
    for &cj in c.iter().skip(1).rev() {
        let cj = f64x4::splat(cj);
        let next = [
            two_s[0].mul_add(b1[0], cj - b2[0]),
            two_s[1].mul_add(b1[1], cj - b2[1]),
        ];
        (b1, b2) = (next, b1);
    }
    let c0 = f64x4::splat(c.first().copied().unwrap_or(0.0));
    [
        s[0].mul_add(b1[0], c0 - b2[0]),
        s[1].mul_add(b1[1], c0 - b2[1]),
    ]
}

impl Cheb {
    /// The interpolant of `values` at the Chebyshev points of [a, b].
    pub fn from_values(a: f64, b: f64, values: &[f64]) -> Cheb {
        Cheb {
            a,
            b,
            c: coefficients(values),
        }
    }

    /// The value at x (0 outside [a, b]).
    pub fn eval(&self, x: f64) -> f64 {
        if !(self.a <= x && x <= self.b) {
            return 0.0;
        }
        self.eval_near(x)
    }

    /// The value at x, for x in [a, b] up to rounding: x a rounding error beyond an end
    /// takes the end's value (a quadrature node computed as z − y).
    pub fn eval_near(&self, x: f64) -> f64 {
        let s = ((2.0 * x - self.a - self.b) / (self.b - self.a)).clamp(-1.0, 1.0);
        clenshaw(&self.c, s)
    }

    /// The values at four points, each in [a, b] up to rounding (as `eval_near`).
    pub fn eval_near4(&self, x: f64x4) -> f64x4 {
        let width = self.b - self.a;
        let s = ((x + x - f64x4::splat(self.a + self.b)) / f64x4::splat(width))
            .fast_max(f64x4::splat(-1.0))
            .fast_min(f64x4::ONE);
        clenshaw4(&self.c, s)
    }

    /// The values at eight points, each in [a, b] up to rounding (as `eval_near`).
    pub fn eval_near8(&self, x: [f64x4; 2]) -> [f64x4; 2] {
        let (sum, width) = (f64x4::splat(self.a + self.b), f64x4::splat(self.b - self.a));
        let s = x.map(|x| {
            ((x + x - sum) / width)
                .fast_max(-f64x4::ONE)
                .fast_min(f64x4::ONE)
        });
        clenshaw8(&self.c, s)
    }

    /// ∫_a^b: (b − a)/2 · Σ_{j even} 2c_j/(1 − j²).
    pub fn integral(&self) -> f64 {
        let sum: f64 = self
            .c
            .iter()
            .enumerate()
            .step_by(2)
            .map(|(j, &c)| 2.0 * c / (1.0 - (j * j) as f64))
            .sum();
        0.5 * (self.b - self.a) * sum
    }

    /// The antiderivative that is 0 at a: C_1 = c_0 − c_2/2, C_j = (c_{j−1} − c_{j+1})/(2j),
    /// C_0 so that the series vanishes at s = −1; scaled by (b − a)/2.
    pub fn antiderivative(&self) -> Cheb {
        let n = self.c.len();
        let c = |j: usize| self.c.get(j).copied().unwrap_or(0.0);
        let mut big = vec![0.0; n + 1];
        for (j, slot) in big.iter_mut().enumerate().skip(1) {
            *slot = if j == 1 {
                c(0) - c(2) / 2.0
            } else {
                (c(j - 1) - c(j + 1)) / (2.0 * j as f64)
            };
        }
        // at s = −1, T_j = (−1)^j
        let at_start: f64 = big
            .iter()
            .enumerate()
            .skip(1)
            .map(|(j, &v)| if j % 2 == 0 { v } else { -v })
            .sum();
        big[0] = -at_start;
        let scale = 0.5 * (self.b - self.a);
        big.iter_mut().for_each(|v| *v *= scale);
        Cheb {
            a: self.a,
            b: self.b,
            c: big,
        }
    }

    /// The same polynomial of x ↦ w·x + shift, on [w·a + shift, w·b + shift] (w ≠ 0;
    /// for w < 0 the interval turns round and the odd coefficients change sign).
    pub fn affine(&self, w: f64, shift: f64) -> Cheb {
        let (a, b) = (w * self.a + shift, w * self.b + shift);
        if w > 0.0 {
            Cheb {
                a,
                b,
                c: self.c.clone(),
            }
        } else {
            let c = self
                .c
                .iter()
                .enumerate()
                .map(|(j, &v)| if j % 2 == 0 { v } else { -v })
                .collect();
            Cheb { a: b, b: a, c }
        }
    }
}

/// The largest degree a fit tries on one interval before it halves the interval.
pub const MAX_DEGREE: usize = 32;

/// The most rounding of f, relative to its values, that a fit accepts as f's own (where
/// f is steep, rounding x to f64 alone moves it by |f′/f|·ulp(x)); more would cost the
/// accuracy of the sums the fit goes into.
pub const NOISE: f64 = 1e-10;

/// A fit of f on [a, b]: the interpolant and an estimate of max |f − p| on [a, b].
#[derive(Clone, Debug)]
pub struct Fit {
    pub cheb: Cheb,
    pub error: f64,
}

/// The interpolant of f on [a, b] of the least degree in 8, 16, `MAX_DEGREE` (each
/// reusing the values of the one before)
/// whose error is at most `tol`: the error estimated as the larger of (a) twice the
/// sum of the magnitudes of the coefficients dropped beyond the degree kept and of
/// the last eighth of the series (the tail Chebyshev interpolation leaves, as Chebfun
/// estimates it) and (b) twice the largest difference between f and the interpolant
/// halfway (in angle) between the Chebyshev points (an a-posteriori look where the
/// interpolant is least constrained; these are the new points of the next degree). `None` when no degree reaches `tol`, unless the
/// series has converged and only f's own rounding (below [`NOISE`] of its values)
/// stands between: then the fit, with that error.
pub fn fit(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> Option<Fit> {
    let x_of = |s: f64| 0.5 * (a + b) + 0.5 * (b - a) * s;
    // the ends are breaks, where a density may jump (relu's [t > 0] is 0 at 0, leaky
    // relu's density is 10φ(0) just below 0 and φ(0) at it): f is read an ulp inside
    // there, its limit from within the interval
    let inner = |x: f64| if x <= a { a.next_up() } else { b.next_down() };
    let f = |x: f64| {
        if (x <= a || x >= b) && a < b {
            // (where f or its limit is not finite, its own value: an infinite density
            // at an end, x·x's at 0, stays infinite and the fit refuses it; a NaN an
            // ulp inside, at a subnormal t, is not read)
            let (at, inside) = (f(x), f(inner(x)));
            if at.is_finite() && inside.is_finite() {
                inside
            } else {
                at
            }
        } else {
            f(x)
        }
    };
    let f = &f;
    let mut n = 8;
    let mut values: Vec<f64> = points(n).iter().map(|&s| f(x_of(s))).collect();
    while n <= MAX_DEGREE {
        // the look between the points is at the angles' midpoints, which are the new
        // points of 2n: a doubling evaluates f only there
        let s = points(2 * n);
        let mids: Vec<f64> = (0..n).map(|k| f(x_of(s[2 * k + 1]))).collect();
        if values.iter().chain(&mids).any(|v| !v.is_finite()) {
            return None;
        }
        let cheb = Cheb::from_values(a, b, &values);
        let tail: f64 = cheb.c[n - n / 8..].iter().map(|c| c.abs()).sum();
        // keep the shortest series whose dropped part is below a tenth of tol
        let mut keep = cheb.c.len();
        let mut dropped = 0.0;
        while keep > 1 && dropped + cheb.c[keep - 1].abs() <= tol / 10.0 {
            dropped += cheb.c[keep - 1].abs();
            keep -= 1;
        }
        let short = Cheb {
            a,
            b,
            c: cheb.c[..keep].to_vec(),
        };
        let observed = mids
            .iter()
            .enumerate()
            .map(|(k, &v)| (v - clenshaw(&short.c, s[2 * k + 1])).abs())
            .fold(0.0, f64::max);
        let error = (2.0 * (tail + dropped)).max(2.0 * observed);
        if !error.is_finite() {
            return None;
        }
        if error <= tol {
            return Some(Fit { cheb: short, error });
        }
        // the series has converged (its tail is at most what f misses between the
        // points) but f misses it: that is f's own rounding (of its formula, or of x
        // where f is steep), which no degree or interval removes; a fit with that
        // error, when it is below `NOISE` of f's values here
        let size = values.iter().map(|v| v.abs()).fold(0.0, f64::max);
        if n == MAX_DEGREE && tail + dropped <= tol.max(observed) && error <= NOISE * size {
            return Some(Fit { cheb: short, error });
        }
        values = values
            .iter()
            .zip(mids.iter().map(Some).chain([None]))
            .flat_map(|(&v, m)| [Some(v), m.copied()])
            .flatten()
            .collect();
        n *= 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Interpolation reproduces a polynomial exactly, and its integral, antiderivative
    /// and reflection are the calculus ones (x³ − 2x on [−1, 3]).
    #[test]
    fn a_cubic_is_interpolated_integrated_and_antidifferentiated_exactly() {
        let p = |x: f64| x * x * x - 2.0 * x;
        let (a, b) = (-1.0, 3.0);
        let cheb = Cheb::from_values(
            a,
            b,
            &points(5)
                .iter()
                .map(|&s| p(0.5 * (a + b) + 0.5 * (b - a) * s))
                .collect::<Vec<_>>(),
        );
        for x in [-1.0, -0.3, 0.0, 1.7, 3.0] {
            assert_relative_eq!(cheb.eval(x), p(x), epsilon = 1e-13);
        }
        // ∫_{−1}^{3} x³ − 2x dx = [x⁴/4 − x²]: (81/4 − 9) − (1/4 − 1) = 12
        assert_relative_eq!(cheb.integral(), 12.0, epsilon = 1e-13);
        let big = cheb.antiderivative();
        let exact = |x: f64| x.powi(4) / 4.0 - x * x - (0.25 - 1.0);
        for x in [-1.0, 0.5, 2.0, 3.0] {
            assert_relative_eq!(big.eval(x), exact(x), epsilon = 1e-13);
        }
        // x ↦ −x: the polynomial of −x on [−3, 1]
        let flipped = cheb.affine(-1.0, 0.0);
        assert_eq!((flipped.a, flipped.b), (-3.0, 1.0));
        for x in [-3.0, -1.2, 0.4, 1.0] {
            assert_relative_eq!(flipped.eval(x), p(-x), epsilon = 1e-13);
        }
    }

    /// The fit of e^x on [0, 1] and of φ on [−2, 2] meets its tolerance, and its
    /// estimate is no smaller than the true error at 10 001 points.
    #[test]
    fn fits_meet_their_tolerance_and_their_error_estimate_holds() {
        let phi = |x: f64| (-0.5 * x * x).exp() / (2.0 * PI).sqrt();
        for (f, a, b, tol) in [
            (&(|x: f64| x.exp()) as &dyn Fn(f64) -> f64, 0.0, 1.0, 1e-14),
            (&phi, -2.0, 2.0, 1e-14),
            (&phi, 0.0, 3.0, 1e-10),
        ] {
            let fit = fit(f, a, b, tol).expect("a smooth function fits");
            assert!(fit.error <= tol);
            let worst = (0..=10_000)
                .map(|k| a + (b - a) * k as f64 / 10_000.0)
                .map(|x| (fit.cheb.eval(x) - f(x)).abs())
                .fold(0.0, f64::max);
            assert!(
                worst <= fit.error.max(4.0 * f64::EPSILON),
                "{worst:e} > {:e}",
                fit.error
            );
        }
        // |x| has a kink: no degree up to MAX_DEGREE reaches 1e-12 on [−1, 1]
        assert!(fit(&|x: f64| x.abs(), -1.0, 1.0, 1e-12).is_none());
    }
}
