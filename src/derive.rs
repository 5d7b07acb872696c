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

use crate::error::{Error, ErrorKind, Result};
use crate::lang::subterm;
use crate::lang::{EGraph, Expr, Facts, Node, Num, Runner, Sign};
use crate::lower::Model;
use crate::rules::{self, Family};
use egg::{CostFunction, ENodeOrVar, Extractor, Id, Language, PatternAst, StopReason, Subst};
use std::collections::HashMap;
use std::time::Duration;

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
}

/// The cost of an operator that a closed form must not contain.
const UNRESOLVED: f64 = 1e6;

/// Extraction cost: small terms, with the forms a person writes preferred (`a − b`
/// over `a + (−b)`, finite constants over limits, Iverson brackets grouped in front of
/// what they multiply), and unresolved operators (`cdf`, `D`, ...) priced out.
pub struct Readable;

/// A cost, and whether the term is a product of brackets or contains one.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Cost {
    pub value: f64,
    is_bracket: bool,
    has_bracket: bool,
    has_t: bool,
    is_t: bool,
}

/// Added for a bracket buried inside something other than a product of brackets.
const BURIED_BRACKET: f64 = 4.0;
/// Added for a bracket not solved for t (`[logit(t) > 0]` rather than `[t > 1/2]`):
/// the jumps of a CDF are read off solved brackets. Large, since a solved bracket of a
/// deep composition carries a threshold nested as deep (at eight tanh/sigmoid layers
/// its cost passed 1000, and the unsolved form was extracted).
const UNSOLVED_BRACKET: f64 = 100_000.0;

impl CostFunction<Node> for Readable {
    type Cost = Cost;
    fn cost<C>(&mut self, enode: &Node, mut costs: C) -> Cost
    where
        C: FnMut(Id) -> Cost,
    {
        let own = match enode {
            // D costs more than Dc so that its split into Dc plus jumps is preferred
            Node::D(_) => 2.0 * UNRESOLVED,
            Node::Cdf(_) | Node::CdfLt(_) | Node::CdfIn(_) | Node::PdfIn(_) | Node::Dc(_) => {
                UNRESOLVED
            }
            Node::Conv(_) | Node::WSum(_) | Node::WSq(_) => 20.0,
            Node::Num(Num::PosInf | Num::NegInf) => 30.0,
            Node::Abs(_) => 3.0,
            Node::Neg(_) => 1.2,
            // an integer reads better than a fraction: t/2 over (1/2)·t, 10t over t/(1/10)
            Node::Num(Num::Rat(r)) if !r.is_integer() => 1.5,
            Node::Num(_) | Node::Symbol(_) | Node::T => 1.0,
            _ => 2.0,
        };
        let children: Vec<Cost> = enode.children().iter().map(|c| costs(*c)).collect();
        let mut value = own + children.iter().map(|c| c.value).sum::<f64>();
        let has_bracket =
            matches!(enode, Node::Ge(_) | Node::Gt(_)) || children.iter().any(|c| c.has_bracket);
        let is_bracket = match enode {
            Node::Ge(_) | Node::Gt(_) => true,
            Node::Mul(_) => children.iter().all(|c| c.is_bracket),
            _ => false,
        };
        let buried = match enode {
            // a product may hold a group of brackets and a bracket-free factor
            Node::Mul(_) => children
                .iter()
                .filter(|c| c.has_bracket && !c.is_bracket)
                .count(),
            // sums and differences of bracketed terms are how piecewise laws read
            Node::Add(_)
            | Node::Sub(_)
            | Node::Neg(_)
            | Node::Cdf(_)
            | Node::CdfLt(_)
            | Node::CdfIn(_)
            | Node::D(_)
            | Node::Dc(_) => 0,
            Node::Ge(_) | Node::Gt(_) => 0,
            _ => children.iter().filter(|c| c.has_bracket).count(),
        };
        value += BURIED_BRACKET * buried as f64;
        if matches!(enode, Node::Ge(_) | Node::Gt(_)) && children.iter().any(|c| c.has_t && !c.is_t)
        {
            value += UNSOLVED_BRACKET;
        }
        let is_t = matches!(enode, Node::T);
        let has_t = is_t || children.iter().any(|c| c.has_t);
        Cost {
            value,
            is_bracket,
            has_bracket,
            has_t,
            is_t,
        }
    }
}

/// Derive the CDF and PDF of a model's output.
pub fn derive(model: &Model, limits: Limits) -> Result<Derivation> {
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);

    // 1. the CDF: derive with the CDF rules, then tidy
    // a program with `if` starts from P(Y ≤ t) already split over its pieces
    let cdf_start = match &model.cdf_start {
        Some(split) => split.clone(),
        None => {
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
        model.cdf_start.is_none() && is_chain(&mut egraph, &model.y)
    };
    let support = support(model, limits)?;
    // a strictly monotone map of a Normal: derived inside its support, one rule per map
    // (the `cdf` rules would solve each map's range bracket again through every map
    // around it)
    let inside = chain.then(|| inside_support(&model.y, &support));
    let derived = if let Some(inside) = &inside {
        run_phase(
            &cdf_start,
            Some((inside, rules::CDF_SUPPORT)),
            rules::for_chain(),
            &facts,
            limits,
            Search::Walk,
        )
    } else {
        phase(&cdf_start, None, rules::for_cdf(), &facts, limits)
    };
    if derived.cost >= UNRESOLVED {
        return Err(no_closed_form(model, &derived.runner, &derived.best));
    }
    let tidied = tidy_phase(
        &derived.best,
        rules::for_simplify(),
        &facts,
        tidy_limits(limits),
    );
    let cdf = tidied.best.clone();
    let mut cdf_steps = derived.steps;
    cdf_steps.extend(tidied.steps);
    let cdf_stats = derived.stats;

    // 2. the PDF, as the derivative of the CDF in the sense of distributions: first the
    // jumps' one-sided values, then the classical part, then tidying. Each phase is its
    // own e-graph, so that its explanation is the short path a person would write.
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
        let classical = inside_support_derivative(&model.y, &support);
        let step = Step {
            term: classical.clone(),
            rules: vec![rules::D_CONTINUOUS.to_string()],
        };
        (classical, vec![step])
    } else {
        let mut split = cdf.clone();
        let dc = split.add(Node::Dc(f));
        let jumps = jump_terms(&cdf)?;
        let j = append(&mut split, &jumps);
        split.add(Node::Add([dc, j]));
        let jumped = phase(
            &pdf_start,
            Some((&split, rules::D_DISTRIBUTIONAL)),
            rules::for_tidy(),
            &facts,
            jump_limits(limits),
        );
        (jumped.best, jumped.steps)
    };
    // deep compositions differentiate without regrouping quotients (see for_pdf)
    let regroup = inverse_nesting(&cdf) < DEEP_NESTING;
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
    let differentiated = run_phase(&jumped_best, None, pdf_rules, &facts, limits, search);
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
        &facts,
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
    let (density, mut atoms) = split_atoms(&pdf)?;
    // a mass the phases left unsimplified (a limit inside a long derivation) gets one
    // more pass of its own; a mass that is exactly 0 is no atom
    let tidy = rules::for_tidy();
    for a in &mut atoms {
        a.mass = simplify(&a.mass, limits, &facts, tidy);
    }
    let before = atoms.len();
    atoms.retain(|a| !crate::normal_form::surely_zero(&a.mass));
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
        let tidied = simplify(&e, limits, &facts, rules::for_tidy());
        pdf_steps.push(Step {
            term: tidied.clone(),
            rules: vec![rules::ZERO_MASS.to_string()],
        });
        pdf = tidied;
    }
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
    })
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
/// derivations; unbounded (100 iterations) it took 130 ms of the 160 of a two-layer
/// composition, growing the e-graph with reorderings.
const PDF_TIDY_ITERATIONS: usize = 10;

