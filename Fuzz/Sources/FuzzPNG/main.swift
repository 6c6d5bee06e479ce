import FuzzSupport
import Foundation
import RasterCore
import RasterIO

/// One input for the PNG reader (libpng sessions in CShims) and the raster conversion: decode the
/// bytes under small limits. A thrown `RasterIOError` is a correct answer.
let fuzzPNG: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data else { return 0 }
    let path = FuzzInput.scratchFile(data, size, suffix: ".png")
    _ = try? PNGImage.read(path: path, limits: FuzzInput.limits)
    _ = try? RasterFile.readPNG(path: path, limits: FuzzInput.limits)
    return 0
}

exit(runFuzzer(fuzzPNG))
