// swift-tools-version:6.1
// libFuzzer targets for TilePipe's parsers. A separate package so the sanitizer flags never touch the
// main build graph. Build (see ../Makefile `fuzz`):
//   swift build -c release --package-path Fuzz --product FuzzTIFF \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xcc -fsanitize=fuzzer-no-link,address
// Each executable defines `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`.
import PackageDescription

let package = Package(
    name: "TilePipeFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "TilePipe", path: ".."),
    ],
    targets: [
        .target(name: "FuzzSupport", dependencies: [
            .product(name: "RasterCore", package: "TilePipe"),
        ]),
        .executableTarget(name: "FuzzTIFF", dependencies: [
            "FuzzSupport",
            .product(name: "RasterCore", package: "TilePipe"),
            .product(name: "RasterIO", package: "TilePipe"),
        ]),
        .executableTarget(name: "FuzzPNG", dependencies: [
            "FuzzSupport",
            .product(name: "RasterCore", package: "TilePipe"),
            .product(name: "RasterIO", package: "TilePipe"),
        ]),
        .executableTarget(name: "FuzzFloatCOG", dependencies: [
            "FuzzSupport",
            .product(name: "RasterCore", package: "TilePipe"),
            .product(name: "RasterIO", package: "TilePipe"),
        ]),
        .executableTarget(name: "FuzzBandMath", dependencies: [
            "FuzzSupport",
            .product(name: "Kernels", package: "TilePipe"),
        ]),
        .executableTarget(name: "FuzzManifest", dependencies: [
            "FuzzSupport",
            .product(name: "GroundStation", package: "TilePipe"),
        ]),
        .executableTarget(name: "FuzzPipelineConfig", dependencies: [
            "FuzzSupport",
            .product(name: "Pipeline", package: "TilePipe"),
        ]),
        .executableTarget(name: "FuzzSetOverride", dependencies: [
            "FuzzSupport",
            .product(name: "Pipeline", package: "TilePipe"),
        ]),
    ]
)
