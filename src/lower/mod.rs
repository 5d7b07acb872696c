//! Syntax tree to egg term: statements are inlined into one random term for the output
//! Y, the input becomes `(normal MEAN STD)`, and everything a rule may need later is
//! collected: the parameters, the assumptions as signs, and where each random subterm
//! was written (for errors that point at the source).
//!
//! Lowering is where the program's *shape* is checked: one random input, a map of it
//! (each operator has at most one random operand), functions known with the right
//! number and kind of arguments.

use crate::error::{Error, ErrorKind, Result};
pub use crate::lang::Assumption;
use crate::lang::{subterm, Expr, Node, Num, Sign};
pub use crate::syntax::InputLaw;
use crate::syntax::{self, Arg, AstKind, BinOp, Relation, Span, Statement};
use egg::{Id, Language, Symbol};
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod call;
mod condition;
mod pieces;

use pieces::piecewise_start;

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
    /// Random subterms (by their `lang::structural_hash`) and the
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
    /// Every random input, in the order declared. A program with one Normal input
    /// writes it in `y` as `input`; with several (or one of another law), `y` writes
    /// each as `(var NAME LAW)`, and `input` is the first Normal's law (or the first's).
    pub inputs: Vec<Input>,
}

/// A random input of a program.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub law: InputLaw,
    /// `(normal M S)`, `(bernoulli P)` or `(uniform A B)`.
    pub term: Expr,
    pub span: Span,
}

impl Model {
    /// Whether the output's term writes its inputs as `(var NAME LAW)`: a program of
    /// several random inputs (or of one that is not Normal), before its parts are derived.
    pub fn several(&self) -> bool {
        self.y.as_ref().iter().any(|n| matches!(n, Node::Var(_)))
    }

    /// The input as terms print it: by its name.
    pub fn names(&self) -> crate::lang::print::Input<'_> {
        crate::lang::print::Input {
            term: &self.input,
            name: &self.input_name,
        }
    }
}

/// An input other than the first Normal one.
struct Other {
    name: String,
    law: InputLaw,
    /// Its `(var NAME LAW)`, and LAW.
    node: Id,
    term: Id,
    span: Span,
}

/// The most random inputs one program may declare.
pub const MAX_INPUTS: usize = 64;

