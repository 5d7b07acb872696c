//! A map of the input that the rules cannot take whole: a function that turns (GELU,
//! SiLU, Mish), or the input in more than one place (x + relu(x), x·tanh(x), h + h,
//! 1/(1 + x²)). The input's line is cut where the map kinks (relu, abs, max, min,
//! clamp, leaky relu, elu, selu) and, on each piece between kinks, where it turns (the
//! zeros of g′, derived symbolically and isolated with interval arithmetic,
//! `lang::turns`), so that on every piece g is flat or strictly monotone. Then
//!
//! P(Y ≤ t) = Σ_increasing [F(g_k⁻¹(t)) − F(a_k)] + Σ_decreasing [F(b_k) − F(g_k⁻¹(t))]
//!          + Σ_flat [t ≥ c_j]·(F(b_j) − F(a_j))
//!
//! with F the input's CDF and g_k⁻¹ the inverse on the piece [a_k, b_k], clamped to it
//! (`lang::implicit`), so that the formula holds for every t with no bracket of g's
//! range. The derivation starts from that sum; the rules do the rest (the Normal's CDF,
//! the density by the chain rule through g_k⁻¹).

use super::{simplify, End, Limits, Support};
use crate::error::{Error, ErrorKind, Result};
use crate::lang::calculus::derivative;
use crate::lang::implicit::{self, Inverse, Point};
use crate::lang::interval::{self, Iv};
use crate::lang::turns::{cells, Cell, REGISTRY};
use crate::lang::{append, fold, structural_hashes, subterm, value, Expr, Facts, Node, Num};
use crate::lower::Model;
use crate::rules;
use egg::{Id, Language};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

/// What a derivation by pieces names, for printing and checking.
#[derive(Clone, Debug)]
pub struct Pieces {
    /// The input's map g, a term in `t` standing for the variable z.
    pub map: Expr,
    /// The law of z, `(normal m s)`: the input, or an affine map of it.
    pub variable: Expr,
    /// The inverses the CDF names (indices of `lang::implicit`), left to right.
    pub inverses: Vec<usize>,
    /// The points they end at that have no closed form.
    pub points: Vec<usize>,
}

/// Whether the output is a map of the input that takes this road: no `if` (which has
/// its own), no iid copies, and either a function with no rules of its own that turns,
/// or the input reached by more than one path.
pub fn applies(model: &Model) -> bool {
    let y = &model.y;
    if model.cdf_start.is_some() {
        return false;
    }
    let nodes = y.as_ref();
    if nodes.iter().any(|n| {
        matches!(
            n,
            Node::MaxPool(_)
                | Node::MinPool(_)
                | Node::Order(_)
                | Node::Conv(_)
                | Node::Law(_)
                | Node::Ite(_)
        )
    }) {
        return false;
    }
    let random = random_flags(y);
    nodes.iter().any(|n| {
        let kids = n.children();
        let random_kids = kids.iter().filter(|c| random[usize::from(**c)]).count();
        random_kids >= 2
            || matches!(n, Node::Div([_, b]) if random[usize::from(*b)])
            || (n.function().is_some_and(|f| {
                matches!(f.turns, crate::lang::functions::Turns::Derived) && f.map.is_none()
            }) && kids.iter().any(|c| random[usize::from(*c)]))
    })
}

fn random_flags(y: &Expr) -> Vec<bool> {
    let mut random = Vec::with_capacity(y.as_ref().len());
    for n in y.as_ref() {
        let r =
            matches!(n, Node::Normal(_)) || n.children().iter().any(|c| random[usize::from(*c)]);
        random.push(r);
    }
    random
}

/// A point of the input's line where the pieces change: a number, or a named point.
#[derive(Clone, Debug)]
struct Cut {
    term: Expr,
    value: f64,
    /// Its enclosure (a point for a number).
    lo: f64,
    hi: f64,
}

/// One strictly monotone or flat piece of g.
struct Run {
    lo: implicit::End,
    hi: implicit::End,
    /// The map there, a term in `t` (no kinks).
    g: Expr,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Increasing,
    Decreasing,
    Flat,
}

/// P(Y ≤ t) split over the pieces of the input's map, the support, and what it names;
/// an error points at the map in the program.
pub fn split(model: &Model, facts: &Facts, limits: Limits) -> Result<(Expr, Support, Pieces)> {
    let root = crate::lang::structural_hash(&model.y);
    let place = model
        .origins
        .iter()
        .find(|(h, _)| *h == root)
        .map(|(_, s)| *s);
    split_map(model, facts, limits).map_err(|e| match (e.span, place) {
        (None, Some(span)) => e.at(span, "this map of the input"),
        _ => e,
    })
}

