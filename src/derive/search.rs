//! The rewriting itself: a phase on its own e-graph, run by egg's runner or by the walk
//! that searches only where the last rewrite changed something, and the cost by which
//! the most readable term is extracted from the result.

use super::steps::steps;
use super::{Limits, Stats, Step};
use crate::lang::{EGraph, Expr, Facts, Node, Num, Runner};
use egg::{CostFunction, ENodeOrVar, Extractor, Id, Language, PatternAst, StopReason, Subst};

/// The cost of an operator that a closed form must not contain.
pub(super) const UNRESOLVED: f64 = 1e6;

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

/// One rewriting phase on its own e-graph, explained from `start` to the best term.
pub(super) struct Phase {
    pub(super) best: Expr,
    pub(super) cost: f64,
    pub(super) steps: Vec<Step>,
    pub(super) stats: Stats,
    pub(super) runner: Runner,
}

/// How a phase applies its rules.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Search {
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
pub(super) fn phase(
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
/// fired. Explaining the final tidying of a deep composition's density costs more
/// than the rest of its derivation (its reorderings make long proofs), for that one
/// step.
pub(super) fn tidy_phase(
    start: &Expr,
    rules: &[crate::lang::Rewrite],
    facts: &Facts,
    limits: Limits,
) -> Phase {
    run_phase(start, None, rules, facts, limits, Search::Unexplained)
}

/// One phase on its own e-graph, searched as `search` says; a chain's phases (`cdf-in`
/// and `pdf-in` peel one map each) are a [`walk`].
pub(super) fn run_phase(
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
/// it, as a chain's density does one map deeper each (quadratic in depth). Here a
/// class is costed again only when a child's cost fell.
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
pub(super) struct Record {
    rounds: usize,
    pub(super) fired: Vec<String>,
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
pub(super) fn stats(runner: &Runner, rounds: usize) -> Stats {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

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
