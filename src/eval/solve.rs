//! The inverse of the input's map on one monotone piece (`lang::implicit::Inverse`),
//! on a batch of points: g and g′ compiled like any formula (or one kernel for g, g′
//! and g″ where g is GELU or SiLU itself), and a table of g and g′ along the piece. Each
//! point's root is bracketed by a cell of the table (a bucket of equal width in g
//! gives a few candidates, then a branch-free binary search), and started from the
//! cubic through the cell's ends with the slopes 1/g′ (Hermite interpolation of g⁻¹).
//! Then a safeguarded Newton iteration runs on all the points at once (a bisection in
//! the order of floats wherever Newton would leave the bracket or its steps do not
//! shrink fourfold) until its step is a few ulps, or until the error left after the
//! step (its square times the cell's curvature bound |g″|/(2|g′|), Newton's quadratic
//! convergence, plus the step times g′'s rounding) is below half an ulp of the root.
//! Beside the inverse, its derivative 1/g′ at the root: carried from the first step's
//! start as g′ + g″·δ where the kernel gives g″ and the cell's bound on |g‴|/(2|g′|)
//! holds the Taylor error below an ulp, else evaluated at the root.

use super::{Compiled, Values};
use crate::error::Result;
use crate::lang::implicit::{middle, Inverse};
use crate::lang::{simd, Node};
use wide::f64x4;

/// How many Newton or bisection steps a point may take (a bisection halves the floats
/// in the bracket, so 64 reach two neighbouring floats; Newton needs a handful).
const MAX_STEPS: usize = 200;

/// g and g′ on a batch: one kernel for both (and g″) where g is a function of the
/// registry with a value-and-derivatives kernel (GELU, SiLU), else the two compiled
/// formulas.
#[derive(Clone, Debug)]
enum Map {
    Kernel(fn(f64x4) -> [f64x4; 3]),
    Formulas { g: Box<Compiled>, dg: Box<Compiled> },
}

impl Map {
    fn new(inv: &Inverse) -> Result<Map> {
        // g = f(t) for such an f: the term's two nodes
        if let [Node::T, call] = inv.g.as_ref() {
            if let Some(kernel) = call.function().and_then(|f| f.with_derivatives) {
                return Ok(Map::Kernel(kernel));
            }
        }
        let none = Values::default();
        Ok(Map::Formulas {
            g: Box::new(Compiled::new(&inv.g, &none)?),
            dg: Box::new(Compiled::new(&inv.dg, &none)?),
        })
    }

    /// g and g′ at each x.
    fn both(&self, x: &[f64], g: &mut [f64], dg: &mut [f64]) {
        match self {
            Map::Kernel(kernel) => simd::map_pair(x, g, dg, |v| {
                let [g, dg, _] = kernel(v);
                [g, dg]
            }),
            Map::Formulas { g: gf, dg: dgf } => {
                gf.eval_batch(x, g);
                dgf.eval_batch(x, dg);
            }
        }
    }

    /// g, g′ and g″ at each x, where a kernel gives g″ (else false, and g″ is untouched).
    fn three(&self, x: &[f64], g: &mut [f64], dg: &mut [f64], d2g: &mut [f64]) -> bool {
        match self {
            Map::Kernel(kernel) => {
                simd::map_triple(x, [g, dg, d2g], kernel);
                true
            }
            Map::Formulas { .. } => {
                self.both(x, g, dg);
                false
            }
        }
    }

