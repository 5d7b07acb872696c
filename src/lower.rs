//! Syntax tree to egg term: statements are inlined into one random term for the output
//! Y, the input becomes `(normal MEAN STD)`, and everything a rule may need later is
//! collected: the parameters, the assumptions as signs, and where each random subterm
//! was written (for errors that point at the source).
//!
//! Lowering is where the program's *shape* is checked: one random input, a map of it
//! (each operator has at most one random operand), functions known with the right
//! number and kind of arguments.

use crate::error::{Error, ErrorKind, Result};
use crate::lang::bounds::{bounds, Interval};
use crate::lang::functions::{self, Call, Lowering};
pub use crate::lang::Assumption;
use crate::lang::{subterm, Expr, Node, Num, Sign};
use crate::syntax::{self, Arg, AstKind, BinOp, Relation, Span, Statement};
use egg::{Id, Language, Symbol};
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod condition;

/// A program ready for derivation.
#[derive(Clone, Debug)]
pub struct Model {
    /// The program's text.
    pub source: String,
    /// The name of the random input (`x`).
    pub input_name: String,
    /// The name of the output (the last statement).
    pub output_name: String,
    /// The output as a random term; the input appears as `(normal MEAN STD)`.
    pub y: Expr,
    /// The input's term `(normal MEAN STD)`.
    pub input: Expr,
    /// The input's mean and standard deviation as real terms.
    pub mean: Expr,
    pub std: Expr,
    /// Where the input was declared.
    pub input_span: Span,
    /// Signs of parameters that rules may use (from `assume`, STD > 0 and N ≥ 1).
    pub signs: HashMap<Symbol, Sign>,
    /// Every `assume` as written.
    pub assumptions: Vec<Assumption>,
    /// Every parameter, with where it first appears.
    pub params: BTreeMap<String, Span>,
    /// Parameters that must be whole numbers ≥ 1 (the N of maxpool).
    pub integer_params: BTreeSet<String>,
    /// Random subterms (by [`structural_hash`](crate::lang::structural_hash)) and the
    /// source they came from. Hashes, not the terms: the subterms of n nested layers
    /// written out are n² nodes.
    pub origins: Vec<(u64, Span)>,
    /// Parameters (K, N) of order statistics, which need K ≤ N.
    pub order_pairs: Vec<(String, String)>,
    /// Parameters that are weight vectors (`conv(x, w)`): their values are lists.
    pub vector_params: BTreeSet<String>,
    /// For a program with `if`: P(Y ≤ t) split over the pieces of its conditions,
    /// where the derivation starts instead of `(cdf Y t)`.
    pub cdf_start: Option<Expr>,
    /// For a program with `if`: each piece's map with the input clamped to the piece
    /// (the support is the union of their ranges).
    pub pieces: Vec<Expr>,
}

impl Model {
    /// The input as terms print it: by its name.
    pub fn names(&self) -> crate::lang::print::Input<'_> {
        crate::lang::print::Input {
            term: &self.input,
            name: &self.input_name,
        }
    }
}

struct Lowerer<'a> {
    expr: Expr,
    env: HashMap<String, (Id, bool)>,
    input: Option<(String, Id)>,
    params: BTreeMap<String, Span>,
    integer_params: BTreeSet<String>,
    signs: HashMap<Symbol, Sign>,
    /// Random subterms and where the program wrote them.
    origins: Vec<(Id, Span)>,
    order_pairs: Vec<(String, String)>,
    vector_params: BTreeSet<String>,
    /// Every `assume` NAME REL NUMBER of the program, wherever it is written (a
    /// condition's threshold may come before the assumptions that bound it).
    assumptions: Vec<Assumption>,
    source: &'a str,
}

/// Deepest output term accepted, counted in operations after inlining statements.
pub const MAX_DEPTH: usize = 400;

/// Names the language keeps for itself.
const RESERVED: &[&str] = &["t", "inf", "nil", "assume", "Normal"];

