//! Derivation: from a [`Model`] to the CDF and PDF of its output, each with the steps
//! that lead to it.
//!
//! Two e-graphs, both with explanations enabled before any term is added:
//! 1. the CDF: `(cdf Y t)` saturated with the Normal, CDF and algebra rules, the result
//!    extracted with [`Readable`];
//! 2. the PDF: `(D F)` for that F. The one step that is not a rewrite rule is the
//!    derivative in the sense of distributions: `D F = Dc F + Σ (F(c+) − F(c−)) δ(t − c)`
//!    over the points c where a bracket of F jumps, with the one-sided values computed
//!    on the term by `one_sided`. It enters the e-graph as a trusted union named
//!    `d-distributional`; derivative and algebra rules do the rest.
//!
//! A strictly monotone map of a Normal (tanh, sigmoid, exp, ... and affine steps,
//! composed: `Data::chain`) takes a shorter road through the same two e-graphs. Its
//! support (lo, hi) is computed first, by carrying an interval through the maps, and
//! two steps that are not rewrites write what that gives: `cdf-support`,
//! `F = [t ≥ hi] + [lo < t < hi]·P(Y ≤ t)` with t inside the support (`cdf-in`), and
//! `d-continuous`, `D F = [lo < t < hi]·d/dt P(Y ≤ t)` (no atoms). Inside the support the
//! `cdf-in` and `pdf-in` rules peel one map each and add no bracket, so that n layers
//! take n steps each way. Those phases search the e-graph only where the last rewrite
//! left a new node (`walk`), then once in whole to confirm egg's saturation: n
//! rewrites in time linear in n, where egg's runner searches the whole e-graph n times.
//!
//! The derivation shown to the user is egg's explanation of why the result equals the
//! start, one step per rewrite, runs of algebra merged into one "simplify" step. The
//! final tidying phases are algebra only and keep no explanation.
//!
//! The phases live in files of their own: `search` (the runner, the walk and the
//! extraction cost), `support` (the interval that holds the output), `atoms` (the jumps
//! of a CDF and the point masses of a PDF), `steps` (egg's explanations as steps) and
//! `diagnose` (the errors of a derivation that does not reach a closed form).

mod atoms;
mod diagnose;
mod explain;
mod multi;
pub mod pieces;
mod polynomial;
mod search;
mod steps;
mod sum;
mod support;

pub use search::Readable;
pub use sum::numeric_parts;

use crate::error::{Error, ErrorKind, Result};
use crate::lang::{append, EGraph, Expr, Facts, Node, Num, Runner};
use crate::lower::Model;
use crate::rules::{self, Family};
use atoms::{jump_terms, split_atoms};
use diagnose::{check_std, limit_or, no_closed_form};
use egg::{Extractor, Id};
use search::{phase, run_phase, tidy_phase, Search, UNRESOLVED};
use std::time::Duration;
use steps::prune_cycles;
use support::support;

/// Bounds on one derivation. Reaching one is an error, never a partial answer.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub iterations: usize,
    pub nodes: usize,
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            iterations: 100,
            nodes: 20_000,
            time: Duration::from_secs(5),
        }
    }
}

/// One line of a derivation: the whole expression after a step, and the rules used.
#[derive(Clone, Debug)]
pub struct Step {
    pub term: Expr,
    /// Rule names, in the order they fired; one name unless algebra steps were merged.
    /// A final tidying step (algebra only, not explained) lists every rule that fired in
    /// its phase.
    pub rules: Vec<String>,
}

impl Step {
    /// The step's label in plain words.
    pub fn description(&self) -> String {
        if self.rules.first().map(String::as_str) == Some(rules::CONDENSED) {
            return format!(
                "{} ({})",
                rules::describe(rules::CONDENSED),
                self.rules[1..].join(", ")
            );
        }
        let mut words: Vec<String> = Vec::new();
        for r in &self.rules {
            if rules::family(r) == Family::Algebra {
                continue;
            }
            let d = rules::describe(r);
            if !words.contains(&d) {
                words.push(d);
            }
        }
        if self
            .rules
            .iter()
            .any(|r| rules::family(r) == Family::Algebra)
        {
            words.push("simplify".to_string());
        }
        words.join("; ")
    }
}

