import Dispatch
import Foundation
import Pipeline
import XCTest

/// `FanOut`: pieces in index order, the caller doing whatever helpers do not take, pieces side by side when the
/// helpers run, and the error of the lowest failing piece.
final class FanOutTests: XCTestCase {
    /// Helpers handed to `submit` and kept until `runAll` (or never run): the caller must not wait for them.
    final class HeldHelpers: @unchecked Sendable {
        private let lock = NSLock()
        private var held: [@Sendable () -> Void] = []
        func submit(_ work: @escaping @Sendable () -> Void) { lock.withLock { held.append(work) } }
        var count: Int { lock.withLock { held.count } }
        func runAll() { for w in lock.withLock({ held }) { w() } }
    }

    /// Which pieces ran, on how many threads at most.
    final class Record: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var ran: [Int] = []
        private var running = 0
        private(set) var maxRunning = 0
        func begin(_ k: Int) { lock.withLock { ran.append(k); running += 1; maxRunning = max(maxRunning, running) } }
        func end() { lock.withLock { running -= 1 } }
    }

    struct PieceError: Error, Equatable { let piece: Int }

    func testResultsComeInIndexOrderForEveryWidth() throws {
        let concurrent = DispatchQueue(label: "fanout.test", attributes: .concurrent)
        for width in [1, 2, 3, 8] {
            let fan = FanOut(width: width) { concurrent.async(execute: $0) }
            for count in [0, 1, 2, 7, 100] {
                XCTAssertEqual(try fan.map(count) { $0 * $0 }, (0..<count).map { $0 * $0 }, "width \(width), \(count) pieces")
            }
        }
        XCTAssertEqual(try FanOut.serial.map(5) { $0 + 1 }, [1, 2, 3, 4, 5])
    }

    /// Helpers that never start (the compute gate busy with other work) leave every piece to the caller, which
    /// returns without them; when they run later they find nothing left.
    func testTheCallerDoesEveryPieceHelpersDoNotTake() throws {
        let helpers = HeldHelpers(), record = Record()
        let fan = FanOut(width: 4, submit: helpers.submit)
        let out = try fan.map(6) { k -> Int in record.begin(k); defer { record.end() }; return 10 * k }
        XCTAssertEqual(out, [0, 10, 20, 30, 40, 50])
        XCTAssertEqual(helpers.count, 3, "width − 1 helpers asked for")
        XCTAssertEqual(record.ran, Array(0..<6), "the caller took the pieces in order")
        helpers.runAll()
        XCTAssertEqual(record.ran.count, 6, "a late helper runs no piece again")
    }

    /// With the helpers running, two pieces run at once: each waits until the other has started (5 s at most).
    func testPiecesRunSideBySideWhenHelpersRun() throws {
        let started = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let record = Record()
        let fan = FanOut(width: 2) { DispatchQueue.global().async(execute: $0) }
        let met = try fan.map(2) { k -> Bool in
            record.begin(k)
            defer { record.end() }
            started[k].signal()
            return started[1 - k].wait(timeout: .now() + 5) == .success
        }
        XCTAssertEqual(met, [true, true], "the two pieces did not overlap")
        XCTAssertEqual(record.maxRunning, 2)
    }

    /// A failing piece stops the taking of further pieces; the error thrown is the lowest failing index's, also
    /// when a higher piece failed first.
    func testTheLowestFailingPieceIsTheErrorAndNoPieceStartsAfterAFailure() {
        let helpers = HeldHelpers(), record = Record()
        let callerOnly = FanOut(width: 3, submit: helpers.submit)
        XCTAssertThrowsError(try callerOnly.map(8) { k -> Int in
            record.begin(k); defer { record.end() }
            if k == 2 { throw PieceError(piece: 2) }
            return k
        }) { XCTAssertEqual($0 as? PieceError, PieceError(piece: 2)) }
        XCTAssertEqual(record.ran, [0, 1, 2], "pieces after the failure were started")

        // Pieces 0 and 1 both fail, 1 first: 0 waits until 1 has thrown.
        let oneFailed = DispatchSemaphore(value: 0)
        let fan = FanOut(width: 2) { DispatchQueue.global().async(execute: $0) }
        XCTAssertThrowsError(try fan.map(2) { k -> Int in
            if k == 1 { defer { oneFailed.signal() }; throw PieceError(piece: 1) }
            _ = oneFailed.wait(timeout: .now() + 5)
            Thread.sleep(forTimeInterval: 0.01)
            throw PieceError(piece: 0)
        }) { XCTAssertEqual($0 as? PieceError, PieceError(piece: 0)) }
    }
}
