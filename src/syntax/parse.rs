//! Source text to [`Program`]: the pest grammar in `grammar/pushforward.pest`, operator
//! precedence through one Pratt parser, numbers read as exact rationals.

use super::ast::*;
use crate::error::{Error, ErrorKind, Result};
use num_bigint::BigInt;
use num_rational::BigRational;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;
use std::sync::OnceLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/pushforward.pest"]
struct Grammar;

/// Programs longer than this are refused before parsing.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;
/// Deepest nesting of parentheses and brackets accepted; the parser recurses on it.
pub const MAX_NESTING: usize = 200;
/// Most operators in one statement; the syntax tree is as deep as its operators.
pub const MAX_OPERATORS: usize = 1000;
/// Largest decimal exponent accepted in a number literal (`1e300`).
pub const MAX_EXPONENT: i64 = 400;

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left))
            .op(Op::prefix(Rule::neg))
            .op(Op::infix(Rule::pow, Assoc::Right))
    })
}

fn span_of(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// Parse a whole program.
/// The most rounds a `repeat` runs.
pub const MAX_ROUNDS: u32 = 1000;
/// The most statements a program has once its `repeat` blocks are unrolled.
pub const MAX_STATEMENTS: usize = 10_000;

pub fn parse(source: &str) -> Result<Program> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "the program is {} bytes long; the limit is {} bytes",
                source.len(),
                MAX_SOURCE_BYTES
            ),
        )
        .help("split the model into smaller programs"));
    }
    check_nesting(source)?;
    check_operators(source)?;
    let mut pairs = Grammar::parse(Rule::program, source).map_err(|e| syntax_error(source, e))?;
    let program = pairs
        .next()
        .ok_or_else(|| Error::new(ErrorKind::Internal, "empty parse"))?;
    let mut statements = Vec::new();
    for p in program.into_inner() {
        let span = span_of(&p);
        match p.as_rule() {
            Rule::input => {
                let mut it = p.into_inner();
                let name = name(it.next());
                let law_name = it.next();
                let args = it.map(|a| expr(Some(a))).collect::<Result<Vec<_>>>()?;
                let law = input_law(law_name, &args, span)?;
                statements.push(Statement::Input {
                    name,
                    law,
                    args,
                    span,
                });
            }
            Rule::assume => {
                let mut it = p.into_inner();
                let name = name(it.next());
                let relation = relation(it.next());
                let value = expr(it.next())?;
                statements.push(Statement::Assume {
                    name,
                    relation,
                    value,
                    span,
                });
            }
            Rule::assign => {
                let mut it = p.into_inner();
                let name = name(it.next());
                let value = expr(it.next())?;
                statements.push(Statement::Assign {
                    name,
                    value,
                    span,
                    round: None,
                    rebind: false,
                });
            }
            Rule::repeat => {
                let mut it = p.into_inner();
                let _kw = it.next();
                let count = it.next();
                let rounds = count
                    .as_ref()
                    .and_then(|c| c.as_str().parse::<u32>().ok())
                    .filter(|&n| (1..=MAX_ROUNDS).contains(&n))
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::Limit,
                            format!("a repeat takes 1 to {MAX_ROUNDS} rounds"),
                        )
                        .at(count.as_ref().map_or(span, span_of), "this count")
                        .help("write a whole number of rounds, such as `repeat 10 { ... }`")
                    })?;
                let mut body = Vec::new();
                for a in it.filter(|a| a.as_rule() == Rule::assign) {
                    let span = span_of(&a);
                    let mut inner = a.into_inner();
                    let name = name(inner.next());
                    let value = expr(inner.next())?;
                    body.push((name, value, span));
                }
                // a name the block assigns and reads before assigning it in the round
                // is the last round's: the first round needs it from before the block
                let before: Vec<&str> = statements
                    .iter()
                    .filter_map(|s| match s {
                        Statement::Input { name, .. } | Statement::Assign { name, .. } => {
                            Some(name.text.as_str())
                        }
                        Statement::Assume { .. } => None,
                    })
                    .collect();
                // the names carried from round to round: read before assigned in a
                // round, with a value from before the block
                let mut carried: Vec<String> = Vec::new();
                for (i, (_, value, _)) in body.iter().enumerate() {
                    let mut read = Vec::new();
                    names_in(value, &mut read);
                    for (text, at) in read {
                        let assigned_later = body[i..].iter().any(|(n, _, _)| n.text == text);
                        let assigned_earlier = body[..i].iter().any(|(n, _, _)| n.text == text);
                        if assigned_later && !assigned_earlier && before.contains(&text.as_str()) {
                            carried.push(text.clone());
                        }
                        if assigned_later && !assigned_earlier && !before.contains(&text.as_str()) {
                            return Err(Error::new(
                                ErrorKind::Syntax,
                                format!("`{text}` is read in the first round of the repeat before it is assigned"),
                            )
                            .at(at, "no value yet")
                            .help(format!("define `{text}` before the block, such as `{text} = x`")));
                        }
                    }
                }
                if statements.len() + body.len() * rounds as usize > MAX_STATEMENTS {
                    return Err(Error::new(
                        ErrorKind::Limit,
                        format!("the program unrolls to more than {MAX_STATEMENTS} statements"),
                    )
                    .at(span, "this repeat")
                    .help("use fewer rounds"));
                }
                for r in 1..=rounds {
                    for (name, value, span) in &body {
                        statements.push(Statement::Assign {
                            name: name.clone(),
                            value: value.clone(),
                            span: *span,
                            round: Some(r),
                            // the first round assigns anew what the block does not
                            // carry, so a name from before the block stays its own
                            rebind: r > 1 || carried.contains(&name.text),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Program { statements })
}

/// The names an expression reads, with where (not the functions it calls).
fn names_in(e: &Ast, out: &mut Vec<(String, Span)>) {
    match &e.kind {
        AstKind::Num(_) => {}
        AstKind::Name(n) => out.push((n.clone(), e.span)),
        AstKind::Neg(a) => names_in(a, out),
        AstKind::Binary(_, a, b) => {
            names_in(a, out);
            names_in(b, out);
        }
        AstKind::Call(_, args) => {
            for a in args {
                match a {
                    Arg::Expr(x) => names_in(x, out),
                    Arg::List(xs, _) => xs.iter().for_each(|x| names_in(x, out)),
                }
            }
        }
        AstKind::If {
            lhs,
            rhs,
            then,
            otherwise,
            ..
        } => {
            for x in [lhs, rhs, then, otherwise] {
                names_in(x, out);
            }
        }
    }
}

/// Refuse deep nesting before the recursive parser sees it, so that no input can
/// exhaust the stack.
fn check_nesting(source: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut in_comment = false;
    for (i, c) in source.char_indices() {
        match c {
            '#' => in_comment = true,
            '\n' => in_comment = false,
            '(' | '[' if !in_comment => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Error::new(
                        ErrorKind::Limit,
                        format!("parentheses nest deeper than {MAX_NESTING} levels"),
                    )
                    .at(Span::new(i, i + 1), "too deep")
                    .help("name intermediate results with statements such as `h = ...`"));
                }
            }
            ')' | ']' if !in_comment => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Refuse statements with more operators than the recursive stages should walk.
fn check_operators(source: &str) -> Result<()> {
    let mut start = 0;
    for (i, c) in source
        .char_indices()
        .chain(std::iter::once((source.len(), '\n')))
    {
        if c == '\n' || c == ';' {
            let statement = &source[start..i];
            let code = statement.split('#').next().unwrap_or("");
            let mut ops = code.char_indices().filter(|(_, c)| "+-*/^".contains(*c));
            if let Some((at, _)) = ops.nth(MAX_OPERATORS) {
                let at = start + at;
                return Err(Error::new(
                    ErrorKind::Limit,
                    format!("a statement with more than {MAX_OPERATORS} operators"),
                )
                .at(Span::new(at, at + 1), "one too many")
                .help("split it into statements such as `h = ...`"));
            }
            start = i + c.len_utf8();
        }
    }
    Ok(())
}

fn syntax_error(source: &str, e: pest::error::Error<Rule>) -> Error {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match e.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    // widen an empty span to the character under it so the caret is visible
    let end = if end == start {
        source[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8())
    } else {
        end
    };
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            names.sort();
            names.dedup();
            names
        }
        ErrorVariant::CustomError { .. } => vec![],
    };
    let found = source[start..]
        .chars()
        .next()
        .map_or("the end of the program".to_string(), |c| match c {
            '\n' => "the end of the line".to_string(),
            c => format!("`{c}`"),
        });
    // a parenthesis or bracket still open where the statement ends
    let mut open: Vec<(usize, char)> = Vec::new();
    for (i, c) in source[..start].char_indices() {
        match c {
            '(' | '[' => open.push((i, c)),
            ')' | ']' => {
                open.pop();
            }
            _ => {}
        }
    }
    let at_end = matches!(
        source[start..].chars().next(),
        None | Some('\n' | ';' | '#')
    );
    let unclosed = open.last().filter(|_| at_end).copied();
    let mut expected = expected;
    if let Some((_, c)) = unclosed {
        expected.push(if c == '(' { "`)`" } else { "`]`" });
    }
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", expected.join(" or "))
    };
    let help = match unclosed {
        Some((i, c)) => {
            let (line, col) = crate::error::line_col(source, i);
            let close = if c == '(' { ')' } else { ']' };
            format!("the `{c}` at line {line}, column {col} is never closed: add `{close}`")
        }
        None => "a program is `x ~ Normal(MEAN, STD)` then statements `NAME = EXPR`, one per line or separated by `;`; see docs/language.md".to_string(),
    };
    Error::new(ErrorKind::Syntax, message)
        .at(Span::new(start, end), "here")
        .help(help)
}

fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::expr | Rule::primary | Rule::number | Rule::call => "an expression",
        Rule::name => "a name",
        Rule::relation | Rule::comparison => "a comparison (>, >=, <, <=)",
        Rule::normal => "a law (`Normal`, `Bernoulli`, `Uniform`)",
        Rule::list => "a list `[w1, ..., wn]`",
        Rule::add | Rule::sub | Rule::mul | Rule::div | Rule::pow => "an operator",
        Rule::statement | Rule::input | Rule::assume | Rule::assign | Rule::repeat => "a statement",
        Rule::EOI => "the end of the statement",
        _ => return None,
    })
}

/// A comparison as written in an assumption or a condition.
fn relation(p: Option<Pair<Rule>>) -> Relation {
    match p.map(|r| r.as_str()) {
        Some(">") => Relation::Gt,
        Some(">=") => Relation::Ge,
        Some("<") => Relation::Lt,
        Some("!=") => Relation::Ne,
        _ => Relation::Le,
    }
}

/// The law of an input, known and with as many arguments as it takes.
fn input_law(p: Option<Pair<Rule>>, args: &[Ast], span: Span) -> Result<InputLaw> {
    let (text, at) = p.map_or((String::new(), span), |p| {
        (p.as_str().to_string(), span_of(&p))
    });
    let known = || {
        InputLaw::ALL
            .iter()
            .map(|(_, n, a)| format!("{n}({})", a.join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(&(law, _, wanted)) = InputLaw::ALL.iter().find(|l| l.1 == text) else {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("`{text}` is not a law an input can have"),
        )
        .at(at, "unknown law")
        .help(format!("the laws of inputs are {}", known())));
    };
    if args.len() != wanted.len() {
        return Err(Error::new(
            ErrorKind::Syntax,
            format!(
                "{text} takes {} argument{}, not {}",
                wanted.len(),
                if wanted.len() == 1 { "" } else { "s" },
                args.len()
            ),
        )
        .at(span, "wrong number of arguments")
        .help(format!("write {text}({})", wanted.join(", "))));
    }
    Ok(law)
}

fn name(p: Option<Pair<Rule>>) -> Name {
    match p {
        Some(p) => Name {
            text: p.as_str().to_string(),
            span: span_of(&p),
        },
        None => Name {
            text: String::new(),
            span: Span::default(),
        },
    }
}

fn expr(p: Option<Pair<Rule>>) -> Result<Ast> {
    let p = p.ok_or_else(|| Error::new(ErrorKind::Internal, "missing expression"))?;
    pratt_expr(p.into_inner())
}

fn pratt_expr(pairs: Pairs<Rule>) -> Result<Ast> {
    pratt()
        .map_primary(primary)
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = span_of(&op).to(rhs.span);
            Ok(Ast {
                kind: AstKind::Neg(Box::new(rhs)),
                span,
            })
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let op = match op.as_rule() {
                Rule::add => BinOp::Add,
                Rule::sub => BinOp::Sub,
                Rule::mul => BinOp::Mul,
                Rule::div => BinOp::Div,
                _ => BinOp::Pow,
            };
            let span = lhs.span.to(rhs.span);
            Ok(Ast {
                kind: AstKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            })
        })
        .parse(pairs)
}