/// A point mass of the output's law.
#[derive(Clone, Debug)]
pub struct Atom {
    pub at: Expr,
    pub mass: Expr,
}

/// One end of the support.
#[derive(Clone, Debug)]
pub struct End {
    /// `None` for −∞ (lower end) or +∞ (upper end).
    pub value: Option<Expr>,
    pub closed: bool,
}

/// The smallest interval that holds the output (its values, atoms included).
#[derive(Clone, Debug)]
pub struct Support {
    pub lo: End,
    pub hi: End,
}

/// Size of the e-graph work behind a derivation.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    /// egg's iterations; for a chain's walk, its rewrites (see `walk`).
    pub iterations: usize,
    pub nodes: usize,
    pub classes: usize,
    pub stop_reason: String,
}

/// A derived law: CDF and PDF with their derivations, atoms and support.
#[derive(Clone, Debug)]
pub struct Derivation {
    pub model: Model,
    /// `(cdf Y t)`, the start of the CDF derivation.
    pub cdf_start: Expr,
    pub cdf: Expr,
    pub cdf_steps: Vec<Step>,
    /// `(D F)`, the start of the PDF derivation.
    pub pdf_start: Expr,
    /// The PDF with its Dirac terms.
    pub pdf: Expr,
    pub pdf_steps: Vec<Step>,
    /// The PDF without its Dirac terms: the density of the continuous part.
    pub density: Expr,
    pub atoms: Vec<Atom>,
    pub support: Support,
    pub cdf_stats: Stats,
    pub pdf_stats: Stats,
    /// For a map of the input derived by its monotone pieces: the inverses and points
    /// its formulas name.
    pub pieces: Option<pieces::Pieces>,
    /// For a sum at the root (`conv(E, w)` of a non-Normal E, a sum of independent
    /// terms): each part's own derivation, whose laws the sum's formulas name (`sum.rs`).
    pub inner: Vec<Derivation>,
    /// The sums of non-Normal terms inside the output, each a leaf `(law K A)` of the
    /// model's term: their derivations, in the order of the leaves (`sum::leaves`).
    pub laws: Vec<Derivation>,
    /// The numeric laws the formulas read with the copies of each, where the model's
    /// term does not show them (a mixture over a mask's outcomes, `multi.rs`).
    pub numeric: Option<Vec<(usize, f64)>>,
}

/// Derive the CDF and PDF of a model's output.
pub fn derive(model: &Model, limits: Limits) -> Result<Derivation> {
    // several inputs: the law from independent parts
    if model.several() {
        return multi::derive(model, limits);
    }
    // a weighted sum of iid copies of a non-Normal law: E's law, and the sum named
    if let Some(d) = sum::derive(model, limits)? {
        return Ok(d);
    }
    // a sum of non-Normal terms inside the output: a leaf with a numeric law
    let (leafed, laws) = sum::leaves(model, limits)?;
    let model = &leafed;
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);

    // 1. the CDF: derive with the CDF rules, then tidy
    // a program with `if` starts from P(Y ≤ t) already split over its pieces
    let by_pieces = if pieces::applies(model) {
        Some(pieces::split(model, &facts, limits)?)
    } else {
        None
    };
    let cdf_start = match (&model.cdf_start, &by_pieces) {
        (Some(split), _) => split.clone(),
        (None, Some((split, _, _))) => split.clone(),
        (None, None) => {
            let mut start = model.y.clone();
            let y = Id::from(start.as_ref().len() - 1);
            let t = start.add(Node::T);
            start.add(Node::Cdf([y, t]));
            start
        }
    };
    let chain = {
        let mut egraph = EGraph::new(facts.clone());
        check_std(&mut egraph, model)?;
        model.cdf_start.is_none() && by_pieces.is_none() && is_chain(&mut egraph, &model.y)
    };
    let (support, pieces) = match by_pieces {
        Some((_, support, pieces)) => (support, Some(pieces)),
        None => (support(model, limits)?, None),
    };
    let (cdf, cdf_steps, cdf_stats) =
        derive_cdf(model, &cdf_start, chain, &support, &facts, limits)?;

    // 2. the PDF, as the derivative of the CDF in the sense of distributions: first the
    // jumps' one-sided values, then the classical part, then tidying. Each phase is its
    // own e-graph, so that its explanation is the short path a person would write.
    let (pdf_start, pdf, mut pdf_steps, pdf_stats) =
        derive_pdf(model, &cdf, chain, &support, &facts, limits)?;
    let (pdf, density, atoms) = point_masses(pdf, &mut pdf_steps, &facts, limits)?;
    Ok(Derivation {
        model: model.clone(),
        cdf_start,
        cdf,
        cdf_steps: prune_cycles(cdf_steps),
        pdf_start,
        pdf,
        pdf_steps: prune_cycles(pdf_steps),
        density,
        atoms,
        support,
        cdf_stats,
        pdf_stats,
        pieces,
        inner: Vec::new(),
        laws,
        numeric: None,
    })
}

