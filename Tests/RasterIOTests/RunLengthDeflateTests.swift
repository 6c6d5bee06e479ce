import CShims
import Foundation
import RasterCore
@testable import RasterIO
import TestSupport
import XCTest

/// The run-length DEFLATE encoder of level-1 float tiles (`rle_deflate.c`): every stream inflates, through zlib
/// (directly and inside COGs read by libtiff) and libdeflate (the reader's fast path), to exactly its input; block and run boundaries, stored fallback and
/// length-limited codes hold; the bytes depend on the input only, on any thread.
final class RunLengthDeflateTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("rle-deflate") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// The stream of `input` (nil if the encoder refused); `sampled`: one code from a sample of the input.
    private static func compress(_ input: [UInt8], sampled: Bool = false) -> [UInt8]? {
        let cap = rs_rle_zlib_bound(input.count)
        var out = [UInt8](repeating: 0, count: cap)
        let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: rs_rle_scratch_bytes() / 4)
        defer { scratch.deallocate() }
        let n = input.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { rs_rle_zlib_compress(i.baseAddress, i.count, $0.baseAddress, cap, scratch, sampled ? 1 : 0) }
        }
        return n == 0 ? nil : Array(out[0..<n])
    }

    /// Compresses and inflates `input`, with each block's own code and with a sampled one; fails unless both round
    /// trips are exact and within the bound. Returns the stream's size (`sampled`: of the sampled-code stream).
    @discardableResult
    private func roundTrip(_ input: [UInt8], _ label: String, sampled: Bool = false,
                           file: StaticString = #filePath, line: UInt = #line) -> Int {
        var sizes: [Bool: Int] = [:]
        for mode in [false, true] {
            let name = "\(label)\(mode ? " (sampled code)" : "")"
            guard let stream = Self.compress(input, sampled: mode) else { XCTFail("\(name): refused", file: file, line: line); return 0 }
            XCTAssertEqual(Array(stream.prefix(2)), [0x78, 0x01], "\(name): zlib header", file: file, line: line)
            XCTAssertLessThanOrEqual(stream.count, rs_rle_zlib_bound(input.count), name, file: file, line: line)
            XCTAssertTrue(Zlib.uncompress(stream, size: input.count) == input, "\(name): does not inflate to its input",
                          file: file, line: line)
            sizes[mode] = stream.count
        }
        return sizes[sampled]!
    }

    private func bytes(_ n: Int, seed: UInt64, _ value: (Int, inout SplitMix64) -> UInt8) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { value($0, &rng) }
    }

    func testSmallAndUniformInputs() {
        for n in 0..<300 {
            roundTrip(bytes(n, seed: UInt64(n)) { _, r in r.next() % 3 == 0 ? 0 : UInt8(truncatingIfNeeded: r.next()) }, "mixed \(n)")
            roundTrip([UInt8](repeating: 7, count: n), "constant \(n)")
        }
        // A run is a match of distance 1 (3...258 bytes): lengths around those limits, and a run longer than one match.
        for run in [2, 3, 4, 257, 258, 259, 260, 261, 516, 517, 1000] {
            roundTrip([1, 2] + [UInt8](repeating: 9, count: run) + [3], "run of \(run)")
        }
        XCTAssertLessThan(roundTrip([UInt8](repeating: 0, count: 1 << 20), "1 MiB of zeros"), 5_000, "runs are coded as matches")
    }

    /// Sizes around the 128 KiB blocks and the 65,535-byte stored chunks; runs that cross a block boundary use the
    /// previous block's bytes as history.
    func testBlockBoundariesAndIncompressibleData() {
        for n in [65_535, 65_536, 131_071, 131_072, 131_073, 262_144, (1 << 20) + 17] {
            let random = bytes(n, seed: UInt64(n)) { _, r in UInt8(truncatingIfNeeded: r.next()) }
            let size = roundTrip(random, "random \(n)")
            XCTAssertLessThanOrEqual(size, n + n / 10_000 + 64, "random \(n): stored blocks keep the expansion small")
            roundTrip(bytes(n, seed: 1) { i, r in r.next() % 1000 == 0 ? UInt8(truncatingIfNeeded: r.next()) : 0 }, "sparse \(n)")
            roundTrip(bytes(n, seed: 2) { i, _ in UInt8(truncatingIfNeeded: i / 300) }, "runs across blocks \(n)")
        }
    }

    /// Zeros and noise alternating in stretches of powers of two and others: the sample (a 4 KiB piece at a drawn
    /// offset in every 32 KiB) sees both, so the sampled code costs at most 2 % more than each block's own; a noise block
    /// costs no more than its stored form and the stream stays within the bound. Where the statistics are the same
    /// throughout, the sampled code costs under 1 % more.
    func testSampledCodeOnDataItWasNotMadeFor() {
        for stretch in [4096, 32_768, 131_072, 300_000] {
            let input = bytes(1 << 20, seed: UInt64(stretch)) { i, r in (i / stretch) % 2 == 0 ? 0 : UInt8(truncatingIfNeeded: r.next()) }
            let own = roundTrip(input, "zeros and noise in stretches of \(stretch)")
            let sampled = roundTrip(input, "zeros and noise in stretches of \(stretch)", sampled: true)
            XCTAssertLessThanOrEqual(Double(sampled), Double(own) * 1.02 + 2048, "stretch \(stretch): the sample missed a kind of data")
        }
        // Only noise after a sampled start of zeros (the sample sees both), and a noisy float-like plane throughout.
        let shifted = bytes(600_000, seed: 3) { i, r in i < 4096 ? 0 : UInt8(truncatingIfNeeded: r.next()) }
        XCTAssertLessThanOrEqual(roundTrip(shifted, "zeros then noise", sampled: true), shifted.count + shifted.count / 10_000 + 64)
        // Noise, then a block of zeros: the output has too little room left for the last block's worst case, so it
        // is coded aside (in the scratch) and kept, being far smaller than stored.
        let noiseThenZeros = bytes(1 << 20, seed: 9) { i, r in i < 7 * 131_072 ? UInt8(truncatingIfNeeded: r.next()) : 0 }
        XCTAssertLessThan(roundTrip(noiseThenZeros, "noise then zeros", sampled: true), 7 * 131_072 + 7 * 40 + 2_000)
        let planes = bytes(1 << 20, seed: 4) { i, r in i % 2048 < 512 ? (r.next() % 8 == 0 ? 1 : 0) : UInt8(truncatingIfNeeded: r.next() % 200) }
        let own = roundTrip(planes, "plane-like rows"), sampled = roundTrip(planes, "plane-like rows", sampled: true)
        XCTAssertLessThan(Double(sampled), Double(own) * 1.01, "sampled code on uniform statistics")
    }

    /// Symbol frequencies in a Fibonacci series make Huffman codes deeper than DEFLATE's 15 bits: the encoder must
    /// limit them and still give a complete code.
    func testSkewedFrequenciesNeedLengthLimitedCodes() {
        var input: [UInt8] = []
        var (a, b) = (1, 1)
        for s in 0..<26 {
            input += [UInt8](repeating: UInt8(s * 5 + 1), count: a)
            (a, b) = (b, a + b)
        }
        var rng = SplitMix64(seed: 5)
        input.shuffle(using: &rng)   // few runs, so the literal code carries the skew
        roundTrip(Array(input.prefix(131_072)), "fibonacci, one block")
        roundTrip(input, "fibonacci, \(input.count) bytes")
        // Geometric: symbol k with probability 2^-(k+1), up to 40 symbols.
        roundTrip(bytes(1 << 20, seed: 6) { _, r in UInt8(min((~r.next()).trailingZeroBitCount, 40) * 3) }, "geometric")
    }

    /// Same input, same stream: again, and from several threads at once (ISA-L's encoder failed this; see
    /// docs/performance.md).
    func testStreamsDependOnTheInputOnly() {
        let input = bytes(600_000, seed: 8) { i, r in i % 4 == 0 ? UInt8(i / 512 % 3) : UInt8(truncatingIfNeeded: r.next() % 40) }
        let reference = Self.compress(input)
        XCTAssertNotNil(reference)
        nonisolated(unsafe) let streams = UnsafeMutableBufferPointer<[UInt8]?>.allocate(capacity: 8)   // one slot per thread
        defer { streams.deallocate() }
        streams.initialize(repeating: nil)
        DispatchQueue.concurrentPerform(iterations: 8) { streams[$0] = Self.compress(input) }
        for (i, s) in streams.enumerated() { XCTAssertTrue(s == reference, "thread \(i) gave other bytes") }
    }

    /// Level-1 Float32 COGs (the default for index outputs) written with the run-length encoder read back
    /// bit for bit, through libdeflate (the reader's fast path) and through libtiff's zlib; a libdeflate-encoded
    /// level-6 file holds the same samples.
    func testFloatCOGsReadBackThroughBothDecoders() throws {
        var rng = SplitMix64(seed: 11)
        let n = 700   // partial edge tiles and one overview level at 512² tiles
        let samples: [Float] = (0..<(n * n)).map { i in
            i % 1013 < 40 ? .nan : Float(i % n) / Float(n) - 0.4 + Float(rng.next() % 10_000) / 1e6
        }
        let raster = Raster(width: n, height: n, samples: samples, bands: [BandInfo(description: "ndvi", nodata: .nan)])
        let fastFile = dir.appendingPathComponent("level1.tif").path, slowFile = dir.appendingPathComponent("level6.tif").path
        try GeoTIFFWriter.write(raster, to: fastFile)
        try GeoTIFFWriter.write(raster, to: slowFile, options: .init(level: 6))
        for path in [fastFile, slowFile] {
            for fastPath in [true, false] {
                let back = try GeoTIFFReader(path: path, limits: .default, deflateFastPath: fastPath).read(Float.self)
                XCTAssertTrue(back.samples.map(\.bitPattern) == samples.map(\.bitPattern),
                              "\(path), \(fastPath ? "libdeflate" : "libtiff/zlib"): samples differ")
            }
        }
        let fastSize = try FileManager.default.attributesOfItem(atPath: fastFile)[.size] as! Int
        let slowSize = try FileManager.default.attributesOfItem(atPath: slowFile)[.size] as! Int
        XCTAssertLessThan(Double(fastSize), Double(slowSize) * 1.05, "level 1 (run-length) should stay within 5 % of level 6")
    }
}