/// Lower a parsed program.
pub fn lower(source: &str, program: &syntax::Program) -> Result<Model> {
    let mut lw = Lowerer {
        expr: Expr::default(),
        env: HashMap::new(),
        input: None,
        params: BTreeMap::new(),
        integer_params: BTreeSet::new(),
        signs: HashMap::new(),
        origins: Vec::new(),
        order_pairs: Vec::new(),
        vector_params: BTreeSet::new(),
        assumptions: Vec::new(),
        source,
    };
    // every assumption first, for the thresholds of conditions; the statements below
    // check each one where it is written
    for st in &program.statements {
        if let Statement::Assume {
            name,
            relation,
            value,
            span,
        } = st
        {
            if let Some(v) = assumed_number(value) {
                lw.assumptions.push(Assumption {
                    name: name.text.clone(),
                    relation: *relation,
                    value: v,
                    span: *span,
                });
            }
        }
    }
    let mut input_info = None;
    let mut output: Option<(String, Id, Span)> = None;
    for st in &program.statements {
        match st {
            Statement::Input {
                name,
                mean,
                std,
                span,
            } => {
                if let Some((first, _)) = &lw.input {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        format!("a second random input `{}`; `{first}` is already the input", name.text),
                    )
                    .at(*span, "second input")
                    .help("pushforward derives the law of a map of one Normal input; for iid copies use conv(E, [w1, ..., wn]) or maxpool(E, N)"));
                }
                lw.check_new_name(&name.text, name.span)?;
                let (m, m_random) = lw.lower_expr(mean)?;
                let (s, s_random) = lw.lower_expr(std)?;
                if m_random || s_random {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        "the input's parameters must not be random",
                    )
                    .at(if m_random { mean.span } else { std.span }, "random"));
                }
                lw.require_positive_std(s, std.span)?;
                let n = lw.expr.add(Node::Normal([m, s]));
                lw.input = Some((name.text.clone(), n));
                lw.origins.push((n, name.span));
                input_info = Some((m, s, *span));
            }
            Statement::Assume {
                name,
                relation,
                value,
                span,
            } => {
                let v = assumed_number(value).ok_or_else(|| assume_needs_number(value.span))?;
                if lw.env.contains_key(&name.text)
                    || lw.input.as_ref().is_some_and(|(n, _)| *n == name.text)
                {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        format!(
                            "`{}` is a variable of the program, not a parameter",
                            name.text
                        ),
                    )
                    .at(name.span, "not a parameter")
                    .help("assumptions are about parameters: names that no statement defines"));
                }
                let sign = sign_of_relation(*relation, &v);
                let entry = lw
                    .signs
                    .entry(Symbol::from(&name.text))
                    .or_insert(Sign::ANY);
                *entry = Sign(entry.0 & sign.0);
                if entry.0 == 0 {
                    return Err(Error::new(
                        ErrorKind::Parameter,
                        format!(
                            "the assumptions about `{}` contradict each other",
                            name.text
                        ),
                    )
                    .at(*span, "contradicts an earlier assumption")
                    .help(format!(
                        "no value of `{}` satisfies them all: keep the assumptions that hold",
                        name.text
                    )));
                }
                lw.params.entry(name.text.clone()).or_insert(name.span);
            }
            Statement::Assign { name, value, span } => {
                if lw.input.is_none() {
                    return Err(Error::new(
                        ErrorKind::Syntax,
                        "a statement before the random input",
                    )
                    .at(*span, "no input declared yet")
                    .help("start the program with `x ~ Normal(MEAN, STD)`"));
                }
                lw.check_new_name(&name.text, name.span)?;
                let (id, random) = lw.lower_expr(value)?;
                lw.env.insert(name.text.clone(), (id, random));
                output = Some((name.text.clone(), id, *span));
            }
        }
    }
    let Some((input_name, input_id)) = lw.input.clone() else {
        return Err(
            Error::new(ErrorKind::Syntax, "the program has no random input")
                .at(Span::new(0, source.len().min(1)), "")
                .help("start the program with `x ~ Normal(MEAN, STD)`"),
        );
    };
    let (out_name, out_id, out_span) = match output {
        Some(o) => o,
        None => {
            return Err(
                Error::new(ErrorKind::Syntax, "the program has no output statement")
                    .at(Span::new(source.len(), source.len()), "expected `y = ...`")
                    .help(format!(
                    "add a statement such as `y = tanh({input_name})`; the last one is the output"
                )),
            )
        }
    };
    // the output must be the last statement
    if let Some(Statement::Assume { span, .. } | Statement::Input { span, .. }) =
        program.statements.last()
    {
        return Err(Error::new(
            ErrorKind::Syntax,
            "the program must end with its output statement",
        )
        .at(*span, "after the output")
        .help("move assumptions before the statements, and end with `y = ...`"));
    }
    if !lw.env.get(&out_name).is_some_and(|v| v.1) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("the output `{out_name}` does not depend on the input `{input_name}`"),
        )
        .at(out_span, "not random")
        .help(format!("write the output as a function of `{input_name}`")));
    }
    let (mean_id, std_id, input_span) = input_info.unwrap_or((input_id, input_id, Span::default()));
    let symbol = |s: Symbol| lw.parameter_interval(s);
    let cdf_start = piecewise_start(&subterm(&lw.expr, out_id), out_span, &symbol)?;
    let full = lw.expr;
    // every later stage walks the output term recursively: bound its depth
    let mut depth = vec![0usize; full.as_ref().len()];
    for (i, node) in full.as_ref().iter().enumerate() {
        depth[i] = 1 + node
            .children()
            .iter()
            .map(|c| depth[usize::from(*c)])
            .max()
            .unwrap_or(0);
    }
    let out_depth = depth[usize::from(out_id)];
    if out_depth > MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("the output is nested {out_depth} operations deep; the limit is {MAX_DEPTH}"),
        )
        .at(out_span, "too deep")
        .help("pushforward derives laws of transforms up to this depth; split the network and study its layers separately"));
    }
    let y = subterm(&full, out_id);
    let hashes = crate::lang::structural_hashes(&full);
    let origins = lw
        .origins
        .iter()
        .map(|(id, span)| (hashes[usize::from(*id)], *span))
        .collect();
    Ok(Model {
        source: source.to_string(),
        input_name,
        output_name: out_name,
        y,
        input: subterm(&full, input_id),
        mean: subterm(&full, mean_id),
        std: subterm(&full, std_id),
        input_span,
        signs: lw.signs,
        assumptions: lw.assumptions,
        params: lw.params,
        integer_params: lw.integer_params,
        origins,
        order_pairs: lw.order_pairs,
        vector_params: lw.vector_params,
        cdf_start: cdf_start.as_ref().map(|(c, _)| c.clone()),
        pieces: cdf_start.map(|(_, p)| p).unwrap_or_default(),
    })
}