fn split_map(model: &Model, facts: &Facts, limits: Limits) -> Result<(Expr, Support, Pieces)> {
    let span = model.input_span;
    let here = |e: Error| e.at(span, "the input");
    let (variable, g) = variable_and_map(model)?;
    if let Some(s) = g.as_ref().iter().find_map(|n| match n {
        Node::Symbol(s) => Some(*s),
        _ => None,
    }) {
        return Err(here(Error::new(
            ErrorKind::Unsupported,
            format!(
                "the map of the input depends on the parameter `{s}`, and its pieces (where it turns or kinks) must be numbers"
            ),
        ))
        .help("give the parameter a number in the program; parameters may scale and shift the input (gelu(a*x + b)) and set its law"));
    }
    let shown = written(&g);
    let mut cuts = kinks(&g, &shown)?;
    cuts.sort_by(|a, b| a.value.total_cmp(&b.value));
    cuts.dedup_by(|b, a| a.term == b.term || (a.lo == a.hi && b.lo == b.hi && a.value == b.value));
    if cuts.windows(2).any(|w| w[0].hi >= w[1].lo) {
        return Err(here(Error::new(
            ErrorKind::Unsupported,
            format!("two kinks of `{shown}` are too close to be told apart"),
        )));
    }
    // the pieces between the cuts, and the runs of each
    let mut ends: Vec<implicit::End> = vec![implicit::End {
        term: None,
        value: f64::NEG_INFINITY,
        turn: false,
    }];
    ends.extend(cuts.iter().map(|c| implicit::End {
        term: Some(c.term.clone()),
        value: c.value,
        turn: false,
    }));
    ends.push(implicit::End {
        term: None,
        value: f64::INFINITY,
        turn: false,
    });
    let mut runs: Vec<Run> = Vec::new();
    let mut points: Vec<usize> = cuts.iter().filter_map(|c| point_index(&c.term)).collect();
    for w in ends.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let mid = match (a.value.is_finite(), b.value.is_finite()) {
            (true, true) => a.value + (b.value - a.value) / 2.0,
            (false, true) => b.value - 1.0,
            (true, false) => a.value + 1.0,
            (false, false) => 0.0,
        };
        let piece = branch(&g, mid, &shown)?;
        let tidy = |e: &Expr| simplify(e, limits, facts, rules::for_simplify());
        piece_runs(&piece, (a, b, mid), &shown, &tidy, &mut runs, &mut points)?;
    }
    let (cdf_start, inverses) = cdf_sum(&variable, &runs);
    let support = support(&runs, facts, limits);
    Ok((
        cdf_start,
        support,
        Pieces {
            map: g,
            variable,
            inverses,
            points,
        },
    ))
}

fn point_index(e: &Expr) -> Option<usize> {
    let root = e.as_ref().last()?;
    implicit::index(e, root).filter(|_| matches!(root, Node::Point(_)))
}

/// z and g with Y = g(z): z is the affine map of the input that every path to it goes
/// through (gelu(2x + 1): z = 2x + 1), or the input itself.
fn variable_and_map(model: &Model) -> Result<(Expr, Expr)> {
    let y = &model.y;
    let nodes = y.as_ref();
    let random = random_flags(y);
    let mut affine = vec![false; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        let r = |c: &Id| random[usize::from(*c)];
        let a = |c: &Id| affine[usize::from(*c)];
        affine[i] = match n {
            Node::Normal(_) => true,
            Node::Add([p, q]) | Node::Sub([p, q]) | Node::Mul([p, q]) => {
                (a(p) && !r(q)) || (!r(p) && a(q))
            }
            Node::Div([p, q]) => a(p) && !r(q),
            Node::Neg(p) => a(p),
            _ => false,
        };
    }
    let hashes = structural_hashes(y);
    // the affine terms that a map that is not affine reads
    let mut frontier: Vec<usize> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if affine[i] {
            continue;
        }
        for c in n.children() {
            let c = usize::from(*c);
            if affine[c] && random[c] && !frontier.iter().any(|&f| hashes[f] == hashes[c]) {
                frontier.push(c);
            }
        }
    }
    let input = nodes
        .iter()
        .position(|n| matches!(n, Node::Normal(_)))
        .ok_or_else(|| Error::new(ErrorKind::Internal, "a map of the input without the input"))?;
    let z = match frontier.as_slice() {
        [one] => *one,
        _ => input,
    };
    let variable = law_of(model, y, Id::from(z))?;
    // g: the output with z replaced by t
    let mut g = Expr::default();
    let mut map: Vec<Id> = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let id = if hashes[i] == hashes[z] {
            g.add(Node::T)
        } else {
            g.add(n.clone().map_children(|c| map[usize::from(c)]))
        };
        map.push(id);
    }
    let root = *map.last().expect("a term");
    Ok((variable, subterm(&g, root)))
}

