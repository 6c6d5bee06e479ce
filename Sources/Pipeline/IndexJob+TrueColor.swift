import Foundation
public import RasterCore
import RasterIO
import GroundStation
public import Products

/// The red, green and blue reflectance of a whole tile, kept from compute to write for the true-colour picture.
public struct TrueColorPlanes: Sendable {
    /// Reflectance per band (NaN = invalid), row-major.
    public var red: [Float], green: [Float], blue: [Float]
}

/// The true-colour picture of a tile (`outputs.rgb: true`, Products' `TrueColorWriter`): on the whole-tile route the
/// 2–98 % stretch comes from the loaded planes; on the windowed route from a pre-pass that reads the tile window by
/// window into a `TrueColorHistogram` before any block is written (the same counts, so the same stretch and bytes).
/// A tile without red, green or blue gets a warning and no picture.
extension IndexJob {
    /// The relative path of tile `id`'s true-colour picture.
    public static func trueColorPath(tile id: String) -> String { "tiles/\(id)/\(id)_rgb.tif" }

    /// The warning of a tile whose `bands` lack red, green or blue while `outputs.rgb` is on; nil otherwise.
    func trueColorWarning<C: Collection<String>>(bands: C) -> String? {
        guard products.trueColor else { return nil }
        let missing = TrueColorStretch.bandNames.filter { !bands.contains($0) }
        guard !missing.isEmpty else { return nil }
        return "no true-colour picture (outputs.rgb): the tile has no \(missing.joined(separator: ", ")) band (it needs red, green and blue)"
    }

    /// Two warnings as one (either may be nil).
    static func joinWarnings(_ a: String?, _ b: String?) -> String? {
        switch (a, b) {
        case let (a?, b?): "\(a); \(b)"
        case let (a?, nil): a
        case let (nil, b?): b
        case (nil, nil): nil
        }
    }

    /// The planes the whole-tile write needs (nil when off or a band is missing).
    func trueColorPlanes(_ bands: [String: [Float]]) -> TrueColorPlanes? {
        guard products.trueColor, let r = bands["red"], let g = bands["green"], let b = bands["blue"] else { return nil }
        return TrueColorPlanes(red: r, green: g, blue: b)
    }

    /// `c` with the true-colour planes and, when they are missing, the warning (compute's last step).
    func withTrueColor(_ c: Computed, bands: [String: [Float]]) -> Computed {
        var c = c
        c.trueColor = trueColorPlanes(bands)
        c.warning = IndexJob.joinWarnings(c.warning, trueColorWarning(bands: bands.keys))
        return c
    }

    /// The STAC href of `rel` (relative to the tile's item).
    private static func href(_ rel: String) -> String { "./" + (rel as NSString).lastPathComponent }

    /// Whole-tile route: the stretch from the planes, every block written, recorded with its hash and STAC asset.
    /// A tile without a valid pixel gets no picture.
    func writeTrueColor(_ c: Computed, _ s: inout WriteSession) throws {
        guard let p = c.trueColor else { return }
        var histogram = TrueColorHistogram()
        histogram.add(red: p.red, green: p.green, blue: p.blue)
        guard let stretch = histogram.stretch else { return }
        let rel = IndexJob.trueColorPath(tile: s.item.id)
        let writer = try TrueColorWriter(path: s.full(rel), width: c.width, height: c.height, geo: c.geo, stretch: stretch,
                                         provenance: s.provenance, codec: codec, tileSize: tileSize, overviews: overviews)
        let written: WrittenCOG
        do {
            try writer.writeWhole(red: p.red, green: p.green, blue: p.blue)
            written = try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
        s.record(rel, written.file)
        s.assets.append(writer.asset(href: IndexJob.href(rel), statistics: written.statistics))
    }

    /// Windowed route, from `openWriters`: when the tile has red, green and blue, reads it window by window (the
    /// same loads as `window`) into a histogram, then opens the writer with its stretch. Sets `trueColorWarning`
    /// when a band is missing.
    func openTrueColor(_ t: WindowedTile, item: TileSource, firstBands: Set<String>) throws {
        guard products.trueColor else { return }
        if let w = trueColorWarning(bands: firstBands) { t.trueColorWarning = w; return }
        var histogram = TrueColorHistogram()
        for w in t.windows {
            let tile = try retry.run { try item.input.load(bands: t.bands, limits: limits, options: loadOptions, window: w, readers: t.readers) }
            guard let r = tile.bands["red"], let g = tile.bands["green"], let b = tile.bands["blue"] else {
                throw PipelineError.badTile(path: item.path, reason: "window \(w) has no red, green or blue band")
            }
            histogram.add(red: r, green: g, blue: b)
        }
        guard let stretch = histogram.stretch else { return }
        let rel = IndexJob.trueColorPath(tile: item.id)
        let writer = try TrueColorWriter(path: (outputDirectory as NSString).appendingPathComponent(rel), width: t.width, height: t.height,
                                         geo: t.geo, stretch: stretch, provenance: t.provenance, codec: codec, tileSize: tileSize,
                                         overviews: overviews)
        t.trueColor = (rel, writer)
    }

    /// Windowed route, from `window`: the window's block of the picture.
    func writeTrueColor(_ t: WindowedTile, window w: Window, bands: [String: [Float]]) throws {
        guard let tc = t.trueColor else { return }
        guard let r = bands["red"], let g = bands["green"], let b = bands["blue"] else {
            throw PipelineError.badTile(path: tc.writer.path, reason: "window \(w) has no red, green or blue band")
        }
        try tc.writer.write(blockX: w.x / tileSize, blockY: w.y / tileSize, red: r, green: g, blue: b)
    }

    /// Windowed route, from `finish`: the picture published, recorded with its hash and STAC asset.
    func finishTrueColor(_ t: WindowedTile, _ s: inout WriteSession) throws {
        guard let tc = t.trueColor else { return }
        let written = try tc.writer.finish()
        t.published.append(written.file.path)
        s.record(tc.rel, written.file)
        s.assets.append(tc.writer.asset(href: IndexJob.href(tc.rel), statistics: written.statistics))
    }
}