/// The PDF of a chain of n maps is a product of n quotients, which each iteration of
/// the reordering rules regroups: ten iterations took 33 of the 39 ms of five tanh and
/// sigmoid layers. Four give the same result at three and five layers.
const CHAIN_TIDY_ITERATIONS: usize = 4;

/// One rewriting phase on its own e-graph, explained from `start` to the best term.
struct Phase {
    best: Expr,
    cost: f64,
    steps: Vec<Step>,
    stats: Stats,
    runner: Runner,
}

/// How a phase applies its rules.
#[derive(Clone, Copy, PartialEq)]
enum Search {
    /// egg's runner: every rule over the whole e-graph, iteration after iteration; the
    /// steps are egg's explanation.
    Saturate,
    /// egg's runner, no explanation: the steps are one, naming the rules that fired.
    Unexplained,
    /// [`walk`]: the same fixpoint, searched only where the last rewrite changed
    /// something; the steps are egg's explanation.
    Walk,
}

/// A phase saturated by egg's runner and shown as egg's explanation.
fn phase(
    start: &Expr,
    trusted: Option<(&Expr, &str)>,
    rules: &[crate::lang::Rewrite],
    facts: &Facts,
    limits: Limits,
) -> Phase {
    run_phase(start, trusted, rules, facts, limits, Search::Saturate)
}

/// A phase of algebra rules only: its steps would be merged into one "simplify" step
/// anyway, so the e-graph keeps no explanation, and the step names the rules that
/// fired. Explaining the final tidying of a 20-layer composition's density took 19 ms
/// (its reorderings make long proofs) for that one step.
fn tidy_phase(
    start: &Expr,
    rules: &[crate::lang::Rewrite],
    facts: &Facts,
    limits: Limits,
) -> Phase {
    run_phase(start, None, rules, facts, limits, Search::Unexplained)
}

/// One phase on its own e-graph, searched as `search` says; a chain's phases (`cdf-in`
/// and `pdf-in` peel one map each) are a [`walk`].
fn run_phase(
    start: &Expr,
    trusted: Option<(&Expr, &str)>,
    rules: &[crate::lang::Rewrite],
    facts: &Facts,
    limits: Limits,
    search: Search,
) -> Phase {
    let explain = search != Search::Unexplained;
    // egg's greedy shortening of explanations costs more than the rest of a phase, and
    // each phase is short already
    let mut egraph = EGraph::new(facts.clone());
    if explain {
        egraph = egraph
            .with_explanations_enabled()
            .without_explanation_length_optimization();
    }
    let start_id = egraph.add_expr_uncanonical(start);
    if let Some((rhs, name)) = trusted {
        let rhs_id = egraph.add_expr_uncanonical(rhs);
        egraph.union_trusted(start_id, rhs_id, name);
        egraph.rebuild();
    }
    let (mut runner, record) = if search == Search::Walk {
        walk(egraph, rules, limits)
    } else {
        let runner = make_runner(egraph, limits).run(rules);
        let record = Record::of(&runner);
        (runner, record)
    };
    let root = runner.egraph.find(start_id);
    let (cost, best) = extract_best(&runner.egraph, root);
    // a result no simpler than the start (only reordered) is not worth a step
    let start_cost = Readable.cost_rec(start).value;
    if cost.value >= start_cost - 1e-9 {
        let stats = stats(&runner, record.rounds);
        return Phase {
            best: start.clone(),
            cost: start_cost,
            steps: Vec::new(),
            stats,
            runner,
        };
    }
    let steps = if explain {
        steps(&mut runner, &record, start, &best)
    } else {
        vec![Step {
            term: best.clone(),
            rules: record.fired.clone(),
        }]
    };
    Phase {
        best,
        cost: cost.value,
        steps,
        stats: stats(&runner, record.rounds),
        runner,
    }
}

/// The cheapest term of `root`'s class by [`Readable`], as egg's `Extractor` finds it:
/// in each class the first node of least cost. egg passes over every class until no
/// cost changes, one pass for each class whose best node points to a class made after
/// it, as a chain's density does one map deeper each (quadratic in depth: 2.7 ms of
/// a 40-layer derivation). Here a class is costed again only when a child's cost fell.
pub fn extract_best(egraph: &EGraph, root: Id) -> (Cost, Expr) {
    let mut costs: rustc_hash::FxHashMap<Id, (Cost, Node)> = Default::default();
    let mut work: std::collections::VecDeque<Id> = egraph.classes().map(|c| c.id).collect();
    let mut queued: rustc_hash::FxHashSet<Id> = work.iter().copied().collect();
    while let Some(class) = work.pop_front() {
        queued.remove(&class);
        let best = egraph[class]
            .iter()
            .filter(|n| n.all(|c| costs.contains_key(&egraph.find(c))))
            .map(|n| (Readable.cost(n, |c| costs[&egraph.find(c)].0), n))
            .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        let Some((cost, node)) = best else { continue };
        if costs.get(&class).is_none_or(|(old, _)| cost < *old) {
            costs.insert(class, (cost, node.clone()));
            for parent in egraph[class].parents() {
                let parent = egraph.find(parent);
                if queued.insert(parent) {
                    work.push_back(parent);
                }
            }
        }
    }
    match costs.get(&egraph.find(root)) {
        Some((cost, node)) => (
            *cost,
            node.build_recexpr(|c| costs[&egraph.find(c)].1.clone()),
        ),
        // a class with no finite term: egg's extractor says so
        None => Extractor::new(egraph, Readable).find_best(root),
    }
}