/// The law of an affine map of the input, as `(normal m s)`.
fn law_of(model: &Model, y: &Expr, id: Id) -> Result<Expr> {
    let mut e = Expr::default();
    let (m, s) = mean_std(model, y, id, &mut e)?;
    e.add(Node::Normal([m, s]));
    Ok(e)
}

fn mean_std(model: &Model, y: &Expr, id: Id, e: &mut Expr) -> Result<(Id, Id)> {
    let random = |c: &Id| contains_normal(y, *c);
    let copy = |e: &mut Expr, c: Id| append(e, &subterm(y, c));
    Ok(match &y[id] {
        Node::Normal([m, s]) => (copy(e, *m), copy(e, *s)),
        Node::Add([p, q]) => {
            let (r, c) = if random(p) { (*p, *q) } else { (*q, *p) };
            let (m, s) = mean_std(model, y, r, e)?;
            let c = copy(e, c);
            (e.add(Node::Add([m, c])), s)
        }
        Node::Sub([p, q]) if random(p) => {
            let (m, s) = mean_std(model, y, *p, e)?;
            let c = copy(e, *q);
            (e.add(Node::Sub([m, c])), s)
        }
        Node::Sub([p, q]) => {
            let (m, s) = mean_std(model, y, *q, e)?;
            let c = copy(e, *p);
            (e.add(Node::Sub([c, m])), s)
        }
        Node::Neg(p) => {
            let (m, s) = mean_std(model, y, *p, e)?;
            (e.add(Node::Neg(m)), s)
        }
        Node::Mul([p, q]) => {
            let (r, c) = if random(p) { (*p, *q) } else { (*q, *p) };
            let (m, s) = mean_std(model, y, r, e)?;
            let c = scale(model, y, c, e)?;
            let m = e.add(Node::Mul([c.0, m]));
            (m, e.add(Node::Mul([c.1, s])))
        }
        Node::Div([p, q]) => {
            let (m, s) = mean_std(model, y, *p, e)?;
            let c = scale(model, y, *q, e)?;
            let m = e.add(Node::Div([m, c.0]));
            (m, e.add(Node::Div([s, c.1])))
        }
        _ => {
            return Err(Error::new(
                ErrorKind::Internal,
                "not an affine map of the input",
            ))
        }
    })
}

fn contains_normal(y: &Expr, id: Id) -> bool {
    subterm(y, id)
        .as_ref()
        .iter()
        .any(|n| matches!(n, Node::Normal(_)))
}

/// A constant factor c and |c|, for a scale of the input: a number that is not 0, or a
/// parameter whose sign the program assumes.
fn scale(model: &Model, y: &Expr, c: Id, e: &mut Expr) -> Result<(Id, Id)> {
    let term = subterm(y, c);
    let v = append(e, &term);
    if let Some(Node::Num(n)) = term.as_ref().last() {
        let abs = e.add(Node::Num(match n.rat() {
            Some(r) => Num::from(r.abs()),
            None => n.clone(),
        }));
        return Ok((v, abs));
    }
    let known = term.as_ref().iter().all(|n| match n {
        Node::Symbol(s) => model
            .signs
            .get(s)
            .is_some_and(|sign| sign.0 & crate::lang::Sign::ZERO.0 == 0),
        _ => true,
    });
    if !known {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "the input is scaled by `{}`, which may be 0",
                crate::lang::print::text(&term, None)
            ),
        )
        .at(model.input_span, "the input")
        .help("say its sign, as in `assume a > 0`"));
    }
    Ok((v, e.add(Node::Abs(v))))
}

/// The value of a term with no variable, exactly.
fn exact(e: &Expr) -> Option<Num> {
    let mut vals: Vec<Option<Num>> = Vec::with_capacity(e.as_ref().len());
    for n in e.as_ref() {
        let v = fold(n, |i| vals[usize::from(i)].clone());
        vals.push(v);
    }
    vals.last().cloned().flatten()
}

/// `e` with t replaced by the term `x`.
fn at_term(e: &Expr, x: &Expr) -> Expr {
    let mut out = Expr::default();
    let xi = append(&mut out, x);
    let mut map: Vec<Id> = Vec::with_capacity(e.as_ref().len());
    for n in e.as_ref() {
        let id = match n {
            Node::T => xi,
            n => out.add(n.clone().map_children(|c| map[usize::from(c)])),
        };
        map.push(id);
    }
    let root = *map.last().expect("a term");
    subterm(&out, root)
}

