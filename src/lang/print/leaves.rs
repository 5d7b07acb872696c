//! How the leaves of a term print: parameters by name (Greek names as letters),
//! numbers as integers and fractions (or by the registry's name for a constant, λ),
//! and digits as superscripts for powers.

use super::{Prec, Printer};
use crate::lang::Num;
use num_traits::ToPrimitive;

const GREEK: &[(&str, &str, &str)] = &[
    ("alpha", "α", "\\alpha"),
    ("beta", "β", "\\beta"),
    ("gamma", "γ", "\\gamma"),
    ("epsilon", "ε", "\\epsilon"),
    ("eta", "η", "\\eta"),
    ("theta", "θ", "\\theta"),
    ("kappa", "κ", "\\kappa"),
    ("lambda", "λ", "\\lambda"),
    ("mu", "μ", "\\mu"),
    ("nu", "ν", "\\nu"),
    ("rho", "ρ", "\\rho"),
    ("sigma", "σ", "\\sigma"),
    ("tau", "τ", "\\tau"),
    ("omega", "ω", "\\omega"),
];

impl Printer<'_> {
    pub(super) fn name(&self, s: &str) -> String {
        for (ascii, uni, tex) in GREEK {
            if s == *ascii || s == *uni {
                return if self.latex() {
                    tex.to_string()
                } else {
                    uni.to_string()
                };
            }
        }
        if !self.latex() {
            return s.to_string();
        }
        // trailing digits become a subscript: w1 → w_{1}
        let base = s.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = &s[base.len()..];
        let base_tex = if base.chars().count() == 1 && base.is_ascii() {
            base.to_string()
        } else {
            let greek = GREEK.iter().find(|(a, u, _)| base == *a || base == *u);
            match greek {
                Some((_, _, tex)) => tex.to_string(),
                None => format!("\\mathit{{{}}}", base.replace('_', "\\_")),
            }
        };
        if digits.is_empty() {
            base_tex
        } else {
            format!("{base_tex}_{{{digits}}}")
        }
    }

    pub(super) fn num(&self, n: &Num) -> (String, Prec) {
        match n {
            Num::PosInf => (
                if self.latex() { "\\infty" } else { "∞" }.into(),
                Prec::Atom,
            ),
            Num::NegInf => (
                if self.latex() { "-\\infty" } else { "−∞" }.into(),
                Prec::Unary,
            ),
            // a named constant (λ), its negative, or its reciprocal; only long fractions
            // are looked up
            Num::Rat(r) if r.denom().bits() > 40 => match self.named(r) {
                Some(named) => named,
                None => self.fraction(r),
            },
            Num::Rat(r) => self.fraction(r),
        }
    }

    /// A named constant, its negative or its reciprocal.
    fn named(&self, r: &num_rational::BigRational) -> Option<(String, Prec)> {
        use crate::lang::functions::constant_name;
        let pick = |(text, latex, _): (&'static str, &'static str, bool)| {
            if self.latex() {
                latex
            } else {
                text
            }
        };
        if let Some(c) = constant_name(r) {
            return Some((
                pick(c).to_string(),
                if c.2 { Prec::Product } else { Prec::Atom },
            ));
        }
        let minus = if self.latex() { "-" } else { "−" };
        if let Some(c) = constant_name(&-r) {
            return Some((format!("{minus}{}", pick(c)), Prec::Unary));
        }
        let (recip, neg) = if r.numer() < &0.into() {
            (-r.recip(), true)
        } else {
            (r.recip(), false)
        };
        let c = constant_name(&recip)?;
        let sign = if neg { minus } else { "" };
        Some(if self.latex() {
            (
                format!("{sign}\\frac{{1}}{{{}}}", pick(c)),
                if neg { Prec::Unary } else { Prec::Atom },
            )
        } else if c.2 {
            (
                format!("{sign}1/({})", pick(c)),
                if neg { Prec::Unary } else { Prec::Product },
            )
        } else {
            (
                format!("{sign}1/{}", pick(c)),
                if neg { Prec::Unary } else { Prec::Product },
            )
        })
    }

    /// A rational as an integer or a fraction.
    fn fraction(&self, r: &num_rational::BigRational) -> (String, Prec) {
        {
            {
                let neg = r.numer() < &0.into();
                // small numbers by machine integers: BigInt's formatting is slow, and a
                // long derivation prints many numbers
                let (p, q) = match (r.numer().to_i64(), r.denom().to_i64()) {
                    (Some(p), Some(q)) => (p.unsigned_abs().to_string(), q.to_string()),
                    _ => (r.numer().magnitude().to_string(), r.denom().to_string()),
                };
                let minus = if self.latex() { "-" } else { "−" };
                let sign = if neg { minus } else { "" };
                if r.is_integer() {
                    (
                        format!("{sign}{p}"),
                        if neg { Prec::Unary } else { Prec::Atom },
                    )
                } else if self.latex() {
                    (
                        format!("{sign}\\frac{{{p}}}{{{q}}}"),
                        if neg { Prec::Unary } else { Prec::Atom },
                    )
                } else {
                    (
                        format!("{sign}{p}/{q}"),
                        if neg { Prec::Unary } else { Prec::Product },
                    )
                }
            }
        }
    }
}

pub(super) fn superscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '−' => '⁻',
        _ => return None,
    })
}