/// Drop detours: when a step returns to a term seen before, the steps in between
/// changed nothing.
fn prune_cycles(steps: Vec<Step>) -> Vec<Step> {
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

/// Saturate `egraph` with `rules`, searching only where a rewrite may have made a new
/// match: the nodes not searched yet of the class it rewrote, and of the parents of the
/// random terms its match bound (where a right-hand side such as `1 − P(E ≤ s)` puts
/// its new node). A chain of n maps takes n such rewrites, each matching a few nodes,
/// where egg's runner searches the whole e-graph in each of n iterations, and egg's
/// search of a class all its nodes (the class of P(Y ≤ t) gains one per map): both
/// quadratic in n, and the runner's iteration limit ended chains of 34 layers. When
/// nothing is left to search, egg's own search of the whole e-graph confirms the
/// fixpoint, or starts the walk again from what it found, so that the result is egg's
/// saturation. Bounded by the node and time limits; the runner returned holds the
/// e-graph and why the walk stopped.
fn walk(mut egraph: EGraph, rules: &[crate::lang::Rewrite], limits: Limits) -> (Runner, Record) {
    let started = std::time::Instant::now();
    egraph.rebuild();
    let mut record = Record::default();
    let mut work: Vec<Id> = egraph.classes().map(|c| c.id).collect();
    // the nodes searched, canonical when they were (a node whose children merged since
    // is searched again)
    let mut searched: rustc_hash::FxHashSet<Node> = Default::default();
    let stop = 'walk: loop {
        while let Some(class) = work.pop() {
            if egraph.total_size() > limits.nodes {
                break 'walk StopReason::NodeLimit(egraph.total_size());
            }
            if started.elapsed() > limits.time {
                break 'walk StopReason::TimeLimit(started.elapsed().as_secs_f64());
            }
            let class = egraph.find(class);
            let fresh: Vec<Node> = egraph[class]
                .iter()
                .filter(|n| !searched.contains(*n))
                .cloned()
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let mut found: Found = Vec::new();
            for rule in rules {
                match rule.searcher.get_pattern_ast() {
                    Some(ast) => {
                        let substs: Vec<Subst> = fresh
                            .iter()
                            .flat_map(|n| match_node(&egraph, ast, n))
                            .collect();
                        if !substs.is_empty() {
                            let ast = Some(std::borrow::Cow::Borrowed(ast));
                            let eclass = class;
                            found.push((
                                rule,
                                egg::SearchMatches {
                                    eclass,
                                    substs,
                                    ast,
                                },
                            ));
                        }
                    }
                    None => found.extend(
                        rule.searcher
                            .search_eclass(&egraph, class)
                            .map(|m| (rule, m)),
                    ),
                }
            }
            searched.extend(fresh);
            work.extend(rewrite(&mut egraph, found, &mut record));
        }
        // nothing left to rewrite in the whole e-graph is saturation
        let found = search_all(rules, &egraph);
        let rounds = record.rounds;
        work = rewrite(&mut egraph, found, &mut record);
        record.confirmed += record.rounds - rounds;
        if work.is_empty() {
            break StopReason::Saturated;
        }
    };
    let mut runner = Runner::default().with_egraph(egraph);
    runner.stop_reason = Some(stop);
    (runner, record)
}

/// The substitutions under which the pattern `ast` matches at the e-node `node` itself
/// (egg's searches start from a class).
fn match_node(egraph: &EGraph, ast: &PatternAst<Node>, node: &Node) -> Vec<Subst> {
    let root = Id::from(ast.as_ref().len() - 1);
    match &ast[root] {
        ENodeOrVar::ENode(p) if p.matches(node) => {
            match_children(egraph, ast, p, node, vec![Subst::default()])
        }
        _ => Vec::new(),
    }
}

/// The children of `node` matched against those of the pattern node `p`, extending
/// each of `substs`.
fn match_children(
    egraph: &EGraph,
    ast: &PatternAst<Node>,
    p: &Node,
    node: &Node,
    substs: Vec<Subst>,
) -> Vec<Subst> {
    p.children()
        .iter()
        .zip(node.children())
        .fold(substs, |substs, (pat, class)| {
            if substs.is_empty() {
                return substs;
            }
            match_class(egraph, ast, *pat, *class, substs)
        })
}

/// The pattern node `pat` matched against the class `class`, extending each of `substs`.
fn match_class(
    egraph: &EGraph,
    ast: &PatternAst<Node>,
    pat: Id,
    class: Id,
    substs: Vec<Subst>,
) -> Vec<Subst> {
    let class = egraph.find(class);
    match &ast[pat] {
        ENodeOrVar::Var(v) => substs
            .into_iter()
            .filter_map(|mut s| match s.get(*v) {
                Some(bound) => (egraph.find(*bound) == class).then_some(s),
                None => {
                    s.insert(*v, class);
                    Some(s)
                }
            })
            .collect(),
        ENodeOrVar::ENode(p) => egraph[class]
            .iter()
            .filter(|n| p.matches(n))
            .flat_map(|n| match_children(egraph, ast, p, n, substs.clone()))
            .collect(),
    }
}

type Found<'a> = Vec<(&'a crate::lang::Rewrite, egg::SearchMatches<'a, Node>)>;

/// Every match of every rule, by egg's index of classes by operator.
fn search_all<'a>(rules: &'a [crate::lang::Rewrite], egraph: &EGraph) -> Found<'a> {
    rules
        .iter()
        .flat_map(|rule| rule.search(egraph).into_iter().map(move |m| (rule, m)))
        .collect()
}