fn num_expr(n: Num) -> Expr {
    let mut e = Expr::default();
    e.add(Node::Num(n));
    e
}

/// p·t + q with rational p and q, when `e` is that.
fn affine(e: &Expr, id: Id) -> Option<(BigRational, BigRational)> {
    let f = |c: &Id| affine(e, *c);
    let zero = BigRational::zero;
    Some(match &e[id] {
        Node::T => (BigRational::from_integer(BigInt::from(1)), zero()),
        Node::Num(n) => (zero(), n.rat()?.clone()),
        Node::Add([a, b]) => {
            let (p, q) = (f(a)?, f(b)?);
            (p.0 + q.0, p.1 + q.1)
        }
        Node::Sub([a, b]) => {
            let (p, q) = (f(a)?, f(b)?);
            (p.0 - q.0, p.1 - q.1)
        }
        Node::Neg(a) => {
            let p = f(a)?;
            (-p.0, -p.1)
        }
        Node::Mul([a, b]) => {
            let (p, q) = (f(a)?, f(b)?);
            if p.0.is_zero() {
                (&p.1 * q.0, &p.1 * q.1)
            } else if q.0.is_zero() {
                (&q.1 * p.0, &q.1 * p.1)
            } else {
                return None;
            }
        }
        Node::Div([a, b]) => {
            let (p, q) = (f(a)?, f(b)?);
            if !q.0.is_zero() || q.1.is_zero() {
                return None;
            }
            (p.0 / &q.1, p.1 / &q.1)
        }
        _ => return None,
    })
}

/// SELU's two branches, with the constants of its entry (λ, λα).
const SELU_ABOVE: &str = "(* 2101401974710961/2000000000000000 ?x)";
const SELU_BELOW: &str =
    "(* 8790496704236883909170257921223/5000000000000000000000000000000 (- (exp ?x) 1))";

/// The terms whose sign decides a kink node's branch.
fn kink_args(g: &Expr, node: &Node) -> Vec<Expr> {
    let s = |c: &Id| subterm(g, *c);
    let diff = |a: &Id, b: &Id| {
        let mut e = s(a);
        let x = Id::from(e.as_ref().len() - 1);
        let y = append(&mut e, &s(b));
        e.add(Node::Sub([x, y]));
        e
    };
    match node {
        Node::Relu(u) | Node::Abs(u) | Node::Selu(u) | Node::Softsign(u) => vec![s(u)],
        Node::LeakyRelu([u, _]) | Node::Elu([u, _]) => vec![s(u)],
        Node::Max([u, v]) | Node::Min([u, v]) => vec![diff(u, v)],
        Node::Clamp([u, lo, hi]) => vec![diff(u, lo), diff(u, hi)],
        _ => vec![],
    }
}

/// Every point where an argument of a kink changes sign.
fn kinks(g: &Expr, shown: &str) -> Result<Vec<Cut>> {
    let mut cuts = Vec::new();
    for n in g.as_ref() {
        for k in kink_args(g, n) {
            if !k.as_ref().iter().any(|n| matches!(n, Node::T)) {
                continue;
            }
            if let Some((p, q)) = affine(&k, Id::from(k.as_ref().len() - 1)) {
                if !p.is_zero() {
                    let r = -q / p;
                    let v = r.to_f64().unwrap_or(f64::NAN);
                    cuts.push(Cut {
                        term: num_expr(Num::from(r)),
                        value: v,
                        lo: v,
                        hi: v,
                    });
                }
                continue;
            }
            let dk = derivative(&k).ok_or_else(|| no_derivative(shown))?;
            let found = cells(&k, &dk, f64::NEG_INFINITY, f64::INFINITY, &REGISTRY)
                .map_err(|why| cannot_prove(shown, &why))?;
            for c in found {
                if let Cell::Turn { at, best, .. } = c {
                    cuts.push(named(&k, at, best));
                }
            }
        }
    }
    Ok(cuts)
}

