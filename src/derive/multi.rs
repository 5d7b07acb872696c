//! A program of several random inputs (or of one that is not Normal): the output's law
//! from the laws of independent parts. A Bernoulli input is summed over its outcomes:
//! the law is the mixture (1 − p)·law(Y | m = 0) + p·law(Y | m = 1), each outcome's
//! term written with m replaced by 0 or 1 and derived on its own, so a dropout mask
//! costs nothing in exactness. A sum of terms with no input in common is the
//! convolution of their laws (`sum.rs`: atoms and support exact, the rest numeric); a
//! pool, a conv or a map of a term of several inputs takes that term's law as a leaf
//! `(law K A L)`, as a sum of non-Normal terms inside a program is (`sum::leaves`). A
//! term of one Normal input is derived as any program is; a Uniform input is a leaf
//! whose law is written out.

use super::sum::{assemble, binary, exact, leaf_of, num, replace, sum_of, with_deltas};
use super::{simplify, Atom, Derivation, End, Limits, Step, Support};
use crate::error::{Error, ErrorKind, Result};
use crate::lang::{append, subterm, Expr, Facts, Node, Num};
use crate::lower::{Input, Model};
use crate::rules;
use egg::{Id, Language, Symbol};
use num_rational::BigRational;
use num_traits::{One, Zero};

/// The most Bernoulli inputs one output may read (its law mixes 2^k outcomes).
pub const MAX_MASKS: usize = 10;

/// The derivation of a model whose term writes its inputs as `(var NAME LAW)`.
pub(super) fn derive(model: &Model, limits: Limits) -> Result<Derivation> {
    let masks = vars(&model.y)
        .iter()
        .filter(|(_, law)| matches!(law.as_ref().last(), Some(Node::Bernoulli(_))))
        .count();
    if masks > MAX_MASKS {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("the output reads {masks} Bernoulli inputs; the most is {MAX_MASKS}"),
        )
        .help("a mixture over k masks has 2^k outcomes: use fewer masks, or conv(m*E, w) for iid masked copies"));
    }
    law(model, &model.y, limits)
}

/// The law of the term `y` (a random term of `model`'s inputs).
fn law(model: &Model, y: &Expr, limits: Limits) -> Result<Derivation> {
    let inputs = vars(y);
    let free = free(y);
    if let Some(name) = free.iter().find(|n| bound(y).contains(n)) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("the input `{name}` is read both inside a pool or conv, whose copies draw it afresh, and outside, where it is one draw"),
        )
        .help("a pool or conv takes iid copies of its term: give the term its own inputs"));
    }
    // a mask read outside every copy: the mixture over its outcomes
    if let Some((name, term)) = inputs.iter().find(|(n, law)| {
        free.contains(n) && matches!(law.as_ref().last(), Some(Node::Bernoulli(_)))
    }) {
        let Some(Node::Bernoulli(p)) = term.as_ref().last() else {
            unreachable!("found as a Bernoulli")
        };
        let p = subterm(term, *p);
        let given = |v: i64| -> Result<Derivation> {
            let y = masked(&substitute(y, *name, &num(v)));
            law(model, &y, limits)
        };
        let (off, on) = (given(0)?, given(1)?);
        return Ok(mixture(&at(model, y), &p, off, on, limits));
    }
    if inputs.is_empty() && !random(y) {
        return Ok(point(&at(model, y), limits));
    }
    if let [(name, term)] = inputs.as_slice() {
        if matches!(term.as_ref().last(), Some(Node::Normal(_))) {
            return super::derive(&single(model, y, *name, term), limits);
        }
        if uniform(y) {
            return uniform_law(&at(model, y), y, limits);
        }
    }
    // several inputs, or a Uniform: the lowest node where independent parts meet
    let (node, parts) = meeting(model, y)?;
    // a linear combination of independent Normal inputs is one Normal input
    if let Some((mean, variance)) = normal_sum(y, node) {
        let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
        let tidy = |e: &Expr| simplify(e, limits, &facts, rules::for_simplify());
        let mut sd = tidy(&variance);
        let root = Id::from(sd.as_ref().len() - 1);
        sd.add(Node::Sqrt(root));
        let mut normal = Expr::default();
        let m = append(&mut normal, &tidy(&mean));
        let sd = append(&mut normal, &tidy(&sd));
        normal.add(Node::Normal([m, sd]));
        return merged(model, y, node, &normal, limits);
    }
    let root = Id::from(y.as_ref().len() - 1);
    // a sum whose terms of one input merged into one term: the simpler term instead
    if let [(part, _)] = parts.as_slice() {
        if !matches!(y[node], Node::Var(_) | Node::Conv(_)) && !copies_operand(y, node) {
            return law(model, &masked(&replace(y, node, part)), limits);
        }
    }
    let mut derived = Vec::new();
    for (part, weights) in parts {
        let d = law(model, &part, limits)?;
        derived.push((part, d, weights));
    }
    let sum = sum_of(&at(model, &subterm(y, node)), derived, limits)?;
    if node == root {
        return Ok(sum);
    }
    let rest = at(model, &replace(y, node, &leaf_of(&sum)));
    let mut d = super::derive(&rest, limits)?;
    d.laws.insert(0, sum);
    Ok(d)
}

