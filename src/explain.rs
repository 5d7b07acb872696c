//! egg's explanation of an equality, flattened into a sequence of whole terms with a
//! bound on the work.
//!
//! egg's own `make_flat_explanation` expands the proof tree, whose subproofs are
//! shared, into one term per rewrite. That expansion can be exponential: a depth-5
//! composition of tanh and sigmoid produced a proof it had not flattened after 90
//! seconds. This is the same algorithm (`TreeTerm::flatten_explanation` in egg 0.11)
//! with a budget on the terms it builds, so that a long proof becomes an error the
//! caller can handle instead of a hang.

use crate::lang::Node;
use egg::{FlatTerm, TreeTerm};
use std::rc::Rc;

/// The most terms built while flattening one explanation.
pub const MAX_TERMS: usize = 20_000;

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

/// Flatten a proof into terms, each after one rewrite (the first is the start).
pub fn flatten(proof: &[Rc<TreeTerm<Node>>]) -> Result<Vec<FlatTerm<Node>>, TooLong> {
    flatten_proof(proof, &mut Budget(MAX_TERMS))
}

fn flatten_proof(
    proof: &[Rc<TreeTerm<Node>>],
    budget: &mut Budget,
) -> Result<Vec<FlatTerm<Node>>, TooLong> {
    let mut flat: Vec<FlatTerm<Node>> = Vec::new();
    for tree in proof {
        let mut explanation = flatten_tree(tree, budget)?;
        // consecutive trees share a term: keep one, with both rewrite annotations
        if !flat.is_empty()
            && !explanation[0].has_rewrite_forward()
            && !explanation[0].has_rewrite_backward()
        {
            if let Some(last) = flat.pop() {
                combine_rewrites(&mut explanation[0], &last);
            }
        }
        flat.extend(explanation);
    }
    Ok(flat)
}

fn combine_rewrites(term: &mut FlatTerm<Node>, other: &FlatTerm<Node>) {
    if other.forward_rule.is_some() && term.forward_rule.is_none() {
        term.forward_rule = other.forward_rule;
    }
    if other.backward_rule.is_some() && term.backward_rule.is_none() {
        term.backward_rule = other.backward_rule;
    }
    for (left, right) in term.children.iter_mut().zip(other.children.iter()) {
        combine_rewrites(left, right);
    }
}

fn flatten_tree(
    tree: &TreeTerm<Node>,
    budget: &mut Budget,
) -> Result<Vec<FlatTerm<Node>>, TooLong> {
    let mut child_proofs = Vec::with_capacity(tree.child_proofs.len());
    let mut representatives = Vec::with_capacity(tree.child_proofs.len());
    for child in &tree.child_proofs {
        let flat = flatten_proof(child, budget)?;
        let Some(first) = flat.first() else {
            return Err(TooLong);
        };
        representatives.push(first.remove_rewrites());
        child_proofs.push(flat);
    }
    budget.spend(1)?;
    let mut proof = vec![FlatTerm::new(tree.node.clone(), representatives.clone())];
    for (i, child_proof) in child_proofs.iter().enumerate() {
        // the first term of the child's proof keeps its rule annotation
        if let Some(last) = proof.last_mut() {
            last.children[i] = child_proof[0].clone();
        }
        for child in child_proof.iter().skip(1) {
            budget.spend(1 + representatives.len())?;
            let children = representatives
                .iter()
                .enumerate()
                .map(|(j, rep)| if j == i { child.clone() } else { rep.clone() })
                .collect();
            proof.push(FlatTerm::new(tree.node.clone(), children));
        }
        if let Some(last) = child_proof.last() {
            representatives[i] = last.remove_rewrites();
        }
    }
    proof[0].backward_rule = tree.backward_rule;
    proof[0].forward_rule = tree.forward_rule;
    Ok(proof)
}