/// Apply the matches `found` (searched on the clean e-graph, as egg requires) and
/// rebuild; the classes where a rewrite may have made a new match: each class a rewrite
/// changed, and the parents of the random terms its match bound, where a right-hand
/// side such as `1 − P(E ≤ s)` puts its new node (parents of constants and t would be
/// much of the e-graph).
fn rewrite(egraph: &mut EGraph, found: Found, record: &mut Record) -> Vec<Id> {
    let mut next = Vec::new();
    if found.is_empty() {
        return next;
    }
    let mut bound: Vec<Id> = Vec::new();
    for (rule, matches) in found {
        let class = matches.eclass;
        let vars = rule.searcher.vars();
        for subst in &matches.substs {
            bound.extend(vars.iter().filter_map(|v| subst.get(*v)));
        }
        if !rule.apply(egraph, &[matches]).is_empty() {
            record.rounds += 1;
            record.fired(rule.name);
            next.push(class);
        }
    }
    // an application that unioned nothing may still have added nodes
    egraph.rebuild();
    if !next.is_empty() {
        next.extend(
            bound
                .into_iter()
                .filter(|b| egraph[*b].data.random)
                .flat_map(|b| egraph[b].parents()),
        );
    }
    next
}

/// What a phase's search did: its rounds (a runner's iterations, a walk's rewrites)
/// and the rules that fired, in the order they first did.
#[derive(Default)]
struct Record {
    rounds: usize,
    fired: Vec<String>,
    /// The rewrites of a walk that its confirming search found (none, when the walk
    /// searched everywhere a match could be).
    confirmed: usize,
}

impl Record {
    fn of(runner: &Runner) -> Record {
        let mut record = Record {
            rounds: runner.iterations.len(),
            ..Record::default()
        };
        for it in &runner.iterations {
            for name in it.applied.keys() {
                record.fired(*name);
            }
        }
        record
    }

    fn fired(&mut self, rule: egg::Symbol) {
        if !self.fired.iter().any(|f| f == rule.as_str()) {
            self.fired.push(rule.to_string());
        }
    }
}

fn make_runner(egraph: EGraph, limits: Limits) -> Runner {
    Runner::default()
        .with_egraph(egraph)
        .with_iter_limit(limits.iterations)
        .with_node_limit(limits.nodes)
        .with_time_limit(limits.time)
}

/// A phase's figures: `rounds` its runner's iterations or its walk's rewrites.
fn stats(runner: &Runner, rounds: usize) -> Stats {
    Stats {
        iterations: rounds,
        nodes: runner.egraph.total_size(),
        classes: runner.egraph.number_of_classes(),
        stop_reason: match &runner.stop_reason {
            Some(StopReason::Saturated) => "saturated".into(),
            Some(StopReason::IterationLimit(n)) => format!("iteration limit ({n})"),
            Some(StopReason::NodeLimit(n)) => format!("node limit ({n})"),
            Some(StopReason::TimeLimit(s)) => format!("time limit ({s:.2} s)"),
            Some(StopReason::Other(s)) => s.clone(),
            None => "not run".into(),
        },
    }
}