/// The inputs a term reads outside every copy (of a pool, conv or order statistic).
fn free(y: &Expr) -> Vec<Symbol> {
    let mut out: Vec<Vec<Symbol>> = Vec::with_capacity(y.as_ref().len());
    for node in y.as_ref() {
        let mine = match node {
            Node::Var([n, _]) => match &y[*n] {
                Node::Symbol(s) => vec![*s],
                _ => Vec::new(),
            },
            n if copies(n) => Vec::new(),
            n => {
                let mut m: Vec<Symbol> = Vec::new();
                for c in n.children() {
                    for s in &out[usize::from(*c)] {
                        if !m.contains(s) {
                            m.push(*s);
                        }
                    }
                }
                m
            }
        };
        out.push(mine);
    }
    out.pop().unwrap_or_default()
}

/// The inputs a term reads inside a copy.
fn bound(y: &Expr) -> Vec<Symbol> {
    let mut out = Vec::new();
    for node in y.as_ref() {
        if copies(node) {
            if let Some(a) = node.children().first() {
                for (s, _) in vars(&subterm(y, *a)) {
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
        }
    }
    out
}

/// Whether `id` is the operand of a pool or order statistic in `y`.
fn copies_operand(y: &Expr, id: Id) -> bool {
    y.as_ref()
        .iter()
        .any(|n| copies(n) && n.children().first() == Some(&id))
}

/// Whether a node takes iid copies of its first operand.
fn copies(n: &Node) -> bool {
    matches!(
        n,
        Node::Conv(_) | Node::MaxPool(_) | Node::MinPool(_) | Node::Order(_)
    )
}

/// `model` with `y` as its output.
fn at(model: &Model, y: &Expr) -> Model {
    let mut m = model.clone();
    m.y = y.clone();
    m.cdf_start = None;
    m.pieces = Vec::new();
    m
}

/// The model of a term of one Normal input, written as the input `(normal M S)`.
fn single(model: &Model, y: &Expr, name: Symbol, law: &Expr) -> Model {
    let mut m = at(model, &substitute(y, name, law));
    let Some(Node::Normal([mean, std])) = law.as_ref().last() else {
        return m;
    };
    m.input_name = name.to_string();
    m.input = law.clone();
    m.mean = subterm(law, *mean);
    m.std = subterm(law, *std);
    let input: Option<&Input> = model.inputs.iter().find(|i| i.name == name.as_str());
    if let Some(i) = &input {
        m.input_span = i.span;
    }
    m
}

/// The inputs a term reads, each once, with its law's term, in the order first written.
fn vars(y: &Expr) -> Vec<(Symbol, Expr)> {
    let mut out: Vec<(Symbol, Expr)> = Vec::new();
    for node in y.as_ref() {
        if let Node::Var([n, law]) = node {
            if let Node::Symbol(s) = &y[*n] {
                if !out.iter().any(|(o, _)| o == s) {
                    out.push((*s, subterm(y, *law)));
                }
            }
        }
    }
    out
}

/// Whether a term has a random node at all (an input, or a law leaf).
fn random(y: &Expr) -> bool {
    y.as_ref()
        .iter()
        .any(|n| matches!(n, Node::Normal(_) | Node::Var(_) | Node::Law(_)))
}

/// Whether a term is a Uniform input alone.
fn uniform(y: &Expr) -> bool {
    match y.as_ref().last() {
        Some(Node::Var([_, law])) => matches!(y[*law], Node::Uniform(_)),
        _ => false,
    }
}

/// `y` with the input `name` replaced by the term `with`.
fn substitute(y: &Expr, name: Symbol, with: &Expr) -> Expr {
    let mut out = Expr::default();
    let mut memo: Vec<Id> = Vec::with_capacity(y.as_ref().len());
    for node in y.as_ref() {
        let id = match node {
            Node::Var([n, _]) if matches!(&y[*n], Node::Symbol(s) if *s == name) => {
                append(&mut out, with)
            }
            _ => out.add(node.clone().map_children(|c| memo[usize::from(c)])),
        };
        memo.push(id);
    }
    subterm(&out, *memo.last().unwrap_or(&Id::from(0)))
}

/// `y` after a mask took a value: a product with an exact 0 factor, or a quotient of 0,
/// is 0 (every term of the language is finite), so that a dropped unit's term no longer
/// reads its inputs; a factor 1 is dropped.
fn masked(y: &Expr) -> Expr {
    let mut out = Expr::default();
    let mut memo: Vec<Id> = Vec::with_capacity(y.as_ref().len());
    for node in y.as_ref() {
        let mapped = node.clone().map_children(|c| memo[usize::from(c)]);
        let zero = |id: &Id| exact(&out, *id).is_some_and(|n| n.to_f64() == 0.0);
        let unit = |id: &Id| exact(&out, *id).is_some_and(|n| n.to_f64() == 1.0);
        let id = match &mapped {
            Node::Mul([a, b]) if zero(a) || zero(b) => out.add(Node::Num(Num::int(0))),
            Node::Mul([a, b]) if unit(a) => *b,
            Node::Mul([a, b]) if unit(b) => *a,
            Node::Div([a, _]) if zero(a) => out.add(Node::Num(Num::int(0))),
            _ => out.add(mapped),
        };
        memo.push(id);
    }
    subterm(&out, *memo.last().unwrap_or(&Id::from(0)))
}

/// Σ cᵢ·Xᵢ + c at `id` for independent Normal inputs Xᵢ ~ N(μᵢ, σᵢ²), two or more of
/// them (a term c·X for each use of an input, their coefficients added per input): the
/// mean Σ cᵢμᵢ + c and the variance Σ cᵢ²σᵢ² of the sum, which is Normal.
fn normal_sum(y: &Expr, id: Id) -> Option<(Expr, Expr)> {
    if !matches!(
        y[id],
        Node::Add(_) | Node::Sub(_) | Node::Neg(_) | Node::Mul(_) | Node::Div(_)
    ) {
        return None;
    }
    let mut terms = Vec::new();
    linear(y, id, None, &mut terms);
    // each input's coefficient and law, and the constant
    let mut inputs: Vec<(Symbol, Expr, Expr)> = Vec::new();
    let mut constant = num(0);
    for (term, names) in terms {
        if names.is_empty() && !random(&term) {
            constant = binary(&constant, &term, Node::Add);
            continue;
        }
        // a term c·X of one input, its coefficient a constant (not x·x, not a law leaf)
        if names.len() != 1 {
            return None;
        }
        let root = Id::from(term.as_ref().len() - 1);
        let (c, v) = match &term[root] {
            Node::Mul([c, v]) if matches!(term[*v], Node::Var(_)) => (subterm(&term, *c), *v),
            Node::Var(_) => (num(1), root),
            _ => return None,
        };
        if random(&c) {
            return None;
        }
        let Node::Var([n, law]) = &term[v] else {
            return None;
        };
        let (Node::Symbol(name), Node::Normal(_)) = (&term[*n], &term[*law]) else {
            return None;
        };
        match inputs.iter_mut().find(|(m, _, _)| m == name) {
            Some((_, total, _)) => *total = binary(total, &c, Node::Add),
            None => inputs.push((*name, c, subterm(&term, *law))),
        }
    }
    // an input whose coefficients cancel to an exact 0 is not in the sum
    inputs.retain(|(_, c, _)| {
        let zero = exact(c, Id::from(c.as_ref().len() - 1))
            .and_then(|n| n.rat().map(|r| r.is_zero()))
            .unwrap_or(false);
        !zero
    });
    if inputs.len() < 2 {
        return None;
    }
    let (mut mean, mut variance) = (constant, num(0));
    for (_, c, law) in &inputs {
        let Some(Node::Normal([m, sd])) = law.as_ref().last() else {
            return None;
        };
        let (m, sd) = (subterm(law, *m), subterm(law, *sd));
        mean = binary(&mean, &binary(c, &m, Node::Mul), Node::Add);
        let square = |e: &Expr| binary(e, &num(2), Node::Pow);
        variance = binary(
            &variance,
            &binary(&square(c), &square(&sd), Node::Mul),
            Node::Add,
        );
    }
    Some((mean, variance))
}

/// The law of `y` whose sum of independent Normals at `node` is the Normal `normal`: that
/// sum replaced by one input S ~ `normal` (named S, or S1, S2, … if the program uses the
/// name), derived as a program of one Normal input, with the step from the program's
/// own P(Y ≤ t) to it first. The model keeps the program's term, so that `check` draws
/// the program's own inputs.
fn merged(model: &Model, y: &Expr, node: Id, normal: &Expr, limits: Limits) -> Result<Derivation> {
    let taken = |s: &str| model.inputs.iter().any(|i| i.name == s) || model.params.contains_key(s);
    let name = std::iter::once("S".to_string())
        .chain((1..).map(|k| format!("S{k}")))
        .find(|s| !taken(s))
        .unwrap_or_default();
    let mut input = Expr::default();
    let n = input.add(Node::Symbol(Symbol::from(name.as_str())));
    let l = append(&mut input, normal);
    input.add(Node::Var([n, l]));
    let mut d = law(model, &replace(y, node, &input), limits)?;
    let mut start = y.clone();
    let root = Id::from(y.as_ref().len() - 1);
    let t = start.add(Node::T);
    start.add(Node::Cdf([root, t]));
    let first = std::mem::replace(&mut d.cdf_start, start);
    d.cdf_steps.insert(
        0,
        Step {
            term: first,
            rules: vec![rules::NORMAL_SUM.to_string()],
        },
    );
    d.model.y = y.clone();
    Ok(d)
}

/// A part of a sum: a term and the weights of its iid copies.
type Weighted = (Expr, Vec<Num>);

/// The node of `y` where independent parts meet, and the parts with their weights:
/// walking down from the root while a node has one random operand, the first with
/// more (a sum of terms with no input in common: the terms, grouped by the inputs they
/// share), a conv (iid copies of its term, weighted), the operand of a pool (whose law
/// the pool then takes), or a Uniform input.
fn meeting(model: &Model, y: &Expr) -> Result<(Id, Vec<Weighted>)> {
    let reads: Vec<bool> = {
        let mut r = vec![false; y.as_ref().len()];
        for (i, n) in y.as_ref().iter().enumerate() {
            r[i] = matches!(n, Node::Var(_) | Node::Normal(_) | Node::Law(_))
                || n.children().iter().any(|c| r[usize::from(*c)]);
        }
        r
    };
    let one = || vec![Num::int(1)];
    let mut cur = Id::from(y.as_ref().len() - 1);
    loop {
        let node = &y[cur];
        match node {
            Node::Var(_) => return Ok((cur, vec![(subterm(y, cur), one())])),
            Node::Conv([a, w]) => {
                let weights =
                    super::sum::weights(y, *w).map_err(|e| match origin(model, y, cur) {
                        Some(span) if e.span.is_none() => e.at(span, "this conv"),
                        _ => e,
                    })?;
                return Ok((cur, vec![(subterm(y, *a), weights)]));
            }
            Node::MaxPool([a, _]) | Node::MinPool([a, _]) | Node::Order([a, _, _]) => {
                return Ok((*a, vec![(subterm(y, *a), one())]));
            }
            _ => {}
        }
        let random: Vec<Id> = node
            .children()
            .iter()
            .copied()
            .filter(|c| reads[usize::from(*c)])
            .collect();
        match random.as_slice() {
            [one] => cur = *one,
            [] => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    "a random term without an input",
                ))
            }
            _ => {
                let parts = groups(model, y, cur)?;
                return Ok((cur, parts.into_iter().map(|p| (p, one())).collect()));
            }
        }
    }
}

