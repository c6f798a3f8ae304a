//! Errors as people should read them: the way server functions encode and print their
//! errors (`ServerError|…`, `error running server function: …`) put into plain words.

/// A server function's error as a person should read it.
///
/// `kind` and `detail` are the two halves of the error as server functions encode it
/// (`ServerError|That name is already taken.`); only errors the application raised itself
/// are worded for people, the rest are said plainly without their internals.
pub fn plain_message(kind: &str, detail: &str) -> String {
    match kind {
        "ServerError" | "" => field_rule(detail.trim()),
        "Args" | "MissingArg" | "Deserialization" => {
            "Some fields of the form were missing or not understood; check them and send it again.".into()
        }
        "Request" => "readyboard could not be reached; check the connection and try again.".into(),
        _ => "Something went wrong on the server; it has been logged.".into(),
    }
}

/// A rule a field broke, as the store words it (`title: between 1 and 200 characters`),
/// said as a request to the person (`Check the title: between 1 and 200 characters.`).
fn field_rule(detail: &str) -> String {
    match detail.split_once(": ") {
        Some((field, rule)) if !field.is_empty() && field.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            let rule = rule.trim_end_matches('.');
            format!("Check the {}: {rule}.", field.replace('_', " "))
        }
        _ => detail.to_string(),
    }
}

/// An error as shown to people: the way server function errors print (`error running
/// server function: …`) put into plain words.
pub fn plain_error(text: &str) -> String {
    const KINDS: &[(&str, &str)] = &[
        ("error running server function: ", "ServerError"),
        ("ServerFnError: ", "ServerError"),
        ("error deserializing server function arguments: ", "Args"),
        ("missing argument ", "MissingArg"),
        ("error reaching server to call server function: ", "Request"),
        ("error deserializing server function results: ", "Deserialization"),
    ];
    for (prefix, kind) in KINDS {
        if let Some(detail) = text.strip_prefix(prefix) {
            return plain_message(kind, detail);
        }
    }
    match text.split_once('|') {
        Some((kind, detail)) if !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphabetic()) => {
            plain_message(kind, detail)
        }
        _ => text.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_function_errors_read_as_plain_words() {
        assert_eq!(plain_error("error running server function: That name is taken."), "That name is taken.");
        assert_eq!(plain_error("ServerError|Give a reason for the override."), "Give a reason for the override.");
        assert!(plain_error("Args|missing field `decision`").starts_with("Some fields of the form"));
        assert!(plain_error("missing argument id").starts_with("Some fields of the form"));
        assert_eq!(plain_error("Not found."), "Not found.");
        assert_eq!(plain_error("a | b"), "a | b", "a bar in a message is not an encoding");
        assert_eq!(
            plain_error("error running server function: due_date: YYYY-MM-DD"),
            "Check the due date: YYYY-MM-DD."
        );
    }
}
