import FuzzSupport
import Foundation
import RasterCore
import RasterIO

/// One input for the GeoTIFF reader: open the bytes as a file, then decode the first window of every
/// band and band 1 as Float under small limits. A thrown `RasterIOError` is a correct answer; a crash,
/// sanitizer report, leak or hang is a finding.
let fuzzTIFF: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data else { return 0 }
    let path = FuzzInput.scratchFile(data, size, suffix: ".tif")
    do {
        let reader = try GeoTIFFReader(path: path, limits: FuzzInput.limits)
        let d = reader.description
        let window = FuzzInput.firstWindow(width: d.width, height: d.height)
        _ = try? reader.read(window: window)
        _ = try? reader.readFloatBand(1, window: window)
    } catch {
        _ = String(describing: error)
    }
    return 0
}

exit(runFuzzer(fuzzTIFF))
