//! The law of a weighted sum of iid copies (`lang::implicit::Convolution`) in numbers:
//! E's formulas compiled at the parameters' values, its continuous part fitted on its
//! support (an infinite end cut where the continuous mass beyond is below 1e-18, which
//! is counted in the error bound), then each copy weighted and added in turn.

use super::numeric::{self, grid, NumericLaw};
use super::{Compiled, Values};
use crate::error::{Error, ErrorKind, Result};
use crate::lang::implicit::{Convolution, Part};
use std::sync::{Arc, Mutex, OnceLock};

/// The fits' tolerance, relative to each density's largest value.
const TOL: f64 = 1e-15;
/// The continuous mass an infinite end may leave out.
const TAIL: f64 = 1e-18;

/// The most laws kept for reuse (the CDF and the density of a law compile apart, and
/// a check compiles them again).
const KEPT: usize = 16;

/// The numeric law of the k-th convolution at these values, made once and shared.
pub fn shared(k: usize, c: &Convolution, values: &Values) -> Result<Arc<NumericLaw>> {
    type Kept = Vec<((usize, String), Arc<NumericLaw>)>;
    static CACHE: OnceLock<Mutex<Kept>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let key = (k, format!("{values:?}"));
    let found = {
        let kept = cache.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().find(|(k, _)| *k == key).map(|(_, l)| l.clone())
    };
    if let Some(l) = found {
        return Ok(l);
    }
    let made = Arc::new(law(c, values)?);
    let mut kept = cache.lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= KEPT {
        kept.remove(0);
    }
    kept.push((key, made.clone()));
    Ok(made)
}

/// The law of the sum: each part's weighted sum of copies, then the parts added.
pub fn law(c: &Convolution, values: &Values) -> Result<NumericLaw> {
    let mut sum: Option<NumericLaw> = None;
    // the grid's laws are centred on themselves: only a sum of one part goes there
    let alone = c.parts.len() == 1;
    for part in &c.parts {
        let term = part_law(part, values, alone)?;
        sum = Some(match sum {
            None => term,
            Some(s) => s.add(&term, TOL)?,
        });
    }
    sum.ok_or_else(|| Error::new(ErrorKind::Internal, "a sum without parts"))
}

/// One part's law: w₁E₁ + … + wₙEₙ for iid copies of E; on the grid when E is smooth
/// and `alone` (the part is the whole sum).
fn part_law(c: &Part, values: &Values, alone: bool) -> Result<NumericLaw> {
    let cdf = Compiled::new(&c.cdf, values)?;
    let density = Compiled::new(&c.density, values)?;
    let constant = |e: &crate::lang::Expr| Compiled::new(e, values).map(|f| f.eval(0.0));
    let mut atoms = Vec::new();
    for (at, mass) in &c.atoms {
        let (at, mass) = (constant(at)?, constant(mass)?);
        if !at.is_finite() || !mass.is_finite() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "an atom of the term inside conv is not a finite number at these values",
            ));
        }
        if mass > 0.0 {
            atoms.push((at, mass));
        }
    }
    let mass_of_atoms = |t: f64, strictly: bool| -> f64 {
        atoms
            .iter()
            .filter(|a| if strictly { a.0 < t } else { a.0 <= t })
            .map(|a| a.1)
            .sum()
    };
    // the continuous part's CDF
    let continuous = |t: f64| (cdf.eval(t) - mass_of_atoms(t, false)).clamp(0.0, 1.0);
    let total = 1.0 - atoms.iter().map(|a| a.1).sum::<f64>();
    let lo_end = c.lo.as_ref().map(&constant).transpose()?;
    let hi_end = c.hi.as_ref().map(&constant).transpose()?;
    let centre = atoms.first().map_or(0.0, |a| a.0);
    let (lo, below) = match lo_end {
        Some(v) if v.is_finite() => (v, 0.0),
        _ => reach(&|t| continuous(t), centre, -1.0, TAIL)?,
    };
    let (hi, above) = match hi_end {
        Some(v) if v.is_finite() => (v, 0.0),
        // (total − F(t) is rounded: where it never falls below TAIL, the upper tail is
        // cut where it is within 4 ulps of 0)
        _ => {
            let above = |t: f64| total - continuous(t);
            reach(&above, centre, 1.0, TAIL)
                .or_else(|_| reach(&above, centre, 1.0, 4.0 * f64::EPSILON))?
        }
    };
    // breaks: the atoms, where E's density jumps, and (so that no fit can miss a
    // narrow bulk between its points) where the continuous part's CDF crosses
    // 1e-9, 1%, 1/2, 99% and 1 − 1e-9 of its mass
    let mut jumps: Vec<f64> = Vec::new();
    for b in &c.breaks {
        let v = constant(b)?;
        if v.is_finite() && lo < v && v < hi {
            jumps.push(v);
        }
    }
    let mut breaks: Vec<f64> = atoms
        .iter()
        .map(|a| a.0)
        .chain(jumps.iter().copied())
        .collect();
    for level in numeric::LEVELS {
        breaks.push(crossing(&continuous, level * total, lo, hi));
    }
    let f = |x: f64| density.eval(x);
    // E's numeric laws inside: E's law is then off by at most their bounds times the
    // copies of them E takes
    let inherited = inherited(c, values)?;
    if alone && c.smooth() {
        // smooth on the whole line: the grid, when it resolves E
        let (q1, q99) = (
            crossing(&continuous, 0.01, lo, hi),
            crossing(&continuous, 0.99, lo, hi),
        );
        // the standard deviation of a Normal with these quantiles (2 × 2.326 sd apart)
        let sd = (q99 - q1) / 4.65;
        let (lo, hi, beyond) = tails(&f, &continuous, total, (lo, hi), (q1, q99), sd);
        let weights: Vec<f64> = c.weights.iter().map(|w| w.to_f64()).collect();
        if let Some(mut law) = grid::weighted_sum(&f, total, (lo, hi), sd, beyond, &weights, TOL)? {
            law.error += inherited * weights.len() as f64;
            return Ok(law);
        }
    }
    // (the tails' masses come from a CDF rounded to f64: up to an ulp of 1 each)
    let beyond = below + above + f64::EPSILON;
    let mut base = NumericLaw::from_density(&f, atoms.clone(), &breaks, (lo, hi), beyond, TOL)?;
    // the fitted mass against the known one: any gap is lost mass, and counts
    base.error += numeric::lost(total - below - above, base.continuous_mass())?;
    // the crossings cut the fits but are no breaks of the density: a sum's breaks are
    // the sums of its terms' (the atoms are counted apart)
    jumps.sort_by(f64::total_cmp);
    jumps.dedup();
    base.breaks = jumps;
    let mut sum: Option<NumericLaw> = None;
    for w in &c.weights {
        let mut term = base.scale(w.to_f64());
        term.error += inherited;
        sum = Some(match sum {
            None => term,
            Some(s) => s.add(&term, TOL)?,
        });
    }
    sum.ok_or_else(|| Error::new(ErrorKind::Syntax, "conv needs at least one weight"))
}

