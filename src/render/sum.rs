//! What the law of a weighted sum of iid copies names, written out: S as the sum, the
//! law E of its terms with E's CDF and density, and how S's law is computed.

use super::printer;
use crate::derive::Derivation;
use crate::lang::implicit;
use crate::lang::print::Style;
use crate::lang::{Expr, Node};
use egg::Id;
use serde_json::{json, Value};

/// How the sum's CDF and density are computed, in words.
pub const METHOD: &str = "computed numerically: the atoms exactly, the density piecewise Chebyshev between breakpoints (the sums of the terms' atoms and support ends), each convolution exact for those polynomials; eval reports the CDF's error bound";

/// How the sum of a law smooth on the whole line is computed.
pub const METHOD_SMOOTH: &str = "computed numerically: E is smooth on the whole line, so the density by the trapezoidal rule on a uniform grid (the spacing halved until two agree), then piecewise Chebyshev; eval reports the CDF's error bound";

/// The method of a convolution's numbers.
fn method(c: &implicit::Convolution) -> &'static str {
    if c.smooth() {
        METHOD_SMOOTH
    } else {
        METHOD
    }
}

/// The convolution a derivation's CDF names, if it names one.
fn convolution(d: &Derivation) -> Option<std::sync::Arc<implicit::Convolution>> {
    d.cdf
        .as_ref()
        .iter()
        .find(|n| matches!(n, Node::ConvCdf(_)))
        .and_then(|n| implicit::index(&d.cdf, n))
        .and_then(implicit::get_convolution)
}

/// w₁·E₁ + … + wₙ·Eₙ as a term, the Eᵢ as symbols; for several parts, T₁ + T₂ + ….
fn sum_term(c: &implicit::Convolution) -> Expr {
    let mut e = Expr::default();
    let mut root = None;
    let mut add = |e: &mut Expr, term: Id| {
        root = Some(match root {
            Some(r) => e.add(Node::Add([r, term])),
            None => term,
        });
    };
    match c.parts.as_slice() {
        [one] => {
            for (i, w) in one.weights.iter().enumerate() {
                let wid = e.add(Node::Num(w.clone()));
                let copy = e.add(Node::Symbol(egg::Symbol::from(format!("E{}", i + 1))));
                let term = e.add(Node::Mul([wid, copy]));
                add(&mut e, term);
            }
        }
        parts => {
            for i in 0..parts.len() {
                let term = e.add(Node::Symbol(egg::Symbol::from(format!("T{}", i + 1))));
                add(&mut e, term);
            }
        }
    }
    e
}

