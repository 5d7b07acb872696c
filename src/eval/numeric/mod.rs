//! Laws without a closed form, as numbers: atoms (positions and masses) and a
//! continuous part whose density is piecewise Chebyshev between breakpoints, with the
//! operations of a network on independent laws (a weight w·X, a sum X + Y by
//! convolution, the largest of N iid copies), each adding what it may lose to the
//! law's bound on the absolute error of its CDF.
//!
//! The continuous part lives on a finite extent [lo, hi]: the mass beyond it, which the
//! law's maker states, is part of the error. Inside, the density is smooth between
//! the *breaks* (where it may jump or bend: a support's end, the image of an atom);
//! each interval between breaks is fitted adaptively (`chebyshev::fit`, halving an
//! interval where no degree up to 32 reaches the tolerance). A sum's breaks are the
//! sums of its terms' breaks and atoms, so that every fit is of a smooth function.

pub mod chebyshev;
pub mod grid;
pub mod quadrature;

use crate::error::{Error, ErrorKind, Result};
use chebyshev::{fit, Cheb};

/// The most pieces a law's density may have; more is an error (the operation's
/// density is too rough for piecewise polynomials of degree 32).
pub const MAX_PIECES: usize = 4096;
/// The most atoms a law may have (a sum of laws with k and m atoms has up to k·m).
pub const MAX_ATOMS: usize = 4096;
/// The most breaks a law may have.
pub const MAX_BREAKS: usize = 4096;
/// The narrowest interval a fit may halve to, relative to the law's extent.
const NARROWEST: f64 = 1e-9;

/// One interval of the density: its interpolant, its antiderivative from the
/// interval's start, and the continuous mass before the interval.
#[derive(Clone, Debug)]
struct Piece {
    density: Cheb,
    cumulative: Cheb,
    before: f64,
}

/// A law on R as numbers.
#[derive(Clone, Debug)]
pub struct NumericLaw {
    /// (position, mass), ascending, distinct.
    pub atoms: Vec<(f64, f64)>,
    /// The density's pieces, ascending and adjoining, from `lo` to `hi`, in coordinates
    /// relative to `origin` (x = t − origin).
    pieces: Vec<Piece>,
    /// Where the pieces' coordinates start: 0, or (for a law far from 0, as after many
    /// layers) an exact number near its centre, so that t − origin is exact near the
    /// law and its fits are not of a function sampled at rounded points.
    origin: f64,
    /// Where the density may jump or bend, ascending (atoms not included).
    pub breaks: Vec<f64>,
    /// The continuous part's extent.
    pub lo: f64,
    pub hi: f64,
    /// The error bound of the CDF, for |F(t) − F̃(t)| over all t: the sum of what each
    /// step may have lost, mass beyond the extent and each fit's error times its
    /// interval's width. A fit's error is an estimate (from its Chebyshev tail and a
    /// look between its points, as Chebfun estimates it), not a proof; the tests hold
    /// the bound against closed forms and independent quadrature.
    pub error: f64,
}

fn limit(message: String) -> Error {
    Error::new(ErrorKind::Limit, message)
        .help("the law is too rough or too spread out for a numeric representation; try fewer terms or layers")
}

impl NumericLaw {
    /// A law from its density (continuous part) on [lo, hi], smooth between `breaks`,
    /// and its atoms; `beyond` is the continuous mass outside [lo, hi]. Each interval
    /// between breaks is fitted to within `tol` times the density's largest value.
    pub fn from_density(
        density: &dyn Fn(f64) -> f64,
        atoms: Vec<(f64, f64)>,
        breaks: &[f64],
        extent: (f64, f64),
        beyond: f64,
        tol: f64,
    ) -> Result<NumericLaw> {
        // the density's evaluation rounds by a few ulps of its value: no fit goes below
        // 32 of them (where the formula is ill-conditioned, φ(artanh(t)) of tanh's
        // near ±1, `chebyshev::fit` takes the rounding it sees)
        let noise = |a: f64, b: f64| {
            32.0 * f64::EPSILON
                * (0..=16)
                    .map(|k| density(a + (b - a) * f64::from(k) / 16.0).abs())
                    .fold(0.0, f64::max)
        };
        NumericLaw::fitted(density, atoms, breaks, extent, beyond, tol, &noise)
    }

