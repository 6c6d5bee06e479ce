import FuzzSupport
import Foundation
import GroundStation

/// One input for the scene-manifest readers (scene.json, Landsat MTL text and JSON, Sentinel-2 STAC item),
/// chosen by content as discovery does. A thrown `ManifestError` is a correct answer.
let fuzzManifest: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data else { return 0 }
    let path = FuzzInput.scratchFile(data, size, suffix: "-scene.json")
    _ = try? SceneManifest.read(path: path)
    return 0
}

exit(runFuzzer(fuzzManifest))
