//! `conv(E, w)` of a law E that is not Normal: Y = w₁E₁ + … + wₙEₙ for iid copies Eᵢ.
//! E's law is derived as any program's, and Y's CDF and density are named as the
//! convolution of the wᵢEᵢ (`lang::implicit::Convolution`), which evaluation computes
//! numerically. What has a closed form is written out: the atoms (sums of E's atoms,
//! with the products of their masses: P(Y = 0) = Φ(−μ/σ)ⁿ for relu) and the support.

use super::{simplify, Atom, Derivation, End, Limits, Stats, Step, Support};
use crate::error::{Error, ErrorKind, Result};
use crate::lang::implicit::{self, Convolution, Part, Ref};
use crate::lang::{append, subterm, Expr, Facts, Node, Num};
use crate::lower::Model;
use crate::rules;
use egg::Id;

/// The most atoms the sum may list (E's atoms to the power of the number of weights).
pub const MAX_ATOMS: usize = 256;

/// The derivation of Y when Y is `conv(E, w)` with E not Normal; `None` otherwise.
pub(super) fn derive(model: &Model, limits: Limits) -> Result<Option<Derivation>> {
    let y = &model.y;
    let root = Id::from(y.as_ref().len() - 1);
    let Node::Conv([e, w]) = y[root] else {
        return Ok(None);
    };
    if matches!(y[e], Node::Normal(_)) {
        return Ok(None);
    }
    // an error of the sum itself points at the conv in the program
    let hash = crate::lang::structural_hash(y);
    let place = model
        .origins
        .iter()
        .find(|(h, _)| *h == hash)
        .map(|(_, s)| *s);
    let here = |e: Error| match (e.span, place) {
        (None, Some(span)) => e.at(span, "this conv"),
        _ => e,
    };
    if model.cdf_start.is_some() || !model.pieces.is_empty() {
        return Err(here(
            Error::new(
                ErrorKind::Unsupported,
                "conv of a term with `if` inside is not supported yet",
            )
            .help("write the `if` after the conv, or conv a term without `if`"),
        ));
    }
    let weights = weights(y, w).map_err(here)?;
    let mut inner = model.clone();
    inner.y = subterm(y, e);
    let law = super::derive(&inner, limits)?;
    sum_of(model, vec![(inner.y, law, weights)], limits)
        .map(Some)
        .map_err(here)
}

/// The derivation of a sum of independent parts, each iid copies of one derived law
/// with its weights (the part's term, its law, the weights): the atoms and the support
/// in closed form, the CDF and the density named as the convolution.
pub(super) fn sum_of(
    model: &Model,
    parts: Vec<(Expr, Derivation, Vec<Num>)>,
    limits: Limits,
) -> Result<Derivation> {
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
    let tidy = |e: &Expr| simplify(e, limits, &facts, rules::for_simplify());

    // each part's atoms, then every choice of one per part: Σ positions, Π masses
    let mut choices: Vec<(Expr, Expr)> = vec![(num(0), num(1))];
    for (_, law, weights) in &parts {
        let mine = sum_atoms(&law.atoms, weights)?;
        let mut next = Vec::new();
        for (a, m) in &choices {
            for (b, n) in &mine {
                next.push((binary(a, b, Node::Add), binary(m, n, Node::Mul)));
            }
        }
        if next.len() > MAX_ATOMS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("the sum has more than {MAX_ATOMS} atoms"),
            )
            .help("use fewer terms with atoms"));
        }
        choices = next;
    }
    // atoms at one point after tidying (−1 + 1 and 1 − 1) are one
    let mut atoms: Vec<Atom> = Vec::new();
    for (at, mass) in choices {
        let at = tidy(&at);
        match atoms.iter_mut().find(|a| a.at == at) {
            Some(a) => a.mass = tidy(&binary(&a.mass, &mass, Node::Add)),
            None => atoms.push(Atom {
                at,
                mass: tidy(&mass),
            }),
        }
    }
    let ends = |lower: bool| {
        let mut total: Option<Expr> = Some(num(0));
        let mut closed = true;
        for (_, law, weights) in &parts {
            let end = sum_end(&law.support, weights, lower, &tidy);
            closed &= end.closed;
            total = match (total, end.value) {
                (Some(t), Some(v)) => Some(binary(&t, &v, Node::Add)),
                _ => None,
            };
        }
        End {
            value: total.map(|t| tidy(&t)),
            closed,
        }
    };
    let support = Support {
        lo: ends(true),
        hi: ends(false),
    };
    let k = implicit::convolution(Convolution {
        parts: parts
            .iter()
            .map(|(term, law, weights)| Part {
                term: term.clone(),
                cdf: law.cdf.clone(),
                density: law.density.clone(),
                atoms: law
                    .atoms
                    .iter()
                    .map(|a| (a.at.clone(), a.mass.clone()))
                    .collect(),
                lo: law.support.lo.value.clone(),
                hi: law.support.hi.value.clone(),
                breaks: super::atoms::thresholds(&law.density).unwrap_or_default(),
                weights: weights.clone(),
            })
            .collect(),
        sum_ends: [
            (support.lo.value.clone(), support.lo.closed),
            (support.hi.value.clone(), support.hi.closed),
        ],
    });
    let named = |f: fn([Id; 2]) -> Node| {
        let mut out = Expr::default();
        let r = out.add(Node::Ref(Ref(u32::try_from(k).unwrap_or(u32::MAX))));
        let t = out.add(Node::T);
        out.add(f([r, t]));
        out
    };
    let cdf = named(Node::ConvCdf);
    let density = named(Node::ConvPdf);
    let pdf = tidy(&with_deltas(&density, &atoms_of(&atoms)));

    let mut d = assemble(
        model,
        vec![Step {
            term: cdf.clone(),
            rules: vec![rules::CONV_NUMERIC.to_string()],
        }],
        (cdf, pdf, density),
        atoms,
        support,
        vec![rules::CONV_NUMERIC_D.to_string()],
    );
    // the parts' own derivations, which the sum's formulas name
    d.inner = parts.into_iter().map(|(_, law, _)| law).collect();
    Ok(d)
}

