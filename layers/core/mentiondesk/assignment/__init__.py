"""Assignment: who works a ticket. Round robin among eligible agents now; load balancing later."""