    /// A law without atoms from its density on [lo, hi] in coordinates relative to
    /// `origin` (`density(i, x)` is the density at origin + x on the i-th interval
    /// between the ascending `cuts`, each a smooth function; the extent and the cuts
    /// are relative too): a density smooth everywhere, fitted to within `tol` of its
    /// largest value and, where less, 1e-12 of its value on the piece, so that it keeps
    /// its relative accuracy far into the tails.
    pub fn from_local_density(
        density: &dyn Fn(usize, f64) -> f64,
        origin: f64,
        (lo, hi): (f64, f64),
        cuts: &[f64],
        beyond: f64,
        tol: f64,
    ) -> Result<NumericLaw> {
        // the tolerance: `tol` of the density's largest value (seen at 9 points of each
        // piece), and 1e-12 of its value on the piece where that is less (the tails)
        let mut ends = vec![lo];
        ends.extend(cuts.iter().copied().filter(|&c| lo < c && c < hi));
        ends.push(hi);
        let peak = ends
            .windows(2)
            .enumerate()
            .flat_map(|(i, w)| (0..=8).map(move |k| (i, w[0] + (w[1] - w[0]) * f64::from(k) / 8.0)))
            .map(|(i, x)| density(i, x).abs())
            .fold(0.0, f64::max);
        let mut fits = Vec::new();
        for (i, w) in ends.windows(2).enumerate() {
            let on_piece = |x: f64| density(i, x);
            let tolerance = Tolerance {
                relative: 1e-12,
                peak: tol * peak,
                floor: &|_, _| 0.0,
                local: Some(&on_piece),
            };
            fit_interval(
                &on_piece,
                w[0],
                w[1],
                &tolerance,
                NARROWEST * (hi - lo),
                &mut fits,
            )?;
        }
        let mut law = NumericLaw::of_fits(fits, Vec::new(), Vec::new(), (lo, hi), beyond);
        law.origin = origin;
        law.lo = origin + lo;
        law.hi = origin + hi;
        Ok(law)
    }

    /// `from_density` with an absolute floor under the tolerance on each interval: the
    /// rounding error of the density's own evaluation there, which no fit can go below.
    fn fitted(
        density: &dyn Fn(f64) -> f64,
        atoms: Vec<(f64, f64)>,
        breaks: &[f64],
        (lo, hi): (f64, f64),
        beyond: f64,
        tol: f64,
        floor: &dyn Fn(f64, f64) -> f64,
    ) -> Result<NumericLaw> {
        let mut cuts: Vec<f64> = breaks
            .iter()
            .copied()
            .filter(|&b| lo < b && b < hi)
            .collect();
        cuts.push(lo);
        cuts.push(hi);
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        if cuts.len() > MAX_BREAKS {
            return Err(limit(format!(
                "{} breakpoints, more than {MAX_BREAKS}",
                cuts.len()
            )));
        }
        // the density's largest value, seen at 33 points of each interval
        let peak = cuts
            .windows(2)
            .flat_map(|w| (0..=32).map(move |k| w[0] + (w[1] - w[0]) * f64::from(k) / 32.0))
            .map(|x| density(x).abs())
            .fold(0.0, f64::max);
        let tolerance = Tolerance {
            // at least 8 ulps: below, a fit would chase the rounding of the density's
            // own evaluation
            relative: tol.max(8.0 * f64::EPSILON),
            peak,
            floor: &floor,
            local: None,
        };
        let mut fits = Vec::new();
        let narrowest = NARROWEST * (hi - lo);
        for w in cuts.windows(2) {
            fit_interval(density, w[0], w[1], &tolerance, narrowest, &mut fits)?;
        }
        let mut atoms = atoms;
        atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
        merge_atoms(&mut atoms);
        if atoms.len() > MAX_ATOMS {
            return Err(limit(format!(
                "{} atoms, more than {MAX_ATOMS}",
                atoms.len()
            )));
        }
        let breaks = cuts
            .get(1..cuts.len().saturating_sub(1))
            .unwrap_or_default()
            .to_vec();
        Ok(NumericLaw::of_fits(fits, atoms, breaks, (lo, hi), beyond))
    }

    /// The law of fitted pieces (at origin 0), its error their errors times their
    /// widths plus the mass `beyond` the extent.
    fn of_fits(
        fits: Vec<chebyshev::Fit>,
        atoms: Vec<(f64, f64)>,
        breaks: Vec<f64>,
        (lo, hi): (f64, f64),
        beyond: f64,
    ) -> NumericLaw {
        let mut error = beyond;
        let mut pieces = Vec::with_capacity(fits.len());
        let mut before = 0.0;
        for f in fits {
            error += f.error * (f.cheb.b - f.cheb.a);
            let cumulative = f.cheb.antiderivative();
            let mass = cumulative.eval(f.cheb.b);
            pieces.push(Piece {
                density: f.cheb,
                cumulative,
                before,
            });
            before += mass;
        }
        NumericLaw {
            atoms,
            pieces,
            origin: 0.0,
            breaks,
            lo,
            hi,
            error,
        }
    }