/// A derivation from its CDF steps, formulas, atoms and support: the PDF one step from
/// the CDF's derivative.
pub(super) fn assemble(
    model: &Model,
    cdf_steps: Vec<Step>,
    (cdf, pdf, density): (Expr, Expr, Expr),
    atoms: Vec<Atom>,
    support: Support,
    pdf_rules: Vec<String>,
) -> Derivation {
    let y = &model.y;
    let root = Id::from(y.as_ref().len() - 1);
    let mut cdf_start = y.clone();
    let t = cdf_start.add(Node::T);
    cdf_start.add(Node::Cdf([root, t]));
    let mut pdf_start = Expr::default();
    let f = append(&mut pdf_start, &cdf);
    pdf_start.add(Node::D(f));
    Derivation {
        model: model.clone(),
        cdf_start,
        cdf,
        cdf_steps,
        pdf_start,
        pdf: pdf.clone(),
        pdf_steps: vec![Step {
            term: pdf,
            rules: pdf_rules,
        }],
        density,
        atoms,
        support,
        cdf_stats: Stats::default(),
        pdf_stats: Stats::default(),
        pieces: None,
        inner: Vec::new(),
        laws: Vec::new(),
        numeric: None,
    }
}

/// A number as a term.
pub(super) fn num(n: i64) -> Expr {
    let mut e = Expr::default();
    e.add(Node::Num(Num::int(n)));
    e
}

/// `a op b` as one term.
pub(super) fn binary(a: &Expr, b: &Expr, op: fn([Id; 2]) -> Node) -> Expr {
    let mut out = a.clone();
    let left = Id::from(out.as_ref().len() - 1);
    let right = append(&mut out, b);
    out.add(op([left, right]));
    out
}

/// The model with each `conv(E, w)` of a non-Normal E inside its output (not at its
/// root) replaced by a leaf `(law K A)`: a random variable whose law is that sum's,
/// numeric in its continuous part and exact in its atoms A. Innermost first, so that
/// a sum of maxpools of sums names the inner sum's law in the outer one's. With the
/// sums' own derivations, in the order of their leaves.
pub(super) fn leaves(model: &Model, limits: Limits) -> Result<(Model, Vec<Derivation>)> {
    let mut model = model.clone();
    let mut laws = Vec::new();
    loop {
        let y = &model.y;
        let root = y.as_ref().len() - 1;
        let found = y.as_ref().iter().enumerate().position(|(i, n)| {
            matches!(n, Node::Conv([e, _]) if i < root && is_random(y, *e) && !matches!(y[*e], Node::Normal(_)))
        });
        let Some(at) = found else {
            return Ok((model, laws));
        };
        if laws.len() >= MAX_LAWS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("the program holds more than {MAX_LAWS} sums of non-Normal terms"),
            )
            .help("write fewer layers"));
        }
        let mut part = model.clone();
        part.y = subterm(y, Id::from(at));
        let Some(d) = derive(&part, limits)? else {
            return Ok((model, laws));
        };
        model.y = replace(y, Id::from(at), &leaf_of(&d));
        laws.push(d);
    }
}