/// The number of an assumption: a number or a negated one.
fn assumed_number(value: &syntax::Ast) -> Option<BigRational> {
    match &value.kind {
        AstKind::Num(v) => Some(v.clone()),
        AstKind::Neg(inner) => match &inner.kind {
            AstKind::Num(v) => Some(-v.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn assume_needs_number(span: Span) -> Error {
    Error::new(
        ErrorKind::Syntax,
        "an assumption compares a parameter with a number",
    )
    .at(span, "not a number")
    .help("write for example `assume a > 0`")
}

/// The signs a parameter can take when `NAME rel v` holds.
fn sign_of_relation(rel: Relation, v: &BigRational) -> Sign {
    let (z, p) = (v.is_zero(), v.is_positive());
    match rel {
        Relation::Gt if z || p => Sign::POS,
        Relation::Ge if p => Sign::POS,
        Relation::Ge if z => Sign::NONNEG,
        Relation::Lt if z || !p => Sign::NEG,
        Relation::Le if !p && !z => Sign::NEG,
        Relation::Le if z => Sign::NONPOS,
        Relation::Ne if z => Sign(5),
        _ => Sign::ANY,
    }
}

/// Pieces of the input's line, [lo, hi) with open ends as `None`, and the map there.
/// The ends are constant terms: numbers, or expressions of parameters.
type Piece = (Option<Expr>, Option<Expr>, Expr);

/// How two thresholds compare, or the pair that nothing known orders.
type Order<'a> = &'a dyn Fn(&Expr, &Expr) -> std::result::Result<Ordering, (Expr, Expr)>;

/// Split a term with `ite` nodes into the pieces of the input's line where it is a
/// plain map.
fn pieces(
    term: &Expr,
    lo: Option<Expr>,
    hi: Option<Expr>,
    order: Order,
    out: &mut Vec<Piece>,
) -> std::result::Result<(), (Expr, Expr)> {
    let first = term.as_ref().iter().position(|n| matches!(n, Node::Ite(_)));
    let Some(i) = first else {
        out.push((lo, hi, term.clone()));
        return Ok(());
    };
    let Node::Ite([_, c, a, b]) = &term[Id::from(i)] else {
        unreachable!("position found an ite node");
    };
    let c = subterm(term, *c);
    let replace = |with: Id| -> Expr {
        let mut e = Expr::default();
        let mut map: Vec<Id> = Vec::new();
        for (k, node) in term.as_ref().iter().enumerate() {
            let id = if k == i {
                map[usize::from(with)]
            } else {
                e.add(node.clone().map_children(|ch| map[usize::from(ch)]))
            };
            map.push(id);
        }
        subterm(&e, *map.last().unwrap_or(&Id::from(0)))
    };
    // where x >= c the first branch, below it the second; empty pieces are dropped
    let c_below_hi = match &hi {
        Some(h) => order(&c, h)? == Ordering::Less,
        None => true,
    };
    let lo_below_c = match &lo {
        Some(l) => order(l, &c)? == Ordering::Less,
        None => true,
    };
    if c_below_hi {
        let above_lo = if lo_below_c {
            c.clone()
        } else {
            lo.clone().unwrap_or(c.clone())
        };
        pieces(&replace(*a), Some(above_lo), hi.clone(), order, out)?;
    }
    if lo_below_c {
        let below_hi = if c_below_hi { c } else { hi.unwrap_or(c) };
        pieces(&replace(*b), lo, Some(below_hi), order, out)?;
    }
    Ok(())
}

/// P(Y ≤ t) for a program with `if`, as a sum over the pieces of the input's line:
/// P(x ∈ [a, b), B(x) ≤ t) = P(B(clamp(x, a, b)) ≤ t) − P(x < a)·[t ≥ B(a)] − P(x ≥ b)·[t ≥ B(b)]
/// (clamping moves the mass outside the piece onto its ends, which the brackets take
/// back off), and P(x ∈ [a, b))·[t ≥ k] for a constant branch k.
fn piecewise_start(
    y: &Expr,
    span: Span,
    symbol: &dyn Fn(Symbol) -> Interval,
) -> Result<Option<(Expr, Vec<Expr>)>> {
    if !y.as_ref().iter().any(|n| matches!(n, Node::Ite(_))) {
        return Ok(None);
    }
    let Some(normal_pos) = y.as_ref().iter().position(|n| matches!(n, Node::Normal(_))) else {
        return Ok(None);
    };
    let Node::Normal([m, s]) = &y[Id::from(normal_pos)] else {
        return Ok(None);
    };
    let (mean, std) = (subterm(y, *m), subterm(y, *s));
    let order = |a: &Expr, b: &Expr| -> std::result::Result<Ordering, (Expr, Expr)> {
        if a == b {
            return Ok(Ordering::Equal);
        }
        let root = |e: &Expr| Id::from(e.as_ref().len() - 1);
        let (ia, ib) = (bounds(a, root(a), symbol), bounds(b, root(b), symbol));
        match (ia, ib) {
            (Some(ia), Some(ib)) => match (ia.exact_point(), ib.exact_point()) {
                (Some(p), Some(q)) if p == q => Ok(Ordering::Equal),
                _ if ia.below(&ib) => Ok(Ordering::Less),
                _ if ib.below(&ia) => Ok(Ordering::Greater),
                _ => Err((a.clone(), b.clone())),
            },
            _ => Err((a.clone(), b.clone())),
        }
    };
    let mut ps = Vec::new();
    pieces(y, None, None, &order, &mut ps).map_err(|(a, b)| {
        let (a, b) = (crate::lang::print::text(&a, None), crate::lang::print::text(&b, None));
        Error::new(
            ErrorKind::Parameter,
            format!("cannot tell in which order the thresholds `{a}` and `{b}` of the conditions lie"),
        )
        .at(span, "conditions on both")
        .help({
            let simple = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c == '_');
            if simple(&a) && simple(&b) {
                format!("the pieces of the input's line depend on it: state assumptions that order them, for example `assume {b} < 0` and `assume {a} > 0`")
            } else {
                format!("the pieces of the input's line depend on it: state assumptions on the parameters in {a} and {b} that order them, such as one below a number and the other above it")
            }
        })
    })?;
    let mut out = Expr::default();
    let t = out.add(Node::T);
    let mut acc: Option<Id> = None;
    let mut clamped_terms: Vec<Expr> = Vec::new();
    // Φ((c − μ)/σ) = P(x < c)
    let below = |out: &mut Expr, c: &Expr| -> Id {
        let cn = crate::lang::append(out, c);
        let mi = crate::lang::append(out, &mean);
        let si = crate::lang::append(out, &std);
        let d = out.add(Node::Sub([cn, mi]));
        let z = out.add(Node::Div([d, si]));
        out.add(Node::Phi(z))
    };
    for (lo, hi, b) in ps {
        if b.as_ref().iter().any(|n| {
            matches!(
                n,
                Node::MaxPool(_) | Node::MinPool(_) | Node::Order(_) | Node::Conv(_)
            )
        }) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "iid copies (maxpool, minpool, order, conv) inside an `if` are not supported",
            )
            .at(span, "copies inside a piece")
            .help("pool or sum first, then branch on the input"));
        }
        let random = b.as_ref().iter().any(|n| matches!(n, Node::Normal(_)));
        // with x replaced by `with`
        let subst = |out: &mut Expr, with: &dyn Fn(&mut Expr, Id) -> Id| -> Id {
            let mut map: Vec<Id> = Vec::new();
            for node in b.as_ref() {
                let id = match node {
                    Node::Normal(_) => {
                        let n = out.add(node.clone().map_children(|ch| map[usize::from(ch)]));
                        with(out, n)
                    }
                    _ => out.add(node.clone().map_children(|ch| map[usize::from(ch)])),
                };
                map.push(id);
            }
            *map.last().unwrap_or(&t)
        };
        let term = if random {
            let clamped = subst(&mut out, &|out: &mut Expr, x: Id| match (&lo, &hi) {
                (Some(a), Some(h)) => {
                    let symbolic =
                        |e: &Expr| e.as_ref().iter().any(|n| matches!(n, Node::Symbol(_)));
                    let (a_sym, h_sym) = (symbolic(a), symbolic(h));
                    let (a, h) = (crate::lang::append(out, a), crate::lang::append(out, h));
                    if a_sym || h_sym {
                        // min(max(x, a), h): the clamp's definition, which its rules
                        // need a < h proved for; max and min need nothing
                        let m = out.add(Node::Max([x, a]));
                        out.add(Node::Min([m, h]))
                    } else {
                        out.add(Node::Clamp([x, a, h]))
                    }
                }
                (Some(a), None) => {
                    let a = crate::lang::append(out, a);
                    out.add(Node::Max([x, a]))
                }
                (None, Some(h)) => {
                    let h = crate::lang::append(out, h);
                    out.add(Node::Min([x, h]))
                }
                (None, None) => x,
            });
            clamped_terms.push(subterm(&out, clamped));
            let mut term = out.add(Node::Cdf([clamped, t]));
            for (end, lower) in [(&lo, true), (&hi, false)] {
                let Some(c) = end else { continue };
                let at = subst(&mut out, &|out: &mut Expr, _x: Id| {
                    crate::lang::append(out, c)
                });
                let p = below(&mut out, c);
                let p = if lower {
                    p
                } else {
                    let one = out.add(Node::Num(Num::int(1)));
                    out.add(Node::Sub([one, p]))
                };
                let bracket = out.add(Node::Ge([t, at]));
                let off = out.add(Node::Mul([p, bracket]));
                term = out.add(Node::Sub([term, off]));
            }
            term
        } else {
            let k = subst(&mut out, &|_out: &mut Expr, x: Id| x);
            clamped_terms.push(subterm(&out, k));
            let mass = match (&lo, &hi) {
                (Some(a), Some(h)) => {
                    let (pa, ph) = (below(&mut out, a), below(&mut out, h));
                    out.add(Node::Sub([ph, pa]))
                }
                (Some(a), None) => {
                    let one = out.add(Node::Num(Num::int(1)));
                    let pa = below(&mut out, a);
                    out.add(Node::Sub([one, pa]))
                }
                (None, Some(h)) => below(&mut out, h),
                (None, None) => out.add(Node::Num(Num::int(1))),
            };
            let bracket = out.add(Node::Ge([t, k]));
            out.add(Node::Mul([mass, bracket]))
        };
        acc = Some(match acc {
            Some(s) => out.add(Node::Add([s, term])),
            None => term,
        });
    }
    Ok(acc.map(|a| (subterm(&out, a), clamped_terms)))
}