    /// The continuous part scaled to the mass `mass`, known apart; the change counts
    /// in the error bound.
    pub fn normalise(&mut self, mass: f64) {
        let now = self.continuous_mass();
        if !(now > 0.0 && mass > 0.0 && now.is_finite()) {
            // nothing to scale: all of the mass is lost, and counts
            self.error += mass.abs();
            return;
        }
        let k = mass / now;
        for p in &mut self.pieces {
            p.density.c.iter_mut().for_each(|c| *c *= k);
            p.cumulative.c.iter_mut().for_each(|c| *c *= k);
            p.before *= k;
        }
        self.error += (mass - now).abs();
    }

    /// The density of the continuous part at t.
    pub fn pdf(&self, t: f64) -> f64 {
        match self.piece_of(t) {
            Some(p) => p.density.eval(t - self.origin),
            None => 0.0,
        }
    }

    /// P(Y ≤ t).
    pub fn cdf(&self, t: f64) -> f64 {
        let atoms: f64 = self
            .atoms
            .iter()
            .take_while(|a| a.0 <= t)
            .map(|a| a.1)
            .sum();
        (atoms + self.continuous_cdf(t)).clamp(0.0, 1.0)
    }

    /// The continuous part's CDF: P(Y ≤ t) less the atoms at or below t.
    pub fn continuous_cdf(&self, t: f64) -> f64 {
        if t < self.lo {
            0.0
        } else if t >= self.hi {
            self.continuous_mass()
        } else {
            self.piece_of(t)
                .map_or(0.0, |p| p.before + p.cumulative.eval(t - self.origin))
        }
    }

    /// P(Y < t): the CDF without the atom at t.
    fn cdf_below(&self, t: f64) -> f64 {
        let at: f64 = self.atoms.iter().filter(|a| a.0 == t).map(|a| a.1).sum();
        (self.cdf(t) - at).max(0.0)
    }

    /// The continuous part's total mass.
    pub fn continuous_mass(&self) -> f64 {
        self.pieces
            .last()
            .map_or(0.0, |p| p.before + p.cumulative.eval(p.density.b))
    }

    /// The atoms' total mass.
    pub fn atom_mass(&self) -> f64 {
        self.atoms.iter().map(|a| a.1).sum()
    }

    /// How many pieces the density has.
    pub fn size(&self) -> usize {
        self.pieces.len()
    }

    fn piece_of(&self, t: f64) -> Option<&Piece> {
        if !(self.lo <= t && t <= self.hi) {
            return None;
        }
        let x = t - self.origin;
        let k = self.pieces.partition_point(|p| p.density.b < x);
        self.pieces.get(k)
    }

    /// The law of w·Y (w ≠ 0; w = 0 is the atom at 0). Y at origin 0, as the laws that
    /// `scale`, `add` and `max_of` make and take are.
    pub fn scale(&self, w: f64) -> NumericLaw {
        debug_assert!(self.origin == 0.0);
        if w == 0.0 {
            return NumericLaw {
                atoms: vec![(0.0, 1.0)],
                pieces: Vec::new(),
                origin: 0.0,
                breaks: Vec::new(),
                lo: 0.0,
                hi: 0.0,
                error: self.error,
            };
        }
        let mut atoms: Vec<(f64, f64)> = self.atoms.iter().map(|&(a, m)| (w * a, m)).collect();
        atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut densities: Vec<Cheb> = self
            .pieces
            .iter()
            .map(|p| {
                let mut c = p.density.affine(w, 0.0);
                c.c.iter_mut().for_each(|v| *v /= w.abs());
                c
            })
            .collect();
        if w < 0.0 {
            densities.reverse();
        }
        let mut breaks: Vec<f64> = self.breaks.iter().map(|b| w * b).collect();
        breaks.sort_by(f64::total_cmp);
        let (lo, hi) = if w > 0.0 {
            (w * self.lo, w * self.hi)
        } else {
            (w * self.hi, w * self.lo)
        };
        NumericLaw {
            atoms,
            pieces: assemble(densities),
            origin: 0.0,
            breaks,
            lo,
            hi,
            error: self.error,
        }
    }

    /// Where the continuous part's CDF crosses each of `LEVELS` times its mass, by
    /// bisection on the fitted CDF (the extent's ends for a law without density).
    fn crossings(&self) -> Vec<f64> {
        let total = self.continuous_mass();
        LEVELS
            .iter()
            .map(|&level| {
                let (mut a, mut b) = (self.lo, self.hi);
                for _ in 0..100 {
                    let m = 0.5 * (a + b);
                    if !(a < m && m < b) {
                        break;
                    }
                    if self.continuous_cdf(m) < level * total {
                        a = m;
                    } else {
                        b = m;
                    }
                }
                0.5 * (a + b)
            })
            .collect()
    }

