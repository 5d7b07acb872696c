//! egg's explanation of an equality, flattened into a sequence of whole terms with a
//! bound on the work.
//!
//! egg's own `make_flat_explanation` expands the proof tree, whose subproofs are
//! shared, into one term per rewrite. That expansion can be exponential: a depth-5
//! composition of tanh and sigmoid produced a proof it had not flattened after 90
//! seconds. This is the same algorithm (`TreeTerm::flatten_explanation` in egg 0.11)
//! with a budget on the terms it builds, so that a long proof becomes an error the
//! caller can handle instead of a hang.
//!
//! The terms share their unchanged subterms (`Rc`): a step builds only the path from
//! the root to the rewritten subterm, where egg's `FlatTerm` copies the whole term at
//! every step and turns it into a `RecExpr` through a string.

use crate::lang::{Expr, Node};
use egg::{Language, Symbol, TreeTerm};
use std::rc::Rc;

/// The most terms built while flattening one explanation (the rules' catalogue says
/// it when it describes a condensed step).
pub use crate::rules::MAX_EXPLANATION_TERMS as MAX_TERMS;

/// The flattened explanation was longer than [`MAX_TERMS`].
#[derive(Debug)]
pub struct TooLong;

struct Budget(usize);

impl Budget {
    fn spend(&mut self, n: usize) -> Result<(), TooLong> {
        if self.0 < n {
            return Err(TooLong);
        }
        self.0 -= n;
        Ok(())
    }
}

/// A term of a flattened explanation, with the rules that rewrote into it (egg's
/// `FlatTerm`, its subterms shared).
#[derive(Clone, Debug)]
pub struct Term {
    /// The operator; the ids of its children are ignored.
    node: Node,
    children: Vec<Rc<Term>>,
    /// A rule rewriting the previous term to this one.
    forward: Option<Symbol>,
    /// A rule rewriting this term back to the previous one.
    backward: Option<Symbol>,
    /// Whether this term or a subterm carries a rule.
    annotated: bool,
}

impl Term {
    fn new(node: Node, children: Vec<Rc<Term>>) -> Term {
        let annotated = children.iter().any(|c| c.annotated);
        Term {
            node,
            children,
            forward: None,
            backward: None,
            annotated,
        }
    }

    fn set_child(&mut self, i: usize, child: Rc<Term>) {
        self.children[i] = child;
        self.refresh();
    }

    fn set_rules(&mut self, forward: Option<Symbol>, backward: Option<Symbol>) {
        self.forward = forward;
        self.backward = backward;
        self.refresh();
    }

    fn refresh(&mut self) {
        self.annotated = self.forward.is_some()
            || self.backward.is_some()
            || self.children.iter().any(|c| c.annotated);
    }

    /// The same term without rules: shared where nothing below carries one.
    fn without_rules(self: &Rc<Term>) -> Rc<Term> {
        if !self.annotated {
            return Rc::clone(self);
        }
        Rc::new(Term::new(
            self.node.clone(),
            self.children.iter().map(Term::without_rules).collect(),
        ))
    }

    /// The first rule in the term, the root before its subterms (egg's order).
    pub fn rule(&self) -> Option<Symbol> {
        if !self.annotated {
            return None;
        }
        self.forward
            .or(self.backward)
            .or_else(|| self.children.iter().find_map(|c| c.rule()))
    }
}

/// Builds the terms of a derivation's steps as expressions, hash-consed: a node met
/// again (the same shared subterm, or an equal one) gets the id it had, so that each
/// step's expression is a DAG that shares its repeated subterms, built from the nodes
/// that step changed. The steps of an n-layer density each hold n factors with the
/// nested preimages in them; written out as trees they were n² nodes per step.
#[derive(Default)]
pub struct Builder {
    nodes: Vec<Node>,
    cons: rustc_hash::FxHashMap<Node, egg::Id>,
    /// Terms already added, by address (they live as long as the explanation).
    seen: rustc_hash::FxHashMap<*const Term, egg::Id>,
}

impl Builder {
    /// The term as an expression: the part of the arena it reaches, in order.
    pub fn expr(&mut self, term: &Rc<Term>) -> Expr {
        let root = self.add(term);
        let mut reach = vec![false; usize::from(root) + 1];
        reach[usize::from(root)] = true;
        for i in (0..=usize::from(root)).rev() {
            if reach[i] {
                for c in self.nodes[i].children() {
                    reach[usize::from(*c)] = true;
                }
            }
        }
        let mut new_id = vec![egg::Id::from(0usize); usize::from(root) + 1];
        let mut e = Expr::default();
        for i in (0..=usize::from(root)).filter(|i| reach[*i]) {
            let node = self.nodes[i]
                .clone()
                .map_children(|c| new_id[usize::from(c)]);
            new_id[i] = e.add(node);
        }
        e
    }

