//! A slow, independent interpreter for the terms of a derivation, so that every step
//! can be checked against the one before it: probabilities `P(E ≤ u)` by Monte Carlo
//! samples of E run forward, derivatives by central differences, Dirac terms as 0
//! (steps are compared at points away from atoms). It shares nothing with the
//! compiled evaluator but the special functions.
//!
//! Inside the support of a strictly monotone map of one Normal (`cdf-in`, `pdf-in`),
//! the probability and the density are exact instead: the program is run forward on
//! one draw z at a time, bisection finds the z* where it crosses u, and then
//! P(E ≤ u) = Φ(z*) (1 − Φ(z*) for a decreasing map) and the density is φ(z*) over the
//! map's slope at z*, so that their derivatives are exact too. Derivatives, here and of
//! any term, are Ridders' extrapolations of central differences.

use super::sample;
use crate::error::Result;
use crate::eval::Values;
use crate::lang::implicit;
use crate::lang::special;
use crate::lang::subterm;
use crate::lang::{Expr, Node};
use egg::{Id, Language};
use std::collections::HashMap;

pub struct Interp<'a> {
    values: &'a Values,
    samples: usize,
    seed: u64,
    /// Sorted samples of each random subterm met so far, by s-expression.
    cache: HashMap<String, Vec<f64>>,
    /// The CDF and density of each numeric law met so far, by its index: evaluation's
    /// own (a weighted sum of iid copies has no closed form for this interpreter to
    /// read; the Monte Carlo probability of the step before it is what checks it).
    /// (0: the CDF, 1: the density, 2: the CDF's continuous part.)
    numeric: HashMap<(usize, u8), crate::eval::Compiled>,
    /// The first step of a derivative's central differences, where the caller knows
    /// the law's local scale (1e-3 of the spacing of its quantiles); else 1e-6·|t|.
    pub step: Option<f64>,
}

impl<'a> Interp<'a> {
    pub fn new(values: &'a Values, samples: usize, seed: u64) -> Self {
        Interp {
            values,
            samples,
            seed,
            cache: HashMap::new(),
            numeric: HashMap::new(),
            step: None,
        }
    }

    /// The value of a term at t.
    pub fn value(&mut self, e: &Expr, t: f64) -> Result<f64> {
        self.at(e, Id::from(e.as_ref().len() - 1), t)
    }

    /// How many Monte Carlo probabilities a term holds, each weighted by the powers
    /// above it: the term's error is at most this times one probability's error.
    pub fn mc_weight(&self, e: &Expr) -> f64 {
        // |p̂ⁿ − pⁿ| ≤ n |p̂ − p| for probabilities: a power multiplies the error by n
        let exponent = |b: Id| -> f64 {
            crate::eval::Compiled::new(&subterm(e, b), self.values)
                .map_or(1.0, |c| c.eval(0.0).abs().max(1.0))
        };
        fn go(e: &Expr, id: Id, scale: f64, exponent: &dyn Fn(Id) -> f64) -> f64 {
            match &e[id] {
                Node::Cdf(_) | Node::CdfLt(_) => scale,
                Node::Pow([a, b]) => go(e, *a, scale * exponent(*b), exponent),
                n => egg::Language::children(n)
                    .iter()
                    .map(|c| go(e, *c, scale, exponent))
                    .sum(),
            }
        }
        go(e, Id::from(e.as_ref().len() - 1), 1.0, &exponent)
    }