/// The global indices of the numeric laws a derivation's leaves name, innermost first
/// (those of the term inside a sum at the root included), for the printer's S₁, S₂, ….
pub fn leaf_laws(d: &Derivation) -> Vec<usize> {
    let mut out = Vec::new();
    for l in all_leaves(d) {
        if let Some(k) = index(l) {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

/// The derivations of every leaf a derivation names, innermost first.
fn all_leaves(d: &Derivation) -> Vec<&Derivation> {
    let mut out: Vec<&Derivation> = Vec::new();
    for inner in &d.inner {
        out.extend(all_leaves(inner));
    }
    out.extend(d.laws.iter());
    out
}

/// The index of the convolution a sum's derivation names.
fn index(d: &Derivation) -> Option<usize> {
    d.cdf
        .as_ref()
        .iter()
        .find(|n| matches!(n, Node::ConvCdf(_)))
        .and_then(|n| implicit::index(&d.cdf, n))
}

/// One line per definition, in the style's notation (none for other derivations): each
/// leaf's law Sᵢ, then the sum at the root, S.
pub fn legend(d: &Derivation, style: Style) -> Vec<String> {
    let laws = leaf_laws(d);
    let mut out = Vec::new();
    for l in all_leaves(d) {
        out.extend(lines(l, style, &laws, true));
    }
    out.extend(lines(d, style, &laws, false));
    out
}

/// The lines of one sum: its terms, their law, and how its own is computed.
fn lines(d: &Derivation, style: Style, laws: &[usize], leaf: bool) -> Vec<String> {
    let Some(c) = convolution(d) else {
        return Vec::new();
    };
    if d.inner.len() != c.parts.len() {
        return Vec::new();
    }
    let p = printer(d, style).with_laws(laws.to_vec());
    let tex = style == Style::Latex;
    let math = |s: String| if tex { format!("${s}$") } else { s };
    let s = index(d).map_or("S".to_string(), |k| p.law_name(k));
    let one = c.parts.len() == 1;
    // each part's name: E for iid copies of one law, T₁, T₂, … for independent parts
    let name = |j: usize| match (one, tex) {
        (true, _) => "E".to_string(),
        (false, true) => format!("T_{{{}}}", j + 1),
        (false, false) => format!("T{}", j + 1),
    };
    let mut out = vec![if one {
        format!(
            "{} for iid copies {} of {}",
            math(format!("{s} = {}", p.print(&sum_term(&c)))),
            math(if tex { "E_i" } else { "Eᵢ" }.to_string()),
            math(format!("E = {}", p.print(&c.parts[0].term)))
        )
    } else {
        let each: Vec<String> = c
            .parts
            .iter()
            .enumerate()
            .map(|(j, part)| math(format!("{} = {}", name(j), p.print(&part.term))))
            .collect();
        format!(
            "{} for independent {}",
            math(format!("{s} = {}", p.print(&sum_term(&c)))),
            each.join(", ")
        )
    }];
    for (j, inner) in d.inner.iter().enumerate() {
        let q = printer(inner, style).with_laws(laws.to_vec());
        let (cdf, pdf) = if tex {
            (format!("F_{{{}}}", name(j)), format!("f_{{{}}}", name(j)))
        } else {
            (format!("F_{}", name(j)), format!("f_{}", name(j)))
        };
        out.push(math(format!("{cdf}(t) = {}", q.print(&inner.cdf))));
        out.push(math(format!("{pdf}(t) = {}", q.print(&inner.density))));
    }
    if leaf {
        let atoms: Vec<String> = d
            .atoms
            .iter()
            .map(|a| {
                math(format!(
                    "P({s} = {}) = {}",
                    p.print(&a.at),
                    p.print(&a.mass)
                ))
            })
            .collect();
        let (cdf, pdf) = if tex {
            (format!("F^{{\\circ}}_{{{s}}}"), format!("f_{{{s}}}"))
        } else {
            (format!("F°_{s}"), format!("f_{s}"))
        };
        out.push(format!(
            "{} (the continuous part of the CDF) and {}: {}; {}",
            math(cdf),
            math(pdf),
            method(&c),
            if atoms.is_empty() {
                format!("{} has no atoms", math(s.clone()))
            } else {
                format!("atoms: {}", atoms.join(", "))
            }
        ));
    } else {
        let (cdf, pdf) = if tex {
            (format!("F_{{{s}}}"), format!("f_{{{s}}}"))
        } else {
            (format!("F_{s}"), format!("f_{s}"))
        };
        out.push(format!("{} and {}: {}", math(cdf), math(pdf), method(&c)));
    }
    out
}

/// The same as data.
pub fn json(d: &Derivation) -> Value {
    let Some(c) = convolution(d) else {
        return Value::Null;
    };
    if d.inner.len() != c.parts.len() || d.inner.is_empty() {
        return Value::Null;
    }
    let text = |e: &Expr, d: &Derivation| printer(d, Style::Text).print(e);
    let part = |part: &implicit::Part, inner: &Derivation| {
        json!({
            "weights": part.weights.iter().map(|w| w.to_f64()).collect::<Vec<_>>(),
            "term": text(&part.term, d),
            "term_cdf": {"sexp": inner.cdf.to_string(), "text": text(&inner.cdf, inner)},
            "term_density": {"sexp": inner.density.to_string(), "text": text(&inner.density, inner)},
        })
    };
    let mut out = part(&c.parts[0], &d.inner[0]);
    if c.parts.len() > 1 {
        out = json!({
            "parts": c.parts.iter().zip(&d.inner).map(|(p, i)| part(p, i)).collect::<Vec<_>>(),
        });
    }
    out["method"] = json!(method(&c));
    out
}