/// A zero of h in `at`: exact when a simple rational there makes h exactly 0,
/// else a named point.
fn named(h: &Expr, at: Iv, best: f64) -> Cut {
    for den in 1..=12i64 {
        let num = (best * den as f64).round();
        if !num.is_finite() || num.abs() > 1e12 {
            continue;
        }
        let r = BigRational::new(BigInt::from(num as i64), BigInt::from(den));
        let v = r.to_f64().unwrap_or(f64::NAN);
        if !(at.lo <= v && v <= at.hi) {
            continue;
        }
        let x = num_expr(Num::from(r.clone()));
        if exact(&at_term(h, &x)).is_some_and(|z| z.rat().is_some_and(|z| z.is_zero())) {
            return Cut {
                term: x,
                value: v,
                lo: v,
                hi: v,
            };
        }
    }
    let k = implicit::point(Point {
        h: h.clone(),
        lo: at.lo,
        hi: at.hi,
        value: best,
    });
    let mut e = Expr::default();
    let i = e.add(Node::Ref(implicit::Ref(k as u32)));
    e.add(Node::Point(i));
    Cut {
        term: e,
        value: best,
        lo: at.lo,
        hi: at.hi,
    }
}

/// g on the piece that holds x = `mid`: each kink replaced by its branch there.
fn branch(g: &Expr, mid: f64, shown: &str) -> Result<Expr> {
    let sign = |k: &Expr| -> Result<bool> {
        let v = interval::eval(k, Iv::point(mid), &REGISTRY)
            .filter(|v| v.lo > 0.0 || v.hi < 0.0)
            .ok_or_else(|| {
                cannot_prove(
                    shown,
                    &format!("the sign of a kink's argument at x = {mid} is not clear"),
                )
            })?;
        Ok(v.lo > 0.0)
    };
    let mut out = Expr::default();
    let mut map: Vec<Id> = Vec::with_capacity(g.as_ref().len());
    for n in g.as_ref() {
        let m = |c: &Id| map[usize::from(*c)];
        let args = kink_args(g, n);
        let id = match n {
            Node::Relu(u) => {
                if sign(&args[0])? {
                    m(u)
                } else {
                    out.add(Node::Num(Num::int(0)))
                }
            }
            Node::Abs(u) => {
                if sign(&args[0])? {
                    m(u)
                } else {
                    out.add(Node::Neg(m(u)))
                }
            }
            Node::LeakyRelu([u, a]) => {
                if sign(&args[0])? {
                    m(u)
                } else {
                    out.add(Node::Mul([m(a), m(u)]))
                }
            }
            Node::Elu([u, a]) => {
                if sign(&args[0])? {
                    m(u)
                } else {
                    let e = out.add(Node::Exp(m(u)));
                    let one = out.add(Node::Num(Num::int(1)));
                    let d = out.add(Node::Sub([e, one]));
                    out.add(Node::Mul([m(a), d]))
                }
            }
            Node::Selu(u) => {
                // λu above 0, λα(e^u − 1) below, with the entry's exact constants
                let form = if sign(&args[0])? {
                    SELU_ABOVE
                } else {
                    SELU_BELOW
                };
                crate::lang::instantiate(form, m(u), |n| out.add(n))
                    .ok_or_else(|| no_derivative(shown))?
            }
            Node::Softsign(u) => {
                // u/(1 + |u|)
                let one = out.add(Node::Num(Num::int(1)));
                let abs = if sign(&args[0])? {
                    m(u)
                } else {
                    out.add(Node::Neg(m(u)))
                };
                let den = out.add(Node::Add([one, abs]));
                out.add(Node::Div([m(u), den]))
            }
            Node::Max([u, v]) => {
                if sign(&args[0])? {
                    m(u)
                } else {
                    m(v)
                }
            }
            Node::Min([u, v]) => {
                if sign(&args[0])? {
                    m(v)
                } else {
                    m(u)
                }
            }
            Node::Clamp([u, lo, hi]) => {
                if !sign(&args[0])? {
                    m(lo)
                } else if sign(&args[1])? {
                    m(hi)
                } else {
                    m(u)
                }
            }
            n => out.add(n.clone().map_children(|c| map[usize::from(c)])),
        };
        map.push(id);
    }
    let root = *map.last().expect("a term");
    Ok(subterm(&out, root))
}

