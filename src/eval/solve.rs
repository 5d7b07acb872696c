//! The inverse of the input's map on one monotone piece (`lang::implicit::Inverse`),
//! on a batch of points: g and g′ compiled like any formula, a table of g along the
//! piece to bracket each point's root, then a safeguarded Newton iteration on all the
//! points at once (a bisection step wherever Newton would leave the bracket), to the
//! last ulp the bracket allows.

use super::{Compiled, Values};
use crate::error::Result;
use crate::lang::implicit::Inverse;

/// How many Newton or bisection steps a point may take (a bisection halves the bracket,
/// so 1100 would reach any ulp of f64; Newton needs a handful).
const MAX_STEPS: usize = 200;

#[derive(Clone, Debug)]
pub struct Solver {
    g: Compiled,
    dg: Compiled,
    /// +1 for an increasing piece, −1 for a decreasing one: s(x) = sign·(g(x) − t) rises.
    sign: f64,
    lo: f64,
    hi: f64,
    /// Whether g′ = 0 at each end (the density is infinite where t is g's value there).
    turn: (bool, bool),
    /// Points of the piece left to right and g there (finite values only).
    table: Vec<(f64, f64)>,
}

impl Solver {
    pub fn new(inv: &Inverse) -> Result<Solver> {
        let none = Values::default();
        let g = Compiled::new(&inv.g, &none)?;
        let dg = Compiled::new(&inv.dg, &none)?;
        let (lo, hi) = (inv.lo.value, inv.hi.value);
        // a grid inside a finite piece; toward an infinite end, steps of 1/32 out to 32
        // (where most roots are: Newton then starts a few digits from them), doubling
        // beyond (and halving toward a finite end, for roots next to it)
        let offsets: Vec<f64> = (1..=15)
            .map(|k| 2f64.powi(k - 20))
            .chain((1..=1024).map(|k| k as f64 / 32.0))
            .chain((6..1020).map(|k| 2f64.powi(k)))
            .collect();
        let mut xs: Vec<f64> = Vec::new();
        match (lo.is_finite(), hi.is_finite()) {
            (true, true) => xs.extend((0..=256).map(|k| lo + (hi - lo) * k as f64 / 256.0)),
            (false, true) => {
                xs.extend(offsets.iter().rev().map(|d| hi - d));
                xs.push(hi);
            }
            (true, false) => {
                xs.push(lo);
                xs.extend(offsets.iter().map(|d| lo + d));
            }
            (false, false) => {
                xs.extend(offsets.iter().rev().map(|d| -d));
                xs.push(0.0);
                xs.extend(offsets.iter().copied());
            }
        }
        let mut gs = vec![0.0; xs.len()];
        g.eval_batch(&xs, &mut gs);
        let table = xs
            .into_iter()
            .zip(gs)
            .filter(|(x, v)| x.is_finite() && v.is_finite())
            .collect();
        Ok(Solver {
            g,
            dg,
            sign: if inv.increasing { 1.0 } else { -1.0 },
            lo,
            hi,
            turn: (inv.lo.turn, inv.hi.turn),
            table,
        })
    }

