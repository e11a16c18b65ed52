//! `#[netlings_helpers::test]`: the attribute every test of the course wears.
//!
//! It is `#[test]` plus one statement at the top of the body,
//! `let _verdict = ::netlings_helpers::verdict::TestBody::start();`, which
//! reports on the runner's private channel when the body returns (see the
//! `netlings-verdict` crate for why a test's own output cannot be trusted).

use proc_macro::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// Marks a test of the course: a `#[test]` whose body reports to the runner,
/// on a channel the code under test cannot reach, that it ran to its end.
///
/// ```ignore
/// #[netlings_helpers::test]
/// fn echoes_one_line() {
///     // ... the test body, as with #[test]
/// }
/// ```
///
/// Run by `cargo test`, it behaves exactly like `#[test]`.
#[proc_macro_attribute]
pub fn test(arguments: TokenStream, item: TokenStream) -> TokenStream {
    if !arguments.is_empty() {
        return compile_error("#[netlings_helpers::test] takes no arguments");
    }
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let is_function = tokens
        .iter()
        .any(|token| matches!(token, TokenTree::Ident(ident) if ident.to_string() == "fn"));
    let body = match tokens.pop() {
        Some(TokenTree::Group(body)) if is_function && body.delimiter() == Delimiter::Brace => body,
        _ => return compile_error("#[netlings_helpers::test] goes on a test function"),
    };
    let start: TokenStream = "let _verdict = ::netlings_helpers::verdict::TestBody::start();"
        .parse()
        .expect("the statement is valid Rust");
    let mut statements = start;
    statements.extend(body.stream());
    let mut new_body = Group::new(Delimiter::Brace, statements);
    new_body.set_span(body.span());

    let mut output: TokenStream = "#[::core::prelude::v1::test]"
        .parse()
        .expect("the attribute is valid Rust");
    output.extend(tokens);
    output.extend([TokenTree::Group(new_body)]);
    output
}

fn compile_error(message: &str) -> TokenStream {
    let mut output: TokenStream = [
        TokenTree::Ident(Ident::new("compile_error", Span::call_site())),
        TokenTree::Punct(Punct::new('!', Spacing::Alone)),
    ]
    .into_iter()
    .collect();
    output.extend([TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        TokenStream::from(TokenTree::Literal(proc_macro::Literal::string(message))),
    ))]);
    output.extend("; ".parse::<TokenStream>());
    output
}