fn primary(p: Pair<Rule>) -> Result<Ast> {
    let span = span_of(&p);
    let kind = match p.as_rule() {
        Rule::number => AstKind::Num(number(p.as_str(), span)?),
        Rule::name => AstKind::Name(p.as_str().to_string()),
        Rule::expr => return pratt_expr(p.into_inner()),
        Rule::ite => {
            // the keywords are pairs of their own: skip them
            let mut it = p
                .into_inner()
                .filter(|x| !matches!(x.as_rule(), Rule::kw_if | Rule::kw_then | Rule::kw_else));
            let cond = it
                .next()
                .ok_or_else(|| Error::new(ErrorKind::Internal, "if without condition"))?;
            let mut c = cond.into_inner();
            let lhs = expr(c.next())?;
            let relation = relation(c.next());
            let rhs = expr(c.next())?;
            let then = expr(it.next())?;
            let otherwise = expr(it.next())?;
            AstKind::If {
                lhs: Box::new(lhs),
                relation,
                rhs: Box::new(rhs),
                then: Box::new(then),
                otherwise: Box::new(otherwise),
            }
        }
        Rule::call => {
            let mut it = p.into_inner();
            let f = name(it.next());
            let mut args = Vec::new();
            for a in it {
                match a.as_rule() {
                    Rule::list => {
                        let s = span_of(&a);
                        let items = a
                            .into_inner()
                            .map(|e| pratt_expr(e.into_inner()))
                            .collect::<Result<Vec<_>>>()?;
                        args.push(Arg::List(items, s));
                    }
                    _ => args.push(Arg::Expr(pratt_expr(a.into_inner())?)),
                }
            }
            AstKind::Call(f, args)
        }
        _ => return Err(Error::new(ErrorKind::Internal, "unexpected parse node").at(span, "")),
    };
    Ok(Ast { kind, span })
}

