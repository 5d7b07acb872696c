//! Derivations as documents: Unicode text for a terminal, an amsmath `aligned` block per
//! law for a paper, and JSON for other programs.

use crate::derive::{Derivation, End, Step};
use crate::lang::print::{Names, Printer, Style};
use crate::lang::Expr;
use crate::lower::Model;
use serde_json::{json, Value};

mod pieces;
mod sum;

/// What the first line of a program with `if` says.
const SPLIT: &str = "split over the pieces of the conditions: P(x in [a, b), B(x) <= t) = P(B(clamp(x, a, b)) <= t) - P(x < a)[t >= B(a)] - P(x >= b)[t >= B(b)]";

/// A printer for a derivation's terms: the input by its name, and the inverses and
/// points of a derivation by pieces numbered in its order.
fn printer(d: &Derivation, style: Style) -> Printer<'_> {
    let p = Printer::new(style, Some(d.model.names())).with_laws(sum::leaf_laws(d));
    match &d.pieces {
        Some(pc) => p.with_refs(&pc.inverses, &pc.points),
        None => p,
    }
}

/// The program in one line: `Y = tanh(x), x ~ N(μ, σ²)`.
fn summary(d: &Derivation, style: Style) -> String {
    let m = &d.model;
    let p = Printer::new(style, Some(m.names()));
    // sums inside the output as the program wrote them (the legend names their laws)
    let y = p.print(&crate::lang::implicit::unleaf(&m.y));
    // each input's own term as N(μ, σ²), not as its name
    let law = |term: &crate::lang::Expr| Printer::new(style, None).print(term);
    let inputs: Vec<(String, String)> = if m.inputs.len() > 1 {
        m.inputs
            .iter()
            .map(|i| (i.name.clone(), law(&i.term)))
            .collect()
    } else {
        vec![(m.input_name.clone(), law(&m.input))]
    };
    let each = |(name, law): &(String, String)| match style {
        Style::Text => format!("{name} ~ {law}"),
        Style::Latex => format!("{} \\sim {law}", p.print(&name_expr(name))),
    };
    let all: Vec<String> = inputs.iter().map(each).collect();
    match style {
        Style::Text => format!("Y = {y},  {}", all.join(",  ")),
        Style::Latex => format!("Y = {y}, \\quad {}", all.join(", \\quad ")),
    }
}

/// Names for the preimages of a deep composition's derivation and the ends of its
/// support (see [`Names`]).
fn names<'d>(d: &'d Derivation) -> Option<Names> {
    let terms = std::iter::once(&d.cdf_start)
        .chain(d.cdf_steps.iter().map(|s| &s.term))
        .chain(std::iter::once(&d.pdf_start))
        .chain(d.pdf_steps.iter().map(|s| &s.term));
    // an end is named when it nests two maps or more (tanh(1 + 2sigmoid(1)), not
    // softplus(0) or c/2), and not where the program has a parameter called lo or hi
    let taken = d.cdf_start.as_ref().iter().any(
        |n| matches!(n, crate::lang::Node::Symbol(s) if s.as_str() == "lo" || s.as_str() == "hi"),
    );
    let named = |end: &'d End| end.value.as_ref().filter(|v| !taken && map_nesting(v) >= 2);
    Names::new([named(&d.support.lo), named(&d.support.hi)], terms)
}

/// How many maps (anything but arithmetic) nest in `e` at most.
fn map_nesting(e: &Expr) -> usize {
    use crate::lang::Node::*;
    crate::lang::nesting(e, |n| {
        !matches!(
            n,
            Num(_) | Symbol(_) | Neg(_) | Add(_) | Sub(_) | Mul(_) | Div(_)
        )
    })
}

fn name_expr(name: &str) -> Expr {
    let mut e = Expr::default();
    e.add(crate::lang::Node::Symbol(egg::Symbol::from(name)));
    e
}

fn assumptions(m: &Model) -> Vec<String> {
    m.assumptions
        .iter()
        .map(|a| format!("{} {} {}", a.name, a.relation.as_str(), a.value))
        .collect()
}

fn support_text(d: &Derivation, style: Style) -> String {
    let p = printer(d, style);
    let (inf, minus_inf) = match style {
        Style::Text => ("∞", "−∞"),
        Style::Latex => ("\\infty", "-\\infty"),
    };
    let end = |e: &End, default: &str| e.value.as_ref().map_or(default.to_string(), |v| p.print(v));
    let lo = end(&d.support.lo, minus_inf);
    let hi = end(&d.support.hi, inf);
    let open = if d.support.lo.closed { "[" } else { "(" };
    let close = if d.support.hi.closed { "]" } else { ")" };
    match style {
        Style::Text => format!("{open}{lo}, {hi}{close}"),
        Style::Latex => format!("\\left{open}{lo}, {hi}\\right{close}"),
    }
}

