import ArgumentParser
import Foundation
import Kernels
import RasterCore
import RasterIO

/// One `--band ROLE=FILE[:BAND]` argument (BAND is 1-based, default 1).
struct BandSpec: Equatable {
    /// The band's role: a common band name for `index`, any identifier for `calc`.
    var role: String
    /// The raster file.
    var path: String
    /// 1-based band number in the file.
    var band: Int

    /// Parses `ROLE=FILE[:BAND]`; a trailing `:digits` is the band number, anything else is part of the path.
    init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw ValidationError("--band '\(text)': expected ROLE=FILE[:BAND]")
        }
        role = String(text[..<eq])
        var rest = String(text[text.index(after: eq)...])
        band = 1
        if let colon = rest.lastIndex(of: ":") {
            let digits = rest[rest.index(after: colon)...]
            if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
                guard let b = Int(digits), b >= 1 else { throw ValidationError("--band '\(text)': band numbers start at 1") }
                band = b
                rest = String(rest[..<colon])
            }
        }
        guard !rest.isEmpty else { throw ValidationError("--band '\(text)': no file given") }
        guard role.first.map({ $0 == "_" || $0.isLetter }) == true, role.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
            throw ValidationError("--band '\(text)': role '\(role)' must be an identifier (letters, digits, _)")
        }
        path = rest
    }
}

/// The bands of a command, read, converted to Float32 reflectance and checked to share one grid.
struct LoadedBands {
    /// Reflectance per role: raw × scale + offset, nodata → NaN.
    var bands: [String: [Float]]
    var width: Int
    var height: Int
    /// Georeferencing of the first band's file.
    var geo: GeoReference?
    /// What was applied (scale/offset conventions), for stderr.
    var notes: [String]

    var count: Int { width * height }

    /// Reads every spec (GeoTIFF or PNG, recognised by content). Scale and offset: `scale`/`offset` when given;
    /// otherwise, with `fileScale`, the band's own SCALE/OFFSET metadata (a MODIS HDF-EOS `scale_factor` > 1,
    /// e.g. 10000, means "divide by"); without it, raw values as stored (as gdal_calc.py reads them).
    /// Bands on different grids: see `BandGrids.align` (`resample`).
    static func load(_ specs: [BandSpec], scale: Double?, offset: Double?, fileScale: Bool, resample: ResampleMethod? = nil) throws -> LoadedBands {
        guard !specs.isEmpty else { throw ValidationError("no --band given") }
        var seen = Set<String>()
        for s in specs where !seen.insert(s.role).inserted {
            throw ValidationError("--band role '\(s.role)' is given twice")
        }
        var descriptions: [String: RasterDescription] = [:]
        var result = LoadedBands(bands: [:], width: 0, height: 0, geo: nil, notes: [])
        var grids: [BandGrids.Band] = []
        for spec in specs {
            let d: RasterDescription
            if let known = descriptions[spec.path] { d = known } else {
                d = try RasterFile.describe(path: spec.path)
                descriptions[spec.path] = d
            }
            guard spec.band <= d.bandCount else {
                throw ValidationError("--band \(spec.role)=\(spec.path):\(spec.band): the file has \(d.bandCount) band(s)")
            }
            grids.append(BandGrids.Band(spec: spec, width: d.width, height: d.height, geo: d.geo))
            let info = d.bands[spec.band - 1]
            var values = try RasterFile.read(path: spec.path, bands: [spec.band - 1]).floatBand(0)
            let (s, o, note) = fileScale ? Self.scaleOffset(info: info, metadata: d.metadata, scale: scale, offset: offset)
                : (scale ?? 1, offset ?? 0, nil)
            if let note { result.notes.append("\(spec.role)=\(spec.path):\(spec.band): \(note)") }
            if s != 1 || o != 0 {
                let fs = Float(s), fo = Float(o)
                values.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = p[i] * fs + fo } }
            }
            result.bands[spec.role] = values
        }
        try BandGrids.align(&result, bands: grids, resample: resample)
        return result
    }

    /// The scale and offset to apply to raw values, and a note when a convention was interpreted.
    static func scaleOffset(info: BandInfo, metadata: [String: String], scale: Double?, offset: Double?) -> (Double, Double, String?) {
        var s = info.scale, o = info.offset
        var note: String?
        // MODIS HDF-EOS: scale_factor=10000 means reflectance = raw / 10000 (GDAL reports it as a multiplier).
        let hdfScale = (info.metadata["scale_factor"] ?? metadata["scale_factor"]).flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        if scale == nil, s > 1, let f = hdfScale, f == s {
            let hdfOffset = (info.metadata["add_offset"] ?? metadata["add_offset"]).flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0
            s = 1 / f
            o = -hdfOffset / f
            note = "scale_factor=\(f) read as the MODIS 'divide by' convention (reflectance = raw / \(f))"
        }
        if let scale { s = scale }
        if let offset { o = offset }
        return (s, o, note)
    }
}

/// Writes Float32 bands (one per name, in order) as a tiled DEFLATE GeoTIFF with nodata NaN and
/// the input's georeferencing.
func writeFloatBands(_ outputs: [(name: String, values: [Float])], width: Int, height: Int, geo: GeoReference?,
                     to path: String, metadata: [String: String] = [:]) throws {
    var samples: [Float] = []
    samples.reserveCapacity(width * height * outputs.count)
    for o in outputs { samples.append(contentsOf: o.values) }
    let infos = outputs.map { BandInfo(description: $0.name, nodata: .nan) }
    let raster = Raster<Float>(width: width, height: height, samples: samples, bands: infos, geo: geo, metadata: metadata)
    try GeoTIFFWriter.write(raster, to: path, options: .init(compression: .deflate, predictor: 3))
}

/// Exits 2 ("could not start") naming the first of `paths` that does not exist; a file that exists but cannot be
/// read is the reader's error (exit 1), as for a tile that fails.
func requireInputFiles(_ paths: [String]) {
    for path in paths {
        var st = stat()
        if stat(path, &st) != 0, errno == ENOENT || errno == ENOTDIR {
            fail("\(path.escapingControlCharacters): no such file", code: 2)
        }
    }
}

/// Prints a message to stderr, prefixed with the tool name.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("tilepipe: \(message)\n".utf8))
}
