//! Calls of functions: each lowers by its registry entry (its own node, or a
//! shorthand's term), or by the code here for the calls whose arguments need checks of
//! their own (clamp, max and min, order statistics, pools and conv).

use super::Lowerer;
use crate::error::{Error, ErrorKind, Result};
use crate::lang::functions::{self, Call, Lowering};
use crate::lang::Node;
use crate::syntax::{self, Arg, AstKind, Span};
use egg::{Id, Symbol};

impl Lowerer<'_> {
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

    pub(super) fn lower_call(
        &mut self,
        f: &syntax::Name,
        args: &[Arg],
        span: Span,
    ) -> Result<(Id, bool)> {
        let Some(&Call {
            usage,
            arity,
            lowering,
            ..
        }) = functions::calls().find(|g| g.name == f.text)
        else {
            return Err(unknown_function(f));
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
            Lowering::Node => return self.lower_node(f, args, arity, e, random),
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

            "conv" => self.lower_conv(f, args, e, random),
            _ => Err(Error::new(
                ErrorKind::Internal,
                format!("no lowering for {}", f.text),
            )),
        }
    }

    /// A call lowered to its function's own node: the random argument, then constants.
    fn lower_node(
        &mut self,
        f: &syntax::Name,
        args: &[Arg],
        arity: usize,
        e: Id,
        random: bool,
    ) -> Result<(Id, bool)> {
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
        let node = <Node as egg::FromOp>::from_op(op, children)
            .map_err(|_| Error::new(ErrorKind::Internal, format!("no node for {}", f.text)))?;
        Ok((self.add(node), random))
    }

    /// `conv(E, w)`: iid copies of a Normal weighted by a list or a vector parameter.
    fn lower_conv(
        &mut self,
        f: &syntax::Name,
        args: &[Arg],
        e: Id,
        random: bool,
    ) -> Result<(Id, bool)> {
        if !random {
            return Err(not_random(&f.text, args[0].span()));
        }
        // a weight vector by name: its sum and norm stay symbolic
        if let Arg::Expr(syntax::Ast {
            kind: AstKind::Name(name),
            span: wspan,
        }) = &args[1]
        {
            if self.env.contains_key(name) || self.input.as_ref().is_some_and(|(n, _)| n == name) {
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
                return Err(
                    Error::new(ErrorKind::Unsupported, "conv weights must not be random")
                        .at(w.span, "random weight"),
                );
            }
            list = self.add(Node::Cons([wi, list]));
        }
        Ok((self.add(Node::Conv([e, list])), true))
    }
}

fn not_random(f: &str, span: Span) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("the first argument of {f} must depend on the random input"),
    )
    .at(span, "not random")
}

/// A call of a function the registry does not have: why, and the ones it has.
fn unknown_function(f: &syntax::Name) -> Error {
    if ["sin", "cos", "tan", "sinc"].contains(&f.text.as_str()) {
        return Error::new(
            ErrorKind::Unsupported,
            format!("`{}` is not monotone on finitely many pieces: a Normal input has infinitely many preimages of every value, and its law has no closed form", f.text),
        )
        .at(f.span, "infinitely many pieces")
        .help("pushforward derives laws of maps that are monotone on finitely many pieces: tanh, sigmoid, softsign, abs, powers, clamp and the like");
    }
    let known: Vec<&str> = functions::calls().map(|g| g.name).collect();
    Error::new(
        ErrorKind::Unsupported,
        format!("unknown function `{}`", f.text),
    )
    .at(f.span, "not a function pushforward knows")
    .help(format!("the functions are: {}", known.join(", ")))
}
