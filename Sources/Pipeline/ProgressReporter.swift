import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a redrawn bar on a terminal (done/failed/total, Mpx/s, ETA), plain lines every
/// `interval` seconds otherwise, nothing in `never` mode. Thread-safe.
public final class ProgressReporter: @unchecked Sendable {
    /// When to show progress.
    public enum Mode: String, Sendable, CaseIterable { case auto, always, never }

    private enum Style { case bar, lines, silent }
    private let lock = NSLock()
    private let style: Style
    private let total: Int
    private let interval: TimeInterval
    private let start = Date()
    private var done = 0, failed = 0, skipped = 0
    private var pixels = 0
    private var lastDraw = Date.distantPast
    private var lastLine = ""
    private let label: String
    private let sink: @Sendable (String) -> Void

    /// A reporter for `total` tiles. `auto` draws a bar when stderr is a terminal and plain lines otherwise;
    /// `always` draws the bar; `never` is silent. `sink` receives the text (stderr by default).
    public init(total: Int, mode: Mode, label: String = "", interval: TimeInterval = 5,
                sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.total = total
        self.interval = interval
        self.label = label
        self.sink = sink
        switch mode {
        case .never: style = .silent
        case .always: style = .bar
        case .auto: style = isatty(2) == 1 ? .bar : .lines
        }
    }

    /// Counts tiles skipped because they were already done.
    public func skip(_ n: Int) { lock.withLock { skipped += n } }

    /// Counts one finished tile.
    public func tileFinished(ok: Bool, pixels px: Int) {
        lock.withLock {
            if ok { done += 1 } else { failed += 1 }
            pixels += px
            let now = Date()
            let every: TimeInterval = style == .bar ? 0.1 : interval
            if now.timeIntervalSince(lastDraw) >= every || done + failed + skipped == total {
                lastDraw = now
                draw(final: false)
            }
        }
    }

    /// Ends the bar (newline) and prints the last line.
    public func finish() { lock.withLock { draw(final: true) } }

    /// The current line, without terminal codes.
    public var line: String { lock.withLock { text() } }

    private func text() -> String {
        let elapsed = max(Date().timeIntervalSince(start), 1e-6)
        let finished = done + failed
        let mpx = Double(pixels) / 1e6 / elapsed
        let remaining = total - finished - skipped
        let eta = finished == 0 ? "?" : formatDuration(elapsed / Double(finished) * Double(remaining))
        var s = "\(label.isEmpty ? "" : label + " ")\(done + skipped)/\(total) done"
        if skipped > 0 { s += " (\(skipped) skipped)" }
        s += ", \(failed) failed, " + String(format: "%.1f Mpx/s", mpx) + ", ETA \(eta)"
        return s
    }

    private func draw(final: Bool) {
        switch style {
        case .silent: return
        case .lines:
            let t = text()
            if t != lastLine { sink("tilepipe: \(t)\n") }
            lastLine = t
        case .bar:
            let width = 24
            let frac = total == 0 ? 1 : Double(done + failed + skipped) / Double(total)
            let filled = Int((frac * Double(width)).rounded(.down))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            sink("\r\u{1B}[2K[\(bar)] \(text())" + (final ? "\n" : ""))
        }
    }

    private func formatDuration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s"
    }
}
