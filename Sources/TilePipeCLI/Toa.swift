import ArgumentParser
import Foundation
import GroundStation
import RasterCore
import RasterIO

/// `tilepipe toa --metadata FILE --band NAME=FILE[:BAND]... --output FILE`: DN → TOA reflectance from a manifest.
struct Toa: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toa",
        abstract: "Convert digital numbers to top-of-atmosphere reflectance using a scene manifest.",
        discussion: """
        The manifest is a Landsat MTL (.txt or .json), a Sentinel-2 STAC item or a station scene.json. NAME is a \
        common band name (nir, red, ...) or the sensor's band name (B5). Output: Float32 GeoTIFF, one band per \
        --band, reflectance (unitless), NaN where the DN is fill/nodata. Cloud and saturation masks are not applied.
        """)

    @Option(help: "Scene manifest: MTL.txt, MTL.json, STAC item JSON or scene.json.") var metadata: String
    @Option(name: .customLong("band"), help: "NAME=FILE[:BAND] (BAND 1-based, default 1); repeatable.") var bands: [String]
    @Option(help: "Output GeoTIFF.") var output: String
    @Flag(name: .customLong("pixel-sun"), help: "Use a per-pixel sun elevation from the footprint and time instead of the scene centre's.") var pixelSun = false

    func validate() throws {
        if bands.isEmpty { throw ValidationError("at least one --band NAME=FILE is required") }
        for b in bands where !b.contains("=") { throw ValidationError("--band '\(b)' is not NAME=FILE") }
    }

    func run() throws {
        requireInputFiles([metadata])
        do {
            var manifest = try SceneManifest.read(path: metadata)
            var names = [String]()
            for spec in bands {
                let eq = spec.firstIndex(of: "=")!
                let name = String(spec[..<eq])
                var file = String(spec[spec.index(after: eq)...])
                var fileBand = 1
                if let colon = file.lastIndex(of: ":"), let n = Int(file[file.index(after: colon)...]) {
                    fileBand = n
                    file = String(file[..<colon])
                }
                guard let b = manifest.band(named: name), let i = manifest.bands.firstIndex(of: b) else {
                    throw ManifestError.missingBand(file: metadata, band: name,
                                                    reason: "not in the manifest (has \(manifest.bands.map { "\($0.name)/\($0.commonName)" }.joined(separator: ", ")))")
                }
                requireInputFiles([file])
                manifest.bands[i].file = file
                manifest.bands[i].fileBand = fileBand
                names.append(manifest.bands[i].commonName)
            }
            let tile = try manifest.load(bands: names, limits: .default, masks: false, perPixelSun: pixelSun)
            var samples = [Float]()
            samples.reserveCapacity(tile.pixelCount * names.count)
            var infos = [BandInfo]()
            for n in names {
                samples.append(contentsOf: tile.bands[n]!)
                infos.append(BandInfo(description: n, nodata: .nan, unit: "reflectance",
                                      metadata: ["CALIBRATION": "TOA reflectance from \((metadata as NSString).lastPathComponent)"]))
            }
            let md: [String: String] = [
                "SCENE_ID": manifest.info.sceneID,
                "SATELLITE": manifest.info.satellite,
                "SUN_ELEVATION": manifest.info.sunElevation.map { String($0) } ?? "",
            ]
            let raster = Raster(width: tile.width, height: tile.height, samples: samples, bands: infos, geo: tile.geo, metadata: md)
            try GeoTIFFWriter.write(raster, to: output)
            FileHandle.standardError.write(Data("tilepipe toa: wrote \(output) (\(tile.width)x\(tile.height), \(names.joined(separator: ",")))\n".utf8))
        } catch let e as ManifestError {
            FileHandle.standardError.write(Data("tilepipe: \(e.description)\n".utf8))
            throw ExitCode(1)
        } catch let e as RasterIOError {
            FileHandle.standardError.write(Data("tilepipe: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