/// A sum of independent terms at `id`, Σ cᵢ·Tᵢ + c: its terms grouped so that no two
/// groups read one input, each group a term of its own (the constant c with the first).
fn groups(model: &Model, y: &Expr, id: Id) -> Result<Vec<Expr>> {
    let mut terms: Vec<(Expr, Vec<Symbol>)> = Vec::new();
    linear(y, id, None, &mut terms);
    let before = terms.len();
    let terms = collect(terms);
    // terms of one input that merged or cancelled (x + u − u): the sum is simpler
    let merged = terms.len() < before;
    let mut groups: Vec<(Vec<Expr>, Vec<Symbol>)> = Vec::new();
    let mut constants = Vec::new();
    for (t, names) in terms {
        if names.is_empty() {
            constants.push(t);
            continue;
        }
        let mut mine = (vec![t], names);
        // merge every group that shares an input with this term
        let mut i = 0;
        while i < groups.len() {
            if groups[i].1.iter().any(|n| mine.1.contains(n)) {
                let (ts, ns) = groups.remove(i);
                mine.0.splice(0..0, ts);
                mine.1.extend(ns);
            } else {
                i += 1;
            }
        }
        groups.push(mine);
    }
    if groups.len() < 2 && merged {
        let mut all: Vec<Expr> = groups.into_iter().flat_map(|(ts, _)| ts).collect();
        all.extend(constants);
        let sum = all
            .into_iter()
            .reduce(|s, t| binary(&s, &t, Node::Add))
            .unwrap_or_else(|| num(0));
        return Ok(vec![sum]);
    }
    if groups.len() < 2 {
        let text = place(model, y, id);
        let e = Error::new(
            ErrorKind::Unsupported,
            format!("`{text}` combines independent inputs in a way that has no law here yet"),
        )
        .help("pushforward takes sums and differences of terms with no input in common (relu(x1) + tanh(x2)), products with a Bernoulli mask (m * x / p), and any map, pool or conv of those; products, maxima or quotients of two independent Normal terms are not supported yet");
        return Err(match origin(model, y, id) {
            Some(span) => e.at(span, "several inputs"),
            None => e,
        });
    }
    if let Some(first) = groups.first_mut() {
        first.0.extend(constants);
    }
    Ok(groups
        .into_iter()
        .map(|(ts, _)| {
            ts.into_iter()
                .reduce(|s, t| binary(&s, &t, Node::Add))
                .unwrap_or_else(|| num(0))
        })
        .collect())
}