/// The CDF from `cdf_start`: derived, then tidied; with its steps and the figures of the
/// derivation.
fn derive_cdf(
    model: &Model,
    cdf_start: &Expr,
    chain: bool,
    support: &Support,
    facts: &Facts,
    limits: Limits,
) -> Result<(Expr, Vec<Step>, Stats)> {
    // a strictly monotone map of a Normal: derived inside its support, one rule per map
    // (the `cdf` rules would solve each map's range bracket again through every map
    // around it)
    let inside = chain.then(|| inside_support(&model.y, support));
    let derived = if let Some(inside) = &inside {
        run_phase(
            cdf_start,
            Some((inside, rules::CDF_SUPPORT)),
            rules::for_chain(),
            facts,
            limits,
            Search::Walk,
        )
    } else {
        phase(cdf_start, None, rules::for_cdf(), facts, limits)
    };
    if derived.cost >= UNRESOLVED {
        return Err(no_closed_form(model, &derived.runner, &derived.best));
    }
    let tidied = tidy_phase(
        &derived.best,
        rules::for_simplify(),
        facts,
        tidy_limits(limits),
    );
    let cdf = tidied.best.clone();
    let mut cdf_steps = derived.steps;
    cdf_steps.extend(tidied.steps);
    let cdf_stats = derived.stats;
    Ok((cdf, cdf_steps, cdf_stats))
}

/// The PDF as `(D F)` for the CDF F, and what it derives to: the jumps, the classical
/// derivative, then tidying; with its steps and the figures of the classical part.
fn derive_pdf(
    model: &Model,
    cdf: &Expr,
    chain: bool,
    support: &Support,
    facts: &Facts,
    limits: Limits,
) -> Result<(Expr, Expr, Vec<Step>, Stats)> {
    let mut pdf_start = cdf.clone();
    let f = Id::from(pdf_start.as_ref().len() - 1);
    pdf_start.add(Node::D(f));
    let (jumped_best, jumped_steps) = if chain {
        // no atoms: D F is the classical derivative, [lo < t < hi]·d/dt P(Y ≤ t) inside
        // the support, where the density rules peel one map at a time. One step by a
        // known identity, not an extraction (with μ = 0 and σ = 1 the closed form D F was
        // the cheaper term, and the step was dropped); and not d/dt of F as first
        // written, whose bracket [t ≥ hi] differentiates to 0, after which explanations
        // wrote a μ = 0 as ([t ≥ hi])′
        let classical = inside_support_derivative(&model.y, support);
        let step = Step {
            term: classical.clone(),
            rules: vec![rules::D_CONTINUOUS.to_string()],
        };
        (classical, vec![step])
    } else {
        let mut split = cdf.clone();
        let dc = split.add(Node::Dc(f));
        let jumps = jump_terms(cdf)?;
        let j = append(&mut split, &jumps);
        split.add(Node::Add([dc, j]));
        let jumped = phase(
            &pdf_start,
            Some((&split, rules::D_DISTRIBUTIONAL)),
            rules::for_tidy(),
            facts,
            jump_limits(limits),
        );
        (jumped.best, jumped.steps)
    };
    // deep compositions differentiate without regrouping quotients (see for_pdf)
    let regroup = inverse_nesting(cdf) < DEEP_NESTING;
    let pdf_rules = if chain {
        rules::for_chain_pdf()
    } else {
        rules::for_pdf(regroup)
    };
    let search = if chain {
        Search::Walk
    } else {
        Search::Saturate
    };
    let differentiated = run_phase(&jumped_best, None, pdf_rules, facts, limits, search);
    if differentiated.cost >= UNRESOLVED {
        return Err(limit_or(
            &differentiated.runner,
            Error::new(
                ErrorKind::Unsupported,
                "the CDF was derived but its derivative has no closed form",
            ),
        ));
    }
    let tidied = tidy_phase(
        &differentiated.best,
        rules::for_simplify(),
        facts,
        Limits {
            iterations: limits.iterations.min(if chain {
                CHAIN_TIDY_ITERATIONS
            } else {
                PDF_TIDY_ITERATIONS
            }),
            ..limits
        },
    );
    let pdf = tidied.best.clone();
    let pdf_stats = differentiated.stats;
    let mut pdf_steps = jumped_steps;
    pdf_steps.extend(differentiated.steps);
    pdf_steps.extend(tidied.steps);
    Ok((pdf_start, pdf, pdf_steps, pdf_stats))
}