/// The standard deviation must be provably positive; a compound one (`2*s`) is checked
/// here, where the analysis can prove it from the assumptions.
fn check_std(egraph: &mut EGraph, model: &Model) -> Result<()> {
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

fn limit_or(runner: &Runner, otherwise: Error) -> Error {
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
fn no_closed_form(model: &Model, runner: &Runner, best: &Expr) -> Error {
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
    let mut domain: Option<(String, crate::lang::Fact)> = None;
    for m in &runner.egraph.analysis.missing {
        let (_, term) = extractor.find_best(m.class);
        if runner.egraph[m.class].data.random && domain.is_none() {
            domain = Some((crate::lang::print::text(&term, Some(model.names())), m.fact));
        }
        // only facts about the program's parameters can be assumed
        if let [Node::Symbol(s)] = term.as_ref() {
            let fact = format!("{s} {}", m.fact.relation());
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
            crate::lang::Fact::Positive => (
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
        .help("pushforward handles monotone maps, relu, leaky_relu, maxpool and conv of a Normal; conv of a non-Normal has no closed form")
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

/// Turn egg's explanation into derivation steps: one per rewrite, with consecutive
/// algebra steps merged into one.
fn steps(runner: &mut Runner, record: &Record, start: &Expr, end: &Expr) -> Vec<Step> {
    let explanation = runner.explain_equivalence(start, end);
    let flat = match crate::explain::flatten(&explanation.explanation_trees) {
        Ok(flat) => flat,
        Err(crate::explain::TooLong) => {
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
    let mut builder = crate::explain::Builder::default();
    groups
        .into_iter()
        .map(|(i, rules)| Step {
            term: builder.expr(&flat[i]),
            rules,
        })
        .collect()
}

/// Append `other` to `expr`, returning the id of its root in `expr`.
fn append(expr: &mut Expr, other: &Expr) -> Id {
    let offset = expr.as_ref().len();
    for node in other.as_ref() {
        let n = node
            .clone()
            .map_children(|c| Id::from(usize::from(c) + offset));
        expr.add(n);
    }
    Id::from(expr.as_ref().len() - 1)
}

fn is_t(e: &Expr, id: Id) -> bool {
    matches!(e[id], Node::T)
}

fn has_t(e: &Expr, id: Id) -> bool {
    is_t(e, id) || e[id].children().iter().any(|c| has_t(e, *c))
}

/// Points c where a bracket `[t ≥ c]`, `[t > c]`, `[c ≥ t]` or `[c > t]` of F jumps.
fn thresholds(f: &Expr) -> Result<Vec<Expr>> {
    let mut out: Vec<Expr> = Vec::new();
    for (i, node) in f.as_ref().iter().enumerate() {
        if let Node::Ge([a, b]) | Node::Gt([a, b]) = node {
            let c = if is_t(f, *a) && !has_t(f, *b) {
                *b
            } else if is_t(f, *b) && !has_t(f, *a) {
                *a
            } else if !has_t(f, *a) && !has_t(f, *b) {
                continue;
            } else {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "cannot locate the jumps of the CDF: the bracket {} is not solved for t",
                        crate::lang::print::text(&subterm(f, Id::from(i)), None)
                    ),
                )
                .help("rewrite the transform with fewer nested maps, or report the program: pushforward lacks a rule to solve this bracket"));
            };
            let c = subterm(f, c);
            if !out.iter().any(|o| same_point(o, &c)) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// Whether two thresholds are one point: the same term, or constants without
/// parameters with the same value in f64 (softplus(0) and log(2) are one jump, not two).
fn same_point(a: &Expr, b: &Expr) -> bool {
    if a.to_string() == b.to_string() {
        return true;
    }
    let value = |e: &Expr| {
        crate::eval::Compiled::new(e, &crate::eval::Values::default())
            .ok()
            .map(|c| c.eval(0.0))
            .filter(|v| v.is_finite())
    };
    matches!((value(a), value(b)), (Some(x), Some(y)) if x == y)
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Right,
    Left,
}

/// F(c±): substitute t = c, with each bracket that jumps at c taking its value on
/// that side. A function at the edge of its domain (artanh at 1, log at 0) is folded
/// later to its limit from inside, the only side it can be approached from.
fn one_sided(f: &Expr, c: &Expr, side: Side) -> Expr {
    let cs = c.to_string();
    let mut out = Expr::default();
    let mut memo: HashMap<Id, Id> = HashMap::new();
    for (i, node) in f.as_ref().iter().enumerate() {
        let i = Id::from(i);
        let new = match node {
            Node::T => append(&mut out, c),
            Node::Ge([a, b]) | Node::Gt([a, b]) => {
                let at = |x: Id| {
                    let x = subterm(f, x);
                    x.to_string() == cs || same_point(&x, c)
                };
                let value = if is_t(f, *a) && at(*b) {
                    // [t ≥ c], [t > c]: 1 just right of c, 0 just left
                    Some(side == Side::Right)
                } else if is_t(f, *b) && at(*a) {
                    Some(side == Side::Left)
                } else {
                    None
                };
                // the sides after substitution
                let numbers = |x: Id, y: Id| match (&out[memo[&x]], &out[memo[&y]]) {
                    (Node::Num(p), Node::Num(q)) => Some((p.clone(), q.clone())),
                    _ => None,
                };
                // a bracket between two numbers is decided on the spot
                let value = value.or_else(|| {
                    numbers(*a, *b).map(|(p, q)| {
                        if matches!(node, Node::Ge(_)) {
                            p >= q
                        } else {
                            p > q
                        }
                    })
                });
                match value {
                    Some(v) => out.add(Node::Num(Num::int(v as i64))),
                    None => out.add(node.clone().map_children(|ch| memo[&ch])),
                }
            }
            _ => {
                let n = node.clone().map_children(|ch| memo[&ch]);
                let zero = |id: &Id| matches!(&out[*id], Node::Num(v) if *v == Num::int(0));
                let one = |id: &Id| matches!(&out[*id], Node::Num(v) if *v == Num::int(1));
                // with the brackets decided, a false one is a strong zero and a true one
                // a factor 1: evaluating them is part of taking the one-sided value
                match &n {
                    Node::Mul([a, _]) if zero(a) => *a,
                    Node::Mul([_, b]) if zero(b) => *b,
                    Node::Mul([a, b]) if one(a) => *b,
                    Node::Mul([a, b]) if one(b) => *a,
                    Node::Add([a, b]) if zero(a) => *b,
                    Node::Add([a, b]) if zero(b) => *a,
                    _ => out.add(n),
                }
            }
        };
        memo.insert(i, new);
    }
    // the root may have simplified to one of its children
    let root = memo[&Id::from(f.as_ref().len() - 1)];
    subterm(&out, root)
}

/// Σ over the jump points c of (F(c+) − F(c−))·δ(t − c), or 0 when F has no brackets.
fn jump_terms(f: &Expr) -> Result<Expr> {
    let mut out = Expr::default();
    let mut sum: Option<Id> = None;
    for c in thresholds(f)? {
        let plus = append(&mut out, &one_sided(f, &c, Side::Right));
        let minus = append(&mut out, &one_sided(f, &c, Side::Left));
        let jump = out.add(Node::Sub([plus, minus]));
        let t = out.add(Node::T);
        let cid = append(&mut out, &c);
        let shifted = out.add(Node::Sub([t, cid]));
        let delta = out.add(Node::Delta(shifted));
        let term = out.add(Node::Mul([jump, delta]));
        sum = Some(match sum {
            Some(s) => out.add(Node::Add([s, term])),
            None => term,
        });
    }
    if sum.is_none() {
        out.add(Node::Num(Num::int(0)));
    }
    Ok(out)
}

/// Split a PDF into its density (no Dirac terms) and its atoms `m·δ(t − c)`.
fn split_atoms(pdf: &Expr) -> Result<(Expr, Vec<Atom>)> {
    let root = Id::from(pdf.as_ref().len() - 1);
    // the terms of the sum, with Dirac terms distributed out of products such as
    // Φ(−1/σ)·(δ(t + 1) + δ(t − 1))
    let mut summands: Vec<(Vec<Id>, bool)> = Vec::new();
    collect_terms(pdf, root, false, Vec::new(), &mut summands);
    let mut rest: Vec<(Id, bool)> = Vec::new();
    let mut atoms = Vec::new();
    for (factors, negated) in summands {
        let s = *factors.last().unwrap_or(&root);
        if !factors.iter().any(|f| contains_delta(pdf, *f)) {
            if factors.len() == 1 {
                rest.push((s, negated));
                continue;
            }
            return Err(odd_atom(pdf, s));
        }
        let mut flat = Vec::new();
        for f in &factors {
            collect_product(pdf, *f, &mut flat);
        }
        let factors = flat;
        let deltas: Vec<Id> = factors
            .iter()
            .copied()
            .filter(|f| matches!(pdf[*f], Node::Delta(_)))
            .collect();
        let others: Vec<Id> = factors
            .iter()
            .copied()
            .filter(|f| !matches!(pdf[*f], Node::Delta(_)))
            .collect();
        if deltas.len() != 1
            || others
                .iter()
                .any(|f| contains_delta(pdf, *f) || has_t(pdf, *f))
        {
            return Err(odd_atom(pdf, s));
        }
        let delta = deltas[0];
        let mass = if others.is_empty() {
            None
        } else {
            let mut e = Expr::default();
            let mut acc: Option<Id> = None;
            for f in &others {
                let id = append(&mut e, &subterm(pdf, *f));
                acc = Some(match acc {
                    Some(a) => e.add(Node::Mul([a, id])),
                    None => id,
                });
            }
            Some(e)
        };
        let Node::Delta(arg) = pdf[delta] else {
            return Err(odd_atom(pdf, s));
        };
        let at = match &pdf[arg] {
            Node::T => {
                let mut e = Expr::default();
                e.add(Node::Num(Num::int(0)));
                e
            }
            Node::Sub([a, c]) if is_t(pdf, *a) && !has_t(pdf, *c) => subterm(pdf, *c),
            Node::Add([a, c]) | Node::Add([c, a]) if is_t(pdf, *a) && !has_t(pdf, *c) => {
                let mut e = subterm(pdf, *c);
                let r = Id::from(e.as_ref().len() - 1);
                e.add(Node::Neg(r));
                e
            }
            _ => return Err(odd_atom(pdf, s)),
        };
        let mut mass = match mass {
            Some(m) => m,
            None => {
                let mut e = Expr::default();
                e.add(Node::Num(Num::int(1)));
                e
            }
        };
        if negated {
            let r = Id::from(mass.as_ref().len() - 1);
            mass.add(Node::Neg(r));
        }
        atoms.push(Atom { at, mass });
    }
    let mut density = Expr::default();
    let mut acc: Option<Id> = None;
    for (r, negated) in rest {
        let id = append(&mut density, &subterm(pdf, r));
        acc = Some(match (acc, negated) {
            (Some(a), false) => density.add(Node::Add([a, id])),
            (Some(a), true) => density.add(Node::Sub([a, id])),
            (None, false) => id,
            (None, true) => density.add(Node::Neg(id)),
        });
    }
    if acc.is_none() {
        density.add(Node::Num(Num::int(0)));
    }
    Ok((density, atoms))
}

fn odd_atom(pdf: &Expr, s: Id) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!(
            "the PDF has a Dirac term that is not of the form m·δ(t − c): {}",
            subterm(pdf, s)
        ),
    )
}

/// The terms of a sum with their signs (`true` for a term that is subtracted), each
/// as the factors it is a product of. A sum that holds a Dirac term inside a product
/// is distributed; other terms stay whole (one factor).
fn collect_terms(
    e: &Expr,
    id: Id,
    negated: bool,
    factors: Vec<Id>,
    out: &mut Vec<(Vec<Id>, bool)>,
) {
    let sum_with_delta =
        |x: Id| matches!(e[x], Node::Add(_) | Node::Sub(_) | Node::Neg(_)) && contains_delta(e, x);
    match &e[id] {
        Node::Add([a, b]) => {
            collect_terms(e, *a, negated, factors.clone(), out);
            collect_terms(e, *b, negated, factors, out);
        }
        Node::Sub([a, b]) => {
            collect_terms(e, *a, negated, factors.clone(), out);
            collect_terms(e, *b, !negated, factors, out);
        }
        Node::Neg(a) => collect_terms(e, *a, !negated, factors, out),
        Node::Mul([a, b]) if sum_with_delta(*a) || sum_with_delta(*b) => {
            let (sum, other) = if sum_with_delta(*a) {
                (*a, *b)
            } else {
                (*b, *a)
            };
            let mut factors = factors;
            factors.push(other);
            collect_terms(e, sum, negated, factors, out);
        }
        _ => {
            let mut factors = factors;
            factors.push(id);
            out.push((factors, negated));
        }
    }
}

fn collect_product(e: &Expr, id: Id, out: &mut Vec<Id>) {
    match &e[id] {
        Node::Mul([a, b]) => {
            collect_product(e, *a, out);
            collect_product(e, *b, out);
        }
        _ => out.push(id),
    }
}

fn contains_delta(e: &Expr, id: Id) -> bool {
    matches!(e[id], Node::Delta(_)) || e[id].children().iter().any(|c| contains_delta(e, *c))
}

/// The support of the output, by carrying an interval through its maps.
fn support(model: &Model, limits: Limits) -> Result<Support> {
    let y = &model.y;
    let (lo, hi) = if model.pieces.is_empty() {
        interval(y, Id::from(y.as_ref().len() - 1), &model.signs)
    } else {
        // a program with `if`: the union of its pieces' ranges
        let mut lo: Option<End> = None;
        let mut hi: Option<End> = None;
        for p in &model.pieces {
            let (l, h) = interval(p, Id::from(p.as_ref().len() - 1), &model.signs);
            // closed only where every piece reaches its end
            lo = Some(match lo {
                Some(prev) => join_ends(prev, l, true),
                None => l,
            });
            hi = Some(match hi {
                Some(prev) => join_ends(prev, h, false),
                None => h,
            });
        }
        let open = || End {
            value: None,
            closed: false,
        };
        (lo.unwrap_or_else(open), hi.unwrap_or_else(open))
    };
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
    let simplify_end = |end: End| -> End {
        End {
            value: end
                .value
                .map(|v| simplify(&v, limits, &facts, rules::for_simplify())),
            closed: end.closed,
        }
    };
    Ok(Support {
        lo: simplify_end(lo),
        hi: simplify_end(hi),
    })
}

/// The lower (`low`) or upper end of a union of two intervals: min or max of the two
/// ends, closed only where both are.
fn join_ends(a: End, b: End, low: bool) -> End {
    let value = match (a.value, b.value) {
        (Some(u), Some(v)) => {
            let mut e = u;
            let i = Id::from(e.as_ref().len() - 1);
            let j = append(&mut e, &v);
            e.add(if low {
                Node::Min([i, j])
            } else {
                Node::Max([i, j])
            });
            Some(e)
        }
        _ => None,
    };
    let closed = value.is_some() && a.closed && b.closed;
    End { value, closed }
}

fn interval(y: &Expr, id: Id, signs: &HashMap<egg::Symbol, Sign>) -> (End, End) {
    let open = |v: Option<Expr>| End {
        value: v,
        closed: false,
    };
    let full = (open(None), open(None));
    let apply = |op: fn(Id) -> Node, end: &End| -> Option<Expr> {
        end.value.as_ref().map(|v| {
            let mut e = v.clone();
            let r = Id::from(e.as_ref().len() - 1);
            e.add(op(r));
            e
        })
    };
    let number = |s: &str| -> Expr { crate::lang::expr(s).unwrap_or_default() };
    let map =
        |inner: (End, End), op: fn(Id) -> Node, lo: Option<&str>, hi: Option<&str>| -> (End, End) {
            let (a, b) = inner;
            let lo_v = apply(op, &a).or_else(|| lo.map(number));
            let hi_v = apply(op, &b).or_else(|| hi.map(number));
            (
                End {
                    value: lo_v,
                    closed: a.closed && a.value.is_some(),
                },
                End {
                    value: hi_v,
                    closed: b.closed && b.value.is_some(),
                },
            )
        };
    // a node over an end and constants from y: `f(end, c1, ...)`
    let with_consts = |end: &Expr, make: &dyn Fn(Id, &[Id]) -> Node, consts: &[Id]| -> Expr {
        let mut e = end.clone();
        let v = Id::from(e.as_ref().len() - 1);
        let cs: Vec<Id> = consts
            .iter()
            .map(|c| append(&mut e, &subterm(y, *c)))
            .collect();
        e.add(make(v, &cs));
        e
    };
    let closed = |v: Option<Expr>| End {
        value: v,
        closed: true,
    };
    let max: fn(Id, Id) -> Node = |x, c| Node::Max([x, c]);
    let min: fn(Id, Id) -> Node = |x, c| Node::Min([x, c]);
    // the end `op(end, c)` on the side where `op` is bounded by `c`:
    // always reached, and `c` itself when the end is infinite
    let bounded = |end: &End, op: fn(Id, Id) -> Node, c: Id| -> End {
        closed(Some(match &end.value {
            Some(v) => with_consts(v, &|x, k| op(x, k[0]), &[c]),
            None => subterm(y, c),
        }))
    };
    // the end `op(end, c)` on the side `op` leaves as it was (open or closed)
    let pushed = |end: &End, op: fn(Id, Id) -> Node, c: Id| -> End {
        End {
            value: end
                .value
                .as_ref()
                .map(|v| with_consts(v, &|x, k| op(x, k[0]), &[c])),
            closed: end.closed,
        }
    };
    if !is_random(y, id) {
        let point = subterm(y, id);
        return (
            End {
                value: Some(point.clone()),
                closed: true,
            },
            End {
                value: Some(point),
                closed: true,
            },
        );
    }
    match &y[id] {
        Node::Normal(_) | Node::Conv(_) => full,
        Node::MinPool([a, _]) => interval(y, *a, signs),
        Node::Ite([_, _, a, b]) => {
            // the union of the branches' ranges
            let ((la, ha), (lb, hb)) = (interval(y, *a, signs), interval(y, *b, signs));
            (join_ends(la, lb, true), join_ends(ha, hb, false))
        }
        Node::Softsign(a) => map(
            interval(y, *a, signs),
            Node::Softsign,
            Some("-1"),
            Some("1"),
        ),
        Node::Abs(a) | Node::Pow([a, _]) => {
            let (lo, hi) = interval(y, *a, signs);
            let odd = matches!(&y[id], Node::Pow([_, n]) if matches!(&y[*n], Node::Num(k) if k.rat().is_some_and(|r| r.is_integer() && r.to_integer() % 2 != 0.into())));
            let power = |v: &Expr| match &y[id] {
                Node::Pow([_, n]) => with_consts(v, &|x, c| Node::Pow([x, c[0]]), &[*n]),
                _ => with_consts(v, &|x, _| Node::Abs(x), &[]),
            };
            if odd {
                // an odd power is increasing
                return (
                    End {
                        value: lo.value.as_ref().map(power),
                        closed: lo.closed,
                    },
                    End {
                        value: hi.value.as_ref().map(power),
                        closed: hi.closed,
                    },
                );
            }
            // |E| and even powers of a term of one sign (numbers at its ends): monotone
            let value = |e: &End| {
                e.value.as_ref().and_then(|v| {
                    crate::eval::Compiled::new(v, &crate::eval::Values::default())
                        .ok()
                        .map(|c| c.eval(0.0))
                        .filter(|x| x.is_finite())
                })
            };
            let image = |e: &End| End {
                value: e.value.as_ref().map(|v| {
                    if value(e) == Some(0.0) {
                        number("0")
                    } else {
                        power(v)
                    }
                }),
                closed: e.closed && e.value.is_some(),
            };
            if value(&lo).is_some_and(|v| v >= 0.0) {
                return (image(&lo), image(&hi));
            }
            if value(&hi).is_some_and(|v| v <= 0.0) {
                return (image(&hi), image(&lo));
            }
            // otherwise from 0 (reached at E = 0) to the larger end
            let top = match (&lo.value, &hi.value) {
                (Some(l), Some(h)) => {
                    let mut e = power(l);
                    let a = Id::from(e.as_ref().len() - 1);
                    let b = append(&mut e, &power(h));
                    e.add(Node::Max([a, b]));
                    Some(e)
                }
                _ => None,
            };
            (
                closed(Some(number("0"))),
                End {
                    value: top,
                    closed: lo.closed && hi.closed,
                },
            )
        }
        Node::Clamp([a, l, h]) => {
            let (lo, hi) = interval(y, *a, signs);
            (bounded(&lo, max, *l), bounded(&hi, min, *h))
        }
        Node::Max([a, c]) => {
            let (lo, hi) = interval(y, *a, signs);
            (bounded(&lo, max, *c), pushed(&hi, max, *c))
        }
        Node::Min([a, c]) => {
            let (lo, hi) = interval(y, *a, signs);
            (pushed(&lo, min, *c), bounded(&hi, min, *c))
        }
        Node::Elu([a, al]) => {
            let (lo, hi) = interval(y, *a, signs);
            let lo_v = match &lo.value {
                Some(v) => with_consts(v, &|x, k| Node::Elu([x, k[0]]), &[*al]),
                None => {
                    let mut e = subterm(y, *al);
                    let r = Id::from(e.as_ref().len() - 1);
                    e.add(Node::Neg(r));
                    e
                }
            };
            (
                End {
                    value: Some(lo_v),
                    closed: lo.closed && lo.value.is_some(),
                },
                pushed(&hi, |x, k| Node::Elu([x, k]), *al),
            )
        }
        Node::Tanh(a) => map(interval(y, *a, signs), Node::Tanh, Some("-1"), Some("1")),
        Node::Sigmoid(a) => map(interval(y, *a, signs), Node::Sigmoid, Some("0"), Some("1")),
        Node::Exp(a) => map(interval(y, *a, signs), Node::Exp, Some("0"), None),
        Node::Softplus(a) => map(interval(y, *a, signs), Node::Softplus, Some("0"), None),
        Node::Log(a) => map(interval(y, *a, signs), Node::Log, None, None),
        Node::Sqrt(a) => map(interval(y, *a, signs), Node::Sqrt, Some("0"), None),
        Node::Relu(a) => {
            let (lo, hi) = interval(y, *a, signs);
            // everything below 0 lands on 0: an atom, so the lower end is closed
            let lo = match lo.value {
                None => End {
                    value: Some(number("0")),
                    closed: true,
                },
                Some(v) => {
                    let closed = lo.closed;
                    let mut e = v;
                    let r = Id::from(e.as_ref().len() - 1);
                    e.add(Node::Relu(r));
                    End {
                        value: Some(e),
                        closed,
                    }
                }
            };
            (
                lo,
                End {
                    value: apply(Node::Relu, &hi),
                    closed: hi.closed,
                },
            )
        }
        Node::MaxPool([a, _]) => interval(y, *a, signs),
        Node::Neg(a) => {
            let (lo, hi) = interval(y, *a, signs);
            (
                End {
                    value: apply(Node::Neg, &hi),
                    closed: hi.closed,
                },
                End {
                    value: apply(Node::Neg, &lo),
                    closed: lo.closed,
                },
            )
        }
        Node::Add([a, b])
        | Node::Sub([a, b])
        | Node::Mul([a, b])
        | Node::Div([a, b])
        | Node::LeakyRelu([a, b]) => {
            let a_random = is_random(y, *a);
            let (r, c) = if a_random { (*a, *b) } else { (*b, *a) };
            let (lo, hi) = interval(y, r, signs);
            let c_expr = subterm(y, c);
            let combine = |end: &End| -> Option<Expr> {
                end.value.as_ref().map(|v| {
                    let mut e = v.clone();
                    let vi = Id::from(e.as_ref().len() - 1);
                    let ci = append(&mut e, &c_expr);
                    let node = match &y[id] {
                        Node::Add(_) => Node::Add([vi, ci]),
                        Node::Sub(_) if a_random => Node::Sub([vi, ci]),
                        Node::Sub(_) => Node::Sub([ci, vi]),
                        Node::Mul(_) => Node::Mul([ci, vi]),
                        Node::Div(_) => Node::Div([vi, ci]),
                        _ => Node::LeakyRelu([vi, ci]),
                    };
                    e.add(node);
                    e
                })
            };
            let flips = match &y[id] {
                Node::Sub(_) => !a_random,
                Node::Mul(_) | Node::Div(_) => {
                    let mut g = EGraph::new(Facts::new(signs.clone()));
                    let cid = g.add_expr(&c_expr);
                    match g[cid].data.sign {
                        s if s == Sign::POS => false,
                        s if s == Sign::NEG => true,
                        _ => return full,
                    }
                }
                _ => false,
            };
            let (l, h) = (
                End {
                    value: combine(&lo),
                    closed: lo.closed,
                },
                End {
                    value: combine(&hi),
                    closed: hi.closed,
                },
            );
            if flips {
                (h, l)
            } else {
                (l, h)
            }
        }
        _ => full,
    }
}

fn is_random(y: &Expr, id: Id) -> bool {
    matches!(y[id], Node::Normal(_)) || y[id].children().iter().any(|c| is_random(y, *c))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// `depth` layers, tanh(2E + 1) and sigmoid(2E − 1) in turn (the depth benchmark's
    /// programs).
    fn layers(depth: usize) -> String {
        let mut e = "x".to_string();
        for k in 0..depth {
            e = if k % 2 == 0 {
                format!("tanh(2*{e} + 1)")
            } else {
                format!("sigmoid(2*{e} - 1)")
            };
        }
        format!("x ~ Normal(mu, sigma)\ny = {e}\n")
    }

    /// The e-graph of `start` saturated by egg's runner and by the walk: the same
    /// classes, nodes and best term.
    fn same_saturation(start: &Expr, rules: &[crate::lang::Rewrite], facts: &Facts) {
        let limits = Limits::default();
        let egraph = || {
            let mut g = EGraph::new(facts.clone()).with_explanations_enabled();
            let root = g.add_expr(start);
            (g, root)
        };
        let (g, root) = egraph();
        let runner = make_runner(g, limits).run(rules);
        let (g, _) = egraph();
        let (walked, record) = walk(g, rules, limits);
        // the walk found every rewrite itself
        assert_eq!(record.confirmed, 0);
        assert!(matches!(runner.stop_reason, Some(StopReason::Saturated)));
        assert!(matches!(walked.stop_reason, Some(StopReason::Saturated)));
        assert_eq!(
            walked.egraph.number_of_classes(),
            runner.egraph.number_of_classes()
        );
        assert_eq!(walked.egraph.total_size(), runner.egraph.total_size());
        let best = |r: &Runner| {
            let (cost, e) = Extractor::new(&r.egraph, Readable).find_best(r.egraph.find(root));
            (cost.value, e.to_string())
        };
        assert_eq!(best(&walked), best(&runner));
    }

    #[test]
    fn the_walk_reaches_the_runners_saturation() {
        let programs = [
            layers(1),
            layers(6),
            "x ~ Normal(mu, sigma)\ny = exp(-2*tanh(x) + 1)".to_string(),
            "x ~ Normal(0, 1)\ny = -tanh(sigmoid(x)/2 - 1)^3".to_string(),
            "x ~ Normal(mu, sigma)\ny = 1 - softplus(3 - x/2)".to_string(),
        ];
        for source in &programs {
            let model = crate::model(source).unwrap();
            let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
            let mut cdf = model.y.clone();
            let y = Id::from(cdf.as_ref().len() - 1);
            let t = cdf.add(Node::T);
            let p = cdf.add(Node::CdfIn([y, t]));
            same_saturation(&cdf, rules::for_chain(), &facts);
            cdf.add(Node::Dc(p));
            same_saturation(&cdf, rules::for_chain_pdf(), &facts);
        }
    }

    #[test]
    fn forty_layers_derive_one_rewrite_a_step() {
        // the runner's iteration limit (100) ended chains of 34 layers
        let d = crate::derive_source(&layers(40)).unwrap();
        for steps in [&d.cdf_steps, &d.pdf_steps] {
            assert!(steps.iter().all(|s| s.rules[0] != rules::CONDENSED));
            // three maps a layer (the map, its shift and its scale)
            assert!(steps.len() > 3 * 40, "{} steps", steps.len());
        }
    }
}