/// The leaf `(law K A L)` standing for a sum's derivation: K its convolution, A the
/// list of its atoms as (cons at mass), L its support's lower end (nil where −∞).
pub(super) fn leaf_of(d: &Derivation) -> Expr {
    let k = d
        .cdf
        .as_ref()
        .iter()
        .find_map(|n| implicit::index(&d.cdf, n))
        .unwrap_or(usize::MAX);
    let mut leaf = Expr::default();
    let r = leaf.add(Node::Ref(Ref(u32::try_from(k).unwrap_or(u32::MAX))));
    let mut list = leaf.add(Node::Nil);
    for a in d.atoms.iter().rev() {
        let at = append(&mut leaf, &a.at);
        let mass = append(&mut leaf, &a.mass);
        let pair = leaf.add(Node::Cons([at, mass]));
        list = leaf.add(Node::Cons([pair, list]));
    }
    let lo = match &d.support.lo.value {
        Some(v) => append(&mut leaf, v),
        None => leaf.add(Node::Nil),
    };
    leaf.add(Node::Law([r, list, lo]));
    leaf
}

/// The most sums of non-Normal terms one program may hold.
pub const MAX_LAWS: usize = 64;

fn is_random(y: &Expr, id: Id) -> bool {
    use egg::Language;
    matches!(y[id], Node::Normal(_) | Node::Law(_))
        || y[id].children().iter().any(|c| is_random(y, *c))
}

/// `y` with its subterm `at` replaced by `with`.
pub(super) fn replace(y: &Expr, at: Id, with: &Expr) -> Expr {
    use egg::Language;
    let mut out = Expr::default();
    let mut memo: Vec<Id> = Vec::with_capacity(y.as_ref().len());
    for (i, node) in y.as_ref().iter().enumerate() {
        let id = if i == usize::from(at) {
            append(&mut out, with)
        } else {
            out.add(node.clone().map_children(|c| memo[usize::from(c)]))
        };
        memo.push(id);
    }
    subterm(&out, *memo.last().unwrap_or(&Id::from(0)))
}

/// The numeric laws a derivation's formulas read, each with how many independent
/// copies of it the output is a function of (a pool of N multiplies by N). A law's
/// error bound is on the total variation of its continuous part, so an event of the
/// output, P(Y ≤ t) among them, is off by at most the sum of copies × bound.
pub fn numeric_parts(d: &Derivation) -> Vec<(usize, f64)> {
    if let Some(parts) = &d.numeric {
        return parts.clone();
    }
    if !d.inner.is_empty() {
        // the sum itself, at the root
        return d
            .cdf
            .as_ref()
            .iter()
            .find_map(|n| implicit::index(&d.cdf, n))
            .map(|k| vec![(k, 1.0)])
            .unwrap_or_default();
    }
    implicit::leaf_copies(&d.model.y)
}

/// The weights of a list `(cons w₁ (cons w₂ … nil))` of numbers.
pub(super) fn weights(y: &Expr, mut id: Id) -> Result<Vec<Num>> {
    let mut out = Vec::new();
    loop {
        match &y[id] {
            Node::Cons([head, rest]) => {
                let n = exact(y, *head).ok_or_else(not_numbers)?;
                if !n.to_f64().is_finite() {
                    return Err(not_numbers());
                }
                out.push(n);
                id = *rest;
            }
            Node::Nil => return Ok(out),
            _ => return Err(not_numbers()),
        }
    }
}

/// The exact value of a constant subterm (`1/2`, `-0.25`, `3*2`), if it has one.
pub(super) fn exact(y: &Expr, id: Id) -> Option<Num> {
    crate::lang::fold(&y[id], |c| exact(y, c))
}

fn not_numbers() -> Error {
    Error::new(
        ErrorKind::Unsupported,
        "conv of a non-Normal term needs its weights as numbers (finite in f64)",
    )
    .help("write the weights as a list of numbers: conv(relu(x), [0.25, 0.5, 0.25])")
}