/// The runs of g on the piece (a, b) where it has no kink (`mid` is inside it).
fn piece_runs(
    g: &Expr,
    (a, b, mid): (&implicit::End, &implicit::End, f64),
    shown: &str,
    tidy: &dyn Fn(&Expr) -> Expr,
    runs: &mut Vec<Run>,
    points: &mut Vec<usize>,
) -> Result<()> {
    let g = &tidy(g);
    let has_t = g.as_ref().iter().any(|n| matches!(n, Node::T));
    let h = if has_t {
        Some(derivative(g).ok_or_else(|| no_derivative(shown))?)
    } else {
        None
    };
    let flat = match &h {
        None => true,
        Some(h) => super::polynomial::surely_zero(h),
    };
    if flat {
        // its value: g at a point of the piece, exactly
        let at = BigRational::from_float(mid).ok_or_else(|| no_derivative(shown))?;
        runs.push(Run {
            lo: a.clone(),
            hi: b.clone(),
            g: tidy(&at_term(g, &num_expr(Num::from(at)))),
            kind: Kind::Flat,
        });
        return Ok(());
    }
    let h = h.expect("not flat");
    denominators(g, a.value, b.value, shown)?;
    let dh = derivative(&h).ok_or_else(|| no_derivative(shown))?;
    // g′ as derived, or simplified when intervals cannot sign it as it is
    // (1/(1 − x) + x/(1 − x)² is 1/(1 − x)²)
    let (h, found) = match cells(&h, &dh, a.value, b.value, &REGISTRY) {
        Ok(found) => (h, found),
        Err(why) => {
            let h2 = tidy(&h);
            let dh2 = derivative(&h2).ok_or_else(|| no_derivative(shown))?;
            match cells(&h2, &dh2, a.value, b.value, &REGISTRY) {
                Ok(found) => (h2, found),
                Err(_) => return Err(cannot_prove(shown, &why)),
            }
        }
    };
    let mut start = a.clone();
    let mut dir: Option<Kind> = None;
    let close = |start: &mut implicit::End, end: implicit::End, kind: Kind, runs: &mut Vec<Run>| {
        runs.push(Run {
            lo: start.clone(),
            hi: end.clone(),
            g: g.clone(),
            kind,
        });
        *start = end;
    };
    for c in found {
        match c {
            Cell::Up(iv) | Cell::Down(iv) => {
                let kind = if matches!(c, Cell::Up(_)) {
                    Kind::Increasing
                } else {
                    Kind::Decreasing
                };
                match dir {
                    Some(d) if d != kind => {
                        // g′ = 0 exactly at the boundary of two cells of opposite signs
                        let end = turn_end(&h, Iv::point(iv.lo), iv.lo, points);
                        close(&mut start, end, d, runs);
                    }
                    _ => {}
                }
                dir = Some(kind);
            }
            Cell::Turn { at, best, minimum } => {
                let end = turn_end(&h, at, best, points);
                // before a minimum the map decreases
                let d = dir.unwrap_or(if minimum {
                    Kind::Decreasing
                } else {
                    Kind::Increasing
                });
                close(&mut start, end, d, runs);
                dir = Some(if d == Kind::Increasing {
                    Kind::Decreasing
                } else {
                    Kind::Increasing
                });
            }
        }
    }
    let d = dir.ok_or_else(|| cannot_prove(shown, "no cells"))?;
    close(&mut start, b.clone(), d, runs);
    Ok(())
}

/// The end of a run where g′ = 0: the zero of h in `at`, exact or a named point (kept
/// in `points`).
fn turn_end(h: &Expr, at: Iv, best: f64, points: &mut Vec<usize>) -> implicit::End {
    let cut = named(h, at, best);
    points.extend(point_index(&cut.term));
    implicit::End {
        term: Some(cut.term),
        value: cut.value,
        turn: true,
    }
}

/// Every denominator of g is nonzero on (a, b).
fn denominators(g: &Expr, a: f64, b: f64, shown: &str) -> Result<()> {
    for n in g.as_ref() {
        if let Node::Div([_, d]) = n {
            let den = subterm(g, *d);
            if !den.as_ref().iter().any(|n| matches!(n, Node::T)) {
                continue;
            }
            let ok = Iv::new(a, b)
                .and_then(|x| interval::eval(&den, x, &REGISTRY))
                .is_some_and(|v| v.lo > 0.0 || v.hi < 0.0);
            if !ok {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "in `{shown}`, the denominator `{}` may be 0 for x in ({}, {})",
                        written(&den),
                        number(a),
                        number(b)
                    ),
                )
                .help("pushforward divides only by a term that is never 0 (1 + x^2, 1 + abs(x))"));
            }
        }
    }
    Ok(())
}

/// A term in the map's variable as text, the variable written x.
fn written(e: &Expr) -> String {
    let x = {
        let mut x = Expr::default();
        x.add(Node::Symbol(egg::Symbol::from("x")));
        x
    };
    crate::lang::print::text(&at_term(e, &x), None)
}

/// A piece's end as a person writes it.
fn number(v: f64) -> String {
    match v {
        f64::INFINITY => "∞".into(),
        f64::NEG_INFINITY => "−∞".into(),
        v => format!("{v}").replace('-', "−"),
    }
}

fn no_derivative(shown: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("`{shown}` uses a function whose derivative pushforward does not know"),
    )
    .help("docs/language.md lists the functions; a map of the input may combine them")
}

