//! Where a smooth map of one variable turns, with a guarantee that no turn is missed.
//!
//! The map g is monotone wherever its derivative h = g′ keeps one sign. The line is cut
//! into cells, each proved by interval arithmetic ([`interval`](super::interval)) to be
//! one of:
//! - *up* or *down*: h ≥ 0 (or ≤ 0) on the whole cell;
//! - *a turn*: h′ = g″ keeps one sign on the cell, so h is strictly monotone there, and
//!   h has opposite signs at the cell's ends, so it has exactly one zero inside, where it
//!   changes sign.
//!
//! Cells that are neither are bisected; the tails (−∞, −L] and [L, ∞) are cells too,
//! and a tail that proves nothing is cut further out. Every step is bounded: a map
//! whose turns cannot be separated within [`MAX_CELLS`] cells or past |x| = 2^20 is an
//! error, never a guess.
//!
//! "h ≥ 0 on a cell" gives a strictly increasing g because every map here is real
//! analytic on a piece between kinks: a derivative that vanished on an interval would
//! vanish on the whole piece, and that piece is flat (an atom), which the caller rules
//! out first.

use super::functions::{Function, Turns};
use super::interval::{eval, Iv, Shapes, Turn};
use super::{calculus::derivative, Expr, FUNCTIONS};
use std::sync::OnceLock;

/// The most cells one map's turns may take.
pub const MAX_CELLS: usize = 20_000;
/// The first tail starts at |x| = 16; a tail that proves nothing moves out, to 2^20.
const FIRST_TAIL: f64 = 16.0;
const LAST_TAIL: f64 = 1048576.0;

/// A run of the map between turns, or a turn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Up(Iv),
    Down(Iv),
    /// One zero of g′ inside, enclosed; g has a minimum there when `minimum`. `best`
    /// is the zero to f64 accuracy (where the sign of g′ computed in f64 changes).
    Turn {
        at: Iv,
        best: f64,
        minimum: bool,
    },
}

/// The runs and turns of g, left to right, on (a, b), given h = g′ and dh = g″;
/// `Err` says where the proof failed.
pub fn cells(
    h: &Expr,
    dh: &Expr,
    a: f64,
    b: f64,
    shapes: &dyn Shapes,
) -> Result<Vec<Cell>, String> {
    let mut work = Work {
        h,
        dh,
        shapes,
        spent: 0,
        out: Vec::new(),
    };
    let finite = |v: f64| {
        if v.is_finite() {
            2.0 * v.abs().min(LAST_TAIL)
        } else {
            0.0
        }
    };
    let l = FIRST_TAIL.max(finite(a)).max(finite(b));
    let (lo, hi) = (a.max(-l), b.min(l));
    if a == f64::NEG_INFINITY {
        work.left_tail(lo.min(hi))?;
    }
    if lo < hi {
        work.bounded(lo, hi)?;
    }
    if b == f64::INFINITY {
        work.right_tail(hi.max(lo))?;
    }
    Ok(merge(work.out))
}

struct Work<'a> {
    h: &'a Expr,
    dh: &'a Expr,
    shapes: &'a dyn Shapes,
    spent: usize,
    out: Vec<Cell>,
}

