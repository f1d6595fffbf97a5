//! What several test modules share: the naive reference evaluator, random valid
//! policies built as model structs, and random syntax trees.

pub mod ast_gen;
pub mod model_gen;
pub mod reference;