fn cannot_prove(shown: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("cannot prove where `{shown}` turns: {why}"),
    )
    .help("pushforward cuts a map of the input where its derivative changes sign, with interval arithmetic; a map with infinitely many turns, or one written so that intervals cannot bound it (x*sigmoid(x): write silu(x)), is refused rather than guessed")
}

/// The CDF as the sum over the runs, and the inverses it names.
fn cdf_sum(variable: &Expr, runs: &[Run]) -> (Expr, Vec<usize>) {
    let mut e = Expr::default();
    // signed terms: F at an inverse or an end, and the flat pieces' atoms; F at an end
    // two neighbouring pieces share cancels (F(x*) − F(x*) for GELU's two pieces)
    let mut terms: Vec<(bool, Id, usize)> = Vec::new();
    let mut inverses = Vec::new();
    let cdf_at = |e: &mut Expr, v: Id| {
        let z = append(e, variable);
        e.add(Node::Cdf([z, v]))
    };
    let end_cdf = |e: &mut Expr, end: &implicit::End| -> Option<Id> {
        match &end.term {
            Some(x) => {
                let v = append(e, x);
                Some(cdf_at(e, v))
            }
            None if end.value > 0.0 => Some(e.add(Node::Num(Num::int(1)))),
            None => None,
        }
    };
    for (n, r) in runs.iter().enumerate() {
        let lo = end_cdf(&mut e, &r.lo);
        let hi = end_cdf(&mut e, &r.hi);
        let inv = match r.kind {
            Kind::Flat => {
                let mass = match (hi, lo) {
                    (Some(h), Some(l)) => e.add(Node::Sub([h, l])),
                    (Some(h), None) => h,
                    (None, _) => continue,
                };
                let t = e.add(Node::T);
                let c = append(&mut e, &r.g);
                let above = e.add(Node::Ge([t, c]));
                terms.push((true, e.add(Node::Mul([above, mass])), n));
                continue;
            }
            _ => inverse_term(&mut e, r, &mut inverses),
        };
        let f = cdf_at(&mut e, inv);
        // an affine piece from a finite end: its mass below t as one term, zero (a strong
        // zero) until t passes g's value at that end, so that in the tail beyond it no
        // F(a) − F(a) is left to round to 1e−17
        let affine_piece = affine(&r.g, Id::from(r.g.as_ref().len() - 1)).is_some();
        let start = if r.kind == Kind::Increasing {
            &r.lo
        } else {
            &r.hi
        };
        if let (true, Some(x)) = (affine_piece, &start.term) {
            let c = append(&mut e, &at_term(&r.g, x));
            let t = e.add(Node::T);
            let past = e.add(Node::Gt([t, c]));
            let end = if r.kind == Kind::Increasing { lo } else { hi }.expect("a finite end");
            let mass = if r.kind == Kind::Increasing {
                e.add(Node::Sub([f, end]))
            } else {
                e.add(Node::Sub([end, f]))
            };
            terms.push((true, e.add(Node::Mul([past, mass])), n));
            continue;
        }
        let (plus, minus) = if r.kind == Kind::Increasing {
            (Some(f), lo)
        } else {
            (
                Some(hi.unwrap_or_else(|| e.add(Node::Num(Num::int(1))))),
                Some(f),
            )
        };
        terms.extend(plus.map(|p| (true, p, n)));
        terms.extend(minus.map(|m| (false, m, n)));
    }
    // cancel +F(c) against −F(c)
    let mut kept: Vec<(bool, Id, usize)> = Vec::new();
    for (sign, id, run) in terms {
        let term = subterm(&e, id);
        match kept
            .iter()
            .position(|(s, k, _)| *s != sign && subterm(&e, *k) == term)
        {
            Some(i) => {
                kept.remove(i);
            }
            None => kept.push((sign, id, run)),
        }
    }
    // each difference whole, F(b) − F(a) of one piece (1 − F(u) too, which the Normal's
    // symmetry turns into Φ(−(u − μ)/σ)): summed as such, a piece that contributes 0
    // is 0, not a difference of two sums that rounds to 1e−17 beside a tail's 1e−15
    let mut i = 0;
    while i < kept.len() {
        let (sign, id, run) = kept[i];
        let partner = if sign {
            None
        } else {
            kept.iter()
                .position(|(s, _, r)| *s && *r == run)
                .or_else(|| kept.iter().position(|(s, _, _)| *s))
        };
        match partner {
            Some(j) => {
                let joined = e.add(Node::Sub([kept[j].1, id]));
                kept[j] = (true, joined, run);
                kept.remove(i);
                if j > i {
                    i = 0;
                }
            }
            None => i += 1,
        }
    }
    let mut kept: Vec<(bool, Id)> = kept.into_iter().map(|(s, k, _)| (s, k)).collect();
    kept.sort_by_key(|(sign, _)| !*sign);
    let mut acc = match kept.first() {
        Some((true, id)) => *id,
        Some((false, id)) => e.add(Node::Neg(*id)),
        None => e.add(Node::Num(Num::int(0))),
    };
    for &(sign, id) in kept.iter().skip(1) {
        acc = e.add(if sign {
            Node::Add([acc, id])
        } else {
            Node::Sub([acc, id])
        });
    }
    (subterm(&e, acc), inverses)
}

