import RasterCore

/// An error in a pipeline.yaml (or a `--set` override): where it is and what is wrong.
///
/// `description` reads `FILE:LINE:COLUMN: KEY.PATH: message (valid: a, b, c)`, the shape compilers use,
/// so editors can jump to it. Overrides have no position and are named `--set KEY` instead. A file with several
/// problems throws its first error with the others in `following`; `description` then has one line per problem.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config file (or `--set` for an override, `<string>` for text).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// The dotted key path of the offending value (`outputs.cog.compression`, `inputs[0].bands`).
    public var keyPath: String
    /// What is wrong.
    public var message: String
    /// The valid choices, when the value had to be one of a set.
    public var validChoices: [String]
    /// The other problems of the same file, in file order (empty when this is the only one).
    public var following: [ConfigError] = []

    /// This error and the ones that follow it.
    public var all: [ConfigError] {
        var first = self
        first.following = []
        return [first] + following
    }

    /// An error at a position.
    public init(file: String, line: Int?, column: Int?, keyPath: String, message: String, validChoices: [String] = []) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
        self.validChoices = validChoices
    }

    /// `file:line:column: key: message (valid: …)`, one line per problem.
    public var description: String {
        all.map(\.oneLine).joined(separator: "\n")
    }

    private var oneLine: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += ":\(column)" }
        s += ": "
        if !keyPath.isEmpty, file != "--set \(keyPath)" { s += "\(keyPath): " }
        s += message
        if !validChoices.isEmpty { s += " (valid: \(validChoices.joined(separator: ", ")))" }
        return s.escapingControlCharacters
    }
}
