// swift-tools-version:6.1
// TilePipe: satellite tiles in, analysis products out. Layers point one way (docs/architecture.md): each target
// declares exactly the modules its sources import, no more (a declared but unused dependency hides the real graph).
import PackageDescription

let package = Package(
    name: "TilePipe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tilepipe", targets: ["TilePipeCLI"]),
        .library(name: "RasterCore", targets: ["RasterCore"]),
        .library(name: "RasterIO", targets: ["RasterIO"]),
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "GroundStation", targets: ["GroundStation"]),
        .library(name: "Products", targets: ["Products"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
    ],
    targets: [
        // C libraries of the field, as system-library targets (Debian -dev packages).
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"])]),
        // One small C target: fixed-signature wrappers for libtiff's variadics, GeoTIFF/GDAL tag
        // registration, whole libpng sessions (setjmp never crosses a Swift frame), DEFLATE blocks inflated and
        // tiles deflated with libdeflate (libdeflate-dev; its header is included by the C files only), and the
        // run-length DEFLATE encoder of level-1 Float32 tiles.
        .target(name: "CShims", dependencies: ["CTIFF", "CPNG"], linkerSettings: [.linkedLibrary("deflate")]),

        .target(name: "RasterCore"),
        .target(name: "RasterIO", dependencies: ["RasterCore", "CTIFF", "CPROJ", "CFreeType", "CShims"]),
        .target(name: "GroundStation", dependencies: ["RasterCore", "RasterIO"]),
        .target(name: "Kernels"),
        .target(name: "Analysis", dependencies: ["RasterCore", "RasterIO", "GroundStation"]),
        .target(name: "Products", dependencies: [
            "RasterCore", "RasterIO", "Analysis", "GroundStation",
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .target(name: "Pipeline", dependencies: [
            "RasterCore", "RasterIO", "GroundStation", "Kernels", "Analysis", "Products",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The web map of a run (`tilepipe serve`): sits beside Pipeline and never imports it (design.md §4.1).
        .target(name: "Serve", dependencies: [
            "RasterCore", "RasterIO", "Products",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "TilePipeCLI", dependencies: [
            "RasterCore", "RasterIO", "GroundStation", "Kernels", "Products", "Pipeline", "Serve",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "TestSupport", dependencies: ["RasterCore", "RasterIO"], path: "Tests/TestSupport"),
        .testTarget(name: "RasterCoreTests", dependencies: ["RasterCore"]),
        // CShims: the run-length encoder is called directly, its streams inflated by zlib (TestSupport.Zlib).
        .testTarget(name: "RasterIOTests", dependencies: ["RasterCore", "RasterIO", "TestSupport", "CShims"]),
        .testTarget(name: "GroundStationTests", dependencies: ["RasterCore", "RasterIO", "GroundStation", "TestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["RasterCore", "RasterIO", "Kernels", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["RasterCore", "RasterIO", "GroundStation", "Analysis", "TestSupport"]),
        .testTarget(name: "ProductsTests", dependencies: ["RasterCore", "RasterIO", "Analysis", "Products", "TestSupport",
                                                          .product(name: "Mustache", package: "swift-mustache")], exclude: ["Golden"]),
        .testTarget(name: "PipelineTests", dependencies: [
            "RasterCore", "RasterIO", "Analysis", "Products", "Pipeline", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ServeTests", dependencies: [
            "RasterCore", "RasterIO", "Products", "Pipeline", "Serve", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
