//! A polynomial normal form for recognising a term that is identically 0.
//!
//! The masses of jumps often come out as sums such as
//! Φ(u) + Φ(v) + Φ(−v) − Φ(u) − 1, which is 0 for every value of the parameters but
//! which the e-graph, bounded in size, may not reduce. Here a term becomes a
//! polynomial with rational coefficients in *atoms*: parameters, and applications of
//! functions to normal forms (so `(μ + √2)/σ` and `−((−√2 − μ)/σ)` give the same atom
//! argument). Φ is put on one side of its symmetry, Φ(−u) = 1 − Φ(u), choosing the
//! argument whose leading coefficient is positive. Two terms with the same normal form
//! are equal; the converse does not hold, so the test can only say "surely 0".

use crate::lang::{Expr, Node, Num};
use egg::{Id, Language};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::collections::BTreeMap;

/// A product of atoms with integer powers, keyed by each atom's canonical text.
type Monomial = BTreeMap<String, i32>;

/// A sum of monomials with rational coefficients; no zero coefficients are stored.
#[derive(Clone, Debug, Default, PartialEq)]
struct Poly(BTreeMap<Monomial, BigRational>);

/// Products past this many terms are kept as one atom, to bound the work.
const MAX_TERMS: usize = 64;

impl Poly {
    fn constant(r: BigRational) -> Poly {
        let mut p = Poly::default();
        if !r.is_zero() {
            p.0.insert(Monomial::new(), r);
        }
        p
    }
    fn atom(key: String) -> Poly {
        let mut m = Monomial::new();
        m.insert(key, 1);
        let mut p = Poly::default();
        p.0.insert(m, BigRational::one());
        p
    }
    fn add_term(&mut self, m: Monomial, c: BigRational) {
        let entry = self.0.entry(m.clone()).or_insert_with(BigRational::zero);
        *entry += c;
        if entry.is_zero() {
            self.0.remove(&m);
        }
    }
    fn plus(mut self, o: &Poly, sign: i32) -> Poly {
        for (m, c) in &o.0 {
            self.add_term(m.clone(), c * BigRational::from_integer(sign.into()));
        }
        self
    }
    fn times(&self, o: &Poly) -> Option<Poly> {
        if self.0.len() * o.0.len() > MAX_TERMS {
            return None;
        }
        let mut out = Poly::default();
        for (ma, ca) in &self.0 {
            for (mb, cb) in &o.0 {
                let mut m = ma.clone();
                for (k, p) in mb {
                    let e = m.entry(k.clone()).or_insert(0);
                    *e += p;
                    if *e == 0 {
                        m.remove(k);
                    }
                }
                out.add_term(m, ca * cb);
            }
        }
        Some(out)
    }
    /// 1/p for a single monomial.
    fn recip(&self) -> Option<Poly> {
        let [(m, c)] = self.0.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let inv: Monomial = m.iter().map(|(k, p)| (k.clone(), -p)).collect();
        let mut out = Poly::default();
        out.0.insert(inv, c.recip());
        Some(out)
    }
    /// Whether the first term, in the normal form's order, has a negative coefficient.
    fn leads_negative(&self) -> bool {
        self.0.values().next().is_some_and(|c| c.is_negative())
    }
    fn key(&self) -> String {
        if self.0.is_empty() {
            return "0".into();
        }
        let terms: Vec<String> = self
            .0
            .iter()
            .map(|(m, c)| {
                let factors: Vec<String> = m.iter().map(|(k, p)| format!("{k}^{p}")).collect();
                format!("{c}*{}", factors.join("*"))
            })
            .collect();
        terms.join(" + ")
    }
}