impl Work<'_> {
    fn spend(&mut self) -> Result<(), String> {
        self.spent += 1;
        if self.spent > MAX_CELLS {
            return Err(format!(
                "its turns could not be separated in {MAX_CELLS} intervals"
            ));
        }
        Ok(())
    }

    fn h(&self, x: Iv) -> Option<Iv> {
        eval(self.h, x, self.shapes)
    }

    /// (−∞, c]: proved whole, or [c', c] bounded and the tail moved out to c'.
    fn left_tail(&mut self, c: f64) -> Result<(), String> {
        let mut c = c;
        let mut inner: Vec<(f64, f64)> = Vec::new();
        loop {
            self.spend()?;
            let cell = Iv::new(f64::NEG_INFINITY, c).expect("a tail");
            if let Some(s) = self.h(cell).and_then(|v| sign(v, cell)) {
                self.out.push(s);
                break;
            }
            let next = c - c.abs().max(1.0);
            if -next > LAST_TAIL {
                return Err(format!(
                    "its derivative could not be given a sign for x < {c}"
                ));
            }
            inner.push((next, c));
            c = next;
        }
        for (lo, hi) in inner.into_iter().rev() {
            self.bounded(lo, hi)?;
        }
        Ok(())
    }

    fn right_tail(&mut self, c: f64) -> Result<(), String> {
        let mut c = c;
        loop {
            self.spend()?;
            let cell = Iv::new(c, f64::INFINITY).expect("a tail");
            if let Some(s) = self.h(cell).and_then(|v| sign(v, cell)) {
                self.out.push(s);
                return Ok(());
            }
            let next = c + c.abs().max(1.0);
            if next > LAST_TAIL {
                return Err(format!(
                    "its derivative could not be given a sign for x > {c}"
                ));
            }
            self.bounded(c, next)?;
            c = next;
        }
    }

    /// [lo, hi], left to right.
    fn bounded(&mut self, lo: f64, hi: f64) -> Result<(), String> {
        let mut stack = vec![(lo, hi)];
        while let Some((c, d)) = stack.pop() {
            self.spend()?;
            let cell = Iv::new(c, d).expect("ordered ends");
            if let Some(s) = self.h(cell).and_then(|v| sign(v, cell)) {
                self.out.push(s);
                continue;
            }
            if let Some(turn) = self.turn(c, d) {
                self.out.push(turn);
                continue;
            }
            // off centre, so that a zero at a round number does not land on an end
            let m = c + (d - c) * 0.4990234375;
            if !(c < m && m < d) {
                return Err(format!(
                    "its derivative has a zero near x = {c} that is not simple"
                ));
            }
            stack.push((m, d));
            stack.push((c, m));
        }
        Ok(())
    }

    /// A cell where g″ keeps one sign and g′ changes sign between its ends.
    fn turn(&self, c: f64, d: f64) -> Option<Cell> {
        let cell = Iv::new(c, d)?;
        let dd = eval(self.dh, cell, self.shapes)?;
        if !(dd.lo > 0.0 || dd.hi < 0.0) {
            return None;
        }
        let (hc, hd) = (self.h(Iv::point(c))?, self.h(Iv::point(d))?);
        let minimum = if hc.hi < 0.0 && hd.lo > 0.0 {
            true
        } else if hc.lo > 0.0 && hd.hi < 0.0 {
            false
        } else if (hc.lo > 0.0 && hd.lo > 0.0) || (hc.hi < 0.0 && hd.hi < 0.0) {
            // monotone h between two values of one sign keeps that sign
            return Some(if hc.lo > 0.0 {
                Cell::Up(cell)
            } else {
                Cell::Down(cell)
            });
        } else {
            return None;
        };
        // narrow the enclosure while the signs at its ends stay proved
        let (mut lo, mut hi) = (c, d);
        let below = |v: Iv| if minimum { v.hi < 0.0 } else { v.lo > 0.0 };
        let above = |v: Iv| if minimum { v.lo > 0.0 } else { v.hi < 0.0 };
        for _ in 0..200 {
            let m = lo + (hi - lo) / 2.0;
            if !(lo < m && m < hi) {
                break;
            }
            let v = self.h(Iv::point(m))?;
            if below(v) {
                lo = m;
            } else if above(v) {
                hi = m;
            } else {
                break;
            }
        }
        // the best f64 zero: where g′ evaluated at points changes sign
        let mid = |v: Iv| (v.lo + v.hi) / 2.0;
        let (mut a, mut b) = (lo, hi);
        for _ in 0..200 {
            let m = a + (b - a) / 2.0;
            if !(a < m && m < b) {
                break;
            }
            let v = mid(self.h(Iv::point(m))?);
            if (v < 0.0) == minimum {
                a = m;
            } else {
                b = m;
            }
        }
        Some(Cell::Turn {
            at: Iv::new(lo, hi)?,
            best: a + (b - a) / 2.0,
            minimum,
        })
    }
}

/// Up or down on a cell, from an interval of g′ there.
fn sign(v: Iv, cell: Iv) -> Option<Cell> {
    if v.nonneg() {
        Some(Cell::Up(cell))
    } else if v.nonpos() {
        Some(Cell::Down(cell))
    } else {
        None
    }
}

