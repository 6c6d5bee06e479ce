import Foundation
import RasterCore
public import Logging

/// A swift-log handler that writes one JSON object per line to stderr:
/// `{"ts":"2026-01-01T00:00:00.000Z","level":"info","logger":"tilepipe","msg":"tile done","tile_id":"…","outputs":8}`.
/// Metadata is flattened into the object (keys sorted) with typed values (`JSONLogValue`): numbers as numbers,
/// `true`/`false` as booleans, arrays and dictionaries as JSON arrays and objects, everything else as strings.
public struct JSONLogHandler: LogHandler {
    /// Handler-level metadata.
    public var metadata: Logger.Metadata = [:]
    /// Minimum level.
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: @Sendable (String) -> Void

    /// A handler for `label`; `sink` receives each line (stderr by default).
    public init(label: String, sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.sink = sink
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one JSON line.
    public func log(event: LogEvent) {
        var fields = metadata
        for (k, v) in event.metadata ?? [:] { fields[k] = v }
        sink(JSONLogValue.line(level: event.level.rawValue, logger: label, message: "\(event.message)",
                               fields: Dictionary(uniqueKeysWithValues: fields.map { ($0.key, JSONLogValue.render($0.value, key: $0.key)) })))
    }
}

/// Typed JSON for log values and the one-line JSON records TilePipe writes on stderr in `--log-format json`.
public enum JSONLogValue {
    /// Set by a command that logs JSON: then `StderrLine` messages (errors before logging starts, the final
    /// summary, an interruption) are JSON records too, so every stderr line parses.
    nonisolated(unsafe) public static var stderrIsJSON = false

    /// One record: `{"ts":…,"level":…,"logger":…,"msg":…, fields…}` and a newline. `fields` hold rendered JSON.
    public static func line(level: String, logger: String = "tilepipe", message: String, fields: [String: String] = [:]) -> String {
        let fmt = ISO8601DateFormatter()
        fmt.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var parts = ["\"ts\":\(fmt.string(from: Date()).jsonQuoted)", "\"level\":\(level.jsonQuoted)",
                     "\"logger\":\(logger.jsonQuoted)", "\"msg\":\(message.jsonQuoted)"]
        for k in fields.keys.sorted() where !["ts", "level", "logger", "msg"].contains(k) {
            parts.append("\(k.jsonQuoted):\(fields[k]!)")
        }
        return "{" + parts.joined(separator: ",") + "}\n"
    }

    /// A metadata value as JSON. `.stringConvertible` integers, floating-point numbers and booleans keep their
    /// type; a `.string` is a number when it is written as one (`-12`, `3.5`, `1e-3`: JSON number syntax, no
    /// leading zeros) unless its key names an identifier, path, hash or version (`tile_id`, `path`, `config_hash`,
    /// …), which stay strings whatever they look like; `true`/`false` are booleans; non-finite numbers are strings.
    public static func render(_ value: Logger.MetadataValue, key: String) -> String {
        switch value {
        case .string(let s): return typed(s, key: key)
        case .stringConvertible(let c):
            switch c {
            case let b as Bool: return b ? "true" : "false"
            case let i as any BinaryInteger: return "\(i)"
            case let d as Double: return d.isFinite ? "\(d)" : "\(d)".jsonQuoted
            case let f as Float: return f.isFinite ? "\(f)" : "\(f)".jsonQuoted
            default: return typed(c.description, key: key)
            }
        case .array(let a): return "[" + a.map { render($0, key: key) }.joined(separator: ",") + "]"
        case .dictionary(let d): return "{" + d.keys.sorted().map { "\($0.jsonQuoted):\(render(d[$0]!, key: $0))" }.joined(separator: ",") + "}"
        }
    }

    /// Keys whose values are names, never numbers.
    static func isTextKey(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["id", "path", "hash", "version", "name", "error", "cause", "file", "tile", "shard", "msg"].contains { k == $0 || k.hasSuffix("_" + $0) }
    }

    static func typed(_ s: String, key: String) -> String {
        if !isTextKey(key) {
            if s == "true" || s == "false" { return s }
            if isJSONNumber(s), let d = Double(s), d.isFinite { return s }
        }
        return s.jsonQuoted
    }

    /// JSON number syntax: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isJSONNumber(_ s: String) -> Bool {
        var u = Array(s.utf8)[...]
        func digits() -> Int { var n = 0; while let c = u.first, c >= 48 && c <= 57 { u = u.dropFirst(); n += 1 }; return n }
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        if u.first == UInt8(ascii: "0") { u = u.dropFirst() } else if digits() == 0 { return false }
        if u.first == UInt8(ascii: ".") { u = u.dropFirst(); if digits() == 0 { return false } }
        if let c = u.first, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            u = u.dropFirst()
            if let c = u.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { u = u.dropFirst() }
            if digits() == 0 { return false }
        }
        return u.isEmpty
    }
}

/// A message a command writes on stderr outside the logger (an error before logging starts, the final summary,
/// an interruption): `tilepipe: message` as text (as given), or one JSON record when `JSONLogValue.stderrIsJSON`.
public enum StderrLine {
    /// Writes `message` (with typed `fields` in JSON mode) on stderr as one line.
    public static func write(_ message: String, level: String = "error", fields: [String: Logger.MetadataValue] = [:]) {
        let text: String
        if JSONLogValue.stderrIsJSON {
            text = JSONLogValue.line(level: level, message: message,
                                     fields: Dictionary(uniqueKeysWithValues: fields.map { ($0.key, JSONLogValue.render($0.value, key: $0.key)) }))
        } else {
            text = "tilepipe: \(message)\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The end-of-run summary: `summary.text` as text, or one JSON record `run summary` with typed counts and the
    /// failures as an array of objects.
    public static func summary(_ s: RunSummary) {
        guard JSONLogValue.stderrIsJSON else { FileHandle.standardError.write(Data(s.text.utf8)); return }
        let failures: [Logger.MetadataValue] = s.failures.map {
            .dictionary(["tile": .string($0.tile), "path": .string($0.path), "stage": .string($0.stage), "cause": .string($0.cause),
                         "kind": .string($0.kind.rawValue)])
        }
        write("run summary", level: s.failed == 0 ? "notice" : "warning",
              fields: ["total": .stringConvertible(s.total), "done": .stringConvertible(s.done), "skipped": .stringConvertible(s.skipped),
                       "failed": .stringConvertible(s.failed), "outputs": .stringConvertible(s.outputCount),
                       "exit_code": .stringConvertible(s.exitCode), "failures": .array(failures),
                       "warnings": .array(s.warnings.map { .string($0) })])
    }
}

/// A plain-text handler for stderr: `tilepipe: LEVEL: message key=value …`.
public struct TextLogHandler: LogHandler {
    /// Handler-level metadata.
    public var metadata: Logger.Metadata = [:]
    /// Minimum level.
    public var logLevel: Logger.Level = .info
    private let sink: @Sendable (String) -> Void

    /// A handler; `sink` receives each line (stderr by default).
    public init(sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) { self.sink = sink }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one text line.
    public func log(event: LogEvent) {
        var all = metadata
        for (k, v) in event.metadata ?? [:] { all[k] = v }
        let extra = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        sink("tilepipe: \(event.level): \(event.message)\(extra.isEmpty ? "" : " " + extra)".escapingControlCharacters + "\n")
    }
}