/// Read a decimal literal exactly.
pub fn number(text: &str, span: Span) -> Result<BigRational> {
    let lower = text.to_ascii_lowercase();
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(i64::MAX)),
        None => (lower.as_str(), 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent = exponent.saturating_sub(frac_part.len() as i64);
    if exponent.abs() > MAX_EXPONENT + mantissa.len() as i64 {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("the number {text} is out of range"),
        )
        .at(span, "too large or too small")
        .help(format!(
            "write numbers between 1e-{MAX_EXPONENT} and 1e{MAX_EXPONENT}"
        )));
    }
    let digits = format!("{int_part}{frac_part}");
    let digits = if digits.is_empty() { "0" } else { &digits };
    let m: BigInt = digits
        .parse()
        .map_err(|_| Error::new(ErrorKind::Syntax, format!("bad number {text}")).at(span, ""))?;
    let ten = BigInt::from(10);
    let scale = num_traits::pow(ten, exponent.unsigned_abs() as usize);
    Ok(if exponent >= 0 {
        BigRational::from_integer(m * scale)
    } else {
        BigRational::new(m, scale)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn parses_as(src: &str, expected: &str) {
        let p = parse(&format!("x ~ Normal(0, 1)\ny = {src}")).unwrap();
        let Statement::Assign { value, .. } = &p.statements[1] else {
            panic!("not an assignment")
        };
        assert_eq!(show(value), expected);
    }

    #[track_caller]
    fn fails_with(src: &str, needle: &str) {
        let e = parse(src).unwrap_err();
        assert!(
            e.message.contains(needle),
            "error `{}` does not mention `{needle}`",
            e.message
        );
    }

    fn show(e: &Ast) -> String {
        match &e.kind {
            AstKind::Num(n) => n.to_string(),
            AstKind::Name(n) => n.clone(),
            AstKind::Neg(a) => format!("(neg {})", show(a)),
            AstKind::Binary(op, a, b) => {
                let op = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                    BinOp::Pow => "^",
                };
                format!("({op} {} {})", show(a), show(b))
            }
            AstKind::If {
                lhs,
                relation,
                rhs,
                then,
                otherwise,
            } => format!(
                "(if ({} {} {}) {} {})",
                relation.as_str(),
                show(lhs),
                show(rhs),
                show(then),
                show(otherwise)
            ),
            AstKind::Call(f, args) => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Expr(e) => show(e),
                        Arg::List(items, _) => {
                            format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(" "))
                        }
                    })
                    .collect();
                format!("({} {})", f.text, args.join(" "))
            }
        }
    }

    #[test]
    fn precedence_follows_mathematics() {
        parses_as("-x^2", "(neg (^ x 2))");
        parses_as("2^3^2", "(^ 2 (^ 3 2))");
        parses_as("1 + 2*x - 3", "(- (+ 1 (* 2 x)) 3)");
        parses_as("-2*x", "(* (neg 2) x)");
        parses_as("a/b/c", "(/ (/ a b) c)");
        parses_as("2^-x", "(^ 2 (neg x))");
    }

    #[test]
    fn if_then_else_nests_to_the_right() {
        parses_as("if x >= 0 then x else 0.1*x", "(if (>= x 0) x (* 1/10 x))");
        parses_as(
            "if x < -1 then -1 else if x < 1 then x else 1",
            "(if (< x (neg 1)) (neg 1) (if (< x 1) x 1))",
        );
        parses_as(
            "tanh(if x > 0 then x else 2*x) + 1",
            "(+ (tanh (if (> x 0) x (* 2 x))) 1)",
        );
    }

    #[test]
    fn numbers_are_exact() {
        parses_as("0.1", "1/10");
        parses_as("2.5e-3", "1/400");
        parses_as("1/3", "(/ 1 3)");
        parses_as(".5", "1/2");
        parses_as("1E2", "100");
    }

    #[test]
    fn calls_lists_and_unicode_names() {
        parses_as("conv(x, [1, w, 0.5])", "(conv x [1 w 1/2])");
        parses_as("maxpool(tanh(x), N)", "(maxpool (tanh x) N)");
        parses_as("μ + σ", "(+ μ σ)");
    }

    #[test]
    fn statements_end_at_newlines_semicolons_and_comments() {
        let p = parse("x ~ Normal(mu, sigma) # input\n\nassume mu > 0; y = x\n").unwrap();
        assert_eq!(p.statements.len(), 3);
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        fails_with("x ~ Normal(0, 1)\ny = tanh(x", "expected");
        fails_with("x ~ Normal(0 1)", "expected");
        fails_with("x ~ Gamma(1, 1)", "not a law");
        let e = parse("x ~ Gamma(1, 1)").unwrap_err();
        assert!(
            e.help.as_deref().unwrap_or("").contains("Bernoulli(P)"),
            "{e:?}"
        );
        fails_with("m ~ Bernoulli(1, 2)", "takes 1 argument, not 2");
        fails_with("u ~ Uniform(1)", "takes 2 arguments, not 1");
        fails_with("x ~ Normal(0, 1)\ny = 2 +", "expression");
    }

    #[test]
    fn bounds_hold() {
        let deep = format!(
            "x ~ Normal(0, 1)\ny = {}x{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert_eq!(parse(&deep).unwrap_err().kind, ErrorKind::Limit);
        assert_eq!(
            parse("x ~ Normal(0, 1)\ny = 1e999999").unwrap_err().kind,
            ErrorKind::Limit
        );
    }
}
