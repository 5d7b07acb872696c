//! The abstract syntax of a program, every node with its byte span in the source.

pub use crate::error::Span;
use num_rational::BigRational;

/// A name with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub span: Span,
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
    /// `x ~ Normal(mean, std)`
    Input {
        name: Name,
        mean: Ast,
        std: Ast,
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