/// The PDF split into its density and atoms, each mass simplified once more; the atoms
/// of mass 0 dropped, and the PDF written again without them as one more step.
fn point_masses(
    pdf: Expr,
    pdf_steps: &mut Vec<Step>,
    facts: &Facts,
    limits: Limits,
) -> Result<(Expr, Expr, Vec<Atom>)> {
    let (density, mut atoms) = split_atoms(&pdf)?;
    // a mass the phases left unsimplified (a limit inside a long derivation) gets one
    // more pass of its own; a mass that is exactly 0 is no atom
    let tidy = rules::for_tidy();
    for a in &mut atoms {
        a.mass = simplify(&a.mass, limits, facts, tidy);
    }
    let before = atoms.len();
    atoms.retain(|a| !polynomial::surely_zero(&a.mass));
    let mut pdf = pdf;
    if atoms.len() < before {
        // the PDF again without the Dirac terms of mass 0
        let mut e = density.clone();
        let mut acc = Id::from(e.as_ref().len() - 1);
        for a in &atoms {
            let m = append(&mut e, &a.mass);
            let t = e.add(Node::T);
            let at = append(&mut e, &a.at);
            let d = e.add(Node::Sub([t, at]));
            let delta = e.add(Node::Delta(d));
            let term = e.add(Node::Mul([m, delta]));
            acc = e.add(Node::Add([acc, term]));
        }
        let tidied = simplify(&e, limits, facts, rules::for_tidy());
        pdf_steps.push(Step {
            term: tidied.clone(),
            rules: vec![rules::ZERO_MASS.to_string()],
        });
        pdf = tidied;
    }
    Ok((pdf, density, atoms))
}

/// Whether `y` is a strictly monotone map of a Normal (`Data::chain`) through at least
/// one map that is not affine (an affine map of a Normal is a Normal, which the
/// closure rules derive).
fn is_chain(egraph: &mut EGraph, y: &Expr) -> bool {
    let root = egraph.add_expr(y);
    egraph[root].data.chain && y.as_ref().iter().any(crate::lang::is_chain_map)
}

/// P(Y ≤ t) = [t ≥ hi] + [lo < t < hi]·P(Y ≤ t inside the support), for a Y whose
/// support (lo, hi) is open and whose law has no atoms; an infinite end has no bracket.
fn inside_support(y: &Expr, support: &Support) -> Expr {
    let mut e = y.clone();
    let y = Id::from(e.as_ref().len() - 1);
    let t = e.add(Node::T);
    let inner = e.add(Node::CdfIn([y, t]));
    let (inside, hi) = support_brackets(&mut e, support);
    let body = match inside {
        Some(b) => e.add(Node::Mul([b, inner])),
        None => inner,
    };
    if let Some(v) = hi {
        let above = e.add(Node::Ge([t, v]));
        e.add(Node::Add([above, body]));
    }
    e
}

/// d/dt P(Y ≤ t) = [lo < t < hi]·d/dt P(Y ≤ t inside the support): the CDF of such a Y
/// is continuous, and constant outside the support.
fn inside_support_derivative(y: &Expr, support: &Support) -> Expr {
    let mut e = y.clone();
    let y = Id::from(e.as_ref().len() - 1);
    let t = e.add(Node::T);
    let inner = e.add(Node::CdfIn([y, t]));
    let d = e.add(Node::Dc(inner));
    if let (Some(b), _) = support_brackets(&mut e, support) {
        e.add(Node::Mul([b, d]));
    }
    e
}