/// Adjacent runs of one direction joined.
fn merge(cells: Vec<Cell>) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::with_capacity(cells.len());
    for c in cells {
        match (out.last_mut(), c) {
            (Some(Cell::Up(a)), Cell::Up(b)) | (Some(Cell::Down(a)), Cell::Down(b)) => {
                *a = a.hull(b)
            }
            _ => out.push(c),
        }
    }
    out
}

/// The turns of the registry's functions: declared, or found from their derivatives
/// with [`cells`] once, on first use.
pub struct Registry;

pub static REGISTRY: Registry = Registry;

const N: usize = FUNCTIONS.len();
static FOUND: [OnceLock<Option<Vec<Turn>>>; N] = [const { OnceLock::new() }; N];

impl Shapes for Registry {
    fn turns(&self, f: &'static Function) -> Option<&[Turn]> {
        let k = FUNCTIONS.iter().position(|g| g.op == f.op)?;
        FOUND[k].get_or_init(|| registry_turns(f).ok()).as_deref()
    }
}

/// A function's turns, with their values enclosed.
fn registry_turns(f: &'static Function) -> Result<Vec<Turn>, String> {
    match f.turns {
        Turns::Unknown => Err(format!("the turns of {} are not known", f.op)),
        Turns::At(points) => points
            .iter()
            .map(|&(x, _)| {
                Ok(Turn {
                    at: Iv::point(x),
                    value: at_value(f, x)?,
                })
            })
            .collect(),
        Turns::Derived => {
            let g = super::expr(&format!("({} t)", f.op))?;
            let h = derivative(&g).ok_or("no derivative")?;
            let dh = derivative(&h).ok_or("no second derivative")?;
            let cells = cells(&h, &dh, f64::NEG_INFINITY, f64::INFINITY, &REGISTRY)?;
            let mut turns = Vec::new();
            for c in cells {
                let Cell::Turn { at: a, .. } = c else {
                    continue;
                };
                // f is within |a|·sup|f′| of its value at an end of the enclosure
                let ends = at_value(f, a.lo)?.hull(at_value(f, a.hi)?);
                let slope = eval(&h, a, &REGISTRY).ok_or("no slope")?;
                let room = a.width() * slope.lo.abs().max(slope.hi.abs());
                turns.push(Turn {
                    at: a,
                    value: Iv {
                        lo: (ends.lo - room).next_down(),
                        hi: (ends.hi + room).next_up(),
                    },
                });
            }
            Ok(turns)
        }
    }
}

