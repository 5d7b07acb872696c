//! Parameter values from the command line, checked against the program: every
//! parameter has one, each satisfies its assumptions, STD > 0 and N a whole number.

use crate::error::{Error, ErrorKind, Result};
use crate::lang::Sign;
use crate::lower::Model;
use crate::syntax::{self, Relation, Span};
use num_traits::ToPrimitive;
use std::collections::BTreeMap;

/// Values of the parameters.
#[derive(Clone, Debug, Default)]
pub struct Values(BTreeMap<String, f64>, BTreeMap<String, Vec<f64>>);

impl Values {
    /// A weight vector's value.
    pub fn insert_vector(&mut self, name: &str, v: Vec<f64>) {
        self.1.insert(name.to_string(), v);
    }
    pub fn vector(&self, name: &str) -> Option<&[f64]> {
        self.1.get(name).map(|v| v.as_slice())
    }
    pub fn insert(&mut self, name: &str, v: f64) {
        self.0.insert(name.to_string(), v);
    }
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.get(name).copied()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &f64)> {
        self.0.iter()
    }
}

/// The largest pool size accepted.
pub const MAX_POOL: f64 = 1e9;

/// Parse `NAME=VALUE` settings and check them against the model.
pub fn bind(model: &Model, settings: &[String]) -> Result<Values> {
    let mut values = Values::default();
    for s in settings {
        let Some((name, value)) = s.split_once('=') else {
            return Err(Error::new(
                ErrorKind::Parameter,
                format!("`--set {s}` is not NAME=VALUE"),
            )
            .help("write for example --set mu=0.5"));
        };
        let name = name.trim();
        if !model.params.contains_key(name) {
            let known: Vec<&str> = model.params.keys().map(|k| k.as_str()).collect();
            return Err(Error::new(
                ErrorKind::Parameter,
                format!("the program has no parameter `{name}`"),
            )
            .help(if known.is_empty() {
                "this program has no parameters".to_string()
            } else {
                format!("its parameters are: {}", known.join(", "))
            }));
        }
        if model.vector_params.contains(name) {
            let inner = value
                .trim()
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'));
            let parsed: Option<Vec<f64>> =
                inner.and_then(|v| v.split(',').map(|x| parse_value(x.trim())).collect());
            match parsed {
                Some(ws) if !ws.is_empty() && ws.len() <= 100_000 => {
                    if ws.iter().all(|w| *w == 0.0) {
                        return Err(Error::new(
                            ErrorKind::Parameter,
                            format!("the weights {name} are all 0"),
                        )
                        .help("a weighted sum needs a nonzero weight"));
                    }
                    values.insert_vector(name, ws);
                    continue;
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::Parameter,
                        format!("`{name}` is a weight vector: give it as --set {name}=[w1,w2,...]"),
                    ))
                }
            }
        }
        let v = parse_value(value.trim()).ok_or_else(|| {
            Error::new(
                ErrorKind::Parameter,
                format!("`{value}` is not a number (in --set {s})"),
            )
            .help("write a decimal number such as 0.5, -2 or 1e-3")
        })?;
        values.insert(name, v);
    }
    // a name only assumed about, never used, needs no value
    let used: std::collections::BTreeSet<String> = model
        .y
        .as_ref()
        .iter()
        .filter_map(|n| match n {
            crate::lang::Node::Symbol(s) => Some(s.to_string()),
            _ => None,
        })
        .collect();
    for (name, span) in &model.params {
        if model.vector_params.contains(name) {
            if values.vector(name).is_none() {
                return Err(Error::new(
                    ErrorKind::Parameter,
                    format!("the weight vector `{name}` has no value"),
                )
                .at(*span, "needs a value")
                .help(format!("give it one with --set {name}=[w1,w2,...]")));
            }
            continue;
        }
        let Some(v) = values.get(name) else {
            if !used.contains(name) {
                continue;
            }
            return Err(Error::new(
                ErrorKind::Parameter,
                format!("the parameter `{name}` has no value"),
            )
            .at(*span, "needs a value")
            .help(format!("give it one with --set {name}=VALUE")));
        };
        check(model, name, v, *span)?;
    }
    for (k, n) in &model.order_pairs {
        if let (Some(kv), Some(nv)) = (values.get(k), values.get(n)) {
            if kv > nv {
                return Err(Error::new(ErrorKind::Parameter, format!("{k} = {kv} is more than {n} = {nv}: the {kv}-th of {nv} copies does not exist"))
                    .help(format!("give {k} a value from 1 to {n}")));
            }
        }
    }
    let std = super::Compiled::new(&model.std, &values)?.eval(0.0);
    if !(std > 0.0 && std.is_finite()) {
        return Err(Error::new(
            ErrorKind::Parameter,
            format!("the standard deviation is {std} with these values; it must be positive"),
        )
        .at(model.input_span, "the input"));
    }
    Ok(values)
}

fn parse_value(s: &str) -> Option<f64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let ok = !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !ok {
        return None;
    }
    let r = syntax::number(digits, Span::default()).ok()?;
    let v = r.to_f64()?;
    v.is_finite().then_some(if neg { -v } else { v })
}

fn check(model: &Model, name: &str, v: f64, span: Span) -> Result<()> {
    let bad = |why: String| {
        Err(
            Error::new(ErrorKind::Parameter, format!("{name} = {v} {why}"))
                .at(span, "this parameter"),
        )
    };
    if model.integer_params.contains(name) && (v.fract() != 0.0 || !(1.0..=MAX_POOL).contains(&v)) {
        return bad(format!(
            "must be a whole number from 1 to {MAX_POOL:e}: it is a pool size"
        ));
    }
    for a in model.assumptions.iter().filter(|a| a.name == name) {
        let c = a.value.to_f64().unwrap_or(f64::NAN);
        let holds = match a.relation {
            Relation::Gt => v > c,
            Relation::Ge => v >= c,
            Relation::Lt => v < c,
            Relation::Le => v <= c,
            Relation::Ne => v != c,
        };
        if !holds {
            return Err(Error::new(
                ErrorKind::Parameter,
                format!(
                    "{name} = {v} breaks the assumption `assume {name} {} {}`",
                    a.relation.as_str(),
                    a.value
                ),
            )
            .at(a.span, "assumed here"));
        }
    }
    if let Some(sign) = model.signs.get(&egg::Symbol::from(name)) {
        let s = if v > 0.0 {
            Sign::POS
        } else if v < 0.0 {
            Sign::NEG
        } else {
            Sign::ZERO
        };
        if !s.within(*sign) {
            let why = if model.std.to_string() == name {
                "must be positive: it is the standard deviation".to_string()
            } else {
                "has the wrong sign for this program".to_string()
            };
            return bad(why);
        }
    }
    Ok(())
}
