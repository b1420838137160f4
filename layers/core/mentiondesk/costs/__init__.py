"""Cost per ticket: the ledger's lines, metering what each invocation used, and the lifecycle estimate."""