fn atoms_text(d: &Derivation, style: Style) -> Vec<String> {
    let p = printer(d, style);
    d.atoms
        .iter()
        .map(|a| format!("P(Y = {}) = {}", p.print(&a.at), p.print(&a.mass)))
        .collect()
}

/// The derivation as Unicode text.
pub fn to_text(d: &Derivation) -> String {
    let m = &d.model;
    let names = names(d);
    let p = printer(d, Style::Text).with_names(names.as_ref());
    let mut out = String::new();
    out.push_str(&summary(d, Style::Text));
    out.push('\n');
    let a = assumptions(m);
    if !a.is_empty() {
        out.push_str(&format!("assuming {}\n", a.join(", ")));
    }
    if let Some(names) = &names {
        for k in 0..names.defs.len() {
            let lead = if k == 0 { "where" } else { "     " };
            out.push_str(&format!(
                "{lead} {} = {}\n",
                p.abbreviation(k),
                p.definition(k)
            ));
        }
    }
    for (k, line) in sum::legend(d, Style::Text).iter().enumerate() {
        let lead = if k == 0 && names.is_none() {
            "where"
        } else {
            "     "
        };
        out.push_str(&format!(
            "{lead} {line}
"
        ));
    }
    if let Some(pc) = &d.pieces {
        for (k, line) in pieces::legend(d, pc, Style::Text).iter().enumerate() {
            let lead = if k == 0 && names.is_none() {
                "where"
            } else {
                "     "
            };
            out.push_str(&format!("{lead} {line}\n"));
        }
    }
    let block = |out: &mut String, head: &str, start: String, steps: &[Step]| {
        let pad = " ".repeat(head.chars().count());
        out.push_str(&format!("\n{head} = {start}\n"));
        if head == "F_Y(t)" && d.model.cdf_start.is_some() {
            out.push_str(&format!("{pad}     ({SPLIT})\n"));
        }
        if head == "F_Y(t)" && d.pieces.is_some() {
            out.push_str(&format!("{pad}     ({})\n", pieces::SPLIT));
        }
        let mut last = String::new();
        for s in steps {
            let line = p.print(&s.term);
            // a step that only reorders prints the same as the one before
            if line == last {
                continue;
            }
            out.push_str(&format!("{pad} = {line}\n"));
            last = line;
            out.push_str(&format!("{pad}     ({})\n", s.description()));
        }
    };
    block(
        &mut out,
        "F_Y(t)",
        format!("P(Y ≤ t) = {}", p.print(&d.cdf_start)),
        &d.cdf_steps,
    );
    block(
        &mut out,
        "f_Y(t)",
        format!("d/dt F_Y(t) = {}", p.print(&d.pdf_start)),
        &d.pdf_steps,
    );
    out.push('\n');
    let atoms = atoms_text(d, Style::Text);
    if atoms.is_empty() {
        out.push_str("atoms: none\n");
    } else {
        out.push_str(&format!("atoms: {}\n", atoms.join(", ")));
    }
    out.push_str(&format!("support: {}\n", support_text(d, Style::Text)));
    out
}

fn latex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            '<' => out.push_str("$<$"),
            '>' => out.push_str("$>$"),
            c if c.is_ascii() => out.push(c),
            // descriptions are ASCII; anything else is dropped rather than break pdflatex
            _ => out.push('?'),
        }
    }
    out
}