    /// Where the represented density jumps by more than `tol` of its largest value: its
    /// breaks, and the ends of its pieces where the fits on the two sides differ by
    /// that much and by more than their rounding (each fit is off by up to its error,
    /// so they may).
    fn seams(&self, tol: f64) -> Vec<f64> {
        let peak = self
            .pieces
            .iter()
            .flat_map(|p| [p.density.a, p.density.b].map(|x| p.density.eval(x).abs()))
            .fold(0.0, f64::max);
        let mut seams = self.breaks.clone();
        for w in self.pieces.windows(2) {
            let (left, right) = (&w[0].density, &w[1].density);
            let (l, r) = (left.eval(left.b), right.eval(right.a));
            // (a few ulps of the value are the fits' rounding, which the sum's own
            // rounding floor covers)
            if (l - r).abs() > (tol * peak).max(8.0 * f64::EPSILON * l.abs().max(r.abs())) {
                seams.push(right.a + self.origin);
            }
        }
        seams
    }

    /// Where the density may jump or bend: the breaks, and the extent's ends where the
    /// density does not vanish (a support's end; not a tail cut where the density is
    /// below 1e-10 of its largest value, whose kink a fit resolves).
    fn edges(&self) -> Vec<f64> {
        let peak = self
            .pieces
            .iter()
            .flat_map(|p| {
                let (a, b) = (p.density.a, p.density.b);
                [a, 0.5 * (a + b), b].map(|x| p.density.eval(x).abs())
            })
            .fold(0.0, f64::max);
        let mut edges = self.breaks.clone();
        for (end, inside) in [
            (self.lo, self.pieces.first()),
            (self.hi, self.pieces.last()),
        ] {
            if inside.is_some_and(|p| p.density.eval(end).abs() > 1e-10 * peak) {
                edges.push(end);
            }
        }
        edges
    }

    /// The law of Y + Z for Z independent of Y: the atoms' pairwise sums, each atom of
    /// one shifting the other's density, and the convolution of the densities,
    /// ∫ f_Y(x) f_Z(z − x) dx, computed exactly for the piecewise polynomials
    /// (Clenshaw–Curtis of the product's degree on each interval where both are one
    /// polynomial) and fitted to within `tol` (relative, as in `from_density`) between
    /// the sum's breaks.
    pub fn add(&self, other: &NumericLaw, tol: f64) -> Result<NumericLaw> {
        debug_assert!(self.origin == 0.0 && other.origin == 0.0);
        let mut atoms = Vec::with_capacity(self.atoms.len() * other.atoms.len());
        for &(a, p) in &self.atoms {
            for &(b, q) in &other.atoms {
                atoms.push((a + b, p * q));
            }
        }
        if atoms.len() > MAX_ATOMS {
            return Err(limit(format!(
                "a sum with {} atoms, more than {MAX_ATOMS}",
                atoms.len()
            )));
        }
        let (mine, theirs) = (self.edges(), other.edges());
        let mut breaks = Vec::new();
        // an atom of mass m shifts a copy of the other's density, which jumps where
        // that density does and, by as much as its fits' errors, where its pieces
        // meet; the sum's density is at least m times the copy, so a jump of the copy
        // below tol/4 of its largest value is below tol/4 of the sum's and a fit of
        // the sum bridges it, while a larger one is a break (no fit reaches a
        // tolerance across a jump of twice it)
        let (my_seams, their_seams) = (self.seams(tol / 4.0), other.seams(tol / 4.0));
        for &(a, _) in &self.atoms {
            breaks.extend(their_seams.iter().map(|b| a + b));
        }
        for &(b, _) in &other.atoms {
            breaks.extend(my_seams.iter().map(|a| a + b));
        }
        for a in &mine {
            for b in &theirs {
                breaks.push(a + b);
            }
        }
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        if breaks.len() > MAX_BREAKS {
            return Err(limit(format!(
                "a sum with {} breakpoints, more than {MAX_BREAKS}",
                breaks.len()
            )));
        }
        // cuts (no breaks of the density: the fits are cut there so that none can
        // miss a narrow bulk between its points) where the sum's continuous parts
        // cross the levels of `LEVELS`: their terms' crossings added, and each
        // crossing shifted by the other's atoms
        let (mine_at, theirs_at) = (self.crossings(), other.crossings());
        let mut cuts = breaks.clone();
        for (y, z) in mine_at.iter().zip(&theirs_at) {
            cuts.push(y + z);
        }
        for &(a, _) in &self.atoms {
            cuts.extend(theirs_at.iter().map(|z| a + z));
        }
        for &(b, _) in &other.atoms {
            cuts.extend(mine_at.iter().map(|y| y + b));
        }
        let (mut lo, mut hi) = (self.lo + other.lo, self.hi + other.hi);
        for &(a, _) in &self.atoms {
            lo = lo.min(a + other.lo);
            hi = hi.max(a + other.hi);
        }
        for &(b, _) in &other.atoms {
            lo = lo.min(self.lo + b);
            hi = hi.max(self.hi + b);
        }
        let has_density = !self.pieces.is_empty() || !other.pieces.is_empty();
        let density = |z: f64| {
            let shifted: f64 = self
                .atoms
                .iter()
                .map(|&(a, p)| p * other.pdf(z - a))
                .sum::<f64>()
                + other
                    .atoms
                    .iter()
                    .map(|&(b, q)| q * self.pdf(z - b))
                    .sum::<f64>();
            shifted + convolution(self, other, z).0
        };
        // the rounding of the convolution's sums on [a, b]: 32 ulps of the largest sum
        // of the magnitudes of its terms, seen at 9 points
        let floor = |a: f64, b: f64| {
            32.0 * f64::EPSILON
                * (0..=8)
                    .map(|k| a + (b - a) * f64::from(k) / 8.0)
                    .map(|z| convolution(self, other, z).1)
                    .fold(0.0, f64::max)
        };
        let mut law = if has_density {
            NumericLaw::fitted(&density, atoms, &cuts, (lo, hi), 0.0, tol, &floor)?
        } else {
            NumericLaw::from_density(&|_| 0.0, atoms, &[], (0.0, 0.0), 0.0, tol)?
        };
        breaks.retain(|&b| lo < b && b < hi);
        law.breaks = breaks;
        // |F_{Y+Z} − F̃| ≤ the terms' errors (each CDF error moves the sum's by at most
        // as much) plus this fit's, plus any gap between the fitted continuous mass and
        // the one the terms' masses give
        let (cy, cz) = (self.continuous_mass(), other.continuous_mass());
        let (ay, az) = (self.atom_mass(), other.atom_mass());
        let expected = cy * cz + cy * az + ay * cz;
        law.error += self.error + other.error + lost(expected, law.continuous_mass())?;
        Ok(law)
    }

