//! Adaptive Simpson quadrature with an explicit stack and a bound on the work, so a
//! nasty integrand costs at most a fixed number of evaluations, never a hang.

/// The most intervals one integral may split into.
const MAX_INTERVALS: usize = 200_000;

/// ∫ f over [a, b] to about `tol` absolute, starting from 64 panels so that no narrow
/// peak between them is missed.
pub fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    let simpson = |x: f64, fx: f64, y: f64, fy: f64, fm: f64| (y - x) / 6.0 * (fx + 4.0 * fm + fy);
    let panels = 64;
    let h = (b - a) / panels as f64;
    let mut stack: Vec<(f64, f64, f64, f64, f64, f64, f64)> = Vec::new();
    for i in 0..panels {
        let (x, y) = (
            a + h * i as f64,
            if i + 1 == panels {
                b
            } else {
                a + h * (i + 1) as f64
            },
        );
        let (fx, fy, fm) = (f(x), f(y), f((x + y) / 2.0));
        stack.push((
            x,
            fx,
            y,
            fy,
            fm,
            simpson(x, fx, y, fy, fm),
            tol / panels as f64,
        ));
    }
    let mut total = 0.0;
    let mut intervals = 0;
    while let Some((x, fx, y, fy, fm, whole, tol)) = stack.pop() {
        let m = (x + y) / 2.0;
        let (lm, rm) = (f((x + m) / 2.0), f((m + y) / 2.0));
        let (left, right) = (simpson(x, fx, m, fm, lm), simpson(m, fm, y, fy, rm));
        let delta = left + right - whole;
        intervals += 1;
        if delta.abs() <= 15.0 * tol
            || intervals > MAX_INTERVALS
            || (y - x) < 1e-14 * (x.abs() + y.abs())
        {
            total += left + right + delta / 15.0;
        } else {
            stack.push((x, fx, m, fm, lm, left, tol / 2.0));
            stack.push((m, fm, y, fy, rm, right, tol / 2.0));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn integrates_known_integrals() {
        // references: closed forms
        assert_relative_eq!(
            integrate(|x| x * x, 0.0, 3.0, 1e-12),
            9.0,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            integrate(f64::exp, 0.0, 1.0, 1e-12),
            std::f64::consts::E - 1.0,
            max_relative = 1e-11
        );
        // a narrow peak: ∫ exp(-(x/1e-3)^2) = 1e-3 √π
        let v = integrate(|x| (-(x / 1e-3f64).powi(2)).exp(), -1.0, 1.0, 1e-12);
        assert_relative_eq!(v, 1e-3 * std::f64::consts::PI.sqrt(), max_relative = 1e-8);
    }
}