    /// g′ alone.
    fn slope(&self, x: &[f64], dg: &mut [f64]) {
        match self {
            Map::Kernel(kernel) => simd::map(x, dg, |v| kernel(v)[1]),
            Map::Formulas { dg: dgf, .. } => dgf.eval_batch(x, dg),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Solver {
    map: Map,
    /// +1 for an increasing piece, −1 for a decreasing one: s(x) = sign·(g(x) − t) rises.
    sign: f64,
    lo: f64,
    hi: f64,
    /// Whether g′ = 0 at each end (the density is infinite where t is g's value there).
    turn: (bool, bool),
    /// g and g′ at each end (where it is finite).
    ends: [(f64, f64); 2],
    /// Points of the piece left to right (where g is finite) ...
    xs: Vec<f64>,
    /// ... sign·g there (rising) ...
    ws: Vec<f64>,
    /// ... and the cells from each point to the next.
    table: Vec<Cell>,
    /// Where to search: the table's w from its first point to the last within 32 of
    /// the piece's finite end (or of 0) cut into equal buckets, and for each bucket
    /// the first table point in it or beyond ...
    guide: Vec<u32>,
    /// ... how many halvings its search takes ...
    levels: Vec<u8>,
    /// ... and the buckets' start and how many there are per unit of w.
    guide_at: (f64, f64),
}

/// A cell of the table, from one point (x₀, w₀) to the next (x₁, w₁), with what the
/// start in it needs: the Hermite cubic of x in s = (w − w₀)/h, h = w₁ − w₀, is
/// x₀ + Δx·s + s(1 − s)·(a(1 − s) − b·s) with a = m₀ − Δx, b = m₁ − Δx and m the
/// slopes dx/dw = 1/|g′| times h (infinite where g′ = 0); and bounds of |g″|/(2|g′|)
/// and |g‴|/(2|g′|) on it (four times the largest divided difference of g′, or g″,
/// over it and its neighbours, over the least |g′| at its ends; infinite where g′
/// vanishes, or where g″ is not known).
#[derive(Clone, Copy, Debug)]
struct Cell {
    x0: f64,
    x1: f64,
    w0: f64,
    /// 1/h
    per: f64,
    a: f64,
    b: f64,
    curvature: f64,
    jerk: f64,
}

impl Cell {
    /// From the ends' (x, sign·g, |g′|).
    fn new(p0: (f64, f64, f64), p1: (f64, f64, f64), curvature: f64, jerk: f64) -> Cell {
        let h = p1.1 - p0.1;
        let dx = p1.0 - p0.0;
        Cell {
            x0: p0.0,
            x1: p1.0,
            w0: p0.1,
            per: 1.0 / h,
            a: h / p0.2 - dx,
            b: h / p1.2 - dx,
            curvature,
            jerk,
        }
    }

    /// Where to start for sign·g = w (w inside the cell): the Hermite cubic of g⁻¹, or
    /// its chord where the cubic leaves the cell (or a slope is infinite, at a turn),
    /// or the cell's middle.
    #[inline]
    fn start(&self, w: f64) -> f64 {
        let s = (w - self.w0) * self.per;
        let dx = self.x1 - self.x0;
        let chord = self.x0 + dx * s;
        let cubic = chord + s * (1.0 - s) * (self.a * (1.0 - s) - self.b * s);
        if self.x0 < cubic && cubic < self.x1 {
            cubic
        } else if self.x0 < chord && chord < self.x1 {
            chord
        } else {
            self.x0 + dx / 2.0
        }
    }
}

/// A point whose root the first Newton step did not settle: its index, its bracket,
/// its last Newton step (infinite after a bisection) and its cell's curvature bound.
#[derive(Clone, Copy, Debug)]
struct Pending {
    i: usize,
    lo: f64,
    hi: f64,
    last: f64,
    curvature: f64,
}

impl Solver {
    pub fn new(inv: &Inverse) -> Result<Solver> {
        let map = Map::new(inv)?;
        let (lo, hi) = (inv.lo.value, inv.hi.value);
        // a grid inside a finite piece; toward an infinite end, steps of 1/128 out to 8
        // and of 1/32 out to 32 (where most roots are: Newton then starts eight or more
        // digits from them, and one step is the last), doubling beyond (and halving
        // toward a finite end, for roots next to it)
        let offsets: Vec<f64> = (1..=12)
            .map(|k| 2f64.powi(k - 20))
            .chain((1..=1024).map(|k| k as f64 / 128.0))
            .chain((257..=1024).map(|k| k as f64 / 32.0))
            .chain((6..1020).map(|k| 2f64.powi(k)))
            .collect();
        let mut xs: Vec<f64> = Vec::new();
        match (lo.is_finite(), hi.is_finite()) {
            // the ends themselves (lo + (hi − lo) can round past hi)
            (true, true) => xs.extend((0..=256).map(|k| {
                if k == 256 {
                    hi
                } else {
                    lo + (hi - lo) * k as f64 / 256.0
                }
            })),
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
        let mut ds = vec![0.0; xs.len()];
        let mut d2s = vec![f64::NAN; xs.len()];
        let bends = map.three(&xs, &mut gs, &mut ds, &mut d2s);
        let sign = if inv.increasing { 1.0 } else { -1.0 };
        let kept: Vec<usize> = (0..xs.len())
            .filter(|&k| xs[k].is_finite() && gs[k].is_finite())
            .collect();
        let point = |k: usize| (xs[k], sign * gs[k], (sign * ds[k]).abs());
        // on each cell, a bound of |f′|/(2|g′|) from the divided differences of f
        // (g′ for the curvature, g″ for the jerk) over it and its neighbours, four
        // times the largest over the least |g′| at its ends; infinite where g′ vanishes
        let bound = |f: &[f64]| -> Vec<f64> {
            let diff: Vec<f64> = kept
                .windows(2)
                .map(|c| ((f[c[1]] - f[c[0]]) / (xs[c[1]] - xs[c[0]])).abs())
                .collect();
            (0..diff.len())
                .map(|k| {
                    let near = diff[k.saturating_sub(1)..(k + 2).min(diff.len())]
                        .iter()
                        .fold(
                            0.0f64,
                            |m, &v| if v.is_nan() { f64::INFINITY } else { m.max(v) },
                        );
                    let least = point(kept[k]).2.min(point(kept[k + 1]).2);
                    let c = 4.0 * near / (2.0 * least);
                    if c.is_nan() || least == 0.0 {
                        f64::INFINITY
                    } else {
                        c
                    }
                })
                .collect()
        };
        let curvature = bound(&ds);
        let jerk = if bends {
            bound(&d2s)
        } else {
            vec![f64::INFINITY; curvature.len()]
        };
        let table = (0..curvature.len())
            .map(|k| Cell::new(point(kept[k]), point(kept[k + 1]), curvature[k], jerk[k]))
            .collect();
        let xs: Vec<f64> = kept.iter().map(|&k| xs[k]).collect();
        let ws: Vec<f64> = kept.iter().map(|&k| sign * gs[k]).collect();
        let (guide, levels, guide_at) = guide(&xs, &ws, lo, hi);
        let (mut ge, mut dge) = ([0.0; 2], [0.0; 2]);
        map.both(&[lo, hi], &mut ge, &mut dge);
        let ends = [(ge[0], dge[0]), (ge[1], dge[1])];
        Ok(Solver {
            guide,
            levels,
            guide_at,
            map,
            sign,
            lo,
            hi,
            turn: (inv.lo.turn, inv.hi.turn),
            ends,
            xs,
            ws,
            table,
        })
    }

    /// For each w, the first table point where sign·g ≥ w: the guide's bucket gives a
    /// few candidates, then a binary search takes as many halvings for every point as
    /// the batch's fullest bucket needs, one halving of all the points at a time, so
    /// that the points' searches overlap rather than wait on each other's loads.
    /// Points beyond the guide (far in a tail) are searched one by one.
    fn cells(&self, ws: &[f64], out: &mut [usize]) {
        let table = &self.ws[..];
        let n = table.len();
        let (start, per) = self.guide_at;
        let buckets = self.levels.len();
        let mut far = Vec::new();
        let mut levels = 0;
        let (first, last) = (table.first().copied(), table.last().copied());
        for (k, (base, &w)) in out.iter_mut().zip(ws).enumerate() {
            let b = ((w - start) * per).max(0.0);
            // before the first point or after the last (t beyond the piece's values,
            // half of all points where two pieces share a value set): no search
            if first.is_some_and(|v| w <= v) {
                *base = 0;
            } else if last.is_some_and(|v| w > v) {
                *base = n;
            } else if b < buckets as f64 {
                let b = b as usize;
                *base = self.guide[b] as usize;
                levels = levels.max(self.levels[b]);
            } else {
                *base = 0;
                far.push(k);
            }
        }
        let mut size = 1usize << levels;
        while size > 1 {
            let half = size / 2;
            for (base, &w) in out.iter_mut().zip(ws) {
                *base += usize::from(table[(*base + half - 1).min(n - 1)] < w) * half;
            }
            size -= half;
        }
        for base in out.iter_mut() {
            *base = (*base).min(n);
        }
        for k in far {
            out[k] = table.partition_point(|&v| v < ws[k]);
        }
    }

    /// g⁻¹(t) for each t, clamped to the piece.
    pub fn solve(&self, ts: &[f64], out: &mut [f64]) {
        self.run(ts, out, None);
    }

    /// g⁻¹(t) into `out` and (g⁻¹)′(t) into `slopes`, as `solve` and `derivative_at`
    /// give them. Where the first Newton step is the last and g″ is known, g′ at the
    /// root is g′ at the step's start carried over the step δ, g′ + g″·δ, whose error
    /// |g‴|δ²/2 the cell's jerk bound holds below an ulp of g′; elsewhere it is
    /// evaluated at the root.
    pub fn solve_with_derivative(&self, ts: &[f64], out: &mut [f64], slopes: &mut [f64]) {
        slopes.fill(f64::NAN);
        self.run(ts, out, Some(&mut *slopes));
        let open: Vec<usize> = (0..ts.len()).filter(|&i| slopes[i].is_nan()).collect();
        if open.len() == ts.len() {
            return self.derivative_at(out, ts, slopes);
        }
        let x: Vec<f64> = open.iter().map(|&i| out[i]).collect();
        let t: Vec<f64> = open.iter().map(|&i| ts[i]).collect();
        let mut d = vec![0.0; open.len()];
        self.derivative_at(&x, &t, &mut d);
        for (&i, d) in open.iter().zip(d) {
            slopes[i] = d;
        }
    }

    /// `solve`, and where `slopes` is given 1/g′ at the roots the first step settles
    /// (NaN at the others).
    fn run(&self, ts: &[f64], out: &mut [f64], mut slopes: Option<&mut [f64]>) {
        let n = self.ws.len();
        let ws: Vec<f64> = ts.iter().map(|&t| self.sign * t).collect();
        // a batch wholly beyond one end of g's values (as every t ≥ 0 is for GELU's
        // left branch) is clamped to that end without a search
        if let (Some(&first), Some(&last)) = (self.ws.first(), self.ws.last()) {
            for (end, beyond) in [
                (self.lo, ws.iter().all(|&w| w <= first)),
                (self.hi, ws.iter().all(|&w| w > last)),
            ] {
                if beyond {
                    out.fill(end);
                    // (g⁻¹)′ = 0 there, but where t is g's value at the end
                    if let Some(slopes) = slopes {
                        for (d, &w) in slopes.iter_mut().zip(&ws) {
                            *d = if w == first || w == last {
                                f64::NAN
                            } else {
                                0.0
                            };
                        }
                    }
                    return;
                }
            }
        }
        let mut cells: Vec<usize> = vec![0; ts.len()];
        self.cells(&ws, &mut cells);
        // the answer of a point whose t is beyond the table or on a point of it
        let answer = |j: usize, w: f64| {
            if w.is_nan() || n == 0 {
                f64::NAN
            } else if j == 0 {
                self.lo
            } else if j == n {
                self.hi
            } else {
                self.xs[j]
            }
        };
        // whether a point's root lies inside a cell of the table
        let inner = |j: usize, w: f64| 0 < j && j < n && self.ws[j] != w && !w.is_nan();
        if n < 2 || !cells.iter().zip(&ws).any(|(&j, &w)| inner(j, w)) {
            for ((o, &j), &w) in out.iter_mut().zip(&cells).zip(&ws) {
                *o = answer(j, w);
            }
            return;
        }
        // the cell (j − 1, j) of every point (the nearest cell for a point outside),
        // and its start there: every point of the batch goes through the same steps,
        // side by side, and those with their answer already take it at the end
        let cell = |j: usize| &self.table[j.clamp(1, n - 1) - 1];
        // g, g′ (and g″ where known) at the starts: by the kernel four points at a
        // time as the steps go, or by the compiled formulas over the whole batch first
        let kernel = match self.map {
            Map::Kernel(kernel) => Some(kernel),
            Map::Formulas { .. } => None,
        };
        let (mut x, mut gx, mut dx) = (Vec::new(), Vec::new(), Vec::new());
        if kernel.is_none() {
            x = cells
                .iter()
                .zip(&ws)
                .map(|(&j, &w)| cell(j).start(w))
                .collect();
            (gx, dx) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            self.map.both(&x, &mut gx, &mut dx);
        }
        let bends = kernel.is_some() && slopes.is_some();
        // the first Newton step, without a branch that depends on the point (most
        // points end here); a point that does not end keeps its bracket, its step and
        // where to evaluate next for `iterate`
        let mut pending: Vec<Pending> = Vec::new();
        // one point, the general way, from its start xk and g, g′ there
        let mut one = |i: usize, xk: f64, g: f64, dg: f64, out: &mut [f64]| {
            let (j, w) = (cells[i], ws[i]);
            let c = cell(j);
            let v = self.sign * g - w;
            let d = self.sign * dg;
            let below = if v < 0.0 { xk } else { c.x0 };
            let above = if v > 0.0 { xk } else { c.x1 };
            let newton = xk - v / d;
            let step = (newton - xk).abs();
            let inside = d > 0.0 && newton > below && newton < above;
            let ulp = f64::EPSILON * newton.abs().max(f64::MIN_POSITIVE);
            let error = c.curvature * step * step + 2.0 * f64::EPSILON * step;
            let done = v == 0.0 || (inside && (step <= 4.0 * ulp || error <= ulp / 2.0));
            let inner = inner(j, w);
            out[i] = if !inner {
                answer(j, w)
            } else if v == 0.0 {
                xk
            } else if inside {
                newton
            } else {
                middle(below, above)
            };
            if inner && !done {
                pending.push(Pending {
                    i,
                    lo: below,
                    hi: above,
                    last: if inside { step } else { f64::INFINITY },
                    curvature: c.curvature,
                });
            }
        };
        // four points at a time; where all four are inside cells and their Newton step
        // is their last (as `one` would decide it lane by lane), side by side
        let lanes = 4;
        let whole = ts.len() / lanes * lanes;
        for base in (0..whole).step_by(lanes) {
            let group = base..base + lanes;
            let at = |v: &[f64]| f64x4::from(&v[group.clone()]);
            let cs: [&Cell; 4] = std::array::from_fn(|l| cell(cells[base + l]));
            let (xk, [gk, dk, d2k]) = match kernel {
                Some(kernel) => {
                    let xk = f64x4::new(std::array::from_fn(|l| cs[l].start(ws[base + l])));
                    (xk, kernel(xk))
                }
                None => (at(&x), [at(&gx), at(&dx), f64x4::ZERO]),
            };
            if !group.clone().all(|i| inner(cells[i], ws[i])) {
                let (xs, gs, ds) = (xk.to_array(), gk.to_array(), dk.to_array());
                (0..lanes).for_each(|l| one(base + l, xs[l], gs[l], ds[l], out));
                continue;
            }
            let field = |f: fn(&Cell) -> f64| f64x4::new(std::array::from_fn(|l| f(cs[l])));
            let (x0, x1, curvature) = (field(|c| c.x0), field(|c| c.x1), field(|c| c.curvature));
            let sign = f64x4::splat(self.sign);
            let v = sign * gk - at(&ws);
            let d = sign * dk;
            let zero = f64x4::ZERO;
            let below = v.simd_lt(zero).select(xk, x0);
            let above = v.simd_gt(zero).select(xk, x1);
            let newton = xk - v / d;
            let step = (newton - xk).abs();
            let inside = d.simd_gt(zero) & newton.simd_gt(below) & newton.simd_lt(above);
            let eps = f64x4::splat(f64::EPSILON);
            let ulp = eps * newton.abs().max(f64x4::splat(f64::MIN_POSITIVE));
            let error = curvature * step * step + f64x4::splat(2.0) * eps * step;
            let converged =
                step.simd_le(f64x4::splat(4.0) * ulp) | error.simd_le(ulp * f64x4::splat(0.5));
            if (inside & converged & v.simd_ne(zero)).all() {
                out[group.clone()].copy_from_slice(&newton.to_array());
                if let (Some(slopes), true) = (slopes.as_deref_mut(), bends) {
                    // g′ carried to the root, where its Taylor error is below an ulp
                    let carried = dk + d2k * (newton - xk);
                    let jerk = field(|c| c.jerk);
                    let exact = (jerk * step * step).simd_le(eps) & carried.simd_ne(zero);
                    let slope = exact.select(f64x4::ONE / carried, f64x4::splat(f64::NAN));
                    slopes[group].copy_from_slice(&slope.to_array());
                }
            } else {
                let (xs, gs, ds) = (xk.to_array(), gk.to_array(), dk.to_array());
                (0..lanes).for_each(|l| one(base + l, xs[l], gs[l], ds[l], out));
            }
        }
        for i in whole..ts.len() {
            let (xk, g, dg) = match kernel {
                Some(kernel) => {
                    let xk = cell(cells[i]).start(ws[i]);
                    let [g, dg, _] = kernel(f64x4::splat(xk)).map(|v| v.to_array()[0]);
                    (xk, g, dg)
                }
                None => (x[i], gx[i], dx[i]),
            };
            one(i, xk, g, dg, out);
        }
        self.iterate(ts, pending, out);
    }

    /// The safeguarded Newton iteration for the points still `pending` after the
    /// first step: each evaluates g at `out[i]`, narrows its bracket, and takes
    /// Newton's step (while its steps shrink fourfold) or a bisection.
    fn iterate(&self, ts: &[f64], mut pending: Vec<Pending>, out: &mut [f64]) {
        let mut x: Vec<f64> = Vec::with_capacity(pending.len());
        let mut gx: Vec<f64> = Vec::with_capacity(pending.len());
        let mut dx: Vec<f64> = Vec::with_capacity(pending.len());
        for _ in 1..MAX_STEPS {
            if pending.is_empty() {
                break;
            }
            x.clear();
            x.extend(pending.iter().map(|p| out[p.i]));
            gx.resize(x.len(), 0.0);
            dx.resize(x.len(), 0.0);
            self.map.both(&x, &mut gx, &mut dx);
            let mut still = 0;
            for k in 0..pending.len() {
                let mut p = pending[k];
                let i = p.i;
                let v = self.sign * (gx[k] - ts[i]);
                if v == 0.0 {
                    continue;
                }
                if v < 0.0 {
                    p.lo = x[k];
                } else {
                    p.hi = x[k];
                }
                if p.lo.next_up() >= p.hi {
                    // the bracket is two neighbouring floats: the root is one of them
                    out[i] = if v < 0.0 { p.hi } else { p.lo };
                    continue;
                }
                let d = self.sign * dx[k];
                let newton = x[k] - v / d;
                let step = (newton - x[k]).abs();
                // Newton while its steps shrink fourfold (as they do once it converges
                // quadratically), a bisection in between where they do not (toward a
                // root at a turn, where Newton only halves its distance)
                if d > 0.0 && newton > p.lo && newton < p.hi && step <= p.last / 4.0 {
                    out[i] = newton;
                    p.last = step;
                    let ulp = f64::EPSILON * newton.abs().max(f64::MIN_POSITIVE);
                    // a step of a few ulps, or one after which Newton's error, the
                    // step's square times the curvature plus the step times g′'s
                    // rounding, is below half an ulp: Newton has converged
                    let error = p.curvature * step * step + 2.0 * f64::EPSILON * step;
                    if step <= 4.0 * ulp || error <= ulp / 2.0 {
                        continue;
                    }
                } else {
                    out[i] = middle(p.lo, p.hi);
                    p.last = f64::INFINITY;
                }
                pending[still] = p;
                still += 1;
            }
            pending.truncate(still);
        }
    }

    /// (g⁻¹)′(t) = 1/g′(g⁻¹(t)) inside g's values on the piece, 0 where the clamp holds
    /// g⁻¹ at an end, and infinite where t is g's value at an end where g′ = 0.
    pub fn derivative(&self, ts: &[f64], out: &mut [f64]) {
        let mut x = vec![0.0; ts.len()];
        self.solve_with_derivative(ts, &mut x, out);
    }

    /// The same, given x = g⁻¹(t) already solved (the density holds g⁻¹(t) beside it).
    /// g itself is evaluated only where x is an end of the piece, to tell the clamp
    /// (t beyond g's values) from g⁻¹(t) at the end.
    pub fn derivative_at(&self, x: &[f64], ts: &[f64], out: &mut [f64]) {
        let mut dx = vec![0.0; ts.len()];
        // g′ only where some x is inside the piece (not where all are clamped to its
        // ends, as for t beyond the piece's values)
        if x.iter().any(|&v| self.lo < v && v < self.hi) {
            self.map.slope(x, &mut dx);
        }
        let infinite = self.sign * f64::INFINITY;
        // at an end: 0 where t is beyond g's values (the clamp), else g′'s reciprocal
        // there, infinite at a turn
        let end = |k: usize, t: f64| {
            let ((g, dg), turn) = (self.ends[k], [self.turn.0, self.turn.1][k]);
            if t != g {
                0.0
            } else if turn {
                infinite
            } else {
                1.0 / dg
            }
        };
        let one = |x: f64, d: f64, t: f64| {
            if self.lo < x && x < self.hi {
                if d == 0.0 {
                    // inside the piece g′ ≠ 0: it underflowed (GELU′ near x = −38),
                    // and 1/g′ is past f64's range
                    self.sign * f64::MAX
                } else {
                    1.0 / d
                }
            } else if x == self.lo && x.is_finite() {
                end(0, t)
            } else if x == self.hi && x.is_finite() {
                end(1, t)
            } else if x.is_nan() {
                f64::NAN
            } else {
                0.0
            }
        };
        // four points at a time where all four are inside the piece with g′ ≠ 0
        let (lo, hi) = (f64x4::splat(self.lo), f64x4::splat(self.hi));
        let mut groups = out
            .chunks_exact_mut(4)
            .zip(x.chunks_exact(4))
            .zip(dx.chunks_exact(4));
        for (k, ((o, xs), ds)) in (&mut groups).enumerate() {
            let (xv, dv) = (f64x4::from(xs), f64x4::from(ds));
            if (xv.simd_gt(lo) & xv.simd_lt(hi) & dv.simd_ne(f64x4::ZERO)).all() {
                o.copy_from_slice(&(f64x4::ONE / dv).to_array());
            } else {
                for l in 0..4 {
                    o[l] = one(xs[l], ds[l], ts[4 * k + l]);
                }
            }
        }
        let whole = ts.len() / 4 * 4;
        for i in whole..ts.len() {
            out[i] = one(x[i], dx[i], ts[i]);
        }
    }
}

/// The search guide of a table (see `Solver::guide`): the w from the first point to
/// the last within 32 of the piece's finite end (or of 0) in four buckets per point,
/// each bucket's first point at or beyond it and the halvings that its candidates,
/// from there to the next bucket's first point, take.
fn guide(xs: &[f64], ws: &[f64], lo: f64, hi: f64) -> (Vec<u32>, Vec<u8>, (f64, f64)) {
    let centre = if lo.is_finite() {
        lo
    } else if hi.is_finite() {
        hi
    } else {
        0.0
    };
    let core = xs.iter().filter(|&&x| (x - centre).abs() <= 32.0).count();
    let last = xs.iter().rposition(|&x| (x - centre).abs() <= 32.0);
    let (Some(last), Some(&first)) = (last, ws.first()) else {
        return (vec![0], Vec::new(), (0.0, 0.0));
    };
    let width = ws[last] - first;
    let buckets = (4 * core).max(1);
    let per = buckets as f64 / width;
    if !(per.is_finite() && per > 0.0) {
        return (vec![0], Vec::new(), (0.0, 0.0));
    }
    // a point's bucket, by the same arithmetic as a query's, so that the first point
    // of bucket b + 1 lies beyond every w of bucket b
    let bucket = |w: f64| ((w - first) * per).max(0.0);
    let mut guide = Vec::with_capacity(buckets + 1);
    let mut j = 0;
    for b in 0..=buckets {
        while j < ws.len() && bucket(ws[j]) < b as f64 {
            j += 1;
        }
        guide.push(u32::try_from(j).unwrap_or(u32::MAX));
    }
    let levels = guide
        .windows(2)
        .map(|g| {
            let candidates = (g[1] - g[0]) as usize + 1;
            candidates.next_power_of_two().trailing_zeros() as u8
        })
        .collect();
    (guide, levels, (first, per))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::implicit::{self, get_inverse};

    /// Every inverse that the pieces of these maps name, at t = g(x) for x along the
    /// piece (steps of 1/64 to ±8, powers of 2 out to ±2^60 and in to ±2^−1000, the
    /// piece's ends
    /// nudged inward), and at t nudged by an ulp: the batch solver agrees with the
    /// scalar reference (`implicit::solve`: bisection and Newton from a doubling
    /// bracket, run until the bracket is two neighbouring floats) to within 4 ulps of
    /// x plus what 4 ulps of t move the root (4 ulp(t)/|g′|).
    #[test]
    fn batch_solver_agrees_with_the_scalar_reference() {
        for f in [
            "gelu",
            "gelu_tanh",
            "silu",
            "mish",
            "x_tanh_x",
            "bump",
            "x_plus_tanh",
            "softsign_written",
            "hardswish",
        ] {
            let path = format!(
                "{}/examples/compositions/{f}.pf",
                env!("CARGO_MANIFEST_DIR")
            );
            let src = std::fs::read_to_string(path).unwrap();
            crate::derive_source(&src).unwrap();
        }
        let core = (-512..=512).map(|k| k as f64 / 64.0);
        let tails = (3..=60).flat_map(|k| [2f64.powi(k), -(2f64.powi(k))]);
        // next to a root at 0 (x·tanh(x) = t for t down to 1e-300)
        let tiny = (7..=1000)
            .step_by(7)
            .flat_map(|k| [2f64.powi(-k), -(2f64.powi(-k))]);
        let xs: Vec<f64> = core.chain(tails).chain(tiny).collect();
        let (mut inverses, mut points, mut carried_points) = (0, 0, 0);
        for k in 0.. {
            let Some(inv) = get_inverse(k) else { break };
            inverses += 1;
            let solver = Solver::new(&inv).unwrap();
            assert!(
                solver.xs.windows(2).all(|p| p[0] < p[1])
                    && solver.ws.windows(2).all(|p| p[0] <= p[1]),
                "the table of inverse #{k} is not in order"
            );
            let (lo, hi) = (inv.lo.value, inv.hi.value);
            let inside: Vec<f64> = xs
                .iter()
                .copied()
                .chain([lo + 1e-9 * lo.abs().max(1.0), hi - 1e-9 * hi.abs().max(1.0)])
                .filter(|&x| lo < x && x < hi)
                .collect();
            let ts: Vec<f64> = inside
                .iter()
                .filter_map(|&x| implicit::at(&inv.g, x))
                .filter(|t| t.is_finite())
                .flat_map(|t| [t, t.next_up(), t.next_down()])
                .collect();
            let mut got = vec![0.0; ts.len()];
            solver.solve(&ts, &mut got);
            for (&t, &x) in ts.iter().zip(&got) {
                let want = implicit::solve(&inv, t);
                let slope = implicit::at(&inv.dg, want).unwrap().abs();
                let ulp = |v: f64| v.abs().max(f64::MIN_POSITIVE) * f64::EPSILON;
                let tol = 4.0 * ulp(want) + 4.0 * ulp(t) / slope;
                assert!(
                    (x - want).abs() <= tol || x == want,
                    "inverse #{k} of {} at t = {t:e}: {x:e}, reference {want:e} (tolerance {tol:e})",
                    inv.g
                );
                points += 1;
            }
            // the derivative beside the inverse: the same roots, and g′ carried to
            // them within 16 ulps of max(|g′|, |g(x)/x|) of g′ evaluated there (where
            // g = x·h(x), as GELU and SiLU are, the kernels round h(x) + x·h′(x), whose
            // first term is h = g/x); the points also from a grid over −10..10 and
            // far out, most beyond g's values on one piece or the other
            let grid = (-1000..=1000).map(|k| k as f64 / 100.0);
            let ts: Vec<f64> = ts.into_iter().chain(grid).chain([-1e300, 1e300]).collect();
            let mut plain = vec![0.0; ts.len()];
            solver.solve(&ts, &mut plain);
            let mut fresh = vec![0.0; ts.len()];
            solver.derivative_at(&plain, &ts, &mut fresh);
            let (mut x, mut slopes) = (vec![0.0; ts.len()], vec![0.0; ts.len()]);
            solver.solve_with_derivative(&ts, &mut x, &mut slopes);
            for i in 0..ts.len() {
                assert_eq!(
                    x[i].to_bits(),
                    plain[i].to_bits(),
                    "root at t = {:e}",
                    ts[i]
                );
                if slopes[i].to_bits() == fresh[i].to_bits() {
                    continue;
                }
                let (carried, evaluated) = (1.0 / slopes[i], 1.0 / fresh[i]);
                let h = implicit::at(&inv.g, x[i]).map_or(0.0, |g| (g / x[i]).abs());
                let tol = 16.0 * f64::EPSILON * evaluated.abs().max(h);
                assert!(
                    (carried - evaluated).abs() <= tol,
                    "inverse #{k} of {}: g′ at the root of t = {:e}: carried {carried:e}, \
                     evaluated {evaluated:e}",
                    inv.g,
                    ts[i]
                );
                carried_points += 1;
            }
        }
        assert!(
            inverses >= 12 && points > 20_000 && carried_points > 1000,
            "{inverses} inverses, {points} points, {carried_points} with g′ carried"
        );
    }
}
