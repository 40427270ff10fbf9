/// Words the stream generator builds goals, steps and payloads from (ASCII only).
enum Vocabulary {
    static let sites = [
        "shop.example.com", "news.example.org", "docs.example.net", "travel.example.com", "jobs.example.io",
        "market.example.co", "forum.example.org", "bank.example.com",
    ]
    static let products = ["running shoes", "laptops", "flights to Lisbon", "rental prices", "release notes", "job offers", "exchange rates"]
    static let goalVerbs = ["Collect prices for", "Compare", "Summarize", "Monitor", "Extract listings of", "Check availability of"]
    static let paths = ["search", "catalog", "listing", "item", "category", "results"]
    static let runTypes = ["scrape", "crawl", "form_fill", "monitor", "extract"]
    static let initiators = ["scheduler", "api", "user:alice", "user:bob", "webhook"]
    static let stepNames = [
        "navigate", "wait_for_selector", "click", "type_text", "extract", "scroll", "screenshot", "llm_decide",
        "parse_table", "validate",
    ]
    static let selectors = ["item", "price", "title", "next-page", "search-box", "result-row", "cookie-accept"]
    /// Error types with a message that fits each.
    static let errors = [
        ("TimeoutError", "selector not visible after 5000 ms"), ("TimeoutError", "navigation timed out after 30000 ms"),
        ("NavigationError", "net::ERR_CONNECTION_RESET"), ("SelectorNotFound", "element detached from the DOM"),
        ("RateLimited", "page returned HTTP 429"),
    ]
    static let words = [
        "price", "total", "in", "stock", "shipping", "free", "returns", "rating", "review", "size", "color", "black",
        "white", "model", "2024", "sale", "discount", "item", "page", "next", "results", "found", "available", "delivery",
    ]
}