/// Add [lo < t < hi] (the brackets of the finite ends) to `e`: the product of the
/// brackets, if any, and the upper end, if finite. An end at ±∞ (log of a term that
/// reaches 0) has no bracket.
fn support_brackets(e: &mut Expr, support: &Support) -> (Option<Id>, Option<Id>) {
    let finite = |end: &End| {
        end.value
            .as_ref()
            .filter(|v| {
                !matches!(
                    v.as_ref().last(),
                    Some(Node::Num(Num::NegInf | Num::PosInf))
                )
            })
            .cloned()
    };
    let (lo, hi) = (finite(&support.lo), finite(&support.hi));
    // nothing is added for a support of R: the caller's last node stays its root
    if lo.is_none() && hi.is_none() {
        return (None, None);
    }
    let t = e.add(Node::T);
    let lower = lo.map(|v| {
        let v = append(e, &v);
        e.add(Node::Gt([t, v]))
    });
    let hi = hi.map(|v| append(e, &v));
    let upper = hi.map(|v| e.add(Node::Gt([v, t])));
    let both = match (lower, upper) {
        (Some(l), Some(u)) => Some(e.add(Node::Mul([l, u]))),
        (one, None) | (None, one) => one,
    };
    (both, hi)
}

/// Inverse maps nested this deep in a CDF (artanh(logit(artanh(t)))) make its
/// derivative a tower of quotients: see `rules::for_pdf`.
const DEEP_NESTING: usize = 3;

/// The most inverse maps (artanh, logit, log, roots, exp, softsign's inverse) on one
/// path from the root of `e` to a leaf.
fn inverse_nesting(e: &Expr) -> usize {
    crate::lang::nesting(e, |node| {
        matches!(
            node,
            Node::Atanh(_)
                | Node::Logit(_)
                | Node::Log(_)
                | Node::Root(_)
                | Node::Sqrt(_)
                | Node::Exp(_)
                | Node::SoftsignInv(_)
        )
    })
}

/// Reordering rules never saturate quickly: the final tidying gets a few iterations,
/// enough to group brackets and fold fractions. Stopping there is not an error, since
/// every term in the e-graph equals the start.
fn tidy_limits(limits: Limits) -> Limits {
    Limits {
        iterations: limits.iterations.min(TIDY_ITERATIONS),
        ..limits
    }
}

const TIDY_ITERATIONS: usize = 6;

/// The one-sided values at jumps are constants folded by the non-reordering algebra
/// rules, which settle in a few iterations; past that the e-graph only grows.
fn jump_limits(limits: Limits) -> Limits {
    Limits {
        iterations: limits.iterations.min(JUMP_ITERATIONS),
        ..limits
    }
}

const JUMP_ITERATIONS: usize = 12;

/// The PDF's final tidying: enough to merge brackets and fractions in the examples'
/// derivations; unbounded, it grows the e-graph with reorderings and takes most of a
/// derivation's time.
const PDF_TIDY_ITERATIONS: usize = 10;

/// The PDF of a chain of n maps is a product of n quotients, which each iteration of
/// the reordering rules regroups, at a cost that grows fast with the iterations; four
/// give the same result as ten at three and five layers.
const CHAIN_TIDY_ITERATIONS: usize = 4;

/// Simplify a real term with the algebra rules (no explanation needed).
pub fn simplify(e: &Expr, limits: Limits, facts: &Facts, rules: &[crate::lang::Rewrite]) -> Expr {
    let mut egraph = EGraph::new(facts.clone());
    let root = egraph.add_expr(e);
    let runner = Runner::default()
        .with_egraph(egraph)
        .with_iter_limit(limits.iterations.min(10))
        .with_node_limit(limits.nodes.min(5_000))
        .with_time_limit(limits.time)
        .run(rules);
    let root = runner.egraph.find(root);
    let (_, best) = Extractor::new(&runner.egraph, Readable).find_best(root);
    best
}