/// E's formulas read numeric laws of their own (a sum of maxpools of sums): the sum
/// over them of their bounds times the copies of them E takes.
fn inherited(c: &Part, values: &Values) -> Result<f64> {
    let mut inherited = 0.0;
    for (k, copies) in crate::lang::implicit::leaf_copies(&c.term) {
        let inner = crate::lang::implicit::get_convolution(k).ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "a numeric law inside conv is not defined",
            )
        })?;
        inherited += copies * shared(k, &inner, values)?.error;
    }
    Ok(inherited)
}

/// A smooth density's extent for the grid: from where the continuous CDF is 1e-18 to
/// where it is within an ulp of the total, each end then moved out by half standard
/// deviations while the density there is above 1e-20 of its value at the quartiles'
/// middle; and the mass beyond, the lower tail's CDF plus, above, what rounding hides
/// and 4 sd times the density at the end (at least a Normal tail's mass beyond a
/// point one sd or more past its mean, by Mills' ratio).
fn tails(
    f: &dyn Fn(f64) -> f64,
    continuous: &dyn Fn(f64) -> f64,
    total: f64,
    (lo, hi): (f64, f64),
    (q1, q99): (f64, f64),
    sd: f64,
) -> (f64, f64, f64) {
    let mut a = crossing(continuous, 1e-18, lo, q1);
    let mut b = crossing(&|t| continuous(t) - total, -f64::EPSILON, q99, hi);
    let level = 1e-20 * f(0.5 * (q1 + q99));
    for _ in 0..64 {
        if f(a) <= level {
            break;
        }
        a -= 0.5 * sd;
    }
    for _ in 0..64 {
        if f(b) <= level {
            break;
        }
        b += 0.5 * sd;
    }
    let beyond =
        continuous(a) + (total - continuous(b)).max(0.0) + f64::EPSILON + 4.0 * sd * (f(a) + f(b));
    (a, b, beyond)
}

/// The t in [lo, hi] where an increasing `f` reaches `level`, by bisection.
fn crossing(f: &dyn Fn(f64) -> f64, level: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let m = 0.5 * (lo + hi);
        if !(lo < m && m < hi) {
            break;
        }
        if f(m) < level {
            lo = m;
        } else {
            hi = m;
        }
    }
    0.5 * (lo + hi)
}

/// Where a tail's mass (`beyond(t)`, falling as t moves in `direction`) drops to at
/// most `tail`: steps doubling from `start`; the point and the mass left beyond it.
fn reach(beyond: &dyn Fn(f64) -> f64, start: f64, direction: f64, tail: f64) -> Result<(f64, f64)> {
    let mut step = 1.0;
    for _ in 0..1100 {
        let t = start + direction * step;
        let m = beyond(t);
        if m <= tail {
            return Ok((t, m.max(0.0)));
        }
        step *= 2.0;
    }
    Err(Error::new(
        ErrorKind::Limit,
        "the law inside conv has a tail too heavy to cut where its mass is below 1e-18",
    ))
}