/// Each choice of one atom of E per weight: the sum Σ wᵢaᵢ and the product Π mᵢ, those
/// at the same position (as terms) merged. Zero weights add 0 with certainty.
fn sum_atoms(atoms: &[Atom], weights: &[Num]) -> Result<Vec<(Expr, Expr)>> {
    let live: Vec<&Num> = weights.iter().filter(|w| !w.is_zero()).collect();
    if atoms.is_empty() && !live.is_empty() {
        return Ok(Vec::new());
    }
    let count = atoms
        .len()
        .checked_pow(u32::try_from(live.len()).unwrap_or(u32::MAX));
    if count.is_none_or(|c| c > MAX_ATOMS) {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "conv of {} weights of a law with {} atoms has up to {}^{} atoms, more than {MAX_ATOMS}",
                live.len(),
                atoms.len(),
                atoms.len(),
                live.len()
            ),
        )
        .help("use fewer weights, or a term with fewer atoms"));
    }
    let mut out: Vec<(Expr, Expr)> = Vec::new();
    let mut choice = vec![0usize; live.len()];
    loop {
        let mut at = Expr::default();
        let mut mass = Expr::default();
        let mut at_root = at.add(Node::Num(Num::int(0)));
        let mut mass_root = mass.add(Node::Num(Num::int(1)));
        for (w, &j) in live.iter().zip(&choice) {
            let wid = at.add(Node::Num((*w).clone()));
            let a = append(&mut at, &atoms[j].at);
            let term = at.add(Node::Mul([wid, a]));
            at_root = at.add(Node::Add([at_root, term]));
        }
        // Π m_j^(times atom j was chosen)
        for (j, atom) in atoms.iter().enumerate() {
            let times = choice.iter().filter(|&&c| c == j).count();
            if times == 0 {
                continue;
            }
            let m = append(&mut mass, &atom.mass);
            let power = if times == 1 {
                m
            } else {
                let n = mass.add(Node::Num(Num::int(times as i64)));
                mass.add(Node::Pow([m, n]))
            };
            mass_root = mass.add(Node::Mul([mass_root, power]));
        }
        let (at, mass) = (subterm(&at, at_root), subterm(&mass, mass_root));
        match out.iter_mut().find(|(a, _)| *a == at) {
            Some((_, m)) => {
                let mut both = m.clone();
                let left = Id::from(both.as_ref().len() - 1);
                let right = append(&mut both, &mass);
                both.add(Node::Add([left, right]));
                *m = both;
            }
            None => out.push((at, mass)),
        }
        // the next choice, as a number in base atoms.len()
        let mut i = 0;
        while i < choice.len() {
            choice[i] += 1;
            if choice[i] < atoms.len() {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
        if i == choice.len() {
            return Ok(out);
        }
    }
}

/// The lower (or upper) end of Σ wᵢEᵢ: each term at the end of E its weight's sign
/// picks, infinite if any of those is; closed if every one is.
fn sum_end(support: &Support, weights: &[Num], lower: bool, tidy: &dyn Fn(&Expr) -> Expr) -> End {
    let mut sum = Expr::default();
    let mut root = sum.add(Node::Num(Num::int(0)));
    let mut closed = true;
    for w in weights.iter().filter(|w| !w.is_zero()) {
        let positive = w.to_f64() > 0.0;
        let end = if positive == lower {
            &support.lo
        } else {
            &support.hi
        };
        let Some(value) = &end.value else {
            return End {
                value: None,
                closed: false,
            };
        };
        closed &= end.closed;
        let wid = sum.add(Node::Num(w.clone()));
        let v = append(&mut sum, value);
        let term = sum.add(Node::Mul([wid, v]));
        root = sum.add(Node::Add([root, term]));
    }
    End {
        value: Some(tidy(&subterm(&sum, root))),
        closed,
    }
}

fn atoms_of(atoms: &[Atom]) -> Vec<(Expr, Expr)> {
    atoms
        .iter()
        .map(|a| (a.at.clone(), a.mass.clone()))
        .collect()
}

/// density + Σ mass·δ(t − at).
pub(super) fn with_deltas(density: &Expr, atoms: &[(Expr, Expr)]) -> Expr {
    let mut out = density.clone();
    let mut root = Id::from(out.as_ref().len() - 1);
    for (at, mass) in atoms {
        let m = append(&mut out, mass);
        let t = out.add(Node::T);
        let a = append(&mut out, at);
        let shifted = out.add(Node::Sub([t, a]));
        let delta = out.add(Node::Delta(shifted));
        let term = out.add(Node::Mul([m, delta]));
        root = out.add(Node::Add([root, term]));
    }
    subterm(&out, root)
}
