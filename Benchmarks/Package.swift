// swift-tools-version:6.1
// TilePipe kernel benchmarks: a separate package, so its unsafe flags (-march/-target-cpu native) and
// its C reference kernel never touch the main package graph. Depends on the root package by path.
//
//   cd Benchmarks && swift build -c release && .build/release/kernel-bench [--quick]
import Foundation
import PackageDescription

// A path dependency's identity is its folder name (the worktree may be called anything).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "TilePipeBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        // The C reference kernels of ../shared/bench/c/ndvi_ref.c (clang -O3 -march=native).
        .target(name: "CNDVIReference", cSettings: [.unsafeFlags(["-O3", "-march=native"])]),
        .executableTarget(
            name: "kernel-bench",
            dependencies: ["CNDVIReference", .product(name: "Kernels", package: rootIdentity)],
            swiftSettings: [.unsafeFlags(["-target-cpu", "native"])]
        ),
        // The COG writer (encode, overviews, assembly, hash) with 1 and 2 threads: `cog-writer-bench [--size N]`.
        .executableTarget(
            name: "cog-writer-bench",
            dependencies: [
                .product(name: "Products", package: rootIdentity), .product(name: "RasterIO", package: rootIdentity),
                .product(name: "RasterCore", package: rootIdentity),
            ]
        ),
    ]
)
