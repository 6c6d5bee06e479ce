import RasterCore
import Foundation
public import RasterCore

/// Deterministic synthetic rasters for I/O tests: values cover each type's extremes, and float rasters
/// hold NaN, ±infinity, −0 and subnormals, so that a lossy or byte-swapping path shows up as a bit difference.
public enum SyntheticRasters {
    /// A `width`×`height`×`bands` raster of `S` whose samples come from a fixed-seed generator.
    public static func make<S: RasterSample>(_ type: S.Type, width: Int, height: Int, bands: Int, seed: UInt64 = 1) -> Raster<S> {
        var rng = SplitMix64(seed: seed &+ UInt64(width * 31 + height * 7 + bands))
        let n = width * height * bands
        var samples = [S](repeating: .zero, count: n)
        for i in 0..<n { samples[i] = value(S.self, i: i, rng: &rng) }
        return Raster(width: width, height: height, samples: samples, bands: Array(repeating: BandInfo(), count: bands))
    }

    /// One sample: mostly smooth gradients (so predictors matter) mixed with random and special values.
    static func value<S: RasterSample>(_ type: S.Type, i: Int, rng: inout SplitMix64) -> S {
        let r = rng.next()
        switch S.sampleType {
        case .float32:
            let specials: [Float] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -Float.leastNormalMagnitude / 4, Float(bitPattern: 0x7FA0_0001)]
            let f: Float = r % 17 == 0 ? specials[Int(r >> 8) % specials.count] : r % 3 == 0 ? Float(bitPattern: UInt32(truncatingIfNeeded: r >> 16)) : Float(i % 97) * 0.25 - 3
            return f as! S
        case .float64:
            let specials: [Double] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, Double.leastNormalMagnitude / 8, Double(bitPattern: 0x7FF4_0000_0000_0001)]
            let d: Double = r % 17 == 0 ? specials[Int(r >> 8) % specials.count] : r % 3 == 0 ? Double(bitPattern: r) : Double(i % 97) * 0.125 - 5
            return d as! S
        default:
            if r % 4 == 0 { return S(clampingDouble: Double(Int64(bitPattern: r) >> 40)) } // random incl. clamped extremes
            return S(clampingDouble: Double(i % 251) - 60)
        }
    }

    /// The raw bytes of a raster's samples (to compare bit patterns, NaN payloads included).
    public static func bytes<S>(_ r: Raster<S>) -> [UInt8] { r.samples.withUnsafeBytes { Array($0) } }

    /// The raw bytes of any raster's samples.
    public static func bytes(_ r: AnyRaster) -> [UInt8] {
        func open<R: TypedRaster>(_ t: R) -> [UInt8] { bytes(t.raster) }
        return open(r.typed)
    }

    /// The raw bytes of `window` cropped out of any raster.
    public static func bytes(_ r: AnyRaster, window: Window) -> [UInt8] {
        func open<R: TypedRaster>(_ t: R) -> [UInt8] { bytes(t.raster.cropped(to: window)) }
        return open(r.typed)
    }
}

