import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Shared checks for the hostile-input suite: every hostile file is given to the reader in-process
/// (a typed `RasterIOError` naming the file) and to the built `tilepipe info` binary in a child
/// process with a timeout (no crash, no hang, exit 1, exactly one stderr line naming file and cause),
/// and its bytes are compared before and after (inputs are never modified).
enum HostileHarness {
    /// The `tilepipe` binary next to the test bundle (same build configuration), or nil.
    static var binary: String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tilepipe").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tilepipe").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Result of a child process.
    struct ChildResult {
        var status: Int32
        var signalled: Bool
        var timedOut: Bool
        var stdout: String
        var stderr: String
        /// Non-empty stderr lines.
        var errorLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    /// Runs `executable args` with stdout/stderr to files (no pipe a grandchild could hold open) and
    /// SIGKILLs it after `timeout` seconds. `prefix` runs it through e.g. `setpriv` or `bash -c`.
    static func runChild(_ executable: String, _ args: [String], timeout: TimeInterval = 60,
                         prefix: [String] = [], environment: [String: String]? = nil) throws -> ChildResult {
        let dir = try TestData.temporaryDirectory("hostile-child")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        if prefix.isEmpty {
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = args
        } else {
            p.executableURL = URL(fileURLWithPath: prefix[0])
            p.arguments = Array(prefix.dropFirst()) + [executable] + args
        }
        if let environment { p.environment = environment }
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline { kill(p.processIdentifier, SIGKILL); timedOut = true; break }
            usleep(20_000)
        }
        p.waitUntilExit()
        return ChildResult(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                           timedOut: timedOut,
                           stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                           stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    /// Bytes of a regular file (nil for anything else), to prove inputs are untouched.
    static func snapshot(_ path: String) -> Data? {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileManager.default.contents(atPath: path)
    }

    /// Asserts the reader refuses `path` with a `RasterIOError` whose kind is in `kinds`, whose path is
    /// `path`, and whose reason contains `cause` (case-insensitive); then that `tilepipe info` (when
    /// built) exits 1 without a signal or hang, printing exactly one stderr line naming the file and
    /// the cause; and that the file's bytes did not change.
    static func assertRejected(_ path: String, kinds: Set<String>, cause: String, limits: ResourceLimits = .default,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let before = snapshot(path)
        do {
            let r = try RasterFile.read(path: path, limits: limits)
            XCTFail("\(path): expected a \(kinds) error, read \(r.width)x\(r.height)", file: file, line: line)
        } catch let e as RasterIOError {
            XCTAssertEqual(e.path, path, file: file, line: line)
            XCTAssertTrue(kinds.contains(e.kind), "\(path): kind \(e.kind) (\(e.reason)) not in \(kinds)", file: file, line: line)
            XCTAssertTrue(cause.isEmpty || e.reason.lowercased().contains(cause.lowercased()), "\(path): reason '\(e.reason)' lacks '\(cause)'", file: file, line: line)
        }
        if limits == .default, let tp = binary {
            let r = try runChild(tp, ["info", "--", path], timeout: 60)
            XCTAssertFalse(r.timedOut, "\(path): tilepipe info hung", file: file, line: line)
            XCTAssertFalse(r.signalled, "\(path): tilepipe info died by signal \(r.status)", file: file, line: line)
            XCTAssertEqual(r.status, 1, "\(path): exit status; stderr: \(r.stderr)", file: file, line: line)
            XCTAssertEqual(r.errorLines.count, 1, "\(path): expected one error line, got: \(r.stderr)", file: file, line: line)
            XCTAssertTrue(r.stderr.contains(path), "\(path): error line does not name the file: \(r.stderr)", file: file, line: line)
            XCTAssertTrue(cause.isEmpty || r.stderr.lowercased().contains(cause.lowercased()), "\(path): error line lacks '\(cause)': \(r.stderr)", file: file, line: line)
            XCTAssertTrue(r.stdout.isEmpty, "\(path): output on stdout for a rejected file", file: file, line: line)
        }
        XCTAssertEqual(snapshot(path), before, "\(path): input modified", file: file, line: line)
    }

    /// Asserts that `tilepipe info` reads `path` successfully (exit 0, no signal), for hostile-looking
    /// files that are in fact valid.
    static func assertInfoSucceeds(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        guard let tp = binary else { return nil }
        let before = snapshot(path)
        let r = try runChild(tp, ["info", "--", path], timeout: 60)
        XCTAssertFalse(r.timedOut || r.signalled, "\(path): tilepipe info hung or crashed", file: file, line: line)
        XCTAssertEqual(r.status, 0, "\(path): stderr: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(snapshot(path), before, "\(path): input modified", file: file, line: line)
        return r.stdout
    }
}
