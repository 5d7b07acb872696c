//! The special functions of the formulas, accurate far into the tails.

use libm::erfc;
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Φ(x), the standard Normal CDF, as erfc(−x/√2)/2: no cancellation in either tail,
/// so Φ(−30) ≈ 4.9e−198 keeps its relative accuracy. libm's erfc (a port of musl's)
/// is accurate to about one ulp; statrs' erfc was measured 1.6e−11 off at Φ(1).
pub fn std_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// log Φ(x), accurate on both sides: from Φ itself where Φ is small (erfc keeps
/// its relative accuracy), and as log(1 − Φ(−x)) with `ln_1p` where Φ is near 1.
pub fn log_std_normal_cdf(x: f64) -> f64 {
    if x < -1.0 {
        std_normal_cdf(x).ln()
    } else {
        (-std_normal_cdf(-x)).ln_1p()
    }
}

/// Φ(x)^n = exp(n·log Φ(x)): for the max of n = 10^9 copies the plain power loses
/// 5e-8 relative (Φ(6) = 1 − 1e-9 carries only 7 significant digits of its tail).
pub fn std_normal_cdf_pow(x: f64, n: f64) -> f64 {
    if n == 0.0 {
        return 1.0;
    }
    if n.abs() <= 1000.0 {
        // the plain power loses at most n ulps: 2e-13 relative for n = 1000
        return std_normal_cdf(x).powf(n);
    }
    (n * log_std_normal_cdf(x)).exp()
}

/// log(e^x − 1), the inverse of softplus: the plain form loses all its digits where
/// it crosses 0, at x = log 2 (a cube root of it then put 3e-6 of error into a CDF),
/// so near there it is computed from x − log 2 with log 2 in two parts, and elsewhere
/// as x + log(1 − e^−x).
pub fn softplus_inv(x: f64) -> f64 {
    // log 2 in two parts, so that x − log 2 is exact to 1e-33
    const LN2_HI: f64 = std::f64::consts::LN_2;
    const LN2_LO: f64 = 2.319_046_813_846_299_6e-17;
    if (0.35..=1.35).contains(&x) {
        // e^x − 1 = 1 + 2·(e^(x − log 2) − 1): exact near the zero at log 2
        let d = (x - LN2_HI) - LN2_LO;
        (2.0 * d.exp_m1()).ln_1p()
    } else if x > 0.0 {
        x + (-(-x).exp_m1()).ln()
    } else {
        x.exp_m1().ln()
    }
}

/// φ(x), the standard Normal density.
pub fn std_normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// 1/(1 + e^−x) without overflow on either side.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// log(x/(1 − x)), accurate near both 0 and 1.
pub fn logit(x: f64) -> f64 {
    if (0.25..=0.75).contains(&x) {
        // near its zero at 1/2: log(1 + (2x − 1)/(1 − x)), with 2x − 1 exact
        ((2.0 * x - 1.0) / (1.0 - x)).ln_1p()
    } else {
        x.ln() - (-x).ln_1p()
    }
}

/// log(1 + e^x) without overflow.
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Mish, x·tanh(softplus(x)), without the cancellation of 1 − σ(−x)² for x < 0: with
/// r = e^(−|x|), tanh(softplus(x)) is r(r + 2)/(r(r + 2) + 2) for x ≤ 0 and
/// (1 + 2r)/(1 + 2r + 2r²) for x > 0, sums of positive terms only.
pub fn mish(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        return 0.0;
    }
    let r = (-x.abs()).exp();
    let t = if x <= 0.0 {
        let n = r * (r + 2.0);
        n / (n + 2.0)
    } else {
        let n = 1.0 + 2.0 * r;
        n / (n + 2.0 * r * r)
    };
    x * t
}

/// x/(1 + |x|).
pub fn softsign(x: f64) -> f64 {
    if x.is_infinite() {
        // its limits, where x/(1 + |x|) is ∞/∞
        x.signum()
    } else {
        x / (1.0 + x.abs())
    }
}

