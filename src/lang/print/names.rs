//! Abbreviations for long derivations: the preimages of t through nested inverse maps,
//! and the ends of a deep composition's support, named once and printed by name.

use crate::lang::{Expr, Node};
use egg::{Id, Language};
use rustc_hash::FxHashMap;

/// Abbreviations for the derivation of a deep composition: each preimage of t through
/// an inverse map (artanh, logit, log, roots, softsign's inverse) is named u₁, u₂, ...
/// in the order they nest, terms print it by its name, and the definitions are printed
/// once. Without them the density of n layers prints n factors that each hold the
/// nested preimage, n² in all, and every one of its steps prints that again. The ends
/// of the support, constants as deep as the composition that every step's brackets
/// repeat, are named `lo` and `hi` the same way.
///
/// Terms are compared by structure, sums and products up to the order of their two
/// operands (the final tidying writes 1 + u where the derivation wrote u + 1).
#[derive(Default)]
pub struct Names {
    /// Interned nodes, their children replaced by interned ids.
    ids: FxHashMap<Node, usize>,
    /// Interned id → index of its definition.
    named: FxHashMap<usize, usize>,
    /// The name of each node of each term given to `new`, by the term's address: the
    /// terms of a long derivation are printed twice (text and LaTeX), and looking their
    /// nodes up again cost more than printing them.
    known: FxHashMap<usize, Vec<Option<usize>>>,
    /// The named terms: the support's ends, then the preimages innermost first.
    pub defs: Vec<Expr>,
    /// What each of `defs` is.
    pub(super) labels: Vec<Label>,
}

/// What a name stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Label {
    Lo,
    Hi,
    /// The preimage u₁, u₂, ... (from 1).
    Preimage(usize),
}

/// Inverse maps nested this deep call for names: the derivation of a single map or
/// two reads better with its preimages written out.
const NAMES_FROM_NESTING: usize = 3;

impl Names {
    /// The names for a derivation's terms, or `None` when its preimages nest less than
    /// three inverse maps deep. `ends`, the support's lower and upper end where they
    /// are to be named, come first. The terms must outlive the printing (they are known
    /// by their address).
    pub fn new<'e>(
        ends: [Option<&'e Expr>; 2],
        terms: impl IntoIterator<Item = &'e Expr>,
    ) -> Option<Names> {
        let mut names = Names::default();
        for (end, label) in ends.into_iter().zip([Label::Lo, Label::Hi]) {
            let Some(end) = end else { continue };
            let mut local: Vec<usize> = Vec::with_capacity(end.as_ref().len());
            for node in end.as_ref() {
                let key = names.key_of(node, &local);
                let next = names.ids.len();
                local.push(*names.ids.entry(key).or_insert(next));
            }
            if let Some(root) = local.last() {
                names.named.insert(*root, names.defs.len());
                names.defs.push(end.clone());
                names.labels.push(label);
            }
        }
        // every interned id has a fact: the ends have no t and no inverse nesting
        let mut has_t: Vec<bool> = vec![false; names.ids.len()];
        let mut nesting: Vec<usize> = vec![0; names.ids.len()];
        for e in terms {
            let mut local: Vec<usize> = Vec::with_capacity(e.as_ref().len());
            let mut keys = Vec::with_capacity(e.as_ref().len());
            for (i, node) in e.as_ref().iter().enumerate() {
                let key = names.key_of(node, &local);
                let next = names.ids.len();
                let id = *names.ids.entry(key).or_insert(next);
                if id == has_t.len() {
                    let children = node.children();
                    let t = matches!(node, Node::T)
                        || children.iter().any(|c| has_t[local[usize::from(*c)]]);
                    let inverse = t && is_inverse(node);
                    let below = children
                        .iter()
                        .map(|c| nesting[local[usize::from(*c)]])
                        .max()
                        .unwrap_or(0);
                    has_t.push(t);
                    nesting.push(below + usize::from(inverse));
                    if inverse {
                        names.named.insert(id, names.defs.len());
                        names.defs.push(crate::lang::subterm(e, Id::from(i)));
                        let n = names
                            .labels
                            .iter()
                            .filter(|l| matches!(l, Label::Preimage(_)));
                        names.labels.push(Label::Preimage(n.count() + 1));
                    }
                }
                keys.push(names.named.get(&id).copied());
                local.push(id);
            }
            names.known.insert(e as *const Expr as usize, keys);
        }
        if nesting.iter().copied().max().unwrap_or(0) < NAMES_FROM_NESTING {
            return None;
        }
        Some(names)
    }

    /// A node as an interning key: its children by interned id, the operands of a sum
    /// or product in a fixed order.
    fn key_of(&self, node: &Node, local: &[usize]) -> Node {
        let mut key = node
            .clone()
            .map_children(|c| Id::from(local[usize::from(c)]));
        if let Node::Add([a, b]) | Node::Mul([a, b]) = &mut key {
            if usize::from(*b) < usize::from(*a) {
                std::mem::swap(a, b);
            }
        }
        key
    }

    /// The name index of each node of `e`, where it has one.
    pub(super) fn keys(&self, e: &Expr) -> Vec<Option<usize>> {
        if let Some(keys) = self.known.get(&(e as *const Expr as usize)) {
            return keys.clone();
        }
        let mut local: Vec<usize> = Vec::with_capacity(e.as_ref().len());
        let mut out = Vec::with_capacity(e.as_ref().len());
        for node in e.as_ref() {
            // a node with a child never interned was never seen: no name, nor above it
            let known = node
                .children()
                .iter()
                .all(|c| local[usize::from(*c)] != usize::MAX);
            let id = if known {
                let key = self.key_of(node, &local);
                self.ids.get(&key).copied().unwrap_or(usize::MAX)
            } else {
                usize::MAX
            };
            out.push(self.named.get(&id).copied());
            local.push(id);
        }
        out
    }
}

pub(super) fn is_inverse(node: &Node) -> bool {
    matches!(
        node,
        Node::Atanh(_) | Node::Logit(_) | Node::Log(_) | Node::SoftsignInv(_) | Node::Root(_)
    )
}
