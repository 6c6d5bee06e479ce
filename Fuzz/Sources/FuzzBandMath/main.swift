import FuzzSupport
import Foundation
import Kernels

/// One input for the band-math parser: parse the bytes (as UTF-8, lossy) against a fixed band set; when
/// it parses, evaluate it over 37 pixels (odd, so the chunk tail runs) of bands holding NaN, ±Inf, 0,
/// negatives and ordinary values. A thrown `KernelError` is a correct answer.
private let bandNames: Set<String> = ["a", "b", "nir", "red", "green", "blue", "swir16", "swir22"]
private let sample: [Float] = [0, 1, -1, .nan, .infinity, -.infinity, 0.5, 1e30, -1e-30, 3]
private let bandValues: [String: [Float]] = Dictionary(uniqueKeysWithValues: bandNames.sorted().enumerated().map { i, n in
    (n, (0..<37).map { sample[($0 + i) % sample.count] })
})

let fuzzBandMath: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data, size <= 4096 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let expr = try? BandMathExpression(parsing: text, bands: bandNames) {
        _ = expr.evaluate(bands: bandValues, count: 37, chunk: 16)
    }
    return 0
}

exit(runFuzzer(fuzzBandMath))