fn normalize(e: &Expr, id: Id) -> Poly {
    let n = |i: &Id| normalize(e, *i);
    let opaque = || {
        let args: Vec<String> = e[id].children().iter().map(|c| n(c).key()).collect();
        Poly::atom(format!("{}({})", e[id], args.join(", ")))
    };
    match &e[id] {
        Node::Num(Num::Rat(r)) => Poly::constant((**r).clone()),
        Node::Symbol(s) => Poly::atom(s.to_string()),
        Node::Add([a, b]) => n(a).plus(&n(b), 1),
        Node::Sub([a, b]) => n(a).plus(&n(b), -1),
        Node::Neg(a) => Poly::default().plus(&n(a), -1),
        Node::Mul([a, b]) => n(a).times(&n(b)).unwrap_or_else(opaque),
        Node::Div([a, b]) => n(b)
            .recip()
            .and_then(|r| n(a).times(&r))
            .unwrap_or_else(opaque),
        Node::Pow([a, k]) => {
            let whole = match &e[*k] {
                Node::Num(Num::Rat(r)) if r.is_integer() => r.to_integer().to_i32(),
                _ => None,
            };
            match whole {
                Some(k) if (0..=8).contains(&k) => {
                    let base = n(a);
                    let mut acc = Some(Poly::constant(BigRational::one()));
                    for _ in 0..k {
                        acc = acc.and_then(|p| p.times(&base));
                    }
                    acc.unwrap_or_else(opaque)
                }
                _ => opaque(),
            }
        }
        Node::Phi(u) => {
            let p = n(u);
            if p.leads_negative() {
                // Φ(−v) = 1 − Φ(v)
                let v = Poly::default().plus(&p, -1);
                Poly::constant(BigRational::one())
                    .plus(&Poly::atom(format!("Phi({})", v.key())), -1)
            } else {
                Poly::atom(format!("Phi({})", p.key()))
            }
        }
        _ => opaque(),
    }
}

/// The term is 0 for every value of its parameters (proved by its normal form).
pub fn surely_zero(e: &Expr) -> bool {
    if e.as_ref().is_empty() {
        return false;
    }
    normalize(e, Id::from(e.as_ref().len() - 1)).0.is_empty()
}

#[cfg(test)]
mod tests {
    use super::surely_zero;

    fn zero(s: &str) -> bool {
        surely_zero(&s.parse().expect("a well-formed term"))
    }

    #[test]
    fn recognises_cancellation_through_phi_symmetry() {
        // Φ((μ − √2)/σ) + Φ((−√2 − μ)/σ) + Φ((μ + √2)/σ) − Φ((μ − √2)/σ)
        //   − (Φ((μ − √2)/σ) + Φ((−√2 − μ)/σ) + Φ((√2 − μ)/σ) − Φ((−√2 − μ)/σ)) = 1 − 1
        let a = "(Phi (/ (- mu (root 2 2)) sigma))";
        let b = "(Phi (/ (- (neg (root 2 2)) mu) sigma))";
        let c = "(Phi (/ (+ mu (root 2 2)) sigma))";
        let d = "(Phi (/ (- (root 2 2) mu) sigma))";
        let s = format!("(- (- (+ (+ {a} {b}) {c}) {a}) (- (+ (+ {a} {b}) {d}) {b}))");
        assert!(zero(&s));
    }

    #[test]
    fn does_not_call_nonzero_terms_zero() {
        assert!(!zero("(- (Phi (/ mu sigma)) (Phi (/ (neg mu) sigma)))"));
        assert!(!zero("(+ (Phi (/ mu sigma)) (Phi (/ (neg mu) sigma)))"));
        assert!(!zero("(- (* mu mu) mu)"));
        assert!(!zero("(- (/ 1 (+ mu 1)) (/ 1 (+ mu 2)))"));
        // Φ(u) + Φ(−u) − 1 is 0
        assert!(zero(
            "(- (+ (Phi (/ mu sigma)) (Phi (/ (neg mu) sigma))) 1)"
        ));
        assert!(zero(
            "(- (* (+ mu 1) (+ mu 1)) (+ (* mu mu) (+ (* 2 mu) 1)))"
        ));
    }
}
