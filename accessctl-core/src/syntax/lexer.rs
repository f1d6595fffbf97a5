//! Tokens: placeholder until the lexer lands.
