//! The tantivy adapter of the CJK tokenizer: [`crate::text::tokenize`] behind tantivy's
//! `Tokenizer` trait, registered under [`TOKENIZER_NAME`]. The rules themselves (folding, units,
//! unigrams and bigrams) live in `src/text.rs`, shared with the scope lookup and the config.

use crate::text::{tokenize, Token};

/// The name the tokenizer is registered under in tantivy.
pub const TOKENIZER_NAME: &str = "portal_cjk";

/// The tantivy tokenizer: [`tokenize`] behind tantivy's `Tokenizer` trait.
#[derive(Clone, Default)]
pub struct PortalTokenizer;

/// The tokens of one text, handed out one by one.
pub struct PortalTokenStream {
    tokens: std::vec::IntoIter<Token>,
    current: tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for PortalTokenizer {
    type TokenStream<'a> = PortalTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> PortalTokenStream {
        PortalTokenStream {
            tokens: tokenize(text).into_iter(),
            current: tantivy::tokenizer::Token::default(),
        }
    }
}

impl tantivy::tokenizer::TokenStream for PortalTokenStream {
    fn advance(&mut self) -> bool {
        let Some(t) = self.tokens.next() else {
            return false;
        };
        self.current.text = t.text;
        self.current.position = t.position;
        self.current.offset_from = t.start;
        self.current.offset_to = t.end;
        self.current.position_length = 1;
        true
    }
    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.current
    }
    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.current
    }
}