/// g⁻¹(t) on a monotone piece, held to it: (t − q)/p clamped for an affine piece p·x + q
/// (exact), else a named inverse (`lang::implicit`).
fn inverse_term(e: &mut Expr, r: &Run, inverses: &mut Vec<usize>) -> Id {
    let t = e.add(Node::T);
    if let Some((p, q)) =
        affine(&r.g, Id::from(r.g.as_ref().len() - 1)).filter(|(p, _)| !p.is_zero())
    {
        let d = if q.is_zero() {
            t
        } else {
            let q = e.add(Node::Num(Num::from(q)));
            e.add(Node::Sub([t, q]))
        };
        let u = if p == BigRational::from_integer(BigInt::from(1)) {
            d
        } else {
            let p = e.add(Node::Num(Num::from(p)));
            e.add(Node::Div([d, p]))
        };
        let lo = r.lo.term.as_ref().map(|x| append(e, x));
        let hi = r.hi.term.as_ref().map(|x| append(e, x));
        return match (lo, hi) {
            (Some(a), Some(b)) => e.add(Node::Clamp([u, a, b])),
            (Some(a), None) => e.add(Node::Max([u, a])),
            (None, Some(b)) => e.add(Node::Min([u, b])),
            (None, None) => u,
        };
    }
    let k = implicit::inverse(Inverse {
        g: r.g.clone(),
        dg: derivative(&r.g).expect("checked when the runs were cut"),
        lo: r.lo.clone(),
        hi: r.hi.clone(),
        increasing: r.kind == Kind::Increasing,
    });
    inverses.push(k);
    let ki = e.add(Node::Ref(implicit::Ref(k as u32)));
    e.add(Node::Inverse([ki, t]))
}

/// The smallest interval that holds g's values: the hull of every run's values at its
/// ends (attained at a finite end, a limit at an infinite one, where an end whose limit
/// does not fold exactly is left infinite).
fn support(runs: &[Run], facts: &Facts, limits: Limits) -> Support {
    let mut lo: Option<(f64, End)> = None;
    let mut hi: Option<(f64, End)> = None;
    let mut offer = |v: f64, end: End| {
        if lo
            .as_ref()
            .is_none_or(|(l, e)| v < *l || (v == *l && end.closed && !e.closed))
        {
            lo = Some((v, end.clone()));
        }
        if hi
            .as_ref()
            .is_none_or(|(h, e)| v > *h || (v == *h && end.closed && !e.closed))
        {
            hi = Some((v, end));
        }
    };
    for r in runs {
        for end in [&r.lo, &r.hi] {
            let (term, closed) = match &end.term {
                Some(x) => (at_term(&r.g, x), true),
                None => {
                    let inf = num_expr(if end.value > 0.0 {
                        Num::PosInf
                    } else {
                        Num::NegInf
                    });
                    match exact(&at_term(&r.g, &inf)) {
                        Some(n) => (num_expr(n), false),
                        None => {
                            // the limit is not known exactly: the end is ±∞ on the side
                            // where g's values go (an upper end for an increasing run's
                            // right end)
                            let up = (r.kind == Kind::Increasing) == (end.value > 0.0);
                            let v = if up { f64::INFINITY } else { f64::NEG_INFINITY };
                            offer(
                                v,
                                End {
                                    value: None,
                                    closed: false,
                                },
                            );
                            continue;
                        }
                    }
                }
            };
            let term = if r.kind == Kind::Flat || closed {
                simplify(&term, limits, facts, rules::for_simplify())
            } else {
                term
            };
            let v = value(&term).unwrap_or(f64::NAN);
            if v.is_nan() {
                continue;
            }
            let end = if v.is_infinite() {
                End {
                    value: None,
                    closed: false,
                }
            } else {
                End {
                    value: Some(term),
                    closed,
                }
            };
            offer(v, end);
        }
    }
    let open = End {
        value: None,
        closed: false,
    };
    Support {
        lo: lo.map_or(open.clone(), |(_, e)| e),
        hi: hi.map_or(open, |(_, e)| e),
    }
}