/// Terms c·T of one term T merged, their coefficients added (x + u − u is x, h + h is
/// 2h): a term whose coefficients cancel leaves the sum.
fn collect(terms: Vec<(Expr, Vec<Symbol>)>) -> Vec<(Expr, Vec<Symbol>)> {
    let mut scaled: Vec<(String, BigRational, Expr, Vec<Symbol>)> = Vec::new();
    let mut rest = Vec::new();
    for (term, names) in terms {
        if names.is_empty() {
            rest.push((term, names));
            continue;
        }
        let (c, t) = factor(&term, Id::from(term.as_ref().len() - 1));
        let key = t.to_string();
        match scaled.iter_mut().find(|(k, _, _, _)| *k == key) {
            Some((_, total, _, _)) => *total += c,
            None => scaled.push((key, c, t, names)),
        }
    }
    for (_, c, t, names) in scaled {
        if c.is_zero() {
            continue;
        }
        if c.is_one() {
            rest.push((t, names));
            continue;
        }
        let mut e = Expr::default();
        let k = e.add(Node::Num(Num::from(c)));
        let v = append(&mut e, &t);
        e.add(Node::Mul([k, v]));
        rest.push((e, names));
    }
    rest
}

/// A term as c·T with c an exact constant (1 when it has none) and T the rest.
fn factor(y: &Expr, id: Id) -> (BigRational, Expr) {
    let constant = |i: Id| exact(y, i).and_then(|n| n.rat().cloned());
    let whole = || (BigRational::one(), subterm(y, id));
    match &y[id] {
        Node::Neg(a) => {
            let (c, t) = factor(y, *a);
            (-c, t)
        }
        Node::Mul([a, b]) => match (constant(*a), constant(*b)) {
            (Some(c), None) => {
                let (k, t) = factor(y, *b);
                (c * k, t)
            }
            (None, Some(c)) => {
                let (k, t) = factor(y, *a);
                (c * k, t)
            }
            _ => whole(),
        },
        Node::Div([a, b]) => match constant(*b) {
            Some(c) if !c.is_zero() => {
                let (k, t) = factor(y, *a);
                (k / c, t)
            }
            _ => whole(),
        },
        _ => whole(),
    }
}

