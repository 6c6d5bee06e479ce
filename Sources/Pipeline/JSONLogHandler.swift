import Foundation
import RasterCore
public import Logging

/// A swift-log handler that writes one JSON object per line to stderr:
/// `{"ts":"2026-01-01T00:00:00.000Z","level":"info","logger":"tilepipe","msg":"tile done","tile_id":"…",…}`.
/// Metadata is flattened into the object (keys sorted); values are strings.
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
        var fields: [String: String] = [:]
        for (k, v) in metadata { fields[k] = "\(v)" }
        for (k, v) in event.metadata ?? [:] { fields[k] = "\(v)" }
        let fmt = ISO8601DateFormatter()
        fmt.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var parts = ["\"ts\":\(fmt.string(from: Date()).jsonQuoted)", "\"level\":\(event.level.rawValue.jsonQuoted)",
                     "\"logger\":\(label.jsonQuoted)", "\"msg\":\("\(event.message)".jsonQuoted)"]
        for k in fields.keys.sorted() where !["ts", "level", "logger", "msg"].contains(k) {
            parts.append("\(k.jsonQuoted):\(fields[k]!.jsonQuoted)")
        }
        sink("{" + parts.joined(separator: ",") + "}\n")
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
