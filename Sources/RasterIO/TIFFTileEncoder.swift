internal import CShims
internal import CTIFF
public import RasterCore

/// Compresses tiles exactly as libtiff compresses them into a file (same codec, level and predictor, so the same
/// bytes), on a one-tile TIFF in memory. One encoder is used by one thread at a time; `GeoTIFFTileWriter` keeps a
/// pool so blocks written from several threads are encoded in parallel.
///
/// DEFLATE tiles skip libtiff's encode call: `deflate_encode.c` applies libtiff's predictor and calls libdeflate
/// as libtiff's libdeflate path does, on buffers the encoder keeps (libtiff allocates a working copy of the tile
/// and a scratch row per row for every tile). Anything that path does not cover goes through libtiff
/// (`RasterIOTests.TileEncoderTests` compares both, byte for byte). The exception is DEFLATE level 1 with the
/// floating-point predictor (the default for index COGs): the predicted tile is compressed by the run-length
/// encoder of `rle_deflate.c` (about 3× libdeflate's speed on noisy Float32 planes for ~1 % more bytes; the same
/// decoded samples, a different valid stream; `RunLengthDeflateTests`).
final class TIFFTileEncoder {
    private let file = VirtualTIFFFile()
    private var handle: TIFFHandle?
    private let tileBytes: Int
    /// libdeflate state for DEFLATE tiles (nil: libtiff encodes every tile).
    private let fast: OpaquePointer?
    /// The fast path's output bound (bytes reserved for a tile before its stream is written).
    private let bound: Int
    /// Tiles encoded by the fast path, and by libtiff (tests check both).
    private(set) var fastTiles = 0, libtiffTiles = 0
    /// True when the fast path compresses with the run-length encoder rather than libdeflate.
    var runLength: Bool { fast.map { rs_deflate_encoder_runs($0) != 0 } ?? false }
    /// The tile buffer `GeoTIFFTileWriter` lays out a padded or band-interleaved tile in, reused (zeroed once;
    /// every byte is overwritten before each encode).
    let tile: UnsafeMutableRawBufferPointer

    /// An encoder for `tileSize`² tiles of `bands` interleaved samples of `type`.
    /// `fastPath: false` encodes every tile through libtiff (tests compare the two).
    init(type: SampleType, bands: Int, tileSize: Int, options: GeoTIFFWriter.Options, reportedPath: String, fastPath: Bool = true) throws {
        let h = try file.open(name: reportedPath, mode: "w")
        handle = h
        tileBytes = tileSize * tileSize * bands * type.byteWidth
        try GeoTIFFWriter.setEncodingTags(h, width: tileSize, height: tileSize, type: type, bands: bands, options: options)
        try h.set(UInt32(TIFFTAG_PHOTOMETRIC), u16: UInt16(PHOTOMETRIC_MINISBLACK))
        guard TIFFWriteCheck(h.tif, 1, "TIFFTileEncoder") == 1 else {
            throw RasterIOError.io(path: reportedPath, reason: h.lastError(or: "cannot set up the tile encoder"))
        }
        try GeoTIFFWriter.setCodecLevel(options, h)
        tile = UnsafeMutableRawBufferPointer.allocate(byteCount: tileBytes, alignment: 64)
        tile.initializeMemory(as: UInt8.self, repeating: 0)
        fast = fastPath ? rs_deflate_encoder_new(h.tif) : nil
        bound = fast.map { rs_deflate_encoder_bound($0) } ?? 0
    }

    deinit {
        handle = nil   // closes the libtiff handle before `file` goes
        if let fast { rs_deflate_encoder_free(fast) }
        tile.deallocate()
    }

    /// The compressed bytes of one whole tile (`tile` holds `tileSize`² interleaved samples and is only read:
    /// the fast path predicts into its own buffer, and libtiff applies the predictor to a copy, never to `tile`).
    /// The fast path writes the stream straight into the returned tile's memory.
    func encode(_ tile: UnsafeRawBufferPointer) throws -> EncodedTile {
        guard let h = handle else { throw RasterIOError.io(path: "", reason: "encoder closed") }
        precondition(tile.count == tileBytes, "tile buffer of \(tile.count) bytes, expected \(tileBytes)")
        if let fast, let encoded = EncodedTile(capacity: bound, fill: { out in
            let n = rs_deflate_encode_tile(fast, tile.baseAddress, tile.count, out.baseAddress, out.count)
            return n == RS_DEFLATE_FALLBACK ? nil : Int(n)
        }) {
            fastTiles += 1
            return encoded
        }
        libtiffTiles += 1
        file.captured = []
        file.captured.reserveCapacity(tileBytes / 2)
        file.mode = .capture
        let written = TIFFWriteEncodedTile(h.tif, 0, UnsafeMutableRawPointer(mutating: tile.baseAddress), tmsize_t(tile.count))
        file.mode = .record
        guard written >= 0 else { throw RasterIOError.io(path: h.path, reason: h.lastError(or: "cannot encode a tile")) }
        let out = file.captured
        file.captured = []
        guard UInt64(out.count) == TIFFGetStrileByteCount(h.tif, 0) else {
            throw RasterIOError.io(path: h.path, reason: "tile encoder: \(out.count) bytes captured, libtiff counted \(TIFFGetStrileByteCount(h.tif, 0))")
        }
        return EncodedTile(out)
    }
}
