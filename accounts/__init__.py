"""People and sign-in: first-run setup, session sign-in for the browser, tokens for scripts."""