/// The terms of a linear combination at `id`, each times its coefficient (`factor`,
/// a constant term, None for 1), with the inputs it reads: sums, differences,
/// negations and constant multiples and quotients are opened.
fn linear(y: &Expr, id: Id, factor: Option<&Expr>, out: &mut Vec<(Expr, Vec<Symbol>)>) {
    let names =
        |i: Id| -> Vec<Symbol> { vars(&subterm(y, i)).into_iter().map(|(n, _)| n).collect() };
    let constant = |i: Id| names(i).is_empty() && !random(&subterm(y, i));
    let times = |f: Option<&Expr>, c: Expr| match f {
        Some(f) => binary(f, &c, Node::Mul),
        None => c,
    };
    let negated = || times(factor, num(-1));
    match &y[id] {
        Node::Add([a, b]) => {
            linear(y, *a, factor, out);
            linear(y, *b, factor, out);
        }
        Node::Sub([a, b]) => {
            linear(y, *a, factor, out);
            linear(y, *b, Some(&negated()), out);
        }
        Node::Neg(a) => linear(y, *a, Some(&negated()), out),
        Node::Mul([c, a]) | Node::Mul([a, c]) if constant(*c) && !constant(*a) => {
            linear(y, *a, Some(&times(factor, subterm(y, *c))), out)
        }
        Node::Div([a, c]) if constant(*c) && !constant(*a) => {
            let inverse = binary(&num(1), &subterm(y, *c), Node::Div);
            linear(y, *a, Some(&times(factor, inverse)), out)
        }
        _ => {
            let term = subterm(y, id);
            out.push((times(factor, term), names(id)));
        }
    }
}