/// The derivation as LaTeX: one amsmath `aligned` block for the CDF, one for the PDF,
/// each in display math, and a line for the atoms and the support.
pub fn to_latex(d: &Derivation) -> String {
    let names = names(d);
    let p = printer(d, Style::Latex).with_names(names.as_ref());
    let mut out = String::new();
    out.push_str(&format!(
        "% pushforward: {}\n",
        summary(d, Style::Text).replace('\n', " ")
    ));
    out.push_str(&format!("\\[ {} \\]\n", summary(d, Style::Latex)));
    if let Some(names) = &names {
        out.push_str("\\[\n\\begin{aligned}\n");
        for k in 0..names.defs.len() {
            let sep = if k + 1 < names.defs.len() {
                " \\\\"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {} &= {}{sep}\n",
                p.abbreviation(k),
                p.definition(k)
            ));
        }
        out.push_str("\\end{aligned}\n\\]\n");
    }
    let block = |out: &mut String, first: String, steps: &[Step]| {
        out.push_str("\\[\n\\begin{aligned}\n");
        out.push_str(&first);
        let mut last = String::new();
        for s in steps {
            let line = p.print(&s.term);
            if line == last {
                continue;
            }
            out.push_str(&format!(
                " \\\\\n  &= {line} && \\text{{{}}}",
                latex_escape(&s.description())
            ));
            last = line;
        }
        out.push_str("\n\\end{aligned}\n\\]\n");
    };
    let legend = d
        .pieces
        .as_ref()
        .map(|pc| pieces::legend(d, pc, Style::Latex))
        .or_else(|| Some(sum::legend(d, Style::Latex)));
    if let Some(lines) = legend.filter(|l| !l.is_empty()) {
        out.push_str("\\begin{itemize}\n");
        for line in lines {
            out.push_str(&format!("  \\item {line}\n"));
        }
        out.push_str("\\end{itemize}\n");
    }
    let split = if d.model.cdf_start.is_some() {
        Some(SPLIT)
    } else if d.pieces.is_some() {
        Some(pieces::SPLIT)
    } else {
        None
    };
    let first = if let Some(split) = split {
        format!(
            "F_Y(t) &= P(Y \\le t) = {} && \\text{{{}}}",
            p.print(&d.cdf_start),
            latex_escape(split)
        )
    } else {
        format!("F_Y(t) &= P(Y \\le t) = {}", p.print(&d.cdf_start))
    };
    block(&mut out, first, &d.cdf_steps);
    block(
        &mut out,
        format!(
            "f_Y(t) &= \\frac{{d}}{{dt}} F_Y(t) = {}",
            p.print(&d.pdf_start)
        ),
        &d.pdf_steps,
    );
    let atoms = atoms_text(d, Style::Latex);
    let atoms = if atoms.is_empty() {
        "\\text{no atoms}".to_string()
    } else {
        atoms.join(", \\quad ")
    };
    out.push_str(&format!(
        "\\[ {atoms}, \\qquad \\operatorname{{supp}} Y = {} \\]\n",
        support_text(d, Style::Latex)
    ));
    out
}

fn term_json(e: &Expr, d: &Derivation) -> Value {
    json!({
        "sexp": e.to_string(),
        "text": printer(d, Style::Text).print(e),
        "latex": printer(d, Style::Latex).print(e),
    })
}

fn steps_json(steps: &[Step], d: &Derivation) -> Value {
    Value::Array(
        steps
            .iter()
            .map(|s| {
                json!({
                    "rules": s.rules,
                    "description": s.description(),
                    "term": term_json(&s.term, d),
                })
            })
            .collect(),
    )
}

/// The derivation as JSON.
pub fn to_json(d: &Derivation) -> Value {
    let m = &d.model;
    let end = |e: &End| {
        json!({
            "value": e.value.as_ref().map(|v| term_json(v, d)),
            "closed": e.closed,
        })
    };
    let mut out = json!({
        "program": {
            "input": m.input_name,
            "inputs": m.inputs.iter().map(|i| json!({
                "name": i.name,
                "law": Printer::new(Style::Text, None).print(&i.term),
            })).collect::<Vec<_>>(),
            "output": m.output_name,
            "y": term_json(&m.y, d),
            "parameters": m.params.keys().collect::<Vec<_>>(),
            "assumptions": assumptions(m),
        },
        "cdf": term_json(&d.cdf, d),
        "pdf": term_json(&d.pdf, d),
        "density": term_json(&d.density, d),
        "atoms": d.atoms.iter().map(|a| json!({"at": term_json(&a.at, d), "mass": term_json(&a.mass, d)})).collect::<Vec<_>>(),
        "support": {"lo": end(&d.support.lo), "hi": end(&d.support.hi), "text": support_text(d, Style::Text)},
        "steps": {
            "cdf": steps_json(&d.cdf_steps, d),
            "pdf": steps_json(&d.pdf_steps, d),
        },
        "pieces": d.pieces.as_ref().map(|pc| pieces::json(d, pc)),
        "egraph": {"cdf": d.cdf_stats, "pdf": d.pdf_stats},
    });
    // a weighted sum of iid copies of a non-Normal law: what it names
    let sum = sum::json(d);
    if !sum.is_null() {
        out["sum"] = sum;
    }
    out
}
