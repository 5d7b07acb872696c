//! Diagnosis of a derivation that fails: a standard deviation not known to be positive,
//! a limit reached, or a construct with no closed form, each told with what to change.

use super::search::{stats, Readable};
use crate::error::{Error, ErrorKind, Result};
use crate::lang::subterm;
use crate::lang::{EGraph, Expr, Node, Runner, Sign};
use crate::lower::Model;
use egg::{Extractor, StopReason};

/// The standard deviation must be provably positive; a compound one (`2*s`) is checked
/// here, where the analysis can prove it from the assumptions.
pub(super) fn check_std(egraph: &mut EGraph, model: &Model) -> Result<()> {
    let id = egraph.add_expr(&model.std);
    if egraph[id].data.sign != Sign::POS {
        let names: Vec<String> = model
            .std
            .as_ref()
            .iter()
            .filter_map(|n| match n {
                Node::Symbol(s) => Some(format!("assume {s} > 0")),
                _ => None,
            })
            .collect();
        return Err(Error::new(
            ErrorKind::MissingAssumption,
            format!(
                "cannot prove that the standard deviation {} is positive",
                crate::lang::print::text(&model.std, None)
            ),
        )
        .at(model.input_span, "standard deviation")
        .help(if names.is_empty() {
            "the standard deviation must be positive".to_string()
        } else {
            format!("add {}", names.join(" and "))
        }));
    }
    Ok(())
}

pub(super) fn limit_or(runner: &Runner, otherwise: Error) -> Error {
    match &runner.stop_reason {
        Some(
            StopReason::IterationLimit(_) | StopReason::NodeLimit(_) | StopReason::TimeLimit(_),
        ) => {
            let s = stats(runner, runner.iterations.len());
            Error::new(
                ErrorKind::Limit,
                format!(
                    "the derivation stopped at the {} before reaching a closed form",
                    s.stop_reason
                ),
            )
            .help("simplify the program, or split it into smaller steps")
        }
        _ => otherwise,
    }
}

/// The error for a CDF that the rules could not reduce: name the missing assumption if
/// a rule asked for one, and point at the construct that is left.
pub(super) fn no_closed_form(model: &Model, runner: &Runner, best: &Expr) -> Error {
    // the innermost unresolved probability is the construct the rules could not handle
    let stuck = best.as_ref().iter().enumerate().find_map(|(i, n)| match n {
        Node::Cdf([y, _]) | Node::CdfLt([y, _]) | Node::CdfIn([y, _]) => Some((i, *y)),
        _ => None,
    });
    let stuck_term = stuck.map(|(_, y)| subterm(best, y));
    let span = stuck_term
        .as_ref()
        .and_then(|e| {
            let h = crate::lang::structural_hash(e);
            model
                .origins
                .iter()
                .rev()
                .find(|(o, _)| *o == h)
                .map(|(_, sp)| *sp)
        })
        .or_else(|| model.origins.last().map(|(_, sp)| *sp));
    let what = stuck_term
        .as_ref()
        .map(|e| crate::lang::print::text(e, Some(model.names())))
        .unwrap_or_else(|| model.output_name.clone());
    let extractor = Extractor::new(&runner.egraph, Readable);
    let mut wanted: Vec<String> = Vec::new();
    let mut hints: Vec<String> = Vec::new();
    // a random argument that is not positive (log) or non-negative (sqrt) almost surely
    let mut domain: Option<(String, crate::lang::Need)> = None;
    for m in &runner.egraph.analysis.missing {
        let (_, term) = extractor.find_best(m.class);
        if runner.egraph[m.class].data.random && domain.is_none() {
            domain = Some((crate::lang::print::text(&term, Some(model.names())), m.need));
        }
        // only facts about the program's parameters can be assumed
        if let [Node::Symbol(s)] = term.as_ref() {
            let fact = format!("{s} {}", m.need.relation());
            if !wanted.contains(&fact) {
                wanted.push(fact.clone());
                hints.push(format!("`assume {fact}`"));
            }
        }
    }
    let base = limit_or(runner, Error::new(ErrorKind::Unsupported, ""));
    if base.kind == ErrorKind::Limit {
        return base;
    }
    // the domain message only where the construct left is a log or sqrt
    let partial = stuck_term.as_ref().is_some_and(|e| {
        e.as_ref()
            .iter()
            .any(|n| matches!(n, Node::Log(_) | Node::Sqrt(_)))
    });
    if let (Some((arg, fact)), true, true) = (&domain, wanted.is_empty(), partial) {
        let (need, instead) = match fact {
            crate::lang::Need::Positive => (
                "positive",
                "log(abs(E)), log(softplus(E)) or log(relu(E) + c) with c > 0",
            ),
            _ => ("non-negative", "sqrt(abs(E)) or sqrt(relu(E))"),
        };
        let mut e = Error::new(
            ErrorKind::Unsupported,
            format!("no closed form for the law of {what}: its argument {arg} must be {need} almost surely, and it is not"),
        )
        .help(format!("write for example {instead}"));
        if let Some(span) = span {
            e = e.at(span, "argument not in the domain");
        }
        return e;
    }
    let mut e = if wanted.is_empty() {
        Error::new(
            ErrorKind::Unsupported,
            format!("no closed form for the law of {what}"),
        )
        .help("pushforward handles monotone maps, relu, leaky_relu, maxpool, and conv of any law it derives (numerically where the law is not Normal)")
    } else {
        let mut e = Error::new(
            ErrorKind::MissingAssumption,
            format!(
                "no closed form for the law of {what} without knowing that {}",
                wanted.join(" or ")
            ),
        );
        if !hints.is_empty() {
            e = e.help(format!("add {}", hints.join(" or ")));
        }
        e
    };
    if let Some(span) = span {
        e = e.at(span, "needs this");
    }
    e
}
