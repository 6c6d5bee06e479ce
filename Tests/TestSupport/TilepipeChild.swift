import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `tilepipe` child whose stderr is collected as it arrives (to act on log lines: signal it, start another run).
public final class TilepipeChild: @unchecked Sendable {
    /// The child.
    public let process = Process()
    private let lock = NSLock()
    private var text = ""
    private let done = DispatchSemaphore(value: 0)

    /// Starts `binary args` in `cwd` (stdout and stdin closed).
    public init(binary: String, args: [String], cwd: URL) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        process.currentDirectoryURL = cwd
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = err.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { text += String(decoding: chunk, as: UTF8.self) }
            }
            done.signal()
        }
    }

    /// Stderr so far.
    public var stderr: String { lock.withLock { text } }

    /// Waits until `predicate(stderr)` holds (true) or the process ends / `timeout` passes (false).
    public func waitFor(timeout: TimeInterval = 300, _ predicate: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(stderr) { return true }
            if !process.isRunning { return predicate(stderr) }
            usleep(20_000)
        }
        return false
    }

    /// Waits for the end; returns the exit status (nil when killed by a signal) and all of stderr.
    public func finish(timeout: TimeInterval = 600) -> (status: Int32?, stderr: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        _ = done.wait(timeout: .now() + 10)
        return (process.terminationReason == .uncaughtSignal ? nil : process.terminationStatus, stderr)
    }

    /// Runs `binary args` in `cwd` to its end.
    public static func run(binary: String, _ args: [String], cwd: URL) throws -> (status: Int32?, stderr: String) {
        try TilepipeChild(binary: binary, args: args, cwd: cwd).finish()
    }
}
