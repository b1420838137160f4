"""What a keyword monitor sends to X's recent search (shared by the API's checks and the poller)."""

MAX_QUERY = 512  # X's limit for recent search, counted on what we send (with our filters)


def search_query(query: str, languages: list[str]) -> str:
    """The admin's query, retweets excluded, and the language filter."""
    parts = [f"({query})", "-is:retweet"]
    if languages:
        parts.append("(" + " OR ".join(f"lang:{lang}" for lang in languages) + ")")
    return " ".join(parts)