    fn add(&mut self, term: &Rc<Term>) -> egg::Id {
        let key = Rc::as_ptr(term);
        if let Some(id) = self.seen.get(&key) {
            return *id;
        }
        let ids: Vec<egg::Id> = term.children.iter().map(|c| self.add(c)).collect();
        let mut node = term.node.clone();
        for (slot, id) in node.children_mut().iter_mut().zip(ids) {
            *slot = id;
        }
        let id = match self.cons.get(&node) {
            Some(id) => *id,
            None => {
                let id = egg::Id::from(self.nodes.len());
                self.nodes.push(node.clone());
                self.cons.insert(node, id);
                id
            }
        };
        self.seen.insert(key, id);
        id
    }
}

/// Flatten a proof into terms, each after one rewrite (the first is the start).
pub fn flatten(proof: &[Rc<TreeTerm<Node>>]) -> Result<Vec<Rc<Term>>, TooLong> {
    let mut memo = Memo::default();
    flatten_proof(proof, &mut Budget(MAX_TERMS), &mut memo)
}

/// The flattening of each tree met, by address: egg's trees share the proofs of the
/// subterms a step leaves alone, and flattening them again at every step took time
/// quadratic in a chain's depth.
type Memo = rustc_hash::FxHashMap<*const TreeTerm<Node>, Vec<Rc<Term>>>;

fn flatten_proof(
    proof: &[Rc<TreeTerm<Node>>],
    budget: &mut Budget,
    memo: &mut Memo,
) -> Result<Vec<Rc<Term>>, TooLong> {
    let mut flat: Vec<Rc<Term>> = Vec::new();
    for tree in proof {
        let key = Rc::as_ptr(tree);
        let mut explanation = match memo.get(&key) {
            Some(known) => known.clone(),
            None => {
                let explanation = flatten_tree(tree, budget, memo)?;
                memo.insert(key, explanation.clone());
                explanation
            }
        };
        // consecutive trees share a term: keep one, with both rewrite annotations
        if !flat.is_empty() && !explanation[0].annotated {
            if let Some(last) = flat.pop() {
                combine_rules(&mut explanation[0], &last);
            }
        }
        flat.extend(explanation);
    }
    Ok(flat)
}

/// Give `term` the rules of `other` (the same term) wherever it has none.
fn combine_rules(term: &mut Rc<Term>, other: &Term) {
    if !other.annotated {
        return;
    }
    let t = Rc::make_mut(term);
    t.forward = t.forward.or(other.forward);
    t.backward = t.backward.or(other.backward);
    for (left, right) in t.children.iter_mut().zip(other.children.iter()) {
        combine_rules(left, right);
    }
    t.refresh();
}

fn flatten_tree(
    tree: &TreeTerm<Node>,
    budget: &mut Budget,
    memo: &mut Memo,
) -> Result<Vec<Rc<Term>>, TooLong> {
    let mut child_proofs = Vec::with_capacity(tree.child_proofs.len());
    let mut representatives = Vec::with_capacity(tree.child_proofs.len());
    for child in &tree.child_proofs {
        let flat = flatten_proof(child, budget, memo)?;
        let Some(first) = flat.first() else {
            return Err(TooLong);
        };
        representatives.push(first.without_rules());
        child_proofs.push(flat);
    }
    budget.spend(1)?;
    let mut proof = vec![Rc::new(Term::new(
        tree.node.clone(),
        representatives.clone(),
    ))];
    for (i, child_proof) in child_proofs.iter().enumerate() {
        // the first term of the child's proof keeps its rule annotation
        if let Some(last) = proof.last_mut() {
            Rc::make_mut(last).set_child(i, Rc::clone(&child_proof[0]));
        }
        for child in child_proof.iter().skip(1) {
            budget.spend(1 + representatives.len())?;
            let mut children = representatives.clone();
            children[i] = Rc::clone(child);
            proof.push(Rc::new(Term::new(tree.node.clone(), children)));
        }
        if let Some(last) = child_proof.last() {
            representatives[i] = last.without_rules();
        }
    }
    Rc::make_mut(&mut proof[0]).set_rules(tree.forward_rule, tree.backward_rule);
    Ok(proof)
}