struct Lowerer<'a> {
    expr: Expr,
    env: HashMap<String, (Id, bool)>,
    /// The first Normal input, written `(normal M S)` while lowering.
    input: Option<(String, Id)>,
    /// Every other input, written `(var NAME LAW)`.
    others: Vec<Other>,
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
        others: Vec::new(),
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
    lw.assumptions = assumptions_of(program);
    let mut input_info = None;
    let mut output: Option<(String, Id, Span)> = None;
    for st in &program.statements {
        match st {
            Statement::Input {
                name,
                law,
                args,
                span,
            } => {
                if let Some(info) = lw.lower_input(name, *law, args, *span)? {
                    input_info = Some(info);
                }
            }
            Statement::Assume {
                name,
                relation,
                value,
                span,
            } => lw.lower_assume(name, *relation, value, *span)?,
            Statement::Assign {
                name,
                value,
                span,
                rebind,
                ..
            } => {
                if lw.input.is_none() && lw.others.is_empty() {
                    return Err(Error::new(
                        ErrorKind::Syntax,
                        "a statement before the random input",
                    )
                    .at(*span, "no input declared yet")
                    .help("start the program with `x ~ Normal(MEAN, STD)`"));
                }
                // a repeat's rounds assign its names again, each reading the last
                if !rebind || !lw.env.contains_key(&name.text) {
                    lw.check_new_name(&name.text, name.span)?;
                }
                let (id, random) = lw.lower_expr(value)?;
                lw.env.insert(name.text.clone(), (id, random));
                output = Some((name.text.clone(), id, *span));
            }
        }
    }
    let first = lw
        .input
        .clone()
        .or_else(|| lw.others.first().map(|o| (o.name.clone(), o.node)));
    let Some((input_name, input_id)) = first else {
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
    check_output(program, &lw, &out_name, out_span, &input_name)?;
    let (mean_id, std_id, input_span) = input_info.unwrap_or((input_id, input_id, Span::default()));
    let symbol = |s: Symbol| lw.parameter_interval(s);
    let cdf_start = piecewise_start(&subterm(&lw.expr, out_id), out_span, &symbol)?;
    let several = lw.others.len() + usize::from(lw.input.is_some()) > 1 || lw.input.is_none();
    let (full, memo) = if several {
        lw.name_inputs(out_id, out_span)?
    } else {
        let memo = (0..lw.expr.as_ref().len()).map(Id::from).collect();
        (lw.expr.clone(), memo)
    };
    let out_id = memo[usize::from(out_id)];
    check_depth(&full, out_id, out_span)?;
    let y = subterm(&full, out_id);
    let hashes = crate::lang::structural_hashes(&full);
    let origins = lw
        .origins
        .iter()
        .map(|(id, span)| (hashes[usize::from(memo[usize::from(*id)])], *span))
        .collect();
    let inputs = lw.inputs();
    Ok(Model {
        source: source.to_string(),
        input_name,
        output_name: out_name,
        y,
        input: subterm(&lw.expr, input_id),
        mean: subterm(&lw.expr, mean_id),
        std: subterm(&lw.expr, std_id),
        inputs,
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

/// The output is the last statement, and depends on the input.
fn check_output(
    program: &syntax::Program,
    lw: &Lowerer,
    out_name: &str,
    out_span: Span,
    input_name: &str,
) -> Result<()> {
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
    if !lw.env.get(out_name).is_some_and(|v| v.1) {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("the output `{out_name}` does not depend on the input `{input_name}`"),
        )
        .at(out_span, "not random")
        .help(format!("write the output as a function of `{input_name}`")));
    }
    Ok(())
}

/// Every `assume NAME REL NUMBER` of a program, wherever it is written.
fn assumptions_of(program: &syntax::Program) -> Vec<Assumption> {
    let mut out = Vec::new();
    for st in &program.statements {
        if let Statement::Assume {
            name,
            relation,
            value,
            span,
        } = st
        {
            if let Some(v) = assumed_number(value) {
                out.push(Assumption {
                    name: name.text.clone(),
                    relation: *relation,
                    value: v,
                    span: *span,
                });
            }
        }
    }
    out
}

/// Every later stage walks the output term recursively: its depth is bounded.
fn check_depth(full: &Expr, out_id: Id, out_span: Span) -> Result<()> {
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
    Ok(())
}

/// The exact value of a constant subterm (`3/2`, `-0.5`), if it has one.
fn number(e: &Expr, id: Id) -> Option<BigRational> {
    fn go(e: &Expr, id: Id) -> Option<Num> {
        crate::lang::fold(&e[id], |c| go(e, c))
    }
    go(e, id).and_then(|n| n.rat().cloned())
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

impl Lowerer<'_> {
    /// The random input `NAME ~ Normal(MEAN, STD)`: its mean, standard deviation and
    /// where it is declared.
    fn lower_input(
        &mut self,
        name: &syntax::Name,
        law: InputLaw,
        args: &[syntax::Ast],
        span: Span,
    ) -> Result<Option<(Id, Id, Span)>> {
        if self.others.len() + usize::from(self.input.is_some()) >= MAX_INPUTS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!("more than {MAX_INPUTS} random inputs"),
            )
            .at(span, "one too many")
            .help("for iid copies of one term use conv(E, [w1, ..., wn]) or maxpool(E, N)"));
        }
        self.check_new_name(&name.text, name.span)?;
        let mut ids = Vec::new();
        for a in args {
            let (id, random) = self.lower_expr(a)?;
            if random {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "the parameters of an input's law must not be random",
                )
                .at(a.span, "random"));
            }
            ids.push(id);
        }
        let term = match law {
            InputLaw::Normal => {
                self.require_positive_std(ids[1], args[1].span)?;
                self.expr.add(Node::Normal([ids[0], ids[1]]))
            }
            InputLaw::Bernoulli => {
                let p = number(&self.expr, ids[0]);
                if p.is_some_and(|p| p.is_negative() || p > BigRational::from_integer(1.into())) {
                    return Err(Error::new(
                        ErrorKind::Parameter,
                        "the probability of a Bernoulli input must be between 0 and 1",
                    )
                    .at(args[0].span, "not a probability")
                    .help("Bernoulli(P) is 1 with probability P and 0 otherwise: a dropout mask keeps a unit with P"));
                }
                self.expr.add(Node::Bernoulli(ids[0]))
            }
            InputLaw::Uniform => {
                let (a, b) = (number(&self.expr, ids[0]), number(&self.expr, ids[1]));
                if let (Some(a), Some(b)) = (a, b) {
                    if a >= b {
                        return Err(Error::new(
                            ErrorKind::Parameter,
                            format!("Uniform(A, B) needs A < B, not {a} and {b}"),
                        )
                        .at(span, "empty interval")
                        .help("write the lower end first: Uniform(-0.5, 0.5)"));
                    }
                }
                self.expr.add(Node::Uniform([ids[0], ids[1]]))
            }
        };
        if law == InputLaw::Normal && self.input.is_none() {
            self.input = Some((name.text.clone(), term));
            self.origins.push((term, name.span));
            return Ok(Some((ids[0], ids[1], span)));
        }
        let symbol = self.expr.add(Node::Symbol(Symbol::from(&name.text)));
        let node = self.expr.add(Node::Var([symbol, term]));
        self.origins.push((node, name.span));
        self.others.push(Other {
            name: name.text.clone(),
            law,
            node,
            term,
            span,
        });
        Ok(None)
    }

    /// The whole term with the first Normal input written as `(var NAME LAW)` like the
    /// others, for a program with several inputs; and where each old node went.
    fn name_inputs(&self, out: Id, out_span: Span) -> Result<(Expr, Vec<Id>)> {
        let mut full = Expr::default();
        let mut memo: Vec<Id> = Vec::with_capacity(self.expr.as_ref().len());
        let first = self.input.as_ref();
        for (i, node) in self.expr.as_ref().iter().enumerate() {
            let mut id = full.add(node.clone().map_children(|c| memo[usize::from(c)]));
            if let Some((name, at)) = first.filter(|(_, at)| usize::from(*at) == i) {
                let _ = at;
                let symbol = full.add(Node::Symbol(Symbol::from(name)));
                id = full.add(Node::Var([symbol, id]));
            }
            memo.push(id);
        }
        if subterm(&full, memo[usize::from(out)])
            .as_ref()
            .iter()
            .any(|n| matches!(n, Node::Ite(_)))
        {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "`if` in a program with several random inputs is not supported yet",
            )
            .at(out_span, "several inputs and an `if`")
            .help("write the condition with max, min, relu or clamp, which act on any term"));
        }
        Ok((full, memo))
    }

    /// Every input in the order declared, each with its law's term.
    fn inputs(&self) -> Vec<Input> {
        let mut out: Vec<Input> = self
            .others
            .iter()
            .map(|o| Input {
                name: o.name.clone(),
                law: o.law,
                term: subterm(&self.expr, o.term),
                span: o.span,
            })
            .collect();
        if let Some((name, id)) = &self.input {
            let span = self
                .origins
                .iter()
                .find(|(o, _)| o == id)
                .map_or(Span::default(), |(_, s)| *s);
            let at = out
                .iter()
                .position(|o| o.span.start > span.start)
                .unwrap_or(out.len());
            out.insert(
                at,
                Input {
                    name: name.clone(),
                    law: InputLaw::Normal,
                    term: subterm(&self.expr, *id),
                    span,
                },
            );
        }
        out
    }

    /// `assume NAME REL NUMBER`: the sign it gives the parameter, with every earlier one.
    fn lower_assume(
        &mut self,
        name: &syntax::Name,
        relation: Relation,
        value: &syntax::Ast,
        span: Span,
    ) -> Result<()> {
        let v = assumed_number(value).ok_or_else(|| assume_needs_number(value.span))?;
        if self.env.contains_key(&name.text)
            || self.input.as_ref().is_some_and(|(n, _)| *n == name.text)
            || self.others.iter().any(|o| o.name == name.text)
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
        let sign = sign_of_relation(relation, &v);
        let entry = self
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
            .at(span, "contradicts an earlier assumption")
            .help(format!(
                "no value of `{}` satisfies them all: keep the assumptions that hold",
                name.text
            )));
        }
        self.params.entry(name.text.clone()).or_insert(name.span);
        Ok(())
    }

    fn check_new_name(&self, name: &str, span: Span) -> Result<()> {
        if RESERVED.contains(&name) {
            return Err(
                Error::new(ErrorKind::Syntax, format!("`{name}` is a reserved name"))
                    .at(span, "reserved")
                    .help("`t` is the CDF's argument; choose another name"),
            );
        }
        if self.env.contains_key(name)
            || self.input.as_ref().is_some_and(|(n, _)| n == name)
            || self.others.iter().any(|o| o.name == name)
        {
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

    /// Whether the term at `id` holds iid copies (maxpool, minpool, order, conv): then
    /// it is not a map of the one input.
    fn has_copies(&self, id: Id) -> bool {
        subterm(&self.expr, id).as_ref().iter().any(|n| {
            matches!(
                n,
                Node::MaxPool(_) | Node::MinPool(_) | Node::Order(_) | Node::Conv(_)
            )
        })
    }

    /// Whether the term at `id` reads an input other than the first Normal one.
    fn reads_several(&self, id: Id) -> bool {
        !self.others.is_empty()
            && subterm(&self.expr, id)
                .as_ref()
                .iter()
                .any(|n| matches!(n, Node::Var(_)))
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
                if let Some(o) = self.others.iter().find(|o| o.name == *n) {
                    return Ok((o.node, true));
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
                    // a map of the input in more than one place: derived by its
                    // monotone pieces (derive::pieces), unless iid copies are inside;
                    // with several inputs, the derivation tells independent parts apart
                    if !self.has_copies(id) || self.reads_several(id) {
                        return Ok((id, true));
                    }
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        format!("`{text}` combines two functions of the input: the map has no closed-form inverse"),
                    )
                    .at(e.span, "two random operands")
                    .help("pushforward derives laws through chains of maps that each have a closed-form inverse, applied to one term in the input (docs/language.md lists them); affine combinations such as x + x or 3*x - x/2 are fine, and x*x is x^2; for a weighted sum of iid copies use conv(E, [w1, ..., wn])"));
                }
                match op {
                    BinOp::Div if rb && !self.has_copies(ib) => {
                        // 1/(1 + x^2): a map of the input, derived by its pieces, which
                        // also proves that the denominator is never 0
                        return Ok((self.add(node), true));
                    }
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

    /// With several inputs each is `(var NAME LAW)`, one variable wherever it is read.
    #[test]
    fn several_inputs_are_named_variables() {
        lowers_to(
            "x ~ Normal(0, 1)\nz ~ Normal(1, 2)\ny = x + relu(z) - z",
            "(- (+ (var x (normal 0 1)) (relu (var z (normal 1 2)))) (var z (normal 1 2)))",
        );
        lowers_to(
            "m ~ Bernoulli(p)\nx ~ Normal(0, 1)\ny = m*x/p",
            "(/ (* (var m (bernoulli p)) (var x (normal 0 1))) p)",
        );
        let src = "u ~ Uniform(-1/2, 1/2)\nx ~ Normal(0, 1)\ny = x + u";
        let m = lower(src, &crate::syntax::parse(src).unwrap()).unwrap();
        let names: Vec<&str> = m.inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["u", "x"]);
        assert!(m.several());
    }

    #[test]
    fn shape_errors_point_at_the_source() {
        fails_with(
            "x ~ Normal(0, 1)\ny = x + maxpool(x, 2)",
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
            "x ~ Normal(0, 1)\nm ~ Bernoulli(3/2)\ny = m*x",
            ErrorKind::Parameter,
            "between 0 and 1",
        );
        fails_with(
            "x ~ Normal(0, 1)\nu ~ Uniform(1, -1)\ny = x + u",
            ErrorKind::Parameter,
            "A < B",
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
