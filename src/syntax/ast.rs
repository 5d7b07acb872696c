//! The abstract syntax of a program, every node with its byte span in the source.

pub use crate::error::Span;
use num_rational::BigRational;

/// A name with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// The law of a random input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputLaw {
    /// `Normal(MEAN, STD)`
    Normal,
    /// `Bernoulli(P)`: 1 with probability P, else 0 (a dropout mask)
    Bernoulli,
    /// `Uniform(A, B)`: uniform on [A, B] (quantisation noise)
    Uniform,
}

impl InputLaw {
    /// Every law, with its name and the names of its arguments.
    pub const ALL: [(InputLaw, &'static str, &'static [&'static str]); 3] = [
        (InputLaw::Normal, "Normal", &["MEAN", "STD"]),
        (InputLaw::Bernoulli, "Bernoulli", &["P"]),
        (InputLaw::Uniform, "Uniform", &["A", "B"]),
    ];

    /// The law's name as written.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|l| l.0 == self).map_or("", |l| l.1)
    }

    /// The names of its arguments.
    pub fn arguments(self) -> &'static [&'static str] {
        Self::ALL.iter().find(|l| l.0 == self).map_or(&[], |l| l.2)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AstKind {
    /// An exact number, as written: `0.1` is 1/10.
    Num(BigRational),
    Name(String),
    Neg(Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    Call(Name, Vec<Arg>),
    /// `if LHS REL RHS then THEN else ELSE`
    If {
        lhs: Box<Ast>,
        relation: Relation,
        rhs: Box<Ast>,
        then: Box<Ast>,
        otherwise: Box<Ast>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    pub kind: AstKind,
    pub span: Span,
}

/// A call's argument: an expression or a bracketed list.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Expr(Ast),
    List(Vec<Ast>, Span),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Expr(e) => e.span,
            Arg::List(_, s) => *s,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Gt,
    Ge,
    Lt,
    Le,
    Ne,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Gt => ">",
            Relation::Ge => ">=",
            Relation::Lt => "<",
            Relation::Le => "<=",
            Relation::Ne => "!=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `x ~ Normal(mean, std)`, `m ~ Bernoulli(p)`, `u ~ Uniform(a, b)`: the law and
    /// its arguments, as many as the law takes
    Input {
        name: Name,
        law: InputLaw,
        args: Vec<Ast>,
        span: Span,
    },
    /// `assume a > 0`
    Assume {
        name: Name,
        relation: Relation,
        value: Ast,
        span: Span,
    },
    /// `y = expr`; `round` is Some(r) for the r-th copy of a statement of a `repeat`
    /// block, and `rebind` says that it assigns a name the block carries from round to
    /// round (its right side reads the value before).
    Assign {
        name: Name,
        value: Ast,
        span: Span,
        round: Option<u32>,
        rebind: bool,
    },
}

/// A parsed program: its statements in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub statements: Vec<Statement>,
}
