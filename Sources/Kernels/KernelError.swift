/// Errors of the Kernels module: unknown indices, missing bands, malformed band-math expressions.
///
/// Every case names what was asked for and what would have been valid, so a CLI can print it as is.
public enum KernelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `name` is not in the index catalogue; `valid` lists the canonical names.
    case unknownIndex(name: String, valid: [String])
    /// `name` is not a catalogue spelling but matches `candidates` when case is ignored (`BaI` for `BAI`):
    /// names are matched exactly or through listed aliases, never guessed.
    case ambiguousIndex(name: String, candidates: [String])
    /// `index` needs `band` (a common band name), which was not supplied; `available` lists what was.
    case missingBand(band: String, index: String, available: [String])
    /// Band `band` holds `count` samples, fewer than the `expected` pixel count.
    case bandLength(band: String, count: Int, expected: Int)
    /// A chunk size or pixel count that is not positive / not non-negative.
    case invalidArgument(String)
    /// A band-math expression could not be parsed: 1-based `column` in `expression`.
    case syntax(expression: String, column: Int, message: String)
    /// A band-math expression names a band that was not supplied.
    case unknownBand(expression: String, column: Int, name: String, available: [String])
    /// A band-math expression calls a function that does not exist.
    case unknownFunction(expression: String, column: Int, name: String)
    /// A band-math function was called with the wrong number of arguments.
    case arity(expression: String, column: Int, function: String, expected: String, got: Int)
    /// A band-math expression nests deeper than `limit` levels; `column` is where the limit is passed.
    case tooDeep(expression: String, column: Int, limit: Int)

    /// A one-line, human-readable message.
    public var description: String {
        switch self {
        case let .unknownIndex(name, valid):
            return "unknown index '\(name)'; valid indices: \(valid.joined(separator: ", "))"
        case let .ambiguousIndex(name, candidates):
            return "unknown index '\(name)': names are matched exactly (or all in lower case); did you mean \(candidates.joined(separator: " or "))?"
        case let .missingBand(band, index, available):
            let have = available.isEmpty ? "none" : available.sorted().joined(separator: ", ")
            return "index \(index) needs band '\(band)', which was not given (bands given: \(have))"
        case let .bandLength(band, count, expected):
            return "band '\(band)' holds \(count) samples, expected at least \(expected)"
        case let .invalidArgument(message):
            return message
        case let .syntax(expression, column, message):
            return "syntax error at column \(column) of \(Self.excerpt(expression, column)): \(message)"
        case let .unknownBand(expression, column, name, available):
            let have = available.isEmpty ? "none" : available.sorted().joined(separator: ", ")
            return "unknown band '\(name)' at column \(column) of \(Self.excerpt(expression, column)) (bands given: \(have))"
        case let .unknownFunction(expression, column, name):
            return "unknown function '\(name)' at column \(column) of \(Self.excerpt(expression, column))"
        case let .arity(expression, column, function, expected, got):
            return "function '\(function)' at column \(column) of \(Self.excerpt(expression, column)) takes \(expected) argument(s), got \(got)"
        case let .tooDeep(expression, column, limit):
            return "expression nests deeper than the limit of \(limit) levels (parentheses, function calls, prefix operators, powers) at column \(column) of \(Self.excerpt(expression, column))"
        }
    }

    /// The expression quoted, or for a long one the 60 characters around `column` with `…` for the rest, so a
    /// message stays one readable line.
    static func excerpt(_ expression: String, _ column: Int) -> String {
        let scalars = Array(expression.unicodeScalars)
        guard scalars.count > 80 else { return "'\(expression)'" }
        let start = max(0, min(column - 31, scalars.count - 60))
        let end = min(scalars.count, start + 60)
        var s = String(String.UnicodeScalarView(scalars[start..<end]))
        if start > 0 { s = "…" + s }
        if end < scalars.count { s += "…" }
        return "'\(s)' (\(scalars.count) characters)"
    }
}
