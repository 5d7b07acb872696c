//! From egg's explanation to the steps shown to the user: one line per rewrite, algebra
//! merged into the line before it, and detours that come back to a term dropped.

use super::search::Record;
use super::Step;
use crate::lang::{Expr, Runner};
use crate::rules::{self, Family};

/// Turn egg's explanation into derivation steps: one per rewrite, with consecutive
/// algebra steps merged into one.
pub(super) fn steps(runner: &mut Runner, record: &Record, start: &Expr, end: &Expr) -> Vec<Step> {
    let explanation = runner.explain_equivalence(start, end);
    let flat = match super::explain::flatten(&explanation.explanation_trees) {
        Ok(flat) => flat,
        Err(super::explain::TooLong) => {
            // one step, labelled with every rule that fired in the phase
            let mut rules = vec![rules::CONDENSED.to_string()];
            rules.extend(record.fired.iter().cloned());
            return vec![Step {
                term: end.clone(),
                rules,
            }];
        }
    };
    // algebra joins the step before it: a line shows a rule and its tidying-up. Only
    // the last term of each line is built.
    let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, term) in flat.iter().enumerate().skip(1) {
        let rule = term
            .rule()
            .map_or_else(|| "congruence".to_string(), |r| r.to_string());
        match groups.last_mut() {
            // the jumps stay visible on their own line before they are simplified
            Some((last, rules))
                if rules::family(&rule) == Family::Algebra
                    && rules[0] != rules::D_DISTRIBUTIONAL =>
            {
                *last = i;
                rules.push(rule);
            }
            _ => groups.push((i, vec![rule])),
        }
    }
    let mut builder = super::explain::Builder::default();
    groups
        .into_iter()
        .map(|(i, rules)| Step {
            term: builder.expr(&flat[i]),
            rules,
        })
        .collect()
}

/// Drop detours: when a step returns to a term seen before, the steps in between
/// changed nothing.
pub(super) fn prune_cycles(steps: Vec<Step>) -> Vec<Step> {
    // each term hashed once by its structure, the same however its nodes are laid out
    // (printing every term to compare took a tenth of a 20-layer derivation)
    let mut out: Vec<(u64, Step)> = Vec::new();
    for s in steps {
        let key = crate::lang::structural_hash(&s.term);
        if let Some(k) = out
            .iter()
            .position(|(o, prev)| *o == key && prev.term.to_string() == s.term.to_string())
        {
            out.truncate(k + 1);
            continue;
        }
        out.push((key, s));
    }
    out.into_iter().map(|(_, s)| s).collect()
}
