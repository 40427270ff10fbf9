import ArgumentParser

/// Checks of numeric options, run from `validate()` so a mistake prints the usage of the
/// command it was made in. The options parse as `Int` with `.unconditional` parsing, so
/// `--limit -1` reaches these checks instead of reading `-1` as an unknown option.
enum Checks {
    /// `value` as a `UInt32`, or a validation error naming the option.
    @discardableResult
    static func count(_ value: Int, _ option: String) throws -> UInt32 {
        guard value >= 0 else { throw ValidationError("\(option) must be a non-negative integer (got \(value))") }
        guard let count = UInt32(exactly: value) else {
            throw ValidationError("\(option) must be at most \(UInt32.max) (got \(value))")
        }
        return count
    }

    /// A positive, finite number of seconds.
    static func seconds(_ value: Double, _ option: String) throws {
        guard value.isFinite, value > 0 else {
            throw ValidationError("\(option) must be a positive number of seconds (got \(CommonOptions.text(value)))")
        }
        guard value <= maxSeconds else { throw ValidationError("\(option) must be at most \(Int(maxSeconds)) seconds (got \(CommonOptions.text(value)))") }
    }

    /// A little over a week: a larger timeout is a typo.
    static let maxSeconds = 1_000_000.0
}
