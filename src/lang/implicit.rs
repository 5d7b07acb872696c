//! The numbers and inverses a derivation names but cannot write in closed form: a
//! point where the input's map turns or kinks (x* with Φ(x*) + x*·φ(x*) = 0), and the
//! inverse of the map on one monotone piece ("the root of x·Φ(x) = t in (−∞, x*]").
//!
//! And the law of a weighted sum of iid copies of a law, which has no closed form
//! (`conv(relu(x), w)`): the derivation names its CDF and density, and evaluation
//! computes them.
//!
//! Terms refer to them by index, `(point K)` and `(inverse K u)`, as egg refers to a
//! name by its interned `Symbol`: the definitions are interned here, once per distinct
//! definition (a definition already known gets its old index back), so that every
//! stage after the derivation (evaluation, printing, the checks) finds them from the
//! term alone.

use super::{Expr, Node};
use std::sync::{Arc, Mutex, OnceLock};

/// A number known by an equation h(x) = 0 and an interval that holds exactly one of its
/// roots, proved by interval arithmetic.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The equation's left side, a term in `t` (standing for x).
    pub h: Expr,
    /// The enclosure, and the root to f64 accuracy inside it.
    pub lo: f64,
    pub hi: f64,
    pub value: f64,
}

/// One end of a monotone piece: −∞ or +∞ (`None`), or a constant term (a number, or a
/// `(point K)`), with its value.
#[derive(Clone, Debug, PartialEq)]
pub struct End {
    pub term: Option<Expr>,
    pub value: f64,
    /// g′ = 0 there: the density is infinite where t reaches g's value at this end.
    pub turn: bool,
}

/// The inverse of a strictly monotone map g on the piece [lo, hi] (in the input's
/// variable), clamped to it: lo below g's values there and hi above them, for an
/// increasing g (and the other way round for a decreasing one). With that convention
/// P(lo ≤ X ≤ hi, g(X) ≤ t) is F(g⁻¹(t)) − F(lo) (increasing) or F(hi) − F(g⁻¹(t))
/// (decreasing) for every t, and no bracket of g's range is needed.
#[derive(Clone, Debug, PartialEq)]
pub struct Inverse {
    /// g and g′, terms in `t` (standing for x).
    pub g: Expr,
    pub dg: Expr,
    pub lo: End,
    pub hi: End,
    pub increasing: bool,
}

/// The law of a sum of independent parts, each w₁E₁ + … + wₙEₙ for iid copies Eᵢ of a
/// law derived in closed form, which has none itself: `conv(E, w)` of a non-Normal E is
/// one part; `relu(x1) + tanh(x2)` of independent inputs two, each with the weight 1.
/// Evaluation computes it numerically (`eval::numeric`).
#[derive(Clone, Debug, PartialEq)]
pub struct Convolution {
    pub parts: Vec<Part>,
    /// The ends of the sum's own support (`None` where infinite), and whether each is
    /// in it: the range of a `(law K A)` leaf.
    pub sum_ends: [(Option<Expr>, bool); 2],
}

/// Iid copies of one law E, weighted: E's CDF and density (terms in t and the
/// program's parameters), its atoms, the finite ends of its support, and the weights.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// E itself, as the program wrote it (a random term), for printing.
    pub term: Expr,
    pub cdf: Expr,
    pub density: Expr,
    /// (position, mass) of each atom of E.
    pub atoms: Vec<(Expr, Expr)>,
    /// The ends of E's support, `None` where infinite.
    pub lo: Option<Expr>,
    pub hi: Option<Expr>,
    /// Where E's density may jump: the thresholds of its brackets.
    pub breaks: Vec<Expr>,
    pub weights: Vec<super::Num>,
}

impl Part {
    /// Whether E's law is smooth on the whole line, as far as its derivation says: no
    /// atoms, no jumps of its density, no finite end.
    pub fn smooth(&self) -> bool {
        self.atoms.is_empty() && self.breaks.is_empty() && self.lo.is_none() && self.hi.is_none()
    }
}