    /// Where the strictly monotone map of one Normal `y` crosses u: the standard Normal
    /// draw z* at which the program run forward gives u, by bisection, and the map's
    /// slope in z there. `None` outside its range (or for a map f64 cannot tell from
    /// a constant).
    fn chain_at(&mut self, e: &Expr, y: Id, u: f64) -> Result<Option<(f64, f64)>> {
        // the term with its Normal(m, s) written m + s·t, t standing for the draw
        let term = subterm(e, y);
        let mut forward = Expr::default();
        let mut ids: Vec<Id> = Vec::with_capacity(term.as_ref().len());
        for node in term.as_ref() {
            let node = node.clone().map_children(|c| ids[usize::from(c)]);
            let id = match node {
                Node::Normal([m, s]) => {
                    let t = forward.add(Node::T);
                    let scaled = forward.add(Node::Mul([s, t]));
                    forward.add(Node::Add([m, scaled]))
                }
                other => forward.add(other),
            };
            ids.push(id);
        }
        let mut g = |z: f64| self.value(&forward, z);
        let (mut lo, mut hi) = (-40.0, 40.0);
        let (glo, ghi) = (g(lo)?, g(hi)?);
        if u.is_nan() || !(glo.min(ghi) < u && u < glo.max(ghi)) {
            return Ok(None);
        }
        let increasing = ghi > glo;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid == lo || mid == hi {
                break;
            }
            if (g(mid)? < u) == increasing {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let z = 0.5 * (lo + hi);
        let slope = ridders(&mut g, z, 1e-2 * z.abs().max(1.0))?;
        Ok((slope != 0.0 && slope.is_finite()).then_some((z, slope)))
    }

    fn probability(&mut self, e: &Expr, y: Id, u: f64, strict: bool) -> Result<f64> {
        let term = subterm(e, y);
        let key = term.to_string();
        if !self.cache.contains_key(&key) {
            let mut s = sample::sample(&term, self.values, self.samples, self.seed)?;
            s.sort_by(|a, b| a.total_cmp(b));
            self.cache.insert(key.clone(), s);
        }
        let s = &self.cache[&key];
        let count = if strict {
            s.partition_point(|x| *x < u)
        } else {
            s.partition_point(|x| *x <= u)
        };
        Ok(count as f64 / s.len() as f64)
    }

    fn at(&mut self, e: &Expr, id: Id, t: f64) -> Result<f64> {
        let v = |i: &Id, me: &mut Self| me.at(e, *i, t);
        Ok(match &e[id] {
            Node::Num(n) => n.to_f64(),
            Node::T => t,
            Node::Symbol(s) => self.values.get(s.as_str()).unwrap_or(f64::NAN),
            Node::Add([a, b]) => v(a, self)? + v(b, self)?,
            Node::Sub([a, b]) => v(a, self)? - v(b, self)?,
            Node::Mul([a, b]) => {
                let x = v(a, self)?;
                // Iverson's strong zero
                if x == 0.0 {
                    return Ok(0.0);
                }
                let y = v(b, self)?;
                if y == 0.0 {
                    0.0
                } else {
                    x * y
                }
            }
            Node::Div([a, b]) => v(a, self)? / v(b, self)?,
            Node::Pow([a, b]) => v(a, self)?.powf(v(b, self)?),
            Node::Neg(a) => -v(a, self)?,
            Node::OrderCdf([k, n, u]) => special::order_cdf(v(k, self)?, v(n, self)?, v(u, self)?),
            Node::Factorial(a) => special::factorial(v(a, self)?),
            Node::Ge([a, b]) => f64::from(u8::from(v(a, self)? >= v(b, self)?)),
            Node::Gt([a, b]) => f64::from(u8::from(v(a, self)? > v(b, self)?)),
            // steps are compared away from atoms, where every Dirac term is 0
            Node::Delta(_) => 0.0,
            Node::WSum(w) => self.list(e, *w, t)?.iter().sum(),
            Node::WSq(w) => self.list(e, *w, t)?.iter().map(|x| x * x).sum(),
            Node::D(a) | Node::Dc(a) => {
                // a difference of differences loses digits: a wider step for each
                // derivative nested inside (rounding ~ ε/h^k, truncation ~ h²)
                fn depth(e: &Expr, id: Id) -> i32 {
                    let inner = egg::Language::children(&e[id])
                        .iter()
                        .map(|c| depth(e, *c))
                        .max()
                        .unwrap_or(0);
                    inner + i32::from(matches!(e[id], Node::D(_) | Node::Dc(_)))
                }
                let base = self.step.unwrap_or(1e-6 * t.abs().max(1e-2));
                let h = 100f64.powi(depth(e, *a)) * base;
                ridders(&mut |x| self.at(e, *a, x), t, h)?
            }
            // inside the support, where the brackets around it put it, P(Y ≤ s)
            Node::CdfIn([y, u]) | Node::PdfIn([y, u]) => {
                let u = v(u, self)?;
                // outside the support, where the brackets around it are 0: undefined
                match self.chain_at(e, *y, u)? {
                    None => f64::NAN,
                    Some((z, slope)) if matches!(e[id], Node::PdfIn(_)) => {
                        special::std_normal_pdf(z) / slope.abs()
                    }
                    Some((z, slope)) if slope > 0.0 => special::std_normal_cdf(z),
                    Some((z, _)) => special::std_normal_cdf(-z),
                }
            }
            Node::Cdf([y, u]) | Node::CdfLt([y, u]) => {
                let u = v(u, self)?;
                self.probability(e, *y, u, matches!(e[id], Node::CdfLt(_)))?
            }
            // the definitions of a derivation by pieces, found again here by bisection
            // of the map and its derivative as this interpreter evaluates them
            Node::Ref(r) => f64::from(r.0),
            Node::Point(_) => {
                let k = implicit::index(e, &e[id]).unwrap_or(usize::MAX);
                match implicit::get_point(k) {
                    Some(p) => self.root(&p.h, p.lo, p.hi, 0.0)?,
                    None => f64::NAN,
                }
            }
            Node::ConvCdf([_, u]) | Node::ConvPdf([_, u]) | Node::LawCdf([_, _, u]) => {
                let k = implicit::index(e, &e[id]).unwrap_or(usize::MAX);
                let u = v(u, self)?;
                let kind = match e[id] {
                    Node::ConvCdf(_) => 0,
                    Node::ConvPdf(_) => 1,
                    _ => 2,
                };
                if !self.numeric.contains_key(&(k, kind)) {
                    let mut named = Expr::default();
                    let r = named.add(Node::Ref(implicit::Ref(
                        u32::try_from(k).unwrap_or(u32::MAX),
                    )));
                    let t = named.add(Node::T);
                    match kind {
                        0 => named.add(Node::ConvCdf([r, t])),
                        1 => named.add(Node::ConvPdf([r, t])),
                        _ => {
                            let lo = named.add(Node::Nil);
                            named.add(Node::LawCdf([r, lo, t]))
                        }
                    };
                    let compiled = crate::eval::Compiled::new(&named, self.values)?;
                    self.numeric.insert((k, kind), compiled);
                }
                self.numeric[&(k, kind)].eval(u)
            }
            // the steps of a list of atoms at u
            Node::Jumps([list, u]) | Node::JumpsLt([list, u]) => {
                let u = v(u, self)?;
                let strict = matches!(e[id], Node::JumpsLt(_));
                let mut sum = 0.0;
                let mut cur = *list;
                while let Node::Cons([pair, rest]) = e[cur] {
                    if let Node::Cons([at, mass]) = e[pair] {
                        let at = v(&at, self)?;
                        if if strict { u > at } else { u >= at } {
                            sum += v(&mass, self)?;
                        }
                    }
                    cur = rest;
                }
                sum
            }
            Node::Inverse([_, u]) => {
                let k = implicit::index(e, &e[id]).unwrap_or(usize::MAX);
                let u = v(u, self)?;
                match implicit::get_inverse(k) {
                    Some(inv) => self.inverse(&inv, u)?,
                    None => f64::NAN,
                }
            }
            Node::InverseD([_, u]) => {
                let k = implicit::index(e, &e[id]).unwrap_or(usize::MAX);
                let u = v(u, self)?;
                match implicit::get_inverse(k) {
                    Some(inv) => {
                        let h = self.step.unwrap_or(1e-6 * u.abs().max(1e-2));
                        ridders(&mut |x| self.inverse(&inv, x), u, h)?
                    }
                    None => f64::NAN,
                }
            }
            // a function of the registry, at its arguments' values
            n => match n.function() {
                Some(f) => {
                    let mut args = Vec::with_capacity(n.children().len());
                    for c in n.children() {
                        args.push(v(c, self)?);
                    }
                    (f.value)(&args)
                }
                None => f64::NAN,
            },
        })
    }

    /// Where h (a term in t standing for x) crosses `level` in [lo, hi], by bisection.
    fn root(&mut self, h: &Expr, lo: f64, hi: f64, level: f64) -> Result<f64> {
        let (mut lo, mut hi) = (lo, hi);
        let below = self.value(h, lo)? < level;
        for _ in 0..2000 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if (self.value(h, mid)? < level) == below {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(0.5 * (lo + hi))
    }

    /// g⁻¹(u) on the piece, held to it: an infinite end replaced by the first of ±2^k
    /// past which g no longer crosses u, then bisection.
    fn inverse(&mut self, inv: &implicit::Inverse, u: f64) -> Result<f64> {
        if u.is_nan() {
            return Ok(f64::NAN);
        }
        let up = if inv.increasing { 1.0 } else { -1.0 };
        let s = |x: f64, me: &mut Self| -> Result<f64> { Ok(up * (me.value(&inv.g, x)? - u)) };
        let (mut lo, mut hi) = (inv.lo.value, inv.hi.value);
        if lo.is_finite() && s(lo, self)? >= 0.0 {
            return Ok(lo);
        }
        if hi.is_finite() && s(hi, self)? <= 0.0 {
            return Ok(hi);
        }
        if lo.is_infinite() {
            let base = if hi.is_finite() { hi } else { 0.0 };
            let mut k = 0;
            loop {
                lo = base - 2f64.powi(k);
                if s(lo, self)? < 0.0 {
                    break;
                }
                k += 1;
                if k > 1020 {
                    return Ok(f64::NEG_INFINITY);
                }
            }
        }
        if hi.is_infinite() {
            let base = lo.max(0.0);
            let mut k = 0;
            loop {
                hi = base + 2f64.powi(k);
                if s(hi, self)? > 0.0 {
                    break;
                }
                k += 1;
                if k > 1020 {
                    return Ok(f64::INFINITY);
                }
            }
        }
        for _ in 0..2000 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if s(mid, self)? < 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(0.5 * (lo + hi))
    }

    fn list(&mut self, e: &Expr, mut id: Id, t: f64) -> Result<Vec<f64>> {
        // a weight vector by name
        if let Node::Symbol(s) = &e[id] {
            return Ok(self
                .values
                .vector(s.as_str())
                .map(|v| v.to_vec())
                .unwrap_or_default());
        }
        let mut out = Vec::new();
        while let Node::Cons([h, r]) = &e[id] {
            out.push(self.at(e, *h, t)?);
            id = *r;
        }
        Ok(out)
    }
}

/// f′(x) by Ridders' method: central differences at steps shrinking from `h` by 1.4,
/// extrapolated to step 0 (Richardson), stopping when the extrapolation's error
/// estimate grows (Numerical Recipes, `dfridr`). A step that leaves f's domain (NaN)
/// is shrunk first. Truncation errors of a plain central difference of a steep map
/// (a tanh/sigmoid composition near its saturation) were 1e-4 relative.
fn ridders(f: &mut impl FnMut(f64) -> Result<f64>, x: f64, h: f64) -> Result<f64> {
    const CON: f64 = 1.4;
    const LEVELS: usize = 14;
    let mut h = h;
    let diff = |h: f64, f: &mut dyn FnMut(f64) -> Result<f64>| -> Result<f64> {
        Ok((f(x + h)? - f(x - h)?) / (2.0 * h))
    };
    let mut first = diff(h, f)?;
    for _ in 0..60 {
        if first.is_finite() {
            break;
        }
        h /= 4.0;
        first = diff(h, f)?;
    }
    let mut table = [[0.0f64; LEVELS]; LEVELS];
    table[0][0] = first;
    let (mut best, mut err) = (first, f64::INFINITY);
    for i in 1..LEVELS {
        h /= CON;
        table[0][i] = diff(h, f)?;
        let mut fac = CON * CON;
        for j in 1..=i {
            table[j][i] = (table[j - 1][i] * fac - table[j - 1][i - 1]) / (fac - 1.0);
            fac *= CON * CON;
            let e = (table[j][i] - table[j - 1][i])
                .abs()
                .max((table[j][i] - table[j - 1][i - 1]).abs());
            if e <= err {
                err = e;
                best = table[j][i];
            }
        }
        if (table[i][i] - table[i - 1][i - 1]).abs() >= 2.0 * err {
            break;
        }
    }
    Ok(best)
}