/// The CDF of the K-th smallest of N iid copies whose CDF is u at the point:
/// P(Binomial(N, u) ≥ K) = I_u(K, N − K + 1), the regularized incomplete beta function.
pub fn order_cdf(k: f64, n: f64, u: f64) -> f64 {
    if u <= 0.0 {
        0.0
    } else if u >= 1.0 {
        1.0
    } else {
        // statrs panics outside its domain (a NaN u, K out of range): NaN instead
        statrs::function::beta::checked_beta_reg(k, n - k + 1.0, u).unwrap_or(f64::NAN)
    }
}

/// n! = Γ(n + 1).
pub fn factorial(n: f64) -> f64 {
    statrs::function::gamma::gamma(n + 1.0)
}

/// The inverse of softsign, u/(1 − |u|) on (−1, 1).
pub fn softsign_inv(u: f64) -> f64 {
    u / (1.0 - u.abs())
}

/// Whether `n` is an odd whole number.
pub fn is_odd(n: f64) -> bool {
    n.fract() == 0.0 && (n as i64) % 2 != 0
}

/// The real n-th root: sign(x)·|x|^(1/n) for odd n; for even n, NaN below 0.
pub fn root(x: f64, n: f64) -> f64 {
    let odd = is_odd(n);
    // an even root's argument a few ulps below 0 at the edge of its domain: the
    // bracket that guards it compared t with a rounded constant (t ≥ log 2 holds for
    // t = fl(log 2), where log(e^t − 1) = −5e-17); its value there is 0
    if !odd && (-1e-12..0.0).contains(&x) {
        return 0.0;
    }
    if x < 0.0 && odd {
        -(-x).powf(1.0 / n)
    } else if n == 2.0 {
        x.sqrt()
    } else if n == 3.0 {
        x.cbrt()
    } else {
        x.powf(1.0 / n)
    }
}

/// x for x > 0, α(eˣ − 1) below.
pub fn elu(x: f64, alpha: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        alpha * x.exp_m1()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    // References: values of Φ from the closed form 0.5·erfc(−x/√2) computed to 30
    // digits with mpmath (mpmath.ncdf), written here by hand.
    #[test]
    fn phi_in_the_tails() {
        assert_relative_eq!(std_normal_cdf(0.0), 0.5, max_relative = 1e-15);
        assert_relative_eq!(
            std_normal_cdf(-5.0),
            2.866515718791939e-7,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            std_normal_cdf(-10.0),
            7.619853024160527e-24,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            std_normal_cdf(-30.0),
            4.906713927148187e-198,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            std_normal_cdf(1.0),
            0.8413447460685429,
            max_relative = 1e-15
        );
    }

    #[test]
    fn logistic_functions_are_inverse() {
        // logit is ill-conditioned near 1, so large positive x cannot round-trip in
        // f64; these points keep the condition number below 1e3
        for &x in &[-30.0, -2.0, 0.0, 0.3, 5.0] {
            assert_relative_eq!(logit(sigmoid(x)), x, epsilon = 1e-12, max_relative = 1e-9);
        }
        assert_relative_eq!(softplus(1000.0), 1000.0);
        assert_relative_eq!(softplus(-50.0), (-50.0f64).exp(), max_relative = 1e-12);
    }

    /// Mish to a few ulps on both sides of 0, against x·tanh(log(1 + e^x)) in mpmath at
    /// 40 digits; x = −8 and −30 are where 1 − σ(−x)² loses 3 and 12 digits. The vector
    /// form agrees with the scalar one.
    #[test]
    #[allow(clippy::excessive_precision)]
    fn mish_keeps_its_digits_left_of_zero() {
        let cases = [
            (-30.0, -2.807_286_890_651_921_033_8e-12),
            (-8.0, -2.683_250_882_546_537_509_9e-3),
            (-1.1924, -0.308_843_412_887_198_517_93),
            (0.5, 0.375_245_211_304_895_104_82),
            (3.0, 2.986_535_004_967_957_319_1),
            (40.0, 40.0),
        ];
        for (x, want) in cases {
            assert_relative_eq!(mish(x), want, max_relative = 4.0 * f64::EPSILON);
            let v = crate::lang::simd::mish(wide::f64x4::splat(x)).to_array()[0];
            assert_relative_eq!(v, want, max_relative = 4.0 * f64::EPSILON);
        }
    }
}
