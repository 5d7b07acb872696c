//! What the law of a weighted sum of iid copies names, written out: S as the sum, the
//! law E of its terms with E's CDF and density, and how S's law is computed.

use super::printer;
use crate::derive::Derivation;
use crate::lang::implicit;
use crate::lang::print::Style;
use crate::lang::{Expr, Node};
use serde_json::{json, Value};

/// How the sum's CDF and density are computed, in words.
pub const METHOD: &str = "computed numerically: the atoms exactly, the density piecewise Chebyshev between breakpoints (the sums of the terms' atoms and support ends), each convolution exact for those polynomials; eval reports the CDF's error bound";

/// The convolution a derivation's CDF names, if it names one.
fn convolution(d: &Derivation) -> Option<std::sync::Arc<implicit::Convolution>> {
    d.cdf
        .as_ref()
        .iter()
        .find(|n| matches!(n, Node::ConvCdf(_)))
        .and_then(|n| implicit::index(&d.cdf, n))
        .and_then(implicit::get_convolution)
}

/// w₁·E₁ + … + wₙ·Eₙ as a term, the Eᵢ as symbols.
fn sum_term(c: &implicit::Convolution) -> Expr {
    let mut e = Expr::default();
    let mut root = None;
    for (i, w) in c.weights.iter().enumerate() {
        let wid = e.add(Node::Num(w.clone()));
        let copy = e.add(Node::Symbol(egg::Symbol::from(format!("E{}", i + 1))));
        let term = e.add(Node::Mul([wid, copy]));
        root = Some(match root {
            Some(r) => e.add(Node::Add([r, term])),
            None => term,
        });
    }
    e
}

/// One line per definition, in the style's notation (none for other derivations).
pub fn legend(d: &Derivation, style: Style) -> Vec<String> {
    let (Some(c), Some(inner)) = (convolution(d), d.inner.as_deref()) else {
        return Vec::new();
    };
    let p = printer(d, style);
    let q = printer(inner, style);
    let tex = style == Style::Latex;
    let math = |s: String| if tex { format!("${s}$") } else { s };
    vec![
        format!(
            "{} for iid copies {} of {}",
            math(format!("S = {}", p.print(&sum_term(&c)))),
            math(if tex { "E_i" } else { "Eᵢ" }.to_string()),
            math(format!("E = {}", p.print(&c.term)))
        ),
        math(format!(
            "{}(t) = {}",
            if tex { "F_{E}" } else { "F_E" },
            q.print(&inner.cdf)
        )),
        math(format!(
            "{}(t) = {}",
            if tex { "f_{E}" } else { "f_E" },
            q.print(&inner.density)
        )),
        format!(
            "{} and {}: {METHOD}",
            math("F_S".into()),
            math("f_S".into())
        ),
    ]
}

/// The same as data.
pub fn json(d: &Derivation) -> Value {
    let (Some(c), Some(inner)) = (convolution(d), d.inner.as_deref()) else {
        return Value::Null;
    };
    let text = |e: &Expr, d: &Derivation| printer(d, Style::Text).print(e);
    json!({
        "weights": c.weights.iter().map(|w| w.to_f64()).collect::<Vec<_>>(),
        "term": text(&c.term, d),
        "term_cdf": {"sexp": inner.cdf.to_string(), "text": text(&inner.cdf, inner)},
        "term_density": {"sexp": inner.density.to_string(), "text": text(&inner.density, inner)},
        "method": METHOD,
    })
}