impl Convolution {
    /// Whether the sum is of iid copies of one law smooth on the whole line: it is then
    /// evaluated on a uniform grid (`eval::numeric::grid`).
    pub fn smooth(&self) -> bool {
        matches!(self.parts.as_slice(), [p] if p.smooth())
    }
}

/// Each `(law K A)` of a term with the copies of it the term takes.
pub fn leaf_copies(y: &Expr) -> Vec<(usize, f64)> {
    fn go(y: &Expr, id: egg::Id, times: f64, out: &mut Vec<(usize, f64)>) {
        use egg::Language;
        let node = &y[id];
        match node {
            Node::Law(_) => {
                if let Some(k) = index(y, node) {
                    match out.iter_mut().find(|(j, _)| *j == k) {
                        Some((_, c)) => *c += times,
                        None => out.push((k, times)),
                    }
                }
            }
            Node::MaxPool([a, n]) | Node::MinPool([a, n]) | Node::Order([a, _, n]) => {
                let n = super::value(&super::subterm(y, *n)).unwrap_or(f64::INFINITY);
                go(y, *a, times * n, out);
            }
            _ => {
                for c in node.children() {
                    go(y, *c, times, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    go(y, egg::Id::from(y.as_ref().len() - 1), 1.0, &mut out);
    out
}

/// The term with each `(law K A)` leaf written out again as the `conv` it stands for,
/// so that a sampler can run it forward from Normal draws.
pub fn unleaf(e: &Expr) -> Expr {
    use egg::Language;
    if !e.as_ref().iter().any(|n| matches!(n, Node::Law(_))) {
        return e.clone();
    }
    let mut out = Expr::default();
    let mut memo: Vec<egg::Id> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let id = match (node, index(e, node).and_then(get_convolution)) {
            (Node::Law(_), Some(c)) => {
                let mut sum = None;
                for part in &c.parts {
                    let inner = super::append(&mut out, &unleaf(&part.term));
                    // one copy of a part of independent terms is the term itself
                    if c.parts.len() > 1
                        && part.weights.len() == 1
                        && part.weights[0] == super::Num::int(1)
                    {
                        sum = Some(match sum {
                            Some(s) => out.add(Node::Add([s, inner])),
                            None => inner,
                        });
                        continue;
                    }
                    let mut list = out.add(Node::Nil);
                    for w in part.weights.iter().rev() {
                        let w = out.add(Node::Num(w.clone()));
                        list = out.add(Node::Cons([w, list]));
                    }
                    let term = out.add(Node::Conv([inner, list]));
                    sum = Some(match sum {
                        Some(s) => out.add(Node::Add([s, term])),
                        None => term,
                    });
                }
                sum.unwrap_or_else(|| out.add(Node::Num(super::Num::int(0))))
            }
            _ => out.add(node.clone().map_children(|c| memo[usize::from(c)])),
        };
        memo.push(id);
    }
    super::subterm(&out, *memo.last().unwrap_or(&egg::Id::from(0)))
}

/// An index into these tables, as a leaf of terms: `#3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref(pub u32);

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl std::str::FromStr for Ref {
    type Err = String;
    fn from_str(s: &str) -> Result<Ref, String> {
        s.strip_prefix('#')
            .and_then(|k| k.parse().ok())
            .map(Ref)
            .ok_or_else(|| format!("not a reference: {s}"))
    }
}

struct Tables {
    points: Vec<Arc<Point>>,
    inverses: Vec<Arc<Inverse>>,
    convolutions: Vec<Arc<Convolution>>,
}

fn tables() -> &'static Mutex<Tables> {
    static T: OnceLock<Mutex<Tables>> = OnceLock::new();
    T.get_or_init(|| {
        Mutex::new(Tables {
            points: Vec::new(),
            inverses: Vec::new(),
            convolutions: Vec::new(),
        })
    })
}

fn lock() -> std::sync::MutexGuard<'static, Tables> {
    // a panic elsewhere while the lock was held leaves the tables whole: every change
    // is one push
    tables().lock().unwrap_or_else(|e| e.into_inner())
}

/// The index of a point, added if new.
pub fn point(p: Point) -> usize {
    let mut t = lock();
    if let Some(k) = t.points.iter().position(|q| **q == p) {
        return k;
    }
    t.points.push(Arc::new(p));
    t.points.len() - 1
}

/// The index of an inverse, added if new.
pub fn inverse(i: Inverse) -> usize {
    let mut t = lock();
    if let Some(k) = t.inverses.iter().position(|q| **q == i) {
        return k;
    }
    t.inverses.push(Arc::new(i));
    t.inverses.len() - 1
}

/// The index of a convolution, added if new.
pub fn convolution(c: Convolution) -> usize {
    let mut t = lock();
    if let Some(k) = t.convolutions.iter().position(|q| **q == c) {
        return k;
    }
    t.convolutions.push(Arc::new(c));
    t.convolutions.len() - 1
}

pub fn get_convolution(k: usize) -> Option<Arc<Convolution>> {
    lock().convolutions.get(k).cloned()
}

pub fn get_point(k: usize) -> Option<Arc<Point>> {
    lock().points.get(k).cloned()
}

pub fn get_inverse(k: usize) -> Option<Arc<Inverse>> {
    lock().inverses.get(k).cloned()
}

/// The index in a `(point K)`, `(inverse K u)`, `(inverse-d K u)`, `(conv-cdf K u)` or
/// `(conv-pdf K u)` node.
pub fn index(e: &Expr, node: &Node) -> Option<usize> {
    let k = match node {
        Node::Point(k)
        | Node::Inverse([k, _])
        | Node::InverseD([k, _])
        | Node::ConvCdf([k, _])
        | Node::ConvPdf([k, _])
        | Node::LawCdf([k, _, _])
        | Node::Law([k, _, _]) => *k,
        _ => return None,
    };
    match &e[k] {
        Node::Ref(r) => Some(r.0 as usize),
        _ => None,
    }
}

/// The value of a term in `t` at x, in f64, through the registry's values; `None` for a
/// node that is not a real function of one variable.
pub fn at(e: &Expr, x: f64) -> Option<f64> {
    let mut vals: Vec<f64> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let v = |id: &egg::Id| vals[usize::from(*id)];
        let r = match node {
            Node::T => x,
            Node::Num(n) => n.to_f64(),
            Node::Add([a, b]) => v(a) + v(b),
            Node::Sub([a, b]) => v(a) - v(b),
            Node::Mul([a, b]) => v(a) * v(b),
            Node::Div([a, b]) => v(a) / v(b),
            Node::Neg(a) => -v(a),
            Node::Pow([a, b]) => {
                let n = match &e[*b] {
                    Node::Num(n) => n.integer()?,
                    _ => return None,
                };
                v(a).powi(i32::try_from(n).ok()?)
            }
            Node::Point(_) => get_point(index(e, node)?)?.value,
            n => {
                let f = n.function()?;
                let args: Vec<f64> = egg::Language::children(n).iter().map(v).collect();
                (f.value)(&args)
            }
        };
        vals.push(r);
    }
    vals.last().copied()
}

/// The float halfway between lo and hi in the order of f64s (as many floats below it
/// as above), so that a bisection reaches two neighbouring floats in at most 64 steps
/// even where the bracket spans many binades (a root at 0 between 0 and 1e-16).
pub fn middle(lo: f64, hi: f64) -> f64 {
    const SIGN: u64 = 1 << 63;
    let key = |v: f64| {
        let b = v.to_bits();
        if b & SIGN != 0 {
            !b
        } else {
            b ^ SIGN
        }
    };
    let (a, b) = (key(lo), key(hi));
    let m = a + (b - a) / 2;
    f64::from_bits(if m & SIGN != 0 { m ^ SIGN } else { !m })
}

/// g⁻¹(t) on the piece, clamped to it: a safeguarded Newton iteration inside a bracket
/// of the piece (bisection in the order of floats whenever a Newton step would leave
/// it or does not shrink fourfold), to the last ulp the bracket allows. An infinite end is approached by doubling steps; past ±2^1000 the
/// root is that end.
pub fn solve(inv: &Inverse, t: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    let g = |x: f64| at(&inv.g, x).unwrap_or(f64::NAN);
    // s(x) = ±(g(x) − t), increasing in x
    let sign = if inv.increasing { 1.0 } else { -1.0 };
    let s = |x: f64| sign * (g(x) - t);
    let (mut lo, mut hi) = (inv.lo.value, inv.hi.value);
    // the clamp: t beyond g's values at a finite end
    if lo.is_finite() && s(lo) >= 0.0 {
        return lo;
    }
    if hi.is_finite() && s(hi) <= 0.0 {
        return hi;
    }
    if lo == f64::NEG_INFINITY {
        let mut step = 1.0;
        lo = hi.min(0.0) - step;
        while s(lo) > 0.0 {
            step *= 2.0;
            lo = hi.min(0.0) - step;
            if step > 1e300 {
                return f64::NEG_INFINITY;
            }
        }
    }
    if hi == f64::INFINITY {
        let mut step = 1.0;
        hi = lo.max(0.0) + step;
        while s(hi) < 0.0 {
            step *= 2.0;
            hi = lo.max(0.0) + step;
            if step > 1e300 {
                return f64::INFINITY;
            }
        }
    }
    // now s(lo) ≤ 0 ≤ s(hi)
    let ds = |x: f64| sign * at(&inv.dg, x).unwrap_or(f64::NAN);
    // Newton while its steps shrink fourfold, a bisection (in the order of floats)
    // otherwise: toward a root at a turn, or in a tail where g is nearly exponential,
    // Newton alone only halves its distance or creeps by 1/|x|
    let mut x = middle(lo, hi);
    let mut last = f64::INFINITY;
    for _ in 0..400 {
        let v = s(x);
        if v == 0.0 {
            return x;
        }
        if v < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let m = middle(lo, hi);
        if !(lo < m && m < hi) {
            break;
        }
        let d = ds(x);
        let newton = x - v / d;
        let step = (newton - x).abs();
        (x, last) = if d.is_finite() && d > 0.0 && newton > lo && newton < hi && step <= last / 4.0
        {
            (newton, step)
        } else {
            (m, f64::INFINITY)
        };
    }
    // the end of the last bracket whose s is nearer 0
    if s(lo).abs() <= s(hi).abs() {
        lo
    } else {
        hi
    }
}

/// (g⁻¹)′(t) = 1/g′(g⁻¹(t)) where t is inside g's values on the piece, 0 where the
/// clamp holds g⁻¹ at an end; ∞ where t is g's value at an end where g′ = 0.
pub fn solve_d(inv: &Inverse, t: f64) -> f64 {
    let x = solve(inv, t);
    if x.is_nan() {
        return f64::NAN;
    }
    let g = |x: f64| at(&inv.g, x).unwrap_or(f64::NAN);
    for end in [&inv.lo, &inv.hi] {
        if x == end.value && end.value.is_finite() {
            // at the end itself: beyond g's values there the clamp is flat
            return if g(x) == t && end.turn {
                if inv.increasing {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                }
            } else if g(x) == t {
                1.0 / at(&inv.dg, x).unwrap_or(f64::NAN)
            } else {
                0.0
            };
        }
    }
    if x.is_infinite() {
        return 0.0;
    }
    // 1/±0 is ±∞, the side the piece's direction gives
    let d = at(&inv.dg, x).unwrap_or(f64::NAN);
    if d == 0.0 {
        return if inv.increasing {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }
    1.0 / d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The middle in the order of floats: between neighbours it is the lower one (the
    /// bisection's stop), and a bracket over many binades is split in the exponent.
    #[test]
    fn middle_halves_the_floats_of_a_bracket() {
        assert_eq!(middle(1.0, 1.0f64.next_up()), 1.0);
        assert_eq!(middle(-0.0, 0.0), -0.0);
        assert_eq!(middle(1.0, 4.0), 2.0);
        assert_eq!(middle(-4.0, -1.0), -2.0);
        let m = middle(0.0, 1e-16);
        assert!(1e-170 < m && m < 1e-150, "{m:e}");
        let z = middle(-1.0, 1.0);
        assert!(z == 0.0, "{z:e}");
    }
}