    /// g⁻¹(t) for each t, clamped to the piece.
    pub fn solve(&self, ts: &[f64], out: &mut [f64]) {
        let s = |v: f64, t: f64| self.sign * (v - t);
        // each point's bracket from the table, or its answer
        let mut active: Vec<usize> = Vec::with_capacity(ts.len());
        let mut lo = vec![0.0; ts.len()];
        let mut hi = vec![0.0; ts.len()];
        for (i, &t) in ts.iter().enumerate() {
            if t.is_nan() {
                out[i] = f64::NAN;
                continue;
            }
            // the first table point where s ≥ 0 (beyond the table's ends at once: most
            // points of a piece's neighbours are)
            let j = match (self.table.first(), self.table.last()) {
                (Some(&(_, v)), _) if s(v, t) >= 0.0 => 0,
                (_, Some(&(_, v))) if s(v, t) < 0.0 => self.table.len(),
                _ => self.table.partition_point(|&(_, v)| s(v, t) < 0.0),
            };
            if j == 0 {
                out[i] = self.lo;
                continue;
            }
            if j == self.table.len() {
                out[i] = self.hi;
                continue;
            }
            let (x0, v0) = self.table[j - 1];
            let (x1, v1) = self.table[j];
            if s(v1, t) == 0.0 {
                out[i] = x1;
                continue;
            }
            lo[i] = x0;
            hi[i] = x1;
            // start where the chord through the bracket's ends crosses t
            let (s0, s1) = (s(v0, t), s(v1, t));
            let chord = x0 + (x1 - x0) * (-s0 / (s1 - s0));
            out[i] = if x0 < chord && chord < x1 {
                chord
            } else {
                x0 + (x1 - x0) / 2.0
            };
            active.push(i);
        }
        let mut x: Vec<f64> = Vec::new();
        let mut gx: Vec<f64> = Vec::new();
        let mut dx: Vec<f64> = Vec::new();
        for _ in 0..MAX_STEPS {
            if active.is_empty() {
                break;
            }
            x.clear();
            x.extend(active.iter().map(|&i| out[i]));
            gx.resize(x.len(), 0.0);
            dx.resize(x.len(), 0.0);
            self.g.eval_batch(&x, &mut gx);
            self.dg.eval_batch(&x, &mut dx);
            let mut still = Vec::with_capacity(active.len());
            for (k, &i) in active.iter().enumerate() {
                let v = s(gx[k], ts[i]);
                if v == 0.0 {
                    continue;
                }
                if v < 0.0 {
                    lo[i] = x[k];
                } else {
                    hi[i] = x[k];
                }
                let m = lo[i] + (hi[i] - lo[i]) / 2.0;
                if !(lo[i] < m && m < hi[i]) {
                    // the bracket is two neighbouring floats: the root is one of them
                    out[i] = if v < 0.0 { hi[i] } else { lo[i] };
                    continue;
                }
                let d = self.sign * dx[k];
                let newton = x[k] - v / d;
                if d > 0.0 && newton > lo[i] && newton < hi[i] {
                    out[i] = newton;
                    // a step of a few ulps: Newton has converged
                    if (newton - x[k]).abs()
                        <= 4.0 * f64::EPSILON * newton.abs() + f64::MIN_POSITIVE
                    {
                        continue;
                    }
                } else {
                    out[i] = m;
                }
                still.push(i);
            }
            active = still;
        }
    }

    /// (g⁻¹)′(t) = 1/g′(g⁻¹(t)) inside g's values on the piece, 0 where the clamp holds
    /// g⁻¹ at an end, and infinite where t is g's value at an end where g′ = 0.
    pub fn derivative(&self, ts: &[f64], out: &mut [f64]) {
        let mut x = vec![0.0; ts.len()];
        self.solve(ts, &mut x);
        self.derivative_at(&x, ts, out);
    }

    /// The same, given x = g⁻¹(t) already solved (the density holds g⁻¹(t) beside it).
    pub fn derivative_at(&self, x: &[f64], ts: &[f64], out: &mut [f64]) {
        let mut gx = vec![0.0; ts.len()];
        let mut dx = vec![0.0; ts.len()];
        self.g.eval_batch(x, &mut gx);
        self.dg.eval_batch(x, &mut dx);
        let infinite = self.sign * f64::INFINITY;
        for i in 0..ts.len() {
            out[i] = if x[i].is_nan() {
                f64::NAN
            } else if x[i].is_infinite() {
                0.0
            } else if x[i] == self.lo || x[i] == self.hi {
                let turn = if x[i] == self.lo {
                    self.turn.0
                } else {
                    self.turn.1
                };
                if gx[i] != ts[i] {
                    0.0
                } else if turn {
                    infinite
                } else {
                    1.0 / dx[i]
                }
            } else if dx[i] == 0.0 {
                // inside the piece g′ ≠ 0: it underflowed (GELU′ near x = −38), and
                // 1/g′ is past f64's range
                self.sign * f64::MAX
            } else {
                1.0 / dx[i]
            };
        }
    }
}
