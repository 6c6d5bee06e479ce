import FuzzSupport
import Foundation
import RasterCore
import RasterIO

/// One input for the Float32 COG writer and reader round trip: the bytes become Float32 samples (any bit pattern:
/// NaN payloads, infinities, subnormals) of a raster whose width comes from the first byte, written with the index
/// defaults (DEFLATE level 1, predictor 3: the run-length encoder of `rle_deflate.c`) in 16² tiles with overviews,
/// then read back (libdeflate; libtiff's zlib path is compared in `RunLengthDeflateTests`). Any sample that does not
/// come back bit for bit is a finding (trap), as is a crash or a sanitizer report; a thrown error is not expected
/// for a valid raster and traps too.
let fuzzFloatCOG: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data, size >= 5 else { return 0 }
    let count = (size - 1) / 4
    let width = 1 + Int(data[0]) % 64
    let height = count / width
    guard height > 0 else { return 0 }
    var samples = [Float](repeating: 0, count: width * height)
    samples.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: data + 1, count: $0.count)) }
    let raster = Raster(width: width, height: height, samples: samples, bands: [BandInfo(description: "fuzz", nodata: .nan)])
    let dir = ProcessInfo.processInfo.environment["FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
    let path = (dir as NSString).appendingPathComponent("tilepipe-fuzz-\(getpid())-cog.tif")
    do {
        try GeoTIFFWriter.write(raster, to: path, options: .init(tileSize: 16))
        let back = try GeoTIFFReader(path: path, limits: FuzzInput.limits).read(Float.self)
        guard back.samples.elementsEqual(samples, by: { $0.bitPattern == $1.bitPattern }) else {
            fatalError("FuzzFloatCOG: \(width)x\(height) samples differ after the round trip")
        }
    } catch {
        fatalError("FuzzFloatCOG: \(width)x\(height): \(error)")
    }
    return 0
}

exit(runFuzzer(fuzzFloatCOG))