impl Lowerer<'_> {
    fn check_new_name(&self, name: &str, span: Span) -> Result<()> {
        if RESERVED.contains(&name) {
            return Err(
                Error::new(ErrorKind::Syntax, format!("`{name}` is a reserved name"))
                    .at(span, "reserved")
                    .help("`t` is the CDF's argument; choose another name"),
            );
        }
        if self.env.contains_key(name) || self.input.as_ref().is_some_and(|(n, _)| n == name) {
            return Err(
                Error::new(ErrorKind::Syntax, format!("`{name}` is already defined"))
                    .at(span, "defined again")
                    .help("give each statement a new name"),
            );
        }
        if let Some(first) = self.params.get(name) {
            let (line, _) = crate::error::line_col(self.source, first.start);
            return Err(Error::new(
                ErrorKind::Syntax,
                format!("`{name}` is used as a parameter on line {line} before it is defined here"),
            )
            .at(span, "defined after use"));
        }
        Ok(())
    }

    fn require_positive_std(&mut self, s: Id, span: Span) -> Result<()> {
        match &self.expr[s] {
            Node::Num(n) if n.sign() != Sign::POS => Err(Error::new(
                ErrorKind::Parameter,
                format!("the standard deviation must be positive, not {n}"),
            )
            .at(span, "not positive")
            .help("the second argument of Normal is the standard deviation σ > 0")),
            Node::Num(_) => Ok(()),
            Node::Symbol(sym) => {
                let entry = self.signs.entry(*sym).or_insert(Sign::ANY);
                if entry.0 & Sign::POS.0 == 0 {
                    return Err(Error::new(
                        ErrorKind::Parameter,
                        format!("the standard deviation `{sym}` is assumed not positive"),
                    )
                    .at(span, "must be > 0"));
                }
                *entry = Sign::POS;
                Ok(())
            }
            // a compound STD is checked by the analysis when deriving
            _ => Ok(()),
        }
    }

    fn add(&mut self, node: Node) -> Id {
        self.expr.add(node)
    }

    fn num(&mut self, r: BigRational) -> Id {
        self.add(Node::Num(Num::from(r)))
    }

    fn lower_expr(&mut self, e: &syntax::Ast) -> Result<(Id, bool)> {
        let (id, random) = self.lower_inner(e)?;
        if random {
            self.origins.push((id, e.span));
        }
        Ok((id, random))
    }

    fn lower_inner(&mut self, e: &syntax::Ast) -> Result<(Id, bool)> {
        Ok(match &e.kind {
            AstKind::Num(r) => (self.num(r.clone()), false),
            AstKind::Name(n) => {
                if let Some((input, id)) = &self.input {
                    if input == n {
                        return Ok((*id, true));
                    }
                }
                if let Some(&v) = self.env.get(n) {
                    return Ok(v);
                }
                if RESERVED.contains(&n.as_str()) {
                    return Err(
                        Error::new(ErrorKind::Syntax, format!("`{n}` is a reserved name"))
                            .at(e.span, "reserved")
                            .help("`t` is the CDF's argument; name the parameter differently"),
                    );
                }
                self.params.entry(n.clone()).or_insert(e.span);
                (self.add(Node::Symbol(Symbol::from(n))), false)
            }
            AstKind::Neg(a) => {
                // a negative literal is a number, not the negation of one
                if let AstKind::Num(r) = &a.kind {
                    return Ok((self.num(-r.clone()), false));
                }
                let (a, r) = self.lower_expr(a)?;
                (self.add(Node::Neg(a)), r)
            }
            AstKind::Binary(op, a, b) => {
                let (ia, ra) = self.lower_expr(a)?;
                let (ib, rb) = self.lower_expr(b)?;
                let node = match op {
                    BinOp::Add => Node::Add([ia, ib]),
                    BinOp::Sub => Node::Sub([ia, ib]),
                    BinOp::Mul => Node::Mul([ia, ib]),
                    BinOp::Div => Node::Div([ia, ib]),
                    BinOp::Pow => Node::Pow([ia, ib]),
                };
                if ra && rb {
                    let id = self.add(node);
                    // x on both sides of an affine expression, such as x + x or 3*x - x/2
                    let text = &self.source[e.span.start..e.span.end];
                    if let Some((p, q)) = self.affine(id) {
                        if p.is_zero() {
                            return Err(Error::new(
                                ErrorKind::Unsupported,
                                format!(
                                    "the input cancels out of `{text}`: it is the constant {q}"
                                ),
                            )
                            .at(e.span, "not random")
                            .help("write the constant, or a map that depends on the input"));
                        }
                        let x = self.input.as_ref().map(|(_, x)| *x).unwrap_or(id);
                        let pn = self.num(p);
                        let px = self.add(Node::Mul([pn, x]));
                        if q.is_zero() {
                            return Ok((px, true));
                        }
                        let qn = self.num(q);
                        return Ok((self.add(Node::Add([px, qn])), true));
                    }
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        format!("`{text}` combines two functions of the input: the map has no closed-form inverse"),
                    )
                    .at(e.span, "two random operands")
                    .help("pushforward derives laws through chains of maps that each have a closed-form inverse, applied to one term in the input (docs/language.md lists them); affine combinations such as x + x or 3*x - x/2 are fine, and x*x is x^2; for a weighted sum of iid copies use conv(E, [w1, ..., wn])"));
                }
                match op {
                    BinOp::Div if rb => {
                        return Err(Error::new(
                            ErrorKind::Unsupported,
                            "dividing by a random term is not supported",
                        )
                        .at(b.span, "random divisor")
                        .help("1/E is not monotone on all of R; only E / c with c a constant is supported"))
                    }
                    BinOp::Pow if rb => {
                        return Err(Error::new(
                            ErrorKind::Unsupported,
                            "a random exponent is not supported",
                        )
                        .at(b.span, "random exponent")
                        .help("write exp(E*log(c)) for c^E with c > 0"))
                    }
                    BinOp::Pow if ra => {
                        let whole = matches!(&b.kind, AstKind::Num(n) if n.is_integer() && *n >= BigRational::from_integer(1.into()) && *n <= BigRational::from_integer(64.into()));
                        if !whole {
                            return Err(Error::new(
                                ErrorKind::Unsupported,
                                "a random term can only be raised to a whole number from 1 to 64",
                            )
                            .at(b.span, "not a whole number")
                            .help("write E^2, E^3, ...; for roots of a positive term use sqrt or exp(log(E)/n)"));
                        }
                    }
                    _ => {}
                }
                (self.add(node), ra || rb)
            }
            AstKind::Call(f, args) => self.lower_call(f, args, e.span)?,
            AstKind::If {
                lhs,
                relation,
                rhs,
                then,
                otherwise,
            } => self.lower_if(lhs, *relation, rhs, then, otherwise)?,
        })
    }

    fn expr_arg(&mut self, f: &str, args: &[Arg], i: usize) -> Result<(Id, bool, Span)> {
        match &args[i] {
            Arg::Expr(e) => {
                let (id, r) = self.lower_expr(e)?;
                Ok((id, r, e.span))
            }
            Arg::List(_, span) => Err(Error::new(
                ErrorKind::Syntax,
                format!("{f} takes an expression here, not a list"),
            )
            .at(*span, "a list")
            .help("lists appear only as the weights of conv(E, [w1, ..., wn])")),
        }
    }

    fn lower_call(&mut self, f: &syntax::Name, args: &[Arg], span: Span) -> Result<(Id, bool)> {
        let Some(&Call {
            usage,
            arity,
            lowering,
            ..
        }) = functions::calls().find(|g| g.name == f.text)
        else {
            if ["sin", "cos", "tan", "sinc"].contains(&f.text.as_str()) {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("`{}` is not monotone on finitely many pieces: a Normal input has infinitely many preimages of every value, and its law has no closed form", f.text),
                )
                .at(f.span, "infinitely many pieces")
                .help("pushforward derives laws of maps that are monotone on finitely many pieces: tanh, sigmoid, softsign, abs, powers, clamp and the like"));
            }
            let known: Vec<&str> = functions::calls().map(|g| g.name).collect();
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("unknown function `{}`", f.text),
            )
            .at(f.span, "not a function pushforward knows")
            .help(format!("the functions are: {}", known.join(", "))));
        };
        if args.len() != arity {
            return Err(Error::new(
                ErrorKind::Syntax,
                format!(
                    "{} takes {arity} argument{}, not {}",
                    f.text,
                    if arity == 1 { "" } else { "s" },
                    args.len()
                ),
            )
            .at(span, "wrong number of arguments")
            .help(format!("write {usage}")));
        }
        let (e, random, _) = self.expr_arg(&f.text, args, 0)?;
        match lowering {
            Lowering::Node => {
                let mut children = vec![e];
                for i in 1..arity {
                    let (c, rc, cspan) = self.expr_arg(&f.text, args, i)?;
                    if rc {
                        return Err(Error::new(
                            ErrorKind::Unsupported,
                            format!(
                                "the {} argument of {} must not be random",
                                ["first", "second", "third", "fourth"][i.min(3)],
                                f.text
                            ),
                        )
                        .at(cspan, "random"));
                    }
                    children.push(c);
                }
                let op = crate::lang::FUNCTIONS
                    .iter()
                    .find(|g| g.call.is_some_and(|c| c.name == f.text))
                    .map_or(f.text.as_str(), |g| g.op);
                let node = <Node as egg::FromOp>::from_op(op, children).map_err(|_| {
                    Error::new(ErrorKind::Internal, format!("no node for {}", f.text))
                })?;
                return Ok((self.add(node), random));
            }
            Lowering::Sugar(term) => {
                let id = crate::lang::instantiate(term, e, |n| self.add(n)).ok_or_else(|| {
                    Error::new(ErrorKind::Internal, format!("the shorthand {term}"))
                })?;
                return Ok((id, random));
            }
            Lowering::Own => {}
        }
        match f.text.as_str() {
            "clamp" => {
                let (lo, rl, sl) = self.expr_arg(&f.text, args, 1)?;
                let (hi, rh, sh) = self.expr_arg(&f.text, args, 2)?;
                if rl || rh {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        "the ends of clamp must not be random",
                    )
                    .at(if rl { sl } else { sh }, "random"));
                }
                Ok((self.add(Node::Clamp([e, lo, hi])), random))
            }
            "max" | "min" => {
                let (c, rc, _) = self.expr_arg(&f.text, args, 1)?;
                let (r, k) = match (random, rc) {
                    (true, true) => {
                        return Err(Error::new(
                            ErrorKind::Unsupported,
                            format!("both arguments of {} depend on the random input", f.text),
                        )
                        .at(span, "two random arguments")
                        .help("max and min take a random term and a constant; for the largest of iid copies use maxpool"))
                    }
                    (false, true) => (c, e),
                    _ => (e, c),
                };
                let node = if f.text == "max" {
                    Node::Max([r, k])
                } else {
                    Node::Min([r, k])
                };
                Ok((self.add(node), random || rc))
            }
            "order" => {
                if !random {
                    return Err(not_random(&f.text, args[0].span()));
                }
                let k = self.pool_size(&args[1])?;
                let n = self.pool_size(&args[2])?;
                if let (Node::Num(kn), Node::Num(nn)) = (&self.expr[k], &self.expr[n]) {
                    if kn > nn {
                        return Err(Error::new(
                            ErrorKind::Parameter,
                            format!(
                                "order(E, {kn}, {nn}) asks for the {kn}-th of only {nn} copies"
                            ),
                        )
                        .at(span, "K > N")
                        .help("K must be from 1 to N"));
                    }
                }
                if let (Node::Symbol(ks), Node::Symbol(ns)) = (&self.expr[k], &self.expr[n]) {
                    self.order_pairs.push((ks.to_string(), ns.to_string()));
                }
                Ok((self.add(Node::Order([e, k, n])), true))
            }
            "maxpool" | "minpool" => {
                if !random {
                    return Err(not_random(&f.text, args[0].span()));
                }
                let n = self.pool_size(&args[1])?;
                let node = if f.text == "maxpool" {
                    Node::MaxPool([e, n])
                } else {
                    Node::MinPool([e, n])
                };
                Ok((self.add(node), true))
            }

            "conv" => {
                if !random {
                    return Err(not_random(&f.text, args[0].span()));
                }
                // a weight vector by name: its sum and norm stay symbolic
                if let Arg::Expr(syntax::Ast {
                    kind: AstKind::Name(name),
                    span: wspan,
                }) = &args[1]
                {
                    if self.env.contains_key(name)
                        || self.input.as_ref().is_some_and(|(n, _)| n == name)
                    {
                        return Err(Error::new(
                            ErrorKind::Syntax,
                            format!("`{name}` is a variable of the program, not a weight vector"),
                        )
                        .at(*wspan, "not a weight vector"));
                    }
                    self.params.entry(name.clone()).or_insert(*wspan);
                    self.vector_params.insert(name.clone());
                    let w = self.add(Node::Symbol(Symbol::from(name)));
                    return Ok((self.add(Node::Conv([e, w])), true));
                }
                let Arg::List(items, lspan) = &args[1] else {
                    return Err(Error::new(
                        ErrorKind::Syntax,
                        "conv takes a list of weights or the name of a weight vector",
                    )
                    .at(args[1].span(), "not a list")
                    .help("write conv(x, [w1, ..., wn]) or conv(x, w) with w a vector parameter"));
                };
                if items.is_empty() {
                    return Err(
                        Error::new(ErrorKind::Syntax, "conv needs at least one weight")
                            .at(*lspan, "empty list"),
                    );
                }
                let mut list = self.add(Node::Nil);
                for w in items.iter().rev() {
                    let (wi, rw) = self.lower_expr(w)?;
                    if rw {
                        return Err(Error::new(
                            ErrorKind::Unsupported,
                            "conv weights must not be random",
                        )
                        .at(w.span, "random weight"));
                    }
                    list = self.add(Node::Cons([wi, list]));
                }
                Ok((self.add(Node::Conv([e, list])), true))
            }
            _ => Err(Error::new(
                ErrorKind::Internal,
                format!("function {} has no lowering", f.text),
            )
            .at(f.span, "")),
        }
    }

    /// The N of maxpool: a whole number ≥ 1, or a parameter (then assumed ≥ 1).
    fn pool_size(&mut self, arg: &Arg) -> Result<Id> {
        let bad = |span: Span, why: &str| {
            Error::new(
                ErrorKind::Parameter,
                format!("the pool size must be a whole number ≥ 1, {why}"),
            )
            .at(span, "bad pool size")
            .help("write maxpool(E, 4) or maxpool(E, N) with N a parameter")
        };
        match arg {
            Arg::Expr(syntax::Ast {
                kind: AstKind::Num(n),
                span,
            }) => {
                if !n.is_integer() || *n < BigRational::from_integer(1.into()) {
                    return Err(bad(*span, &format!("not {n}")));
                }
                Ok(self.num(n.clone()))
            }
            Arg::Expr(
                e @ syntax::Ast {
                    kind: AstKind::Name(name),
                    span,
                },
            ) => {
                let (id, random) = self.lower_expr(e)?;
                if random || !matches!(self.expr[id], Node::Symbol(_)) {
                    return Err(bad(
                        *span,
                        &format!("and `{name}` is a variable of the program"),
                    ));
                }
                let entry = self.signs.entry(Symbol::from(name)).or_insert(Sign::ANY);
                *entry = Sign(entry.0 & Sign::POS.0);
                if entry.0 == 0 {
                    return Err(bad(*span, &format!("but `{name}` is assumed ≤ 0")));
                }
                self.integer_params.insert(name.clone());
                Ok(id)
            }
            other => Err(bad(other.span(), "or a parameter name")),
        }
    }
}

