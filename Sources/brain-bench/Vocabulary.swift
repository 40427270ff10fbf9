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

extension Vocabulary {
    /// Celery task names with the queue each goes to.
    static let taskNames = [
        ("app.tasks.send_email", "email"), ("app.tasks.resize_image", "media"), ("app.tasks.sync_inventory", "default"),
        ("app.billing.charge_customer", "billing"), ("app.reports.build_report", "reports"), ("app.tasks.index_document", "search"),
        ("app.tasks.fetch_feed", "default"), ("app.notifications.push", "notifications"),
    ]
    /// Kwarg names that hold secrets, with how their values start.
    static let secretKwargs = [("api_key", "sk_live_"), ("password", "hunter2-"), ("auth_token", "ghp_"), ("stripe_secret", "sk_test_")]
    static let taskErrors = [
        ("requests.exceptions.ConnectionError", "HTTPSConnectionPool(host='api.example.com', port=443): Max retries exceeded"),
        ("TimeoutError", "timed out after 10 s"), ("ValueError", "invalid literal for int() with base 10: 'n/a'"),
        ("KeyError", "'customer_id'"), ("smtplib.SMTPServerDisconnected", "Connection unexpectedly closed"),
    ]
}
