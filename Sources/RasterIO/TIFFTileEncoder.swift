internal import CShims
internal import CTIFF
public import RasterCore

/// Compresses tiles exactly as libtiff compresses them into a file (same codec, level and predictor, so the same
/// bytes), on a one-tile TIFF in memory. One encoder is used by one thread at a time; `GeoTIFFTileWriter` keeps a
/// pool so blocks written from several threads are encoded in parallel.
final class TIFFTileEncoder {
    private let file = VirtualTIFFFile()
    private var handle: TIFFHandle?
    private let tileBytes: Int

    /// An encoder for `tileSize`² tiles of `bands` interleaved samples of `type`.
    init(type: SampleType, bands: Int, tileSize: Int, options: GeoTIFFWriter.Options, reportedPath: String) throws {
        let h = try file.open(name: reportedPath, mode: "w")
        handle = h
        tileBytes = tileSize * tileSize * bands * type.byteWidth
        try GeoTIFFWriter.setEncodingTags(h, width: tileSize, height: tileSize, type: type, bands: bands, options: options)
        try h.set(UInt32(TIFFTAG_PHOTOMETRIC), u16: UInt16(PHOTOMETRIC_MINISBLACK))
        guard TIFFWriteCheck(h.tif, 1, "TIFFTileEncoder") == 1 else {
            throw RasterIOError.io(path: reportedPath, reason: h.lastError(or: "cannot set up the tile encoder"))
        }
        try GeoTIFFWriter.setCodecLevel(options, h)
    }

    deinit { handle = nil }   // closes the libtiff handle before `file` goes

    /// The compressed bytes of one whole tile (`tile` holds `tileSize`² interleaved samples; libtiff may apply the
    /// predictor to a copy, never to `tile`).
    func encode(_ tile: UnsafeMutableRawBufferPointer) throws -> [UInt8] {
        guard let h = handle else { throw RasterIOError.io(path: "", reason: "encoder closed") }
        precondition(tile.count == tileBytes, "tile buffer of \(tile.count) bytes, expected \(tileBytes)")
        file.captured = []
        file.captured.reserveCapacity(tileBytes / 2)
        file.mode = .capture
        let written = TIFFWriteEncodedTile(h.tif, 0, tile.baseAddress, tmsize_t(tile.count))
        file.mode = .record
        guard written >= 0 else { throw RasterIOError.io(path: h.path, reason: h.lastError(or: "cannot encode a tile")) }
        let out = file.captured
        file.captured = []
        guard UInt64(out.count) == TIFFGetStrileByteCount(h.tif, 0) else {
            throw RasterIOError.io(path: h.path, reason: "tile encoder: \(out.count) bytes captured, libtiff counted \(TIFFGetStrileByteCount(h.tif, 0))")
        }
        return out
    }
}