fn not_random(f: &str, span: Span) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("the first argument of {f} must depend on the random input"),
    )
    .at(span, "not random")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn lowers_to(src: &str, expected: &str) {
        let p = crate::syntax::parse(src).unwrap();
        let m = lower(src, &p).unwrap();
        assert_eq!(m.y.to_string(), expected);
    }

    #[track_caller]
    fn fails_with(src: &str, kind: ErrorKind, needle: &str) {
        let p = crate::syntax::parse(src).unwrap();
        let e = lower(src, &p).unwrap_err();
        assert_eq!(e.kind, kind, "{}", e.message);
        assert!(
            e.message.contains(needle) || e.help.as_deref().unwrap_or("").contains(needle),
            "{e:?}"
        );
        assert!(e.span.is_some(), "error without a location: {e:?}");
    }

    #[test]
    fn statements_are_inlined() {
        lowers_to(
            "x ~ Normal(mu, sigma)\nh = 2*x + 1\ny = tanh(h)",
            "(tanh (+ (* 2 (normal mu sigma)) 1))",
        );
        lowers_to(
            "x ~ Normal(0, 1); y = conv(x, [1, w])",
            "(conv (normal 0 1) (cons 1 (cons w nil)))",
        );
    }

    #[test]
    fn shape_errors_point_at_the_source() {
        fails_with(
            "x ~ Normal(0, 1)\ny = x + tanh(x)",
            ErrorKind::Unsupported,
            "two functions of the input",
        );
        fails_with(
            "x ~ Normal(0, 1)\ny = sin(x)",
            ErrorKind::Unsupported,
            "not monotone",
        );
        fails_with(
            "x ~ Normal(0, 1)\ny = frob(x)",
            ErrorKind::Unsupported,
            "unknown function",
        );
        fails_with(
            "x ~ Normal(0, 1)\nz ~ Normal(0, 1)\ny = x",
            ErrorKind::Unsupported,
            "second random input",
        );
        fails_with("x ~ Normal(0, -1)\ny = x", ErrorKind::Parameter, "positive");
        fails_with(
            "x ~ Normal(0, 1)\ny = maxpool(x, 0)",
            ErrorKind::Parameter,
            "whole number",
        );
        fails_with(
            "x ~ Normal(0, 1)\ny = maxpool(x, 2.5)",
            ErrorKind::Parameter,
            "whole number",
        );
        fails_with(
            "x ~ Normal(0, 1)\ny = mu + 1",
            ErrorKind::Unsupported,
            "does not depend",
        );
        fails_with(
            "x ~ Normal(0, 1)\ny = tanh(x, 2)",
            ErrorKind::Syntax,
            "takes 1 argument",
        );
        fails_with(
            "x ~ Normal(0, 1)\ny = 1 / x",
            ErrorKind::Unsupported,
            "dividing",
        );
        fails_with("x ~ Normal(0, 1)\nt = x", ErrorKind::Syntax, "reserved");
    }

    #[test]
    fn assumptions_become_signs() {
        let src = "x ~ Normal(mu, s)\nassume a > 0\nassume b <= 0\ny = leaky_relu(x, a)";
        let m = lower(src, &crate::syntax::parse(src).unwrap()).unwrap();
        assert_eq!(m.signs[&Symbol::from("a")], Sign::POS);
        assert_eq!(m.signs[&Symbol::from("b")], Sign::NONPOS);
        assert_eq!(m.signs[&Symbol::from("s")], Sign::POS);
    }
}