fn at_value(f: &Function, x: f64) -> Result<Iv, String> {
    let y = (f.value)(&[x]);
    if y.is_nan() {
        return Err(format!("{} has no value at {x}", f.op));
    }
    let room = y.abs() * super::interval::REL;
    Ok(Iv {
        lo: (y - room).next_down(),
        hi: (y + room).next_up(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::expr;

    fn turns_of(g: &str) -> Vec<Cell> {
        let g = expr(g).unwrap();
        let h = derivative(&g).unwrap();
        let dh = derivative(&h).unwrap();
        cells(&h, &dh, f64::NEG_INFINITY, f64::INFINITY, &REGISTRY).unwrap()
    }

    #[test]
    fn x_tanh_x_turns_once_at_zero() {
        // x tanh x is even with its minimum at 0
        let c = turns_of("(* t (tanh t))");
        assert_eq!(c.len(), 3, "{c:?}");
        assert!(matches!(c[0], Cell::Down(_)) && matches!(c[2], Cell::Up(_)));
        let Cell::Turn { at, best, minimum } = c[1] else {
            panic!("{c:?}")
        };
        assert!(
            minimum && at.lo <= 0.0 && 0.0 <= at.hi && best.abs() < 1e-12,
            "{c:?}"
        );
    }

    #[test]
    fn one_over_one_plus_square_peaks_at_zero() {
        let c = turns_of("(/ 1 (+ 1 (^ t 2)))");
        assert_eq!(c.len(), 3, "{c:?}");
        assert!(matches!(c[1], Cell::Turn { minimum: false, .. }), "{c:?}");
    }

    #[test]
    fn a_cubic_turns_twice() {
        // t³ − 3t turns at −1 (maximum) and 1 (minimum)
        let c = turns_of("(- (^ t 3) (* 3 t))");
        let turns: Vec<(f64, bool)> = c
            .iter()
            .filter_map(|c| match c {
                Cell::Turn { best, minimum, .. } => Some((*best, *minimum)),
                _ => None,
            })
            .collect();
        assert_eq!(turns.len(), 2, "{c:?}");
        assert!((turns[0].0 + 1.0).abs() < 1e-12 && !turns[0].1);
        assert!((turns[1].0 - 1.0).abs() < 1e-12 && turns[1].1);
    }

    #[test]
    fn monotone_maps_have_no_turn() {
        for g in [
            "(+ t (tanh t))",
            "(+ t (sigmoid (* 2 t)))",
            "(exp t)",
            "(logsigmoid (* 3 t))",
        ] {
            let c = turns_of(g);
            assert!(matches!(c.as_slice(), [Cell::Up(_)]), "{g}: {c:?}");
        }
    }

    #[test]
    fn a_tail_that_cannot_be_signed_is_an_error() {
        // t·σ(t) written out: g′ = σ + tσ(1 − σ) has no sign that intervals can see for
        // t → −∞ (each term alone does), so the proof must fail, not guess
        let g = expr("(* t (sigmoid t))").unwrap();
        let h = derivative(&g).unwrap();
        let dh = derivative(&h).unwrap();
        let r = cells(&h, &dh, f64::NEG_INFINITY, f64::INFINITY, &REGISTRY);
        assert!(r.is_err(), "{r:?}");
    }

    #[test]
    fn activations_turn_once_where_scipy_finds_the_minimum() {
        // references: scipy.optimize.brentq on each closed-form derivative in (−3, −0.1),
        // xtol = rtol = 1e−15 (the script is in the commit message that added this test)
        let cases = [
            ("gelu", -0.7517915246935645),
            ("silu", -1.278464542761074),
            ("mish", -1.192431214515495),
            ("gelu-tanh", -0.7524614220710163),
        ];
        for (op, reference) in cases {
            let f = FUNCTIONS.iter().find(|f| f.op == op).unwrap();
            let turns = REGISTRY
                .turns(f)
                .unwrap_or_else(|| panic!("{op} has no turns"));
            assert_eq!(turns.len(), 1, "{op}: {turns:?}");
            let t = turns[0];
            // a minimum: below the values half a unit either side
            let (l, r) = ((f.value)(&[reference - 0.5]), (f.value)(&[reference + 0.5]));
            assert!(t.value.hi < l && t.value.hi < r, "{op}: {t:?}");
            assert!(
                t.at.lo <= reference + 1e-12 && reference - 1e-12 <= t.at.hi,
                "{op}: {t:?}"
            );
            assert!(t.at.width() < 1e-9, "{op}: {t:?}");
            let v = (f.value)(&[reference]);
            assert!(
                t.value.lo <= v && v <= t.value.hi,
                "{op}: {v} outside {t:?}"
            );
        }
        // GELU′ turns at ±√2, where φ(u)(2 − u²) changes sign
        let d = FUNCTIONS.iter().find(|f| f.op == "gelu-d").unwrap();
        let turns = REGISTRY.turns(d).unwrap();
        assert_eq!(turns.len(), 2, "{turns:?}");
        let r2 = std::f64::consts::SQRT_2;
        assert!(turns[0].at.lo <= -r2 && -r2 <= turns[0].at.hi);
        assert!(turns[1].at.lo <= r2 && r2 <= turns[1].at.hi);
    }

    #[test]
    fn activation_intervals_hold_their_values() {
        // every value at 201 points of an interval lies in the interval's bounds
        for op in ["gelu", "gelu-d", "silu", "mish", "gelu-tanh"] {
            let e = expr(&format!("({op} t)")).unwrap();
            let f = FUNCTIONS.iter().find(|f| f.op == op).unwrap();
            for (lo, hi) in [
                (-5.0, -0.2),
                (-1.0, 0.5),
                (-0.76, -0.74),
                (0.3, 40.0),
                (-60.0, -30.0),
            ] {
                let b = eval(&e, Iv::new(lo, hi).unwrap(), &REGISTRY).unwrap();
                for k in 0..=200 {
                    let x = lo + (hi - lo) * k as f64 / 200.0;
                    let v = (f.value)(&[x]);
                    assert!(b.lo <= v && v <= b.hi, "{op} at {x}: {v} outside {b:?}");
                }
            }
        }
    }
}
