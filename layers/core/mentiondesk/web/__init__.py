"""The agent page: static files served by the web function with strict security headers."""
