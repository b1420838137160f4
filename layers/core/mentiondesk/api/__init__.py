"""The agent HTTP API: one Powertools resolver, a Router per area, one authorization table."""
