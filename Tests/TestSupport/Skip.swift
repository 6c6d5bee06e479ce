import Foundation
import XCTest

/// Skipping a test so that `make test` can count it.
///
/// `swift test --parallel --xunit-output` reports an XCTSkip'd test as passed (swiftlang/swift-package-manager#7383,
/// #8066), so the suite's closing line would never show a skip. Each skip made here also appends
/// `file:line: reason` to the file named by `TILEPIPE_SKIP_LOG` (when set); `scripts/test-summary.py` counts those
/// lines as skipped and takes them from the passed.
public enum Skip {
    /// An `XCTSkip` for `reason`, logged; use as `throw Skip.because("...")`.
    public static func because(_ reason: String, file: StaticString = #filePath, line: UInt = #line) -> XCTSkip {
        log("\(file):\(line): \(reason)")
        return XCTSkip(reason)
    }

    /// Skips (logged) unless `condition` holds; use as `try Skip.unless(cond, "...")`.
    public static func unless(_ condition: @autoclosure () throws -> Bool, _ reason: String,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        if try !condition() { throw because(reason, file: file, line: line) }
    }

    /// Appends one line to `$TILEPIPE_SKIP_LOG` (O_APPEND: lines from parallel test processes do not interleave).
    static func log(_ text: String) {
        guard let path = ProcessInfo.processInfo.environment["TILEPIPE_SKIP_LOG"], !path.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((text.replacingOccurrences(of: "\n", with: " ") + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
