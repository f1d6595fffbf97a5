//! The parser: placeholder until it lands.

use super::{ast, Parsed};
use crate::source::FileId;

pub(super) fn parse(file: FileId, text: &str) -> Parsed {
    let _ = (file, text);
    Parsed {
        file: ast::File {
            items: Vec::new(),
            dangling: Vec::new(),
        },
        errors: Vec::new(),
    }
}