    /// The law of the largest of n iid copies: CDF F^n, so the atom at a has mass
    /// F(a)^n − F(a−)^n and the density is n·F^(n−1)·f, fitted between the breaks and
    /// atoms to within `tol` (relative). |F^n − F̃^n| ≤ n·|F − F̃|.
    pub fn max_of(&self, n: u32, tol: f64) -> Result<NumericLaw> {
        debug_assert!(self.origin == 0.0);
        if n == 0 {
            return Err(Error::new(
                ErrorKind::Parameter,
                "the max of 0 copies has no law",
            ));
        }
        let nf = f64::from(n);
        let atoms: Vec<(f64, f64)> = self
            .atoms
            .iter()
            .map(|&(a, _)| (a, self.cdf(a).powf(nf) - self.cdf_below(a).powf(nf)))
            .collect();
        let mut breaks = self.breaks.clone();
        breaks.extend(self.atoms.iter().map(|a| a.0));
        let density = |t: f64| nf * self.cdf(t).powf(nf - 1.0) * self.pdf(t);
        let mut law =
            NumericLaw::from_density(&density, atoms, &breaks, (self.lo, self.hi), 0.0, tol)?;
        // and the gap between the fitted continuous mass and F(hi)^n − F(lo−)^n less
        // the atoms
        let expected =
            self.cdf(self.hi).powf(nf) - self.cdf_below(self.lo).powf(nf) - law.atom_mass();
        law.error += nf * self.error + lost(expected, law.continuous_mass())?;
        Ok(law)
    }
}

/// The levels of the continuous mass where a law's fits are cut (see `crossings`).
pub const LEVELS: [f64; 5] = [1e-9, 0.01, 0.5, 0.99, 1.0 - 1e-9];

/// The most continuous mass a fit may miss, relative to the mass it should hold: more
/// means that its points missed part of the density (a bulk narrower than their
/// spacing), and the law would be wrong by that much: an error, not a law.
const MOST_LOST: f64 = 1e-9;

