import RasterCore
import XCTest
@testable import Kernels

final class FusedKernelTests: XCTestCase {
    let allBands = ["blue", "green", "red", "rededge1", "nir", "swir16", "swir22"]

    /// Fused, chunked kernels == the per-pixel scalar reference, for every length 0…4096, every
    /// catalogue index at once, random NaN patterns and a chunk size that varies with the length.
    func testFusedEqualsScalarReferenceForEveryLength() throws {
        var rng = SplitMix64(seed: 42)
        let pool = randomBands(allBands, count: 8192, nanRate: 0.1, rng: &rng)
        let indices = IndexCatalog.all
        let references = indices.map { ($0, ScalarReference.formula($0.name)) }
        var mismatches = 0
        for length in 0...4096 {
            let start = Int.random(in: 0...(8192 - length), using: &rng)
            var bands: [String: [Float]] = [:]
            for (k, v) in pool { bands[k] = Array(v[start..<(start + length)]) }
            let chunk = [17, 64, 1000, 4096][length % 4]
            let out = try computeIndices(indices, bands: bands, count: length, chunk: chunk)
            XCTAssertEqual(out.count, indices.count)
            let b = allBands.map { bands[$0]! }
            let pixels = (0..<length).map { i in
                Pixel(blue: b[0][i], green: b[1][i], red: b[2][i], rededge1: b[3][i], nir: b[4][i], swir16: b[5][i], swir22: b[6][i])
            }
            for (index, reference) in references {
                let got = try XCTUnwrap(out[index.name])
                XCTAssertEqual(got.count, length)
                for i in 0..<length {
                    let want = reference(pixels[i])
                    if !close(got[i], want) {
                        mismatches += 1
                        if mismatches < 10 { XCTFail("\(index.name) length \(length) pixel \(i): \(got[i]) vs \(want), \(pixels[i])") }
                    }
                }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    /// NaN in any input gives NaN, and a zero denominator gives NaN (never ±inf).
    func testNodataAndZeroDenominatorGiveNaN() throws {
        let nd = try computeIndices([IndexCatalog.lookup("NDVI")!], bands: ["nir": [.nan, 0.3, 0, 0.2, 0.5], "red": [0.1, .nan, 0, -0.2, 0.1]], count: 5)["NDVI"]!
        XCTAssertTrue(nd[0].isNaN && nd[1].isNaN && nd[2].isNaN && nd[3].isNaN)
        XCTAssertEqual(nd[4], 0.4 / 0.6, accuracy: 1e-7)
        for index in IndexCatalog.all {
            var bands: [String: [Float]] = [:]
            for b in index.requiredBands { bands[b] = [0.2, 0.3] }
            bands[index.requiredBands.last!]![1] = .nan
            let out = try computeIndices([index], bands: bands, count: 2)[index.name]!
            XCTAssertTrue(out[1].isNaN, "\(index.name) must be NaN when \(index.requiredBands.last!) is NaN")
            XCTAssertFalse(out[0].isInfinite, index.name)
        }
    }

    /// NDVI ∈ [−1, 1] for every non-negative reflectance pair (NaN only at 0/0).
    func testNDVIStaysInUnitRange() throws {
        var rng = SplitMix64(seed: 7)
        let n = 100_000
        var nir = (0..<n).map { _ in Float.random(in: 0...1, using: &rng) }
        var red = (0..<n).map { _ in Float.random(in: 0...1, using: &rng) }
        nir[0] = 0; red[0] = 1; nir[1] = 1; red[1] = 0; nir[2] = Float.leastNonzeroMagnitude; red[2] = 0
        nir[3] = .greatestFiniteMagnitude; red[3] = 0
        let out = try computeIndices([IndexCatalog.lookup("NDVI")!], bands: ["nir": nir, "red": red], count: n)["NDVI"]!
        for (i, v) in out.enumerated() {
            XCTAssertTrue(v >= -1 && v <= 1, "pixel \(i): NDVI(\(nir[i]), \(red[i])) = \(v)")
        }
        XCTAssertEqual(out[0], -1)
        XCTAssertEqual(out[1], 1)
    }

    /// NDVI(a, b) = −NDVI(b, a) exactly, NaN patterns included.
    func testNDVIIsAntisymmetric() throws {
        var rng = SplitMix64(seed: 9)
        let bands = randomBands(["a", "b"], count: 50_000, nanRate: 0.05, rng: &rng)
        let ndvi = IndexCatalog.lookup("NDVI")!
        let ab = try computeIndices([ndvi], bands: ["nir": bands["a"]!, "red": bands["b"]!], count: 50_000)["NDVI"]!
        let ba = try computeIndices([ndvi], bands: ["nir": bands["b"]!, "red": bands["a"]!], count: 50_000)["NDVI"]!
        for i in 0..<50_000 {
            if ab[i].isNaN { XCTAssertTrue(ba[i].isNaN, "pixel \(i)") } else { XCTAssertEqual(ab[i], -ba[i], "pixel \(i)") }
        }
    }

    /// The same request with duplicated indices computes each once and gives the same values.
    func testDuplicatesAndChunkSizeDoNotChangeResults() throws {
        var rng = SplitMix64(seed: 11)
        let bands = randomBands(allBands, count: 10_000, nanRate: 0.05, rng: &rng)
        let set = ["NDVI", "NDWI", "MNDWI", "NBR", "NDBI", "NDMI"].map { IndexCatalog.lookup($0)! }
        let a = try computeIndices(set + set, bands: bands, count: 10_000, chunk: 333)
        let b = try computeIndices(set, bands: bands, count: 10_000, chunk: 10_000)
        let c = try computeIndices(set, bands: bands, count: 10_000, chunk: 1)
        XCTAssertEqual(Set(a.keys), Set(set.map(\.name)))
        for k in a.keys {
            XCTAssertTrue(zip(a[k]!, b[k]!).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, k)
            XCTAssertTrue(zip(c[k]!, b[k]!).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, k)
        }
        XCTAssertThrowsError(try computeIndices(set, bands: bands, count: 10, chunk: 0))
    }
}

final class CallerBufferTests: XCTestCase {
    /// The caller-owned-buffer entry point gives exactly what the array-returning one gives.
    func testIntoBuffersEqualsArrayAPI() throws {
        var rng = SplitMix64(seed: 21)
        let n = 9_999
        let bands = randomBands(["blue", "green", "red", "nir", "swir16", "swir22"], count: n, nanRate: 0.05, rng: &rng)
        let six = ["NDVI", "NDWI", "MNDWI", "NBR", "NDBI", "EVI"].map { IndexCatalog.lookup($0)! }
        let want = try computeIndices(six, bands: bands, count: n)
        let outs = (0..<6).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: n) }
        defer { outs.forEach { $0.deallocate() } }
        outs.forEach { $0.initialize(repeating: 0) }
        let names = bands.keys.sorted()
        try withBuffers(names.map { bands[$0]! }) { ptrs in
            var views: [String: UnsafeBufferPointer<Float>] = [:]
            for (k, name) in names.enumerated() { views[name] = ptrs[k] }
            try computeIndices(six, bands: views, into: outs, chunk: 100)
        }
        for (k, index) in six.enumerated() {
            XCTAssertTrue(zip(outs[k], want[index.name]!).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, index.name)
        }
    }
}
