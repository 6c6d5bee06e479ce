import FuzzSupport
import Foundation
import Pipeline

/// The minimum valid config the `--set` assignments are applied to.
let base = """
    version: 1
    inputs:
      - path: tiles/
        bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
    indices: [ndvi, ndwi]
    outputs:
      directory: out
    """

/// One input = up to 8 `--set KEY.PATH=VALUE` strings, one per line, applied to `base` as `tilepipe run --set`
/// does (key paths, list positions, YAML values with aliases). A thrown `ConfigError` is a correct answer; a crash,
/// a hang, a stack overflow or a runaway allocation (alias expansion, deep keys) is a finding.
let fuzzSetOverride: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data, size <= 65536 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let assignments = text.split(separator: "\n", maxSplits: 8, omittingEmptySubsequences: false).prefix(8).map(String.init)
    _ = try? PipelineConfig.parse(yaml: base, file: "fuzz.yaml", overrides: assignments)
    return 0
}

exit(runFuzzer(fuzzSetOverride))
