//! The project's rule that values from Secrets, credentials and tokens appear in no log, event,
//! status or output, as one assertion.

/// Fails the test when a text of `places` (`(what, text)`, such as `("status", ...)`) holds one
/// of `secrets`; the message names the place and only the secret's first characters.
pub fn assert_no_secret(places: &[(&str, &str)], secrets: &[impl AsRef<str>]) {
    for (what, text) in places {
        for secret in secrets {
            let secret = secret.as_ref();
            assert!(
                !text.contains(secret),
                "the {what} holds a secret value ({secret:.6}...)"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_clean_texts_and_fails_a_leak() {
        assert_no_secret(&[("log", "fetched the chart")], &["s3cret"]);
        let leak = std::panic::catch_unwind(|| {
            assert_no_secret(&[("log", "password s3cret-value")], &["s3cret-value"])
        });
        assert!(leak.is_err());
    }
}