/// The source text of a subterm, or the term printed.
fn place(model: &Model, y: &Expr, id: Id) -> String {
    origin(model, y, id)
        .map(|s| model.source[s.start..s.end].to_string())
        .unwrap_or_else(|| subterm(y, id).to_string())
}

/// Where the program wrote a subterm, if it is one the program wrote.
fn origin(model: &Model, y: &Expr, id: Id) -> Option<crate::error::Span> {
    let hash = crate::lang::structural_hash(&subterm(y, id));
    model
        .origins
        .iter()
        .find(|(h, _)| *h == hash)
        .map(|(_, s)| *s)
}

/// The law of a constant c: [t ≥ c], an atom of mass 1.
fn point(model: &Model, limits: Limits) -> Derivation {
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
    let c = simplify(&model.y, limits, &facts, rules::for_simplify());
    let mut cdf = Expr::default();
    let t = cdf.add(Node::T);
    let at = append(&mut cdf, &c);
    cdf.add(Node::Ge([t, at]));
    let atoms = vec![Atom {
        at: c.clone(),
        mass: num(1),
    }];
    let density = num(0);
    let pdf = with_deltas(&density, &[(c.clone(), num(1))]);
    let end = End {
        value: Some(c),
        closed: true,
    };
    assemble(
        model,
        vec![Step {
            term: cdf.clone(),
            rules: vec![rules::POINT.to_string()],
        }],
        (cdf, pdf, density),
        atoms,
        Support {
            lo: end.clone(),
            hi: end,
        },
        vec![rules::POINT.to_string()],
    )
}

