"""Documents for people outside the tool: proposals a client can read."""