/// |expected − fitted|, the continuous mass a fit missed or added (which counts in the
/// bound), or an error where that is more than `MOST_LOST` of the expected.
pub fn lost(expected: f64, fitted: f64) -> Result<f64> {
    let gap = (expected - fitted).abs();
    if gap > MOST_LOST * expected.abs().max(f64::MIN_POSITIVE) || !gap.is_finite() {
        return Err(limit(format!(
            "the fitted density holds a continuous mass of {fitted:e} where {expected:e} is \
             expected: its fits missed part of it (a bulk narrower than their points)"
        )));
    }
    Ok(gap)
}

/// Atoms at one position become one.
fn merge_atoms(atoms: &mut Vec<(f64, f64)>) {
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(atoms.len());
    for &(a, m) in atoms.iter() {
        match merged.last_mut() {
            Some(last) if last.0 == a => last.1 += m,
            _ => merged.push((a, m)),
        }
    }
    *atoms = merged;
}

/// The pieces of ascending, adjoining densities, with their antiderivatives and the
/// mass before each.
fn assemble(densities: Vec<Cheb>) -> Vec<Piece> {
    let mut before = 0.0;
    densities
        .into_iter()
        .map(|density| {
            let cumulative = density.antiderivative();
            let piece = Piece {
                before,
                cumulative,
                density,
            };
            before += piece.cumulative.eval(piece.density.b);
            piece
        })
        .collect()
}

/// The fit of `f` on [a, b], halving where no degree reaches `tol`.
/// What a fit on an interval must reach: `relative` times the density's largest value
/// anywhere, and never below the floor there. (Relative to the density's value on the
/// interval instead, the far tails would need the kinks that the terms' own fits leave
/// at their pieces' ends resolved far below their size: not done.)
struct Tolerance<'a> {
    relative: f64,
    peak: f64,
    floor: &'a dyn Fn(f64, f64) -> f64,
    /// The least of `peak` and `relative` times the density's largest value on the
    /// interval (seen at 17 points), for a density smooth everywhere, whose tails then
    /// keep their relative accuracy.
    local: Option<&'a dyn Fn(f64) -> f64>,
}

impl Tolerance<'_> {
    fn on(&self, a: f64, b: f64) -> f64 {
        if let Some(f) = self.local {
            let here = (0..=16)
                .map(|k| f(a + (b - a) * f64::from(k) / 16.0).abs())
                .fold(0.0, f64::max);
            // never below 4 ulps of the value: an exponential of an interpolant
            // rounds by about one
            return (self.relative * here)
                .min(self.peak)
                .max(4.0 * f64::EPSILON * here)
                .max(f64::MIN_POSITIVE);
        }
        (self.relative * self.peak.max(f64::MIN_POSITIVE)).max((self.floor)(a, b))
    }
}

fn fit_interval(
    f: &dyn Fn(f64) -> f64,
    a: f64,
    b: f64,
    tolerance: &Tolerance,
    narrowest: f64,
    out: &mut Vec<chebyshev::Fit>,
) -> Result<()> {
    let tol = tolerance.on(a, b);
    if let Some(found) = fit(f, a, b, tol) {
        out.push(found);
        return Ok(());
    }
    let m = 0.5 * (a + b);
    if b - a <= narrowest || out.len() >= MAX_PIECES || !(a < m && m < b) {
        return Err(limit(format!(
            "the density could not be fitted to {tol:e} on [{a}, {b}] within {MAX_PIECES} pieces"
        )));
    }
    fit_interval(f, a, m, tolerance, narrowest, out)?;
    fit_interval(f, m, b, tolerance, narrowest, out)
}

