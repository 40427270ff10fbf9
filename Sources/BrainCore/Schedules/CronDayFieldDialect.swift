/// How a cron expression combines its day-of-month and day-of-week fields; each schedule records the one its
/// real scheduler uses, so that Brain predicts what that scheduler will do.
package enum CronDayFieldDialect: String, Hashable, Sendable, CaseIterable, Codable {
    /// Vixie, cronie and Debian cron: when both day fields are restricted a day matches if **either** does
    /// ("30 4 1,15 * 5" runs on the 1st, the 15th and every Friday). Debian's rule, which cronsim copies:
    /// if either field's text starts with `*` (as `*/2` does), both must match instead.
    case vixie
    /// Celery's `crontab`: a day matches only if **both** fields do.
    case celery
}
