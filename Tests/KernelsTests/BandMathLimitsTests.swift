import Foundation
import XCTest
@testable import Kernels

/// Band math is bounded: nesting past `BandMathExpression.maxDepth` is a typed error with its column, and long flat
/// runs are evaluated as a loop, so no expression can exhaust the stack of the parser, the evaluator or the tree's
/// deallocation.
final class BandMathLimitsTests: XCTestCase {
    static let limit = BandMathExpression.maxDepth
    var limit: Int { Self.limit }

    /// Runs `body` on a thread with an 8 MiB stack (the `ulimit -s 8192` of the issue), so a recursion that depends
    /// on the input would crash the test rather than pass by luck of a larger stack.
    func onEightMiBStack(_ body: @escaping @Sendable () throws -> Void) {
        let done = expectation(description: "thread")
        let thread = Thread {
            do { try body() } catch { XCTFail("\(error)") }
            done.fulfill()
        }
        thread.stackSize = 8 << 20
        thread.start()
        wait(for: [done], timeout: 600)
    }

    func testNestingUpToTheLimitParsesAndEvaluates() throws {
        let text = String(repeating: "(", count: limit - 1) + "x + 1" + String(repeating: ")", count: limit - 1)
        let e = try BandMathExpression(parsing: text, bands: ["x"])
        XCTAssertEqual(e.evaluate(bands: ["x": [1, 2]], count: 2), [2, 3])
    }

    func testTenThousandNestedParenthesesAreATypedErrorAtTheColumnPastTheLimit() {
        let text = String(repeating: "(", count: 10_000) + "x" + String(repeating: ")", count: 10_000)
        onEightMiBStack {
            XCTAssertThrowsError(try BandMathExpression(parsing: text, bands: ["x"])) { error in
                XCTAssertEqual(error as? KernelError, .tooDeep(expression: text, column: Self.limit + 1, limit: Self.limit))
                let message = "\(error)"
                XCTAssertTrue(message.contains("limit of \(Self.limit)"), message)
                XCTAssertLessThan(message.count, 400, "the message quotes an excerpt, not 20,000 characters")
            }
        }
    }

    func testEveryKindOfNestingIsCounted() {
        let deep = [String(repeating: "-", count: 10_000) + "x",
                    String(repeating: "not ", count: 10_000) + "x",
                    String(repeating: "abs(", count: 10_000) + "x" + String(repeating: ")", count: 10_000),
                    Array(repeating: "x", count: 10_000).joined(separator: "^")]
        onEightMiBStack {
            for text in deep {
                XCTAssertThrowsError(try BandMathExpression(parsing: text, bands: ["x"]), String(text.prefix(12))) { error in
                    guard case .tooDeep(_, _, let l)? = error as? KernelError else { return XCTFail("\(error)") }
                    XCTAssertEqual(l, Self.limit)
                }
            }
        }
    }

    func testAHundredThousandTermSumGivesTheRightResult() throws {
        let terms = 100_000
        let sum = Array(repeating: "x", count: terms).joined(separator: " + ")
        let mixed = (0..<terms).map { $0 % 2 == 0 ? "x" : "1" }.joined(separator: " - ")
        let product = Array(repeating: "y", count: terms).joined(separator: " * ")
        let x: [Float] = [1, 0.5, .nan, -2]
        let y: [Float] = [1, -1, 1, 1]
        nonisolated(unsafe) var results: [[Float]] = []
        nonisolated(unsafe) var failure: Error?
        onEightMiBStack {
            do {
                for text in [sum, mixed, product] {
                    let e = try BandMathExpression(parsing: text, bands: ["x", "y"])
                    results.append(e.evaluate(bands: ["x": x, "y": y], count: 4, chunk: 3))
                }
            } catch { failure = error }
        }
        XCTAssertNil(failure)
        guard results.count == 3 else { return }
        XCTAssertEqual(results[0][0], Float(terms))
        XCTAssertEqual(results[0][1], Float(terms) / 2)
        XCTAssertTrue(results[0][2].isNaN)
        XCTAssertEqual(results[0][3], -2 * Float(terms))
        // x - 1 - x - 1 - …: x less 49,999 more x terms and 50,000 ones; for x = 1 that is -99,998.
        XCTAssertEqual(results[1][0], -99_998)
        XCTAssertEqual(results[2], [1, 1, 1, 1])
    }

    /// A run is left-associative, as the binary tree was: 8 / 2 / 2 = 2, 1 - 2 - 3 = -4, and division by zero is NaN.
    func testRunsKeepLeftAssociativityAndNaNForDivisionByZero() throws {
        let e1 = try BandMathExpression(parsing: "x / 2 / 2", bands: ["x"])
        XCTAssertEqual(e1.evaluate(bands: ["x": [8, 4]], count: 2), [2, 1])
        let e2 = try BandMathExpression(parsing: "1 - x - 3", bands: ["x"])
        XCTAssertEqual(e2.evaluate(bands: ["x": [2]], count: 1), [-4])
        let e3 = try BandMathExpression(parsing: "x / y * 2", bands: ["x", "y"])
        let r = e3.evaluate(bands: ["x": [1, 1], "y": [0, 4]], count: 2)
        XCTAssertTrue(r[0].isNaN)
        XCTAssertEqual(r[1], 0.5)
    }

    func testIndexFunctionsMatchListedSpellingsOnly() throws {
        XCTAssertNoThrow(try BandMathExpression(parsing: "ndvi(nir, red) + NDVI()", bands: ["nir", "red"]))
        XCTAssertThrowsError(try BandMathExpression(parsing: "BaI(red, nir)", bands: ["nir", "red"])) { error in
            XCTAssertTrue("\(error)".contains("did you mean BAI"), "\(error)")
        }
    }
}