/// A Uniform input's law: F(t) = clamp((t − a)/(b − a), 0, 1), density 1/(b − a) on
/// [a, b].
fn uniform_law(model: &Model, part: &Expr, limits: Limits) -> Result<Derivation> {
    let Some(Node::Var([_, law])) = part.as_ref().last() else {
        return Err(Error::new(ErrorKind::Internal, "not a Uniform input"));
    };
    let Node::Uniform([a, b]) = part[*law] else {
        return Err(Error::new(ErrorKind::Internal, "not a Uniform input"));
    };
    let (a, b) = (subterm(part, a), subterm(part, b));
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
    let tidy = |e: &Expr| simplify(e, limits, &facts, rules::for_simplify());
    let mut e = Expr::default();
    let t = e.add(Node::T);
    let ai = append(&mut e, &a);
    let bi = append(&mut e, &b);
    let width = e.add(Node::Sub([bi, ai]));
    let shifted = e.add(Node::Sub([t, ai]));
    let ratio = e.add(Node::Div([shifted, width]));
    let zero = e.add(Node::Num(Num::int(0)));
    let one = e.add(Node::Num(Num::int(1)));
    e.add(Node::Clamp([ratio, zero, one]));
    let cdf = tidy(&e);
    let mut f = Expr::default();
    let t = f.add(Node::T);
    let ai = append(&mut f, &a);
    let bi = append(&mut f, &b);
    // closed, so that a fit of the density on [a, b] sees its value at the ends
    let above = f.add(Node::Ge([t, ai]));
    let below = f.add(Node::Ge([bi, t]));
    let inside = f.add(Node::Mul([above, below]));
    let width = f.add(Node::Sub([bi, ai]));
    f.add(Node::Div([inside, width]));
    let density = tidy(&f);
    let support = Support {
        lo: End {
            value: Some(a),
            closed: true,
        },
        hi: End {
            value: Some(b),
            closed: true,
        },
    };
    Ok(assemble(
        model,
        vec![Step {
            term: cdf.clone(),
            rules: vec![rules::UNIFORM.to_string()],
        }],
        (cdf, density.clone(), density),
        Vec::new(),
        support,
        vec![rules::UNIFORM.to_string()],
    ))
}