/// ∫ f_Y(x) f_Z(z − x) dx over the densities' pieces: on each interval of x where both
/// are one polynomial, Gauss–Legendre with as many nodes as the product's degree needs,
/// which integrates it exactly (the nodes four at a time); and the integral of the
/// integrand's magnitude, which bounds the sums' rounding.
fn convolution(y: &NumericLaw, z_law: &NumericLaw, z: f64) -> (f64, f64) {
    use wide::f64x4;
    let (mut total, mut magnitude) = (f64x4::ZERO, f64x4::ZERO);
    let qs = &z_law.pieces;
    for p in &y.pieces {
        // the pieces are in order: only those q with z − x in them for some x in p,
        // q.b > z − p.b and q.a < z − p.a, meet p
        let first = qs.partition_point(|q| q.density.b <= z - p.density.b);
        let last = qs.partition_point(|q| q.density.a < z - p.density.a);
        for q in qs.get(first..last.max(first)).unwrap_or_default() {
            // x in p's interval and z − x in q's
            let l = p.density.a.max(z - q.density.b);
            let r = p.density.b.min(z - q.density.a);
            if l >= r {
                continue;
            }
            // the product has degree (len p − 1) + (len q − 1)
            let m = (p.density.c.len() + q.density.c.len()).div_ceil(2);
            let rule = quadrature::gauss_legendre(m);
            let half = 0.5 * (r - l);
            let (mid, half4, z4) = (
                f64x4::splat(0.5 * (l + r)),
                f64x4::splat(half),
                f64x4::splat(z),
            );
            for block in &rule.blocks {
                let x = block.nodes.map(|s| half4.mul_add(s, mid));
                let (fp, fq) = (
                    p.density.eval_near8(x),
                    q.density.eval_near8(x.map(|x| z4 - x)),
                );
                for k in 0..2 {
                    let v = block.weights[k] * half4 * fp[k] * fq[k];
                    total += v;
                    magnitude += v.abs();
                }
            }
        }
    }
    (total.reduce_add(), magnitude.reduce_add())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::special::{std_normal_cdf as big_phi, std_normal_pdf as phi};

    /// N(μ, σ²) on μ ± 9σ, its mass beyond stated.
    fn normal(mu: f64, sigma: f64) -> NumericLaw {
        let beyond = 2.0 * big_phi(-9.0);
        let f = |x: f64| phi((x - mu) / sigma) / sigma;
        NumericLaw::from_density(
            &f,
            Vec::new(),
            &[],
            (mu - 9.0 * sigma, mu + 9.0 * sigma),
            beyond,
            1e-15,
        )
        .unwrap()
    }

    /// The largest |F(t) − reference(t)| over t in [lo, hi] at 2001 points.
    fn worst(law: &NumericLaw, reference: &dyn Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
        (0..=2000)
            .map(|k| lo + (hi - lo) * k as f64 / 2000.0)
            .map(|t| (law.cdf(t) - reference(t)).abs())
            .fold(0.0, f64::max)
    }

    /// A fit that misses mass beyond 1e-9 of what it should hold is an error (the law
    /// would be wrong by that much); below, the gap is counted in the bound.
    #[test]
    fn a_fit_that_missed_its_mass_is_an_error() {
        assert!(lost(0.5, 0.5 + 1e-16).unwrap() < 1e-15);
        let e = lost(1.0, 2e-300).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        assert!(e.message.contains("missed"), "{}", e.message);
        assert!(lost(1e-300, 0.0).is_err() && lost(1.0, f64::NAN).is_err());
    }

    /// N(0.3, 0.8²) + N(−1, 0.5²) is N(−0.7, 0.8² + 0.5²) (closed form), to within the
    /// reported bound and 1e-13.
    #[test]
    fn a_sum_of_normals_is_the_normal_of_the_summed_moments() {
        let sum = normal(0.3, 0.8).add(&normal(-1.0, 0.5), 1e-15).unwrap();
        let s = (0.64f64 + 0.25).sqrt();
        let err = worst(&sum, &|t| big_phi((t + 0.7) / s), -8.0, 7.0);
        assert!(err <= sum.error, "{err:e} beyond the bound {:e}", sum.error);
        assert!(sum.error < 1e-13, "bound {:e}", sum.error);
    }

    /// A narrow and a wide Normal (σ = 10⁻³ and 10³, densities near 400 and 4·10⁻⁴):
    /// the tolerance follows the density's scale, and the sum is N(0, 10⁶ + 10⁻⁶).
    #[test]
    fn laws_of_any_scale_fit_and_add() {
        let (narrow, wide) = (normal(0.0, 1e-3), normal(0.0, 1e3));
        let err = worst(&narrow, &|t| big_phi(t / 1e-3), -0.01, 0.01);
        assert!(
            err <= narrow.error && err < 1e-14,
            "{err:e}, bound {:e}",
            narrow.error
        );
        let sum = narrow.add(&wide, 1e-15).unwrap();
        let s = (1e6f64 + 1e-6).sqrt();
        let err = worst(&sum, &|t| big_phi(t / s), -9000.0, 9000.0);
        assert!(
            err <= sum.error && err < 1e-13,
            "{err:e}, bound {:e}",
            sum.error
        );
    }

    /// U(0, 1) + U(0, 1) is the triangle on [0, 2]: F = t²/2 then 1 − (2 − t)²/2.
    #[test]
    fn a_sum_of_uniforms_is_the_triangle() {
        let u =
            NumericLaw::from_density(&|_| 1.0, Vec::new(), &[], (0.0, 1.0), 0.0, 1e-15).unwrap();
        let sum = u.add(&u, 1e-15).unwrap();
        let tri = |t: f64| {
            if t <= 0.0 {
                0.0
            } else if t <= 1.0 {
                t * t / 2.0
            } else if t <= 2.0 {
                1.0 - (2.0 - t) * (2.0 - t) / 2.0
            } else {
                1.0
            }
        };
        let err = worst(&sum, &tri, -0.5, 2.5);
        assert!(
            err <= sum.error.max(1e-15) && err < 1e-14,
            "{err:e}, bound {:e}",
            sum.error
        );
        assert_eq!(sum.breaks, vec![1.0], "the triangle bends at 1 only");
    }

    /// relu(X1) + relu(X2)/2 for X ~ N(0.3, 0.8²): the atom at 0 is Φ(−μ/σ)², and the
    /// CDF of relu(X1) + relu(X2)/2 is p² + p(F(t) − p) + p(G(t) − p) +
    /// ∫_0^t f(x)(G(t − x) − p) dx (p = F(0), G(y) = F(2y)), the integral by composite
    /// Simpson on 8000 and 4000 intervals extrapolated (error O(h⁶), below 1e-17 for
    /// this smooth integrand) as the independent reference.
    #[test]
    fn a_sum_of_two_relus_has_its_atom_and_its_convolution() {
        let (mu, sigma) = (0.3, 0.8);
        let f = |x: f64| phi((x - mu) / sigma) / sigma;
        let big_f = |x: f64| big_phi((x - mu) / sigma);
        let p = big_f(0.0);
        let hi = mu + 9.0 * sigma;
        let relu =
            NumericLaw::from_density(&f, vec![(0.0, p)], &[], (0.0, hi), big_phi(-9.0), 1e-15)
                .unwrap();
        let scaled = relu.scale(0.5);
        let sum = relu.add(&scaled, 1e-15).unwrap();
        assert_eq!(sum.atoms.len(), 1);
        assert!((sum.atoms[0].1 - p * p).abs() <= 4.0 * f64::EPSILON * p * p);
        // reference: relu(X1) + relu(X2)/2
        let reference = |t: f64| {
            if t < 0.0 {
                return 0.0;
            }
            let big_g = |x: f64| big_f(2.0 * x);
            let integrand = |x: f64| f(x) * (big_g(t - x) - p);
            // (summed with Neumaier's compensation: 8000 plain additions lose 1e-14)
            let simpson = |n: usize| {
                let h = t / n as f64;
                let (mut s, mut c) = (0.0f64, 0.0f64);
                for k in 0..=n {
                    let w = if k == 0 || k == n {
                        1.0
                    } else if k % 2 == 1 {
                        4.0
                    } else {
                        2.0
                    };
                    let v = w * integrand(k as f64 * h);
                    let sum = s + v;
                    c += if s.abs() >= v.abs() {
                        (s - sum) + v
                    } else {
                        (v - sum) + s
                    };
                    s = sum;
                }
                (s + c) * h / 3.0
            };
            // Richardson's extrapolation of Simpson's h⁴ term
            let integral = (16.0 * simpson(8000) - simpson(4000)) / 15.0;
            p * p + p * (big_f(t) - p) + p * (big_g(t) - p) + integral
        };
        let err = worst(&sum, &reference, -0.5, 8.0);
        assert!(err <= sum.error, "{err:e} beyond the bound {:e}", sum.error);
        assert!(
            err < 1e-13 && sum.error < 1e-12,
            "{err:e}, bound {:e}",
            sum.error
        );
    }

    /// The max of 3 iid N(0, 1): Φ³ (closed form); with an atom (relu), the atom's mass
    /// is Φ(−μ/σ)³.
    #[test]
    fn the_max_of_copies_is_the_cdf_to_the_power() {
        let m = normal(0.0, 1.0).max_of(3, 1e-15).unwrap();
        let err = worst(&m, &|t| big_phi(t).powi(3), -9.0, 9.0);
        assert!(
            err <= m.error && err < 1e-13,
            "{err:e}, bound {:e}",
            m.error
        );
        let (mu, sigma) = (0.3, 0.8);
        let f = |x: f64| phi((x - mu) / sigma) / sigma;
        let p = big_phi(-mu / sigma);
        let relu =
            NumericLaw::from_density(&f, vec![(0.0, p)], &[], (0.0, mu + 9.0 * sigma), 0.0, 1e-15)
                .unwrap();
        let m = relu.max_of(3, 1e-15).unwrap();
        assert!((m.atoms[0].1 - p.powi(3)).abs() < 1e-15);
        let err = worst(
            &m,
            &|t| {
                if t < 0.0 {
                    0.0
                } else {
                    big_phi((t - mu) / sigma).powi(3)
                }
            },
            -1.0,
            8.0,
        );
        assert!(
            err <= m.error.max(1e-15) && err < 1e-13,
            "{err:e}, bound {:e}",
            m.error
        );
    }
}
