//! What a derivation by pieces names, written out: each inverse g_k⁻¹ (the map it
//! inverts, its piece, how it is clamped) and each point x_k* (its value to ten digits,
//! its equation and the interval that holds it).

use super::printer;
use crate::derive::pieces::Pieces;
use crate::derive::Derivation;
use crate::lang::implicit::{self, End};
use crate::lang::print::Style;
use crate::lang::{Expr, Node};
use egg::Language;
use serde_json::{json, Value};

/// What the first line of a derivation by pieces says.
pub const SPLIT: &str = "split where the map is monotone: P(Y <= t) = sum over its increasing pieces [a, b] of F(g^-1(t)) - F(a), over its decreasing ones of F(b) - F(g^-1(t)), over its flat ones of [t >= c](F(b) - F(a)), with each g^-1 held to its piece";

/// The name of the map's variable: the input's, or `z` for an affine map of it.
fn variable_name(d: &Derivation, pc: &Pieces) -> String {
    if pc.variable == d.model.input {
        d.model.input_name.clone()
    } else {
        "z".to_string()
    }
}

/// `e` with t written as the variable.
fn in_variable(e: &Expr, name: &str) -> Expr {
    let mut out = Expr::default();
    let mut map = Vec::with_capacity(e.as_ref().len());
    for n in e.as_ref() {
        let id = match n {
            Node::T => out.add(Node::Symbol(egg::Symbol::from(name))),
            n => out.add(n.clone().map_children(|c| map[usize::from(c)])),
        };
        map.push(id);
    }
    out
}

/// Ten significant digits.
fn digits(v: f64) -> String {
    format!("{v:.9e}")
        .parse::<f64>()
        .map_or_else(|_| v.to_string(), |r| format!("{r}"))
        .replace('-', "−")
}

/// A number with the minus sign of the style (Unicode in text, ASCII in LaTeX).
fn signed(v: f64, tex: bool) -> String {
    if tex {
        format!("{v}")
    } else {
        format!("{v}").replace('-', "−")
    }
}

/// One line per definition, in the style's notation.
pub fn legend(d: &Derivation, pc: &Pieces, style: Style) -> Vec<String> {
    let p = printer(d, style);
    let tex = style == Style::Latex;
    let name = variable_name(d, pc);
    let x = p.print(&in_variable(
        &{
            let mut e = Expr::default();
            e.add(Node::T);
            e
        },
        &name,
    ));
    let math = |s: String| if tex { format!("${s}$") } else { s };
    let mut lines = Vec::new();
    if name != d.model.input_name {
        lines.push(format!(
            "{} {}",
            math(format!(
                "{x} {} {}",
                if tex { "\\sim" } else { "~" },
                p.print(&pc.variable)
            )),
            "(an affine map of the input)"
        ));
    }
    let end = |e: &End, lower: bool| -> String {
        match &e.term {
            Some(t) => p.print(t),
            None if tex => {
                if lower {
                    "-\\infty".into()
                } else {
                    "\\infty".into()
                }
            }
            None => {
                if lower {
                    "−∞".into()
                } else {
                    "∞".into()
                }
            }
        }
    };
    for &k in &pc.inverses {
        let Some(inv) = implicit::get_inverse(k) else {
            continue;
        };
        let g = p.print(&in_variable(&inv.g, &name));
        let piece = format!(
            "{}{}, {}{}",
            if inv.lo.term.is_some() { "[" } else { "(" },
            end(&inv.lo, true),
            end(&inv.hi, false),
            if inv.hi.term.is_some() { "]" } else { ")" },
        );
        let piece = if tex {
            piece
                .replace('[', "\\left[")
                .replace('(', "\\left(")
                .replace(']', "\\right]")
                .replace(')', "\\right)")
        } else {
            piece
        };
        let t = "t";
        let r = p.reference(k, false);
        let (below, above) = if inv.increasing {
            (end(&inv.lo, true), end(&inv.hi, false))
        } else {
            (end(&inv.hi, false), end(&inv.lo, true))
        };
        lines.push(format!(
            "{}: the {} in {} with {} ({} {} there); {} below its values there, {} above",
            math(format!("{r}({t})")),
            math(x.clone()),
            math(piece),
            math(format!("{g} = {t}")),
            math(g.clone()),
            if inv.increasing {
                "increases"
            } else {
                "decreases"
            },
            math(below),
            math(above),
        ));
    }
    for &k in &pc.points {
        let Some(pt) = implicit::get_point(k) else {
            continue;
        };
        let h = p.print(&in_variable(&pt.h, &name));
        lines.push(format!(
            "{} = {}, the root of {} in {}",
            math(p.reference(k, true)),
            math(if tex {
                digits(pt.value).replace('−', "-")
            } else {
                digits(pt.value)
            }),
            math(format!("{h} = 0")),
            math(format!(
                "{}{}, {}{}",
                if tex { "\\left[" } else { "[" },
                signed(pt.lo, tex),
                signed(pt.hi, tex),
                if tex { "\\right]" } else { "]" }
            )),
        ));
    }
    lines
}

/// The definitions as JSON.
pub fn json(d: &Derivation, pc: &Pieces) -> Value {
    let text = printer(d, Style::Text);
    let latex = printer(d, Style::Latex);
    let name = variable_name(d, pc);
    let term = |e: &Expr| {
        let e = in_variable(e, &name);
        json!({"sexp": e.to_string(), "text": text.print(&e), "latex": latex.print(&e)})
    };
    let end = |e: &End| json!({"value": e.value, "term": e.term.as_ref().map(&term)});
    json!({
        "variable": {"name": name, "law": term(&pc.variable)},
        "inverses": pc.inverses.iter().filter_map(|&k| {
            let inv = implicit::get_inverse(k)?;
            Some(json!({
                "name": text.reference(k, false),
                "map": term(&inv.g),
                "derivative": term(&inv.dg),
                "lo": end(&inv.lo),
                "hi": end(&inv.hi),
                "increasing": inv.increasing,
            }))
        }).collect::<Vec<_>>(),
        "points": pc.points.iter().filter_map(|&k| {
            let pt = implicit::get_point(k)?;
            Some(json!({
                "name": text.reference(k, true),
                "value": pt.value,
                "enclosure": [pt.lo, pt.hi],
                "equation": term(&pt.h),
            }))
        }).collect::<Vec<_>>(),
    })
}