/// The law of `model`'s output given by a mask `name` ~ Bernoulli(p): the outcomes'
/// laws weighted by 1 − p and p.
fn mixture(model: &Model, p: &Expr, off: Derivation, on: Derivation, limits: Limits) -> Derivation {
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
    let tidy = |e: &Expr| simplify(e, limits, &facts, rules::for_simplify());
    let q = {
        let mut q = num(1);
        let one = Id::from(0);
        let pi = append(&mut q, p);
        q.add(Node::Sub([one, pi]));
        q
    };
    let weigh = |w: &Expr, e: &Expr| binary(w, e, Node::Mul);
    let mix = |a: &Expr, b: &Expr| binary(&weigh(&q, a), &weigh(p, b), Node::Add);
    // P(Y ≤ t) given each outcome, as the random terms with m replaced
    let given = |d: &Derivation| {
        let mut e = d.model.y.clone();
        let y = Id::from(e.as_ref().len() - 1);
        let t = e.add(Node::T);
        e.add(Node::Cdf([y, t]));
        e
    };
    let split = mix(&given(&off), &given(&on));
    let cdf = tidy(&mix(&off.cdf, &on.cdf));
    let density = tidy(&mix(&off.density, &on.density));
    let mut atoms: Vec<Atom> = Vec::new();
    for (w, d) in [(&q, &off), (p, &on)] {
        for a in &d.atoms {
            let mass = weigh(w, &a.mass);
            match atoms.iter_mut().find(|b| b.at == a.at) {
                Some(b) => b.mass = tidy(&binary(&b.mass, &mass, Node::Add)),
                None => atoms.push(Atom {
                    at: a.at.clone(),
                    mass: tidy(&mass),
                }),
            }
        }
    }
    let listed: Vec<(Expr, Expr)> = atoms
        .iter()
        .map(|a| (a.at.clone(), a.mass.clone()))
        .collect();
    let pdf = tidy(&with_deltas(&density, &listed));
    let support = Support {
        lo: end(&off.support.lo, &on.support.lo, true, &tidy),
        hi: end(&off.support.hi, &on.support.hi, false, &tidy),
    };
    let mut numeric: Vec<(usize, f64)> = super::numeric_parts(&off);
    for (k, c) in super::numeric_parts(&on) {
        match numeric.iter_mut().find(|(j, _)| *j == k) {
            Some((_, d)) => *d = d.max(c),
            None => numeric.push((k, c)),
        }
    }
    let pieces = on.pieces.clone().or_else(|| off.pieces.clone());
    let mut laws = Vec::new();
    for d in [off, on] {
        let root_sum = !d.inner.is_empty();
        laws.extend(d.laws.iter().cloned());
        if root_sum {
            laws.push(d);
        }
    }
    let mut d = assemble(
        model,
        vec![
            Step {
                term: split,
                rules: vec![rules::MIXTURE.to_string()],
            },
            Step {
                term: cdf.clone(),
                rules: vec![rules::MIXTURE_LAWS.to_string()],
            },
        ],
        (cdf, pdf, density),
        atoms,
        support,
        vec![rules::MIXTURE_D.to_string()],
    );
    d.pieces = pieces;
    d.laws = laws;
    d.numeric = Some(numeric);
    d
}

/// The lower (or upper) end of a mixture's support: the outer of the outcomes' ends.
fn end(a: &End, b: &End, lower: bool, tidy: &dyn Fn(&Expr) -> Expr) -> End {
    let (Some(x), Some(y)) = (&a.value, &b.value) else {
        return End {
            value: None,
            closed: false,
        };
    };
    let value = |e: &Expr| exact(e, Id::from(e.as_ref().len() - 1)).map(|n| n.to_f64());
    match (value(x), value(y)) {
        (Some(u), Some(v)) if u == v => End {
            value: Some(x.clone()),
            closed: a.closed || b.closed,
        },
        (Some(u), Some(v)) => {
            if (u < v) == lower {
                a.clone()
            } else {
                b.clone()
            }
        }
        _ => End {
            value: Some(tidy(&binary(
                x,
                y,
                if lower { Node::Min } else { Node::Max },
            ))),
            closed: a.closed && b.closed,
        },
    }
}
