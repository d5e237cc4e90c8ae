"""``claimbot playground``: the real Claimbot against a local Slack stand-in, used in a browser."""
